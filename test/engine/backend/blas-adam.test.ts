/**
 * The fused Adam update of the 'blas' backend (training/optimizer.ts + blas/adam-kernel.ts)
 * against tfjs's own AdamOptimizer on the cpu backend: the same parameters and moments after
 * several steps on fresh random gradients, under the same checkpoint names.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectBackend } from '../../../src-main/engine/backend/backends.ts';
import { tf } from '../../../src-main/engine/tf.ts';
import { createAdam } from '../../../src-main/engine/training/optimizer.ts';
import { assertClose, on, randomValues, skipUnlessBlas } from './blas-helpers.ts';

// A layer-sized tensor, odd sizes, a vector and a single value.
const SHAPES = [[600, 500], [129, 33], [33], [1]];
const STEPS = 4;

async function train(
  backend: 'cpu' | 'blas',
  optimizer: () => tf.Optimizer,
  initial: Float32Array[],
  gradients: Float32Array[][],
) {
  await selectBackend(backend, { trainsConv2d: false });
  const opt = optimizer();
  const variables = SHAPES.map((shape, i) =>
    tf.variable(tf.tensor(initial[i]!, shape), true, `${backend}${i}`),
  );
  for (const step of gradients)
    tf.tidy(() =>
      opt.applyGradients(
        Object.fromEntries(variables.map((v, i) => [v.name, tf.tensor(step[i]!, SHAPES[i])])),
      ),
    );
  const weights = await opt.getWeights(); // iterations, then each variable's m and v
  const read = (t: tf.Tensor) => ({ shape: t.shape, values: t.dataSync() as Float32Array });
  const result = {
    names: weights.map((w) => w.name.replace(backend, '')),
    tensors: [...variables, ...weights.map((w) => w.tensor)].map(read),
  };
  tf.dispose(variables);
  opt.dispose();
  return result;
}

test('fused Adam on blas follows tfjs Adam on cpu, slots included', { skip: skipUnlessBlas }, async () => {
  const initial = SHAPES.map((s) => randomValues(s.reduce((p, d) => p * d, 1)));
  const gradients = Array.from({ length: STEPS }, () => initial.map((v) => randomValues(v.length)));
  const expected = await train('cpu', () => tf.train.adam(0.05), initial, gradients);
  const actual = await train('blas', () => createAdam(0.05), initial, gradients);
  assert.deepEqual(actual.names, expected.names);
  assert.equal(actual.names.length, 1 + 2 * SHAPES.length);
  actual.tensors.forEach((a, i) => assertClose(a, expected.tensors[i]!, `tensor ${i}`, 1e-6));
});

test("createAdam takes AdamOptimizer's own path where no fused kernel exists", async () => {
  await on('cpu', () => {
    const v = tf.variable(tf.tensor([1, 2, 3]), true, 'plain');
    createAdam(0.1).applyGradients([{ name: 'plain', tensor: tf.tensor([1, -1, 1]) }]);
    // First Adam step: each weight moves by the learning rate against its gradient's sign.
    assert.deepEqual(
      [...v.dataSync()].map((x) => Math.round(x * 1e5) / 1e5),
      [0.9, 2.1, 2.9],
    );
    return v.clone();
  });
});
