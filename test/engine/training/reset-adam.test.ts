/**
 * The authors' update: Torch's optim.adam called with a fresh state table every step. The
 * reference below is that Lua code's arithmetic, step for step, in float64.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { RESET_ADAM_FLOOR, ResetAdam } from '../../../src-main/engine/training/reset-adam.ts';
import { tf } from '../../../src-main/engine/tf.ts';

before(async () => {
  await tf.setBackend('cpu');
});

/** optim.adam (torch/optim adam.lua) with state = {} : t = 1, m = v = 0 before the step. */
function torchAdamFirstStep(x: number, g: number, lr: number): number {
  const beta1 = 0.9,
    beta2 = 0.999,
    epsilon = 1e-8;
  const t = 1;
  const m = beta1 * 0 + (1 - beta1) * g;
  const v = beta2 * 0 + (1 - beta2) * g * g;
  const denom = Math.sqrt(v) + epsilon;
  const biasCorrection1 = 1 - beta1 ** t;
  const biasCorrection2 = 1 - beta2 ** t;
  const stepSize = (lr * Math.sqrt(biasCorrection2)) / biasCorrection1;
  return x - (stepSize * m) / denom;
}

test('each step equals the first step of a freshly built Torch Adam', () => {
  const lr = 1e-4;
  const start = [0.5, -0.25, 1, 0, 3];
  const gradients = [
    [0.3, -2e-3, 1e-7, -5e-8, 40],
    [-1, 1, 2e-6, 0, -1e-9],
  ];
  const value = tf.variable(tf.tensor1d(start), true, 'reset_adam_test');
  const optimizer = new ResetAdam(lr);
  let expected = start.slice();
  for (const g of gradients) {
    optimizer.applyGradients([{ name: value.name, tensor: tf.tensor1d(g) }]);
    expected = expected.map((x, i) => torchAdamFirstStep(x, g[i]!, lr));
    const actual = Array.from(value.dataSync());
    actual.forEach((a, i) =>
      assert.ok(
        Math.abs(a - expected[i]!) < 3e-7 * Math.max(1, Math.abs(a)),
        `element ${i}: ${a} != ${expected[i]}`,
      ),
    );
  }
  // A gradient far above the floor moves by lr (a sign step); one far below barely moves.
  assert.ok(Math.abs(RESET_ADAM_FLOOR - 3.162e-7) < 1e-10);
  value.dispose();
});

test('its checkpointed state is the step count alone, restored as it was', async () => {
  const value = tf.variable(tf.tensor1d([1, 2]), true, 'reset_adam_state');
  const optimizer = new ResetAdam(0.1);
  optimizer.applyGradients([{ name: value.name, tensor: tf.tensor1d([1, -1]) }]);
  optimizer.applyGradients([{ name: value.name, tensor: tf.tensor1d([1, -1]) }]);
  const weights = await optimizer.getWeights();
  assert.deepEqual(
    weights.map((w) => w.name),
    ['iter'],
  );
  const restored = new ResetAdam(0.1);
  await restored.setWeights(weights);
  assert.equal(restored.iterations, 2);
  value.dispose();
});
