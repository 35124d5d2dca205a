/**
 * The FLOP count behind gmvae bench's GFLOP/s and peak fraction, against counts done by hand
 * from the layer shapes docs/performance.md lists, for both architectures and every rows rule.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { MNIST_V2_PRESET, type GmvaeConfig } from '../../../src-main/common/config.ts';
import {
  denseProductShapes,
  layerMacs,
  trainingFlopsPerExample,
} from '../../../src-main/engine/bench/flops.ts';
import { buildNetworks, networkList, type Networks } from '../../../src-main/engine/model/networks.ts';
import { tf } from '../../../src-main/engine/tf.ts';

before(async () => {
  await tf.setBackend('cpu');
});

const MNIST = { shape: [28, 28, 1] };
const mnist = (overrides: Partial<GmvaeConfig> = {}): GmvaeConfig => ({
  ...MNIST_V2_PRESET,
  seed: 1,
  backend: 'cpu',
  ...overrides,
});

function withNetworks<T>(config: GmvaeConfig, use: (networks: Networks) => T): T {
  const networks = buildNetworks(config, MNIST);
  try {
    return use(networks);
  } finally {
    for (const network of networkList(networks)) network.dispose();
  }
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

test('the MLP: 3 passes of 2 FLOPs per multiply-add, less the first layer input gradient', () => {
  // Multiply-adds per example: encoder 784*500 + 500*500 + 500*(2*200 + 2*150), prior network
  // 150*500 + 2*500*3200, decoder 200*500 + 500*500 + 500*784.
  const encoder = 392_000 + 250_000 + 350_000;
  const priorAndDecoder = 75_000 + 3_200_000 + 100_000 + 250_000 + 392_000;
  const flops = withNetworks(mnist(), (n) => trainingFlopsPerExample(mnist(), n));
  assert.equal(flops, 6 * (encoder + priorAndDecoder) - 2 * 784 * 500);
  // M samples multiply the prior network and decoder, not the encoder.
  const m2 = withNetworks(mnist({ mcSamples: 2 }), (n) =>
    trainingFlopsPerExample(mnist({ mcSamples: 2 }), n),
  );
  assert.equal(m2, flops + 6 * priorAndDecoder);
});

test("the authors' conv network: each convolution's taps over its output (or, transposed, its input) pixels", () => {
  const config = mnist({ arch: 'conv' });
  const [encoder, decoder] = withNetworks(config, (n) => [layerMacs(n.encoder), layerMacs(n.decoder)]);
  const convs = [
    23 * 23 * (6 * 6 * 1 * 16), // 28 -> 23, 16@6x6
    18 * 18 * (6 * 6 * 16 * 32), // 23 -> 18, 32@6x6
    9 * 9 * (4 * 4 * 32 * 64), // 18 -> 9, 64@4x4 stride 2, "same"
    1 * 1 * (9 * 9 * 64 * 500), // 9 -> 1, H@9x9
  ];
  assert.deepEqual(encoder, [...convs, 500 * 200, 500 * 200, 500 * 150, 500 * 150]);
  // The decoder's transposed convolutions cost what the encoder's convolutions do, in reverse.
  assert.deepEqual(decoder, [200 * 500, ...[...convs].reverse()]);
  const prior = 150 * 500 + 2 * 500 * 3200;
  const flops = withNetworks(config, (n) => trainingFlopsPerExample(config, n));
  assert.equal(flops, 6 * (sum(encoder!) + prior + sum(decoder!)) - 2 * convs[0]!);
  // About 160 MFLOP per example and step (docs/performance.md).
  assert.ok(flops > 150e6 && flops < 170e6, String(flops));
});

test("Shu's model: the posterior network and decoder see every cluster's rows", () => {
  const config = mnist({ model: 'shu', k: 4 });
  const flops = withNetworks(config, (n) => {
    const macs = (network: keyof Networks) => sum(layerMacs(n[network]!));
    const expected =
      6 * macs('encoder') -
      2 * layerMacs(n.encoder)[0]! +
      6 * 4 * (macs('priorNetwork') + macs('posteriorNetwork')) +
      6 * 4 * macs('decoder');
    assert.equal(trainingFlopsPerExample(config, n), expected);
    return expected;
  });
  assert.ok(flops > 0);
});

test("the MLP step's products: three per Dense layer at its shapes, their FLOPs the step's count", () => {
  const config = mnist();
  withNetworks(config, (n) => {
    const shapes = denseProductShapes(config, n)!;
    // 12 Dense layers (encoder 6, prior network 3, decoder 3), less the data's gradient.
    assert.equal(shapes.length, 3 * 12 - 1);
    const flops = sum(shapes.map(({ m, n: cols, k }) => 2 * m * cols * k));
    assert.equal(flops, config.batchSize * trainingFlopsPerExample(config, n));
    // The encoder's first layer: forward [100, 784]·[784, 500], weight gradient [784, 100]·[100, 500].
    assert.deepEqual(shapes.slice(0, 3), [
      { m: 100, n: 500, k: 784, transposeA: false, transposeB: false },
      { m: 784, n: 500, k: 100, transposeA: true, transposeB: false },
      { m: 100, n: 500, k: 500, transposeA: false, transposeB: false },
    ]);
    // A prior head on the M samples' rows: its input gradient [R, 3200]·[3200, 500].
    const m3 = mnist({ mcSamples: 3 });
    assert.ok(
      withNetworks(m3, (n3) => denseProductShapes(m3, n3, 100)!).some(
        (p) => p.m === 300 && p.n === 500 && p.k === 3200 && p.transposeB,
      ),
    );
  });
  // Convolutions are lowered by the backend in shapes of its own: no list.
  const conv = mnist({ arch: 'conv' });
  assert.equal(
    withNetworks(conv, (n) => denseProductShapes(conv, n)),
    null,
  );
});
