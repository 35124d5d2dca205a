/**
 * Sum and Mean over leading axes on 'blas' (the addon's column sums) against the cpu backend on
 * fresh random inputs: batch normalisation's NHWC shapes, bias-gradient shapes, every axis
 * spelling (order, negative, keepDims), reductions to a scalar, an empty batch, and
 * the axes that stay with wasm's kernels; gradients through both.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tf } from '../../../src-main/engine/tf.ts';
import { leadingAxes } from '../../../src-main/engine/backend/blas/reduce.ts';
import { loadBlasAddon } from '../../../src-main/host/blas-addon.ts';
import { assertMatchesCpu, on, operand, skipUnlessBlas, toTensor } from './blas-helpers.ts';

const CASES: [number[], number | number[]][] = [
  [
    [100, 23, 23, 16],
    [0, 1, 2],
  ],
  [
    [7, 5, 3, 2],
    [2, 0, 1],
  ],
  [
    [7, 5, 3, 2],
    [-4, -3],
  ],
  [[100, 500], 0],
  [[100, 500], [0]],
  [
    [1, 100, 3200],
    [0, 1],
  ],
  [[4097, 3], 0], // many rows
  [[33], 0], // to a scalar
  [
    [3, 4],
    [0, 1],
  ], // everything
  [[5, 6, 7], [1]], // not leading: wasm's kernel
  [
    [5, 6, 7],
    [0, 2],
  ], // not a prefix: wasm's kernel
  [[5, 6, 7], [-1]],
];

describe('blas Sum and Mean over leading axes', { skip: skipUnlessBlas }, () => {
  test('leadingAxes: normalised prefixes only', () => {
    assert.equal(leadingAxes([2, 0, 1], 4), 3);
    assert.equal(leadingAxes([-4, -3], 4), 2);
    assert.equal(leadingAxes(0, 1), 1);
    assert.equal(leadingAxes([1], 3), null);
    assert.equal(leadingAxes([0, 2], 3), null);
    assert.equal(leadingAxes([], 3), null);
    assert.equal(leadingAxes([3], 3), null);
    assert.equal(leadingAxes([0, 0, 1], 3), null);
  });

  for (const [shape, axis] of CASES)
    test(`[${shape}] over ${JSON.stringify(axis)}, values and gradients`, async () => {
      const x = operand(shape);
      for (const keepDims of [false, true]) {
        await assertMatchesCpu(`sum keepDims=${keepDims}`, () => tf.sum(toTensor(x), axis, keepDims), 1e-5);
        await assertMatchesCpu(`mean keepDims=${keepDims}`, () => tf.mean(toTensor(x), axis, keepDims), 1e-5);
      }
      const w = operand(shape);
      await assertMatchesCpu('gradients', () =>
        tf.grads((t: tf.Tensor) =>
          tf.add(tf.sum(tf.square(tf.sum(tf.mul(t, toTensor(w)), axis))), tf.sum(tf.mean(t, axis))),
        )([toTensor(x)]),
      );
    });

  test('an empty batch sums and averages to zero, as on cpu', async () => {
    for (const f of [(t: tf.Tensor) => tf.sum(t, 0), (t: tf.Tensor) => tf.mean(t, 0)]) {
      const [expected] = await on('cpu', () => f(tf.zeros([0, 3])));
      const [actual] = await on('blas', () => f(tf.zeros([0, 3])));
      assert.deepEqual(actual!.shape, expected!.shape);
      assert.deepEqual([...actual!.values], [...expected!.values]);
    }
  });

  test('int32 sums stay exact (wasm kernel)', async () => {
    const values = Int32Array.from({ length: 60 }, (_, i) => i * 1000003);
    const [expected] = await on('cpu', () => tf.sum(tf.tensor(values, [20, 3], 'int32'), 0));
    const [actual] = await on('blas', () => tf.sum(tf.tensor(values, [20, 3], 'int32'), 0));
    assert.deepEqual([...actual!.values], [...expected!.values]);
  });

  test('the addon refuses ranges outside the buffer', () => {
    const addon = loadBlasAddon();
    const buffer = new ArrayBuffer(4 * 16);
    assert.throws(() => addon.reduceColumns(buffer, 0, 60, 4, 4, false), /outside/); // out past the end
    assert.throws(() => addon.reduceColumns(buffer, 4, 0, 4, 4, false), /outside/); // in past the end
    assert.throws(() => addon.reduceColumns(buffer, 0, 0, -1, 4, false), /dimensions/);
    const f = new Float32Array(buffer);
    f.set([1, 2, 3, 4, 5, 6]);
    addon.reduceColumns(buffer, 0, 48, 3, 2, true);
    assert.deepEqual([...f.subarray(12, 14)], [3, 4]);
  });
});
