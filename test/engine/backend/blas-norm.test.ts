/**
 * Batch normalisation's forward kernel on 'blas' (the addon, per channel) against the cpu
 * backend on fresh random inputs, with and without offset and scale, for the conv network's and
 * the MLP's shapes, parameters the addon leaves to wasm, and gradients through tf.batchNorm;
 * training's fused kernels through the model's layer against tfjs-layers' own on cpu (values,
 * gradients, moving moments) and with gradients through their mean and variance outputs; and
 * Cast to the same dtype, which shares the data.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { selectBackend } from '../../../src-main/engine/backend/backends.ts';
import { tf } from '../../../src-main/engine/tf.ts';
import { loadBlasAddon } from '../../../src-main/host/blas-addon.ts';
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD } from '../../../src-main/engine/backend/blas/norm.ts';
import { batchNormalization } from '../../../src-main/engine/model/batch-norm.ts';
import {
  assertClose,
  assertMatchesCpu,
  on,
  operand,
  skipUnlessBlas,
  toTensor,
  type Operand,
} from './blas-helpers.ts';

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

  for (const shape of [
    [100, 23, 23, 16],
    [100, 500],
    [7, 3],
  ])
    test(`the layer in training over [${shape}]: blas's fused kernels against tfjs-layers on cpu`, async () => {
      const c = shape.at(-1)!;
      const x = operand(shape);
      const w = operand(shape);
      // gamma, beta, moving mean and moving variance
      const weights = [operand([c]), operand([c]), operand([c]), positive(operand([c]))];
      // y, the gradients of sum(y * w) for x, gamma and beta, then the moving mean and variance.
      const step = () => {
        const layer = batchNormalization({ momentum: 0.9, epsilon: 1e-5 });
        layer.build(shape);
        layer.setWeights(weights.map(toTensor));
        const loss = (t: tf.Tensor) =>
          tf.sum(tf.mul(layer.apply(t, { training: true }) as tf.Tensor, toTensor(w)));
        const y = layer.apply(toTensor(x), { training: true }) as tf.Tensor;
        const trainable = layer.trainableWeights.map((v) => v.read() as tf.Variable);
        const { grads } = tf.variableGrads(() => loss(toTensor(x)) as tf.Scalar, trainable);
        const dx = tf.grad(loss)(toTensor(x));
        // Three training passes moved the moving moments three times, on both backends.
        const moments = layer
          .getWeights()
          .slice(2)
          .map((t) => t.clone());
        layer.weights.forEach((v) => v.dispose());
        return [y, dx, ...trainable.map((v) => grads[v.name]!), ...moments];
      };
      await assertMatchesCpu('training pass', step, 1e-4);
      // Without this the fused path could silently fall back to tfjs-layers' and still match.
      await selectBackend('blas', { trainsConv2d: false });
      const kernels = (await tf.profile(() => tf.dispose(step()))).kernels.map((k) => k.name);
      assert.ok(kernels.includes(BATCH_NORM_TRAINING) && kernels.includes(BATCH_NORM_TRAINING_GRAD));
      assert.ok(!kernels.includes('FusedBatchNorm'), 'no tfjs batch normalisation in training');
    });

  test("gradients through the training kernel's mean and variance outputs", async () => {
    const x = operand([9, 4, 5]);
    const w = operand([9, 4, 5]);
    const [gamma, beta, a, b] = [operand([5]), operand([5]), operand([5]), operand([5])];
    type Inputs = [tf.Tensor, tf.Tensor, tf.Tensor];
    const loss = (y: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor) =>
      tf.addN([
        tf.sum(tf.mul(y, toTensor(w))),
        tf.sum(tf.mul(mean, toTensor(a))),
        tf.sum(tf.mul(variance, toTensor(b))),
      ]);
    const tfjs = (...[t, g, o]: Inputs) => {
      const { mean, variance } = tf.moments(t, [0, 1]);
      return loss(tf.batchNorm(t, mean, variance, o, g, 1e-3), mean, variance);
    };
    const fused = (...[t, g, o]: Inputs) => {
      const inputs = { x: t, scale: g, offset: o };
      const outputs = tf.engine().runKernel(BATCH_NORM_TRAINING, inputs, { varianceEpsilon: 1e-3 });
      const [y, mean, variance] = outputs as tf.Tensor[];
      return loss(y!, mean!, variance!);
    };
    const operands = () => [x, gamma, beta].map(toTensor) as Inputs;
    const expected = await on('cpu', () => [tfjs(...operands()), ...tf.grads(tfjs)(operands())]);
    const actual = await on('blas', () => [fused(...operands()), ...tf.grads(fused)(operands())]);
    actual.forEach((t, i) => assertClose(t, expected[i]!, ['loss', 'dx', 'dscale', 'doffset'][i]!));
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
    // Training: [x, scale, offset, y, mean, variance] and [x, scale, mean, variance, dy, dx, dscale, doffset].
    const train = (y: number) => new Float64Array([0, 32, 48, y, 96, 112]);
    assert.throws(() => addon.batchNormTrain(buffer, train(100), 2, 4, 1e-3), /outside/);
    assert.throws(() => addon.batchNormTrain(buffer, train(64), 2, 4, -1), /epsilon/);
    addon.batchNormTrain(buffer, train(64), 2, 4, 1e-3); // fits
    const grad = (dx: number) => new Float64Array([0, -1, 32, 48, 64, dx, 96, 112]);
    assert.throws(() => addon.batchNormTrainGrad(buffer, grad(100), 2, 4, 1e-3), /outside/);
    assert.throws(() => addon.batchNormTrainGrad(buffer, new Float64Array(6), 2, 4, 1e-3), /of 8/);
    addon.batchNormTrainGrad(buffer, grad(0), 2, 4, 1e-3); // fits (dx over x: in place is allowed)
  });
});
