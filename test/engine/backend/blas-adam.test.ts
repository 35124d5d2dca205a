/**
 * The fused optimizer updates of the 'blas' backend (blas/adam-kernel.ts) against their unfused
 * paths on the cpu backend: Adam (training/optimizer.ts) against tfjs's own AdamOptimizer, the
 * same parameters and moments after several steps on fresh random gradients, under the same
 * checkpoint names; the authors' restarted Adam (training/reset-adam.ts) bit for bit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectBackend } from '../../../src-main/engine/backend/backends.ts';
import { tf } from '../../../src-main/engine/tf.ts';
import { RESET_ADAM } from '../../../src-main/engine/backend/blas/adam-kernel.ts';
import { createAdam } from '../../../src-main/engine/training/optimizer.ts';
import { ResetAdam } from '../../../src-main/engine/training/reset-adam.ts';
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

test(
  "the authors' restarted Adam on blas runs one fused kernel per variable, equal bit for bit to its tfjs ops on cpu",
  { skip: skipUnlessBlas },
  async () => {
    const initial = SHAPES.map((s) => randomValues(s.reduce((p, d) => p * d, 1)));
    // Gradients around the floor (3.16e-7) as well as ordinary ones, and exact zeros.
    const gradients = Array.from({ length: STEPS }, (_, step) =>
      initial.map((v) =>
        randomValues(v.length).map((g, i) => (i % 3 === 0 ? g * 1e-6 : i % 7 === 0 ? 0 : g) * (step + 1)),
      ),
    );
    const expected = await train('cpu', () => new ResetAdam(0.05), initial, gradients);
    const actual = await train('blas', () => new ResetAdam(0.05), initial, gradients);
    assert.deepEqual(actual.names, expected.names);
    actual.tensors.forEach((a, i) => {
      const e = expected.tensors[i]!;
      assert.deepEqual(a.shape, e.shape, `tensor ${i}: shape`);
      // The first differing element, not the whole array: a diff of 300,000 floats takes minutes.
      const at = a.values.findIndex((x, j) => !Object.is(x, e.values[j]));
      assert.equal(at, -1, `tensor ${i}, element ${at}: ${a.values[at]} != ${e.values[at]}`);
    });

    await selectBackend('blas', { trainsConv2d: false });
    const v = tf.variable(tf.tensor([1, 2, 3]), true, 'fused_reset');
    const gradient = tf.tensor([1, -1, 0]);
    const { kernelNames: kernels } = await tf.profile(() =>
      new ResetAdam(0.1).applyGradients([{ name: 'fused_reset', tensor: gradient }]),
    );
    tf.dispose([v, gradient]);
    assert.ok(kernels.includes(RESET_ADAM), kernels.join(', '));
    assert.ok(!kernels.includes('Abs') && !kernels.includes('RealDiv'), kernels.join(', '));
  },
);
