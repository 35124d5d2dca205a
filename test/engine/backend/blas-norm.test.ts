/**
 * Batch normalisation's forward kernel on 'blas' (the addon, per channel) against the cpu
 * backend on fresh random inputs, with and without offset and scale, for the conv network's and
 * the MLP's shapes, parameters the addon leaves to wasm, and gradients through tf.batchNorm; and
 * Cast to the same dtype, which shares the data.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tf } from '../../../src-main/engine/tf.ts';
import { loadBlasAddon } from '../../../src-main/host/blas-addon.ts';
import { assertMatchesCpu, on, operand, skipUnlessBlas, toTensor, type Operand } from './blas-helpers.ts';

const positive = (o: Operand) => ({ ...o, values: o.values.map(Math.abs) });

describe('blas batch normalisation and Cast', { skip: skipUnlessBlas }, () => {
  for (const shape of [[100, 23, 23, 16], [100, 500], [7, 3], [5]])
    test(`batchNorm over [${shape}]: values and gradients`, async () => {
      const c = shape.at(-1)!;
      const x = operand(shape);
      const [mean, offset, scale] = [operand([c]), operand([c]), operand([c])];
      const variance = positive(operand([c]));
      for (const [withOffset, withScale] of [
        [true, true],
        [false, true],
        [true, false],
        [false, false],
      ])
        for (const epsilon of [1e-3, 1e-5])
          await assertMatchesCpu(`offset ${withOffset}, scale ${withScale}, epsilon ${epsilon}`, () =>
            tf.batchNorm(
              toTensor(x),
              toTensor(mean),
              toTensor(variance),
              withOffset ? toTensor(offset) : undefined,
              withScale ? toTensor(scale) : undefined,
              epsilon,
            ),
          );
      const w = operand(shape);
      await assertMatchesCpu('gradients', () =>
        tf.grads((t: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
          tf.sum(tf.mul(tf.batchNorm(t, m, v, o, s, 1e-3), toTensor(w))),
        )([x, mean, variance, offset, scale].map(toTensor)),
      );
    });

  test('parameters shaped [1, 1, C] go to wasm and agree with cpu', async () => {
    const x = operand([4, 6, 3]);
    const p = () => [operand([1, 1, 3]), positive(operand([1, 1, 3]))];
    const [mean, variance] = p();
    await assertMatchesCpu('rank-3 parameters', () =>
      tf.batchNorm(toTensor(x), toTensor(mean!), toTensor(variance!)),
    );
  });

  test('Cast to the same dtype shares the data; to another converts', async () => {
    const x = operand([3, 4]);
    await assertMatchesCpu('float32 to float32', () => tf.cast(toTensor(x), 'float32'), 0);
    await assertMatchesCpu('float32 to int32', () => tf.cast(toTensor(x), 'int32'), 0);
    const [kept] = await on('blas', () => {
      const t = toTensor(x);
      const cast = tf.cast(t, 'float32');
      t.dispose(); // the cast keeps the shared data alive
      return cast;
    });
    assert.deepEqual([...kept!.values], [...x.values]);
  });

  test('the addon refuses ranges outside the buffer', () => {
    const addon = loadBlasAddon();
    const buffer = new ArrayBuffer(4 * 32);
    const offsets = (out: number) => new Float64Array([0, 32, 48, -1, -1, out]);
    assert.throws(() => addon.batchNorm(buffer, offsets(100), 2, 4, 1e-3), /outside/);
    assert.throws(
      () => addon.batchNorm(buffer, new Float64Array([0, 32, 120, -1, -1, 64]), 2, 4, 1e-3),
      /outside/,
    );
    assert.throws(() => addon.batchNorm(buffer, offsets(64), -2, 4, 1e-3), /dimensions/);
    addon.batchNorm(buffer, offsets(64), 2, 4, 1e-3); // fits
  });
});
