/**
 * The fused Gaussian terms of the mixture prior (GmvaeComponentGaussian and its gradient) on
 * 'blas' against the same ops on the plain cpu backend, where they are composite tfjs ops: values
 * and the gradients with respect to all four inputs, on fresh random inputs of several shapes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tf } from '../../../src-main/engine/tf.ts';
import { componentKl, componentLogDensity } from '../../../src-main/engine/model/component-gaussian.ts';
import { loadBlasAddon } from '../../../src-main/host/blas-addon.ts';
import { assertMatchesCpu, operand, skipUnlessBlas, toTensor, type Operand } from './blas-helpers.ts';

// [B, K, Dx]: the MNIST model's, odd sizes, a single row and component, and more rows than
// the addon gives one thread.
const SHAPES = [
  [100, 16, 200],
  [3, 5, 7],
  [1, 1, 1],
  [37, 2, 3],
] as const;

/** Inputs, log-variances kept within [-2, 2] as trained models have them. */
function inputs([b, k, d]: readonly number[]) {
  const small = (o: Operand) => ({ ...o, values: o.values.map((v) => 2 * v) });
  return {
    a: operand([b!, d!]),
    la: small(operand([b!, d!])),
    muK: operand([b!, k!, d!]),
    logvarK: small(operand([b!, k!, d!])),
    weights: operand([b!, k!]),
  };
}

describe('blas fused mixture-component Gaussians', { skip: skipUnlessBlas }, () => {
  for (const shape of SHAPES)
    test(`log-density and KL over [${shape}]: values and gradients`, async () => {
      const x = inputs(shape);
      const t = () => ({
        a: toTensor(x.a) as tf.Tensor2D,
        la: toTensor(x.la) as tf.Tensor2D,
        muK: toTensor(x.muK) as tf.Tensor3D,
        logvarK: toTensor(x.logvarK) as tf.Tensor3D,
        w: toTensor(x.weights),
      });
      await assertMatchesCpu(`log-density [${shape}]`, () => {
        const { a, muK, logvarK } = t();
        return componentLogDensity(a, muK, logvarK);
      });
      await assertMatchesCpu(`KL [${shape}]`, () => {
        const { a, la, muK, logvarK } = t();
        return componentKl(a, la, muK, logvarK);
      });
      // Gradients of a weighted sum, so that every dy differs.
      await assertMatchesCpu(`log-density gradient [${shape}]`, () => {
        const { a, muK, logvarK, w } = t();
        return tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) =>
          tf.sum(tf.mul(componentLogDensity(p as tf.Tensor2D, q as tf.Tensor3D, r as tf.Tensor3D), w)),
        )([a, muK, logvarK]);
      });
      await assertMatchesCpu(`KL gradient [${shape}]`, () => {
        const { a, la, muK, logvarK, w } = t();
        return tf.grads((p: tf.Tensor, s: tf.Tensor, q: tf.Tensor, r: tf.Tensor) =>
          tf.sum(
            tf.mul(componentKl(p as tf.Tensor2D, s as tf.Tensor2D, q as tf.Tensor3D, r as tf.Tensor3D), w),
          ),
        )([a, la, muK, logvarK]);
      });
    });

  test('the addon refuses operands outside the buffer and bad modes', () => {
    const addon = loadBlasAddon();
    const buffer = new ArrayBuffer(4 * 64);
    // B 2, K 2, Dx 4: a and la 8 values, muK and logvarK 16, out 4.
    const offsets = (last: number) => new Float64Array([0, 0, 0, 64, last]);
    assert.throws(() => addon.componentGaussian(buffer, offsets(4 * 62), 0, 2, 2, 4), /outside/);
    assert.throws(() => addon.componentGaussian(buffer, offsets(2), 0, 2, 2, 4), /outside/);
    assert.throws(() => addon.componentGaussian(buffer, offsets(128), 2, 2, 2, 4), /mode/);
    const grad = new Float64Array([0, 0, 0, 64, 128, 144, 176, 208, 240]);
    assert.throws(() => addon.componentGaussianGrad(buffer, grad, 1, 2, 2, 4), /outside/);
    addon.componentGaussian(buffer, offsets(128), 1, 2, 2, 4); // fits: no throw
  });
});
