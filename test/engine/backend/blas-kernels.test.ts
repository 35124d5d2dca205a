/**
 * The 'blas' backend's native kernels against the plain cpu backend on fresh random inputs:
 * every transpose combination, odd sizes, batches with broadcasting, fused bias + activation,
 * and gradients through the products.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tf } from '../../../src-main/engine/tf.ts';
import {
  assertMatchesCpu,
  on,
  operand,
  skipUnlessBlas,
  status,
  toTensor,
  type Operand,
} from './blas-helpers.ts';

const SIZES = [1, 7, 33, 129];
const TRANSPOSES = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

/** Shapes of A and B for op(A) [.., m, k] x op(B) [.., k, n]. */
function shapes(
  m: number,
  k: number,
  n: number,
  tA: boolean,
  tB: boolean,
  batchA: number[] = [],
  batchB = batchA,
) {
  return {
    a: [...batchA, ...(tA ? [k, m] : [m, k])],
    b: [...batchB, ...(tB ? [n, k] : [k, n])],
  };
}

describe('blas backend kernels', { skip: skipUnlessBlas }, () => {
  if (process.env['CI'])
    test('the BLAS addon is built and loads (CI installs libopenblas-dev)', () => {
      assert.ok(status.available, status.detail);
    });

  test('matMul: every transpose combination over sizes 1, 7, 33, 129', async () => {
    for (const [tA, tB] of TRANSPOSES)
      for (const m of SIZES)
        for (const k of SIZES)
          for (const n of SIZES) {
            const s = shapes(m, k, n, tA, tB);
            const a = operand(s.a);
            const b = operand(s.b);
            await assertMatchesCpu(`matMul m=${m} k=${k} n=${n} tA=${tA} tB=${tB}`, () =>
              tf.matMul(toTensor(a), toTensor(b), tA, tB),
            );
          }
  });

  test('BatchMatMul with batch dimensions, including a broadcast one', async () => {
    for (const [tA, tB] of TRANSPOSES) {
      // Equal batches, rank 3 and rank 4.
      for (const batch of [[3], [2, 3]]) {
        const s = shapes(7, 33, 5, tA, tB, batch);
        const a = operand(s.a);
        const b = operand(s.b);
        await assertMatchesCpu(`batch ${batch} tA=${tA} tB=${tB}`, () =>
          tf.matMul(toTensor(a), toTensor(b), tA, tB),
        );
      }
      // One side's batch is 1, or missing: the same B (or A) for every matrix of the other.
      for (const [batchA, batchB] of [
        [[4], [1]],
        [[1], [4]],
        [[4], []],
        [[2, 3], [3]],
      ] as const) {
        const s = shapes(9, 17, 6, tA, tB, [...batchA], [...batchB]);
        const a = operand(s.a);
        const b = operand(s.b);
        await assertMatchesCpu(`batch ${batchA} x ${batchB} tA=${tA} tB=${tB}`, () =>
          tf.matMul(toTensor(a), toTensor(b), tA, tB),
        );
      }
    }
  });

  test('BatchMatMul broadcasts [2,1] against [3] batch dimensions like explicit tiling', async () => {
    // tfjs's cpu kernel indexes batches modulo their count, which is only right when one side
    // repeats as a whole; so this case is checked against tiled operands instead.
    const a: Operand = operand([2, 1, 5, 8]);
    const b: Operand = operand([3, 8, 4]);
    const [actual] = await on('blas', () => tf.matMul(toTensor(a), toTensor(b)));
    const [expected] = await on('cpu', () =>
      tf.matMul(tf.tile(toTensor(a), [1, 3, 1, 1]), tf.tile(tf.expandDims(toTensor(b), 0), [2, 1, 1, 1])),
    );
    assert.deepEqual(actual!.shape, [2, 3, 5, 4]);
    for (let i = 0; i < expected!.values.length; i++)
      assert.ok(
        Math.abs(actual!.values[i]! - expected!.values[i]!) <= 1e-4 * (1 + Math.abs(expected!.values[i]!)),
      );
  });

  test('fused matMul: bias row and every activation, every transpose', async () => {
    const activations = ['linear', 'relu', 'relu6', 'sigmoid', 'elu', 'leakyrelu'] as const;
    for (const [tA, tB] of TRANSPOSES)
      for (const activation of activations)
        for (const [m, k, n] of [
          [1, 7, 33],
          [33, 129, 7],
          [100, 33, 129],
        ] as const) {
          const s = shapes(m, k, n, tA, tB);
          const a = operand(s.a);
          const b = operand(s.b);
          // Scaled up so that relu6's upper clip is reached too.
          const bias = operand([n]);
          bias.values.forEach((v, i) => (bias.values[i] = v * 8));
          await assertMatchesCpu(`fused ${activation} m=${m} k=${k} n=${n} tA=${tA} tB=${tB}`, () =>
            tf.fused.matMul({
              a: toTensor(a),
              b: toTensor(b),
              transposeA: tA,
              transposeB: tB,
              bias: toTensor(bias),
              activation,
              leakyreluAlpha: 0.3,
            }),
          );
          if (activation === 'relu')
            await assertMatchesCpu(`fused relu without bias m=${m} k=${k} n=${n}`, () =>
              tf.fused.matMul({ a: toTensor(a), b: toTensor(b), transposeA: tA, transposeB: tB, activation }),
            );
        }
  });

  test('fused matMul: a broadcast [m, n] bias and PReLU', async () => {
    const a = operand([3, 7, 33]);
    const b = operand([3, 33, 5]);
    const bias = operand([7, 5]);
    const alpha = operand([5]);
    const row = operand([5]);
    await assertMatchesCpu('fused with an [m, n] bias', () =>
      tf.fused.matMul({ a: toTensor(a), b: toTensor(b), bias: toTensor(bias), activation: 'relu' }),
    );
    await assertMatchesCpu('fused PReLU', () =>
      tf.fused.matMul({
        a: toTensor(a),
        b: toTensor(b),
        bias: toTensor(row),
        activation: 'prelu',
        preluActivationWeights: toTensor(alpha),
      }),
    );
  });

  test('gradients through matMul, every transpose', async () => {
    for (const [tA, tB] of TRANSPOSES) {
      const s = shapes(33, 7, 129, tA, tB);
      const a = operand(s.a);
      const b = operand(s.b);
      const r = operand([33, 129]);
      await assertMatchesCpu(`grad matMul tA=${tA} tB=${tB}`, () =>
        tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, tA, tB), toTensor(r))))([
          toTensor(a),
          toTensor(b),
        ]),
      );
    }
  });

  test('gradients through fused matMul with bias and relu', async () => {
    const a = operand([100, 129]);
    const b = operand([129, 33]);
    const bias = operand([33]);
    const r = operand([100, 33]);
    await assertMatchesCpu('grad fused relu', () =>
      tf.grads((x: tf.Tensor, w: tf.Tensor, c: tf.Tensor) =>
        tf.sum(
          tf.mul(
            tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: c, activation: 'relu' }),
            toTensor(r),
          ),
        ),
      )([toTensor(a), toTensor(b), toTensor(bias)]),
    );
  });

  test('Exp and Tile, including their gradients', async () => {
    const x = operand([100, 16, 33]);
    x.values.forEach((v, i) => (x.values[i] = v * 20)); // exp over a wide range, under- and overflow-free
    await assertMatchesCpu('exp', () => tf.exp(toTensor(x)), 1e-6);
    await assertMatchesCpu('grad exp', () => tf.grad((t: tf.Tensor) => tf.sum(tf.exp(t)))(toTensor(x)), 1e-6);
    const small = operand([1, 3, 1, 7]);
    await assertMatchesCpu('tile', () => tf.tile(toTensor(small), [2, 1, 5, 3]), 0);
    const ints = tf.tensor([1, 2, 3, 4], [2, 2], 'int32');
    const [tiled] = await on('blas', () => tf.tile(ints, [2, 2]));
    assert.deepEqual([...tiled!.values], [1, 2, 1, 2, 3, 4, 3, 4, 1, 2, 1, 2, 3, 4, 3, 4]);
    const bn = {
      x: operand([20, 9]),
      mean: operand([9]),
      variance: operand([9]),
      offset: operand([9]),
      scale: operand([9]),
    };
    await assertMatchesCpu('batch norm gradient (tiles [1,1,1,H])', () =>
      tf.grad((t: tf.Tensor) =>
        tf.sum(
          tf.square(
            tf.batchNorm(
              t as tf.Tensor2D,
              toTensor(bn.mean) as tf.Tensor1D,
              tf.abs(toTensor(bn.variance)) as tf.Tensor1D,
              toTensor(bn.offset) as tf.Tensor1D,
              toTensor(bn.scale) as tf.Tensor1D,
            ),
          ),
        ),
      )(toTensor(bn.x)),
    );
  });

  test('a tensor made on wasm is used by blas as is, and the other way round', async () => {
    const a = operand([7, 33]);
    const b = operand([33, 5]);
    const [expected] = await on('cpu', () => tf.matMul(toTensor(a), toTensor(b)));
    const { selectBackend } = await import('../../../src-main/engine/backend/backends.ts');
    await selectBackend('wasm', { trainsConv2d: false });
    const ta = toTensor(a);
    const tb = toTensor(b);
    await selectBackend('blas', { trainsConv2d: false });
    const product = tf.matMul(ta, tb);
    await selectBackend('wasm', { trainsConv2d: false });
    const values = product.dataSync();
    for (let i = 0; i < values.length; i++)
      assert.ok(Math.abs(values[i]! - expected!.values[i]!) <= 1e-4 * (1 + Math.abs(expected!.values[i]!)));
    tf.dispose([ta, tb, product]);
    // Made on cpu: the kernels find them by moving them onto the heap (which may grow it).
    await selectBackend('cpu', { trainsConv2d: false });
    const ca = toTensor(a);
    const cb = toTensor(b);
    const big = toTensor(operand([1000, 1000]));
    const bigValues = big.dataSync().slice();
    await selectBackend('blas', { trainsConv2d: false });
    const moved = tf.matMul(ca, cb).dataSync();
    for (let i = 0; i < moved.length; i++)
      assert.ok(Math.abs(moved[i]! - expected!.values[i]!) <= 1e-4 * (1 + Math.abs(expected!.values[i]!)));
    const exps = tf.exp(big).dataSync();
    for (let i = 0; i < exps.length; i += 997)
      assert.ok(Math.abs(exps[i]! - Math.exp(bigValues[i]!)) <= 1e-6 * Math.exp(bigValues[i]!));
    tf.dispose([ca, cb, big]);
  });
});
