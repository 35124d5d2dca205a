/** tileRows (the 'blas' backend's Tile) against a per-element reference on random shapes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tileRows } from '../../../src-main/engine/backend/blas/tile.ts';

/** out[i] = in[coordinates of i, each modulo the input's size on that axis] */
function reference(src: Float32Array, shape: number[], reps: number[]): Float32Array {
  const out = shape.map((d, i) => d * reps[i]!);
  const result = new Float32Array(out.reduce((p, d) => p * d, 1));
  for (let i = 0; i < result.length; i++) {
    let rest = i;
    let from = 0;
    let stride = 1;
    for (let axis = out.length - 1; axis >= 0; axis--) {
      const c = rest % out[axis]!;
      rest = Math.floor(rest / out[axis]!);
      from += (c % shape[axis]!) * stride;
      stride *= shape[axis]!;
    }
    result[i] = src[from]!;
  }
  return result;
}

const dim = () => 1 + Math.floor(Math.random() * 4);

test('tileRows equals the per-element definition on random shapes and repeats', () => {
  for (let trial = 0; trial < 200; trial++) {
    const rank = 1 + Math.floor(Math.random() * 4);
    const shape = Array.from({ length: rank }, dim);
    const reps = Array.from({ length: rank }, dim);
    const src = Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => Math.random() + 0.5);
    const expected = reference(src, shape, reps);
    const actual = new Float32Array(expected.length);
    tileRows(src, shape, reps, actual);
    assert.deepEqual(actual, expected, `shape ${shape} reps ${reps}`);
  }
});

test("batch norm's case: [1, 1, 1, H] to [1, 1, B, H], and rank 0", () => {
  const src = Float32Array.from({ length: 5 }, (_, i) => i + 1);
  const out = new Float32Array(15);
  tileRows(src, [1, 1, 1, 5], [1, 1, 3, 1], out);
  assert.deepEqual([...out], [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5]);
  const scalar = new Float32Array(1);
  tileRows(new Float32Array([7]), [], [], scalar);
  assert.equal(scalar[0], 7);
});

test("one input row, repeated by doubling: the conv network's [1, 1, 1, C] to [B, H, W, C]", () => {
  for (const [shape, reps] of [
    [
      [1, 1, 1, 16],
      [100, 23, 23, 1],
    ],
    [
      [1, 3],
      [7, 5],
    ],
    [[5], [9]],
    [
      [1, 1],
      [1, 1],
    ],
  ] as [number[], number[]][]) {
    const src = Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => Math.random() + 0.5);
    const expected = reference(src, shape, reps);
    const actual = new Float32Array(expected.length);
    tileRows(src, shape, reps, actual);
    assert.deepEqual(actual, expected, `shape ${shape} reps ${reps}`);
  }
});
