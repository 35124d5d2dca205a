/**
 * The fused Gaussian terms of the mixture prior (GmvaeComponentGaussian and its gradient) on
 * 'blas' against the same function on the plain cpu backend, where it is composite tfjs ops:
 * both outputs and the gradients with respect to all five inputs, on fresh random inputs of
 * several shapes, with both outputs in the loss or only one of them (the other's gradient zero).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tf } from '../../../src-main/engine/tf.ts';
import { componentTerms } from '../../../src-main/engine/model/component-gaussian.ts';
import { loadBlasAddon } from '../../../src-main/host/blas-addon.ts';
import { assertMatchesCpu, operand, skipUnlessBlas, toTensor, type Operand } from './blas-helpers.ts';

// [B, K, Dx]: the MNIST model's, odd sizes, a single row and component, and many rows of few
// components.
const SHAPES = [
  [100, 16, 200],
  [3, 5, 7],
  [1, 1, 1],
  [37, 2, 3],
] as const;

/** Log-variances within [-2, 2], as trained models have them. */
const logvar = (o: Operand) => ({ ...o, values: o.values.map((v) => 2 * v) });

function inputs([b, k, d]: readonly number[]) {
  return {
    x: operand([b!, d!]),
    muX: operand([b!, d!]),
    logvarX: logvar(operand([b!, d!])),
    muK: operand([b!, k!, d!]),
    logvarK: logvar(operand([b!, k!, d!])),
    wLog: operand([b!, k!]),
    wKl: operand([b!, k!]),
  };
}

type Terms = (x: tf.Tensor, mx: tf.Tensor, lx: tf.Tensor, mk: tf.Tensor, lk: tf.Tensor) => tf.Tensor[];
const terms: Terms = (x, mx, lx, mk, lk) => {
  const t = componentTerms(
    x as tf.Tensor2D,
    mx as tf.Tensor2D,
    lx as tf.Tensor2D,
    mk as tf.Tensor3D,
    lk as tf.Tensor3D,
  );
  return [t.logDensity, t.kl];
};

describe('blas fused mixture-component Gaussians', { skip: skipUnlessBlas }, () => {
  for (const shape of SHAPES)
    test(`log-densities and KLs over [${shape}]: values and gradients`, async () => {
      const v = inputs(shape);
      const operands = () => [v.x, v.muX, v.logvarX, v.muK, v.logvarK].map(toTensor);
      await assertMatchesCpu(`values [${shape}]`, () => terms(...(operands() as Parameters<Terms>)));
      // Gradients of weighted sums, so that every dy differs; then of each output alone, with
      // respect to the inputs it depends on (x for the log-density, muX and logvarX for the KL).
      for (const [label, use, wrt] of [
        ['both', [true, true], [0, 1, 2, 3, 4]],
        ['log-density only', [true, false], [0, 3, 4]],
        ['KL only', [false, true], [1, 2, 3, 4]],
      ] as const)
        await assertMatchesCpu(`gradients, ${label} [${shape}]`, () => {
          const [wLog, wKl] = [toTensor(v.wLog), toTensor(v.wKl)];
          const all = operands();
          return tf.grads((...picked: tf.Tensor[]) => {
            const args = all.map((t, i) => (wrt.includes(i as never) ? picked[wrt.indexOf(i as never)]! : t));
            const [logDensity, kl] = terms(...(args as Parameters<Terms>));
            const parts = [
              use[0] ? tf.sum(tf.mul(logDensity!, wLog)) : null,
              use[1] ? tf.sum(tf.mul(kl!, wKl)) : null,
            ];
            return tf.addN(parts.filter((p): p is tf.Tensor => p !== null));
          })(wrt.map((i) => all[i]!));
        });
    });

  test('the addon refuses operands outside the buffer', () => {
    const addon = loadBlasAddon();
    const buffer = new ArrayBuffer(4 * 64);
    // B 2, K 2, Dx 4: x, muX, logvarX 8 values; muK, logvarK 16; outputs 4 each.
    const forward = (out: number) => new Float64Array([0, 0, 0, 0, 64, 128, out]);
    assert.throws(() => addon.componentGaussian(buffer, forward(4 * 62), 2, 2, 4), /outside/);
    assert.throws(() => addon.componentGaussian(buffer, forward(2), 2, 2, 4), /outside/);
    assert.throws(() => addon.componentGaussian(buffer, forward(144), -1, 2, 4), /negative/);
    const grad = new Float64Array([0, 0, 0, 0, 64, 128, 144, 160, 160, 160, 176, 240]);
    assert.throws(() => addon.componentGaussianGrad(buffer, grad, 2, 2, 4), /outside/);
    addon.componentGaussian(buffer, forward(144), 2, 2, 4); // fits: no throw
  });
});
