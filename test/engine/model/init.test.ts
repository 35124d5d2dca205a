/**
 * The two initialisation schemes: Torch7's defaults (the authors' code) draw kernels and biases
 * uniformly in +-1/sqrt(fan_in) and batch-norm gamma in [0, 1); Glorot leaves biases at zero.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { MNIST_V1_PRESET, type GmvaeConfig } from '../../../src-main/common/config.ts';
import { buildNetworks, networkList } from '../../../src-main/engine/model/networks.ts';
import { tf } from '../../../src-main/engine/tf.ts';

before(async () => {
  await tf.setBackend('cpu');
});

const config = (overrides: Partial<GmvaeConfig>): GmvaeConfig => ({
  ...MNIST_V1_PRESET,
  k: 4,
  xDim: 6,
  wDim: 5,
  hidden: 20,
  seed: 3,
  backend: 'cpu',
  ...overrides,
});

const range = (t: tf.Tensor) => {
  const v = t.dataSync();
  return { min: Math.min(...v), max: Math.max(...v) };
};

for (const arch of ['mlp', 'conv'] as const) {
  test(`torch (${arch}): every kernel and bias within +-1/sqrt(fan_in), not all zero; gamma in [0, 1)`, () => {
    const networks = buildNetworks(config({ init: 'torch', arch, model: 'v1' }), { shape: [28, 28, 1] });
    let checked = 0;
    for (const net of networkList(networks))
      for (const layer of net.layers) {
        const weights = layer.getWeights();
        const className = layer.getClassName();
        if (className === 'Dense' || className === 'Conv2D' || className === 'Conv2DTranspose') {
          const [kernel, bias] = weights;
          const shape = kernel!.shape;
          // Dense [in, out]; Conv2D [kh, kw, in, out]; Conv2DTranspose [kh, kw, out, in].
          const fanIn =
            className === 'Dense'
              ? shape[0]!
              : shape[0]! * shape[1]! * shape[className === 'Conv2D' ? 2 : 3]!;
          const bound = 1 / Math.sqrt(fanIn);
          for (const w of [kernel!, bias!]) {
            const { min, max } = range(w);
            assert.ok(min >= -bound && max <= bound, `${layer.name}: [${min}, ${max}] outside +-${bound}`);
            // (A single output channel's bias is one number: it cannot spread.)
            if (w.size > 1)
              assert.ok(max - min > bound / 4, `${layer.name}: drawn over the range, not constant`);
          }
          checked++;
        }
        if (className === 'BatchNormalization') {
          const { min, max } = range(weights[0]!);
          assert.ok(min >= 0 && max < 1 && max > min, `${layer.name} gamma in [0, 1)`);
          assert.equal((layer.getConfig() as { epsilon: number }).epsilon, 1e-5);
        }
      }
    assert.ok(checked >= 10, `checked ${checked} layers`);
    for (const net of networkList(networks)) net.dispose();
  });
}

test('glorot: zero biases (so the K component means coincide at w = 0 before training)', () => {
  const networks = buildNetworks(config({ init: 'glorot' }), { shape: [28, 28, 1] });
  const biases = networkList(networks).flatMap((net) =>
    net.layers.filter((l) => l.getClassName() === 'Dense').map((l) => l.getWeights()[1]!),
  );
  assert.ok(biases.length > 5);
  for (const b of biases) assert.deepEqual(range(b), { min: 0, max: 0 });
  for (const net of networkList(networks)) net.dispose();
});
