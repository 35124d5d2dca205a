/**
 * Add, Sub, Multiply and RealDiv on 'blas' (the addon's pass over whole tensors and repeated
 * rows) against the cpu backend on fresh random inputs: equal shapes, per-channel vectors over
 * NHWC activations on either side, scalars, large tensors, the broadcasts that stay with wasm,
 * an empty tensor and int32; gradients through all four.
 * Each value is one float32 operation on both backends, so they agree exactly.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tf } from '../../../src-main/engine/tf.ts';
import { wholeOrRow } from '../../../src-main/engine/backend/blas/binary.ts';
import { loadBlasAddon } from '../../../src-main/host/blas-addon.ts';
import { assertMatchesCpu, on, operand, skipUnlessBlas, toTensor } from './blas-helpers.ts';

const OPS = { add: tf.add, sub: tf.sub, mul: tf.mul, div: tf.div } as const;

const PAIRS: [number[], number[]][] = [
  [
    [7, 5],
    [7, 5],
  ],
  [[100, 23, 23, 16], [16]], // per channel
  [
    [1, 1, 1, 32],
    [100, 18, 18, 32],
  ], // the row on the left
  [
    [100, 9, 9, 64],
    [100, 9, 9, 64],
  ],
  [[33], []], // scalar
  [[], [300000]], // scalar on the left, large
  [[1], [3, 4]],
  [
    [5, 1, 6],
    [1, 6],
  ],
  [
    [100, 1],
    [100, 16],
  ], // a column: wasm's kernel
  [[16], [5, 1]], // an outer product: wasm's kernel
  [
    [1, 100, 3200],
    [100, 3200],
  ],
];

describe('blas Add, Sub, Multiply, RealDiv', { skip: skipUnlessBlas }, () => {
  test('wholeOrRow', () => {
    assert.ok(wholeOrRow([16], [100, 23, 23, 16]));
    assert.ok(wholeOrRow([1, 1, 1, 16], [100, 23, 23, 16]));
    assert.ok(wholeOrRow([], [3, 4]));
    assert.ok(wholeOrRow([1, 100, 3200], [100, 3200]));
    assert.ok(!wholeOrRow([100, 1], [100, 16]));
    assert.ok(!wholeOrRow([16], [16, 5]));
  });

  for (const [aShape, bShape] of PAIRS)
    test(`[${aShape}] and [${bShape}]: values and gradients`, async () => {
      const a = operand(aShape);
      const b = operand(bShape);
      for (const [name, op] of Object.entries(OPS))
        await assertMatchesCpu(`${name}`, () => op(toTensor(a), toTensor(b)), 0);
      const w = operand(tf.backend_util.assertAndGetBroadcastShape(aShape, bShape));
      await assertMatchesCpu(
        'gradients',
        () =>
          tf.grads((x: tf.Tensor, y: tf.Tensor) =>
            tf.sum(tf.mul(tf.add(tf.mul(tf.sub(x, y), tf.div(x, y)), tf.add(x, y)), toTensor(w))),
          )([toTensor(a), toTensor(b)]),
        1e-5,
      );
    });

  test('empty tensors and int32 go to wasm and agree with cpu', async () => {
    for (const f of [
      () => tf.add(tf.zeros([0, 3]), tf.ones([3])),
      () => tf.mul(tf.tensor([1, 2, 3], [3], 'int32'), tf.tensor([4], [1], 'int32')),
    ]) {
      const [expected] = await on('cpu', f);
      const [actual] = await on('blas', f);
      assert.deepEqual(actual!.shape, expected!.shape);
      assert.deepEqual([...actual!.values], [...expected!.values]);
    }
  });

  test('the addon refuses bad operations, lengths and ranges', () => {
    const addon = loadBlasAddon();
    const buffer = new ArrayBuffer(4 * 16);
    assert.throws(() => addon.binary(buffer, 4, 0, 4, 16, 4, 32, 4), /operation/);
    assert.throws(() => addon.binary(buffer, 0, 0, 3, 16, 4, 32, 4), /broadcast/);
    assert.throws(() => addon.binary(buffer, 0, 0, 2, 16, 2, 32, 4), /broadcast/);
    assert.throws(() => addon.binary(buffer, 0, 0, 4, 16, 4, 52, 4), /outside/);
    const f = new Float32Array(buffer);
    f.set([1, 2, 3, 4, 10, 20]);
    addon.binary(buffer, 2, 0, 4, 16, 2, 32, 4); // [1 2 3 4] * [10 20] repeated
    assert.deepEqual([...f.subarray(8, 12)], [10, 40, 30, 80]);
  });
});
