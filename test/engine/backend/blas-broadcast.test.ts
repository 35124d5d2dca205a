/** Which A and B matrix each output matrix of a broadcast batched product uses (pure; no addon). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchPairs } from '../../../src-main/engine/backend/blas/broadcast.ts';

test('equal batch dimensions pair matrices one to one', () => {
  const p = batchPairs([2, 3], [2, 3]);
  assert.deepEqual(p.shape, [2, 3]);
  assert.deepEqual([...p.a], [0, 1, 2, 3, 4, 5]);
  assert.deepEqual([...p.b], [0, 1, 2, 3, 4, 5]);
});

test('a missing or size-1 batch repeats the same matrix', () => {
  assert.deepEqual([...batchPairs([4], []).b], [0, 0, 0, 0]);
  assert.deepEqual([...batchPairs([1], [3]).a], [0, 0, 0]);
  const p = batchPairs([2, 3], [3]);
  assert.deepEqual(p.shape, [2, 3]);
  assert.deepEqual([...p.b], [0, 1, 2, 0, 1, 2]);
});

test('size-1 axes on both sides broadcast independently', () => {
  const p = batchPairs([2, 1], [1, 3]);
  assert.deepEqual(p.shape, [2, 3]);
  assert.deepEqual([...p.a], [0, 0, 0, 1, 1, 1]);
  assert.deepEqual([...p.b], [0, 1, 2, 0, 1, 2]);
});

test('no batch dimensions is one product', () => {
  const p = batchPairs([], []);
  assert.deepEqual(p.shape, []);
  assert.deepEqual([...p.a], [0]);
});

test('incompatible batch dimensions are an error', () => {
  assert.throws(() => batchPairs([2], [3]), /do not broadcast/);
});
