/**
 * The 'blas' backend's convolutions (blas/conv.ts, the addon's im2col + sgemm) against the plain
 * cpu backend on fresh random inputs: Conv2D, FusedConv2D, Conv2DBackpropInput and
 * Conv2DBackpropFilter over random shapes (batch 1 and more, odd sizes, strides 1 and 2,
 * 'valid' / 'same' / explicit padding, kernels 1..9, channels 1..9), shapes large enough to take
 * several column chunks, gradients through conv2d and conv2dTranspose, and one gradient step of
 * the conv GMVAE.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GmvaeConfig } from '../../../src-main/common/config.ts';
import { SYNTHETIC_PRESET } from '../../../src-main/common/config.ts';
import { selectBackend } from '../../../src-main/engine/backend/backends.ts';
import { loadBlasAddon } from '../../../src-main/host/blas-addon.ts';
import { Gmvae } from '../../../src-main/engine/model/gmvae.ts';
import { tf } from '../../../src-main/engine/tf.ts';
import {
  assertGradientsClose,
  assertMatchesCpu,
  on,
  operand,
  skipUnlessBlas,
  toTensor,
  type Operand,
} from './blas-helpers.ts';

type Shape4 = [number, number, number, number];
type Pad = 'valid' | 'same' | number | [[0, 0], [number, number], [number, number], [0, 0]];

/** One convolution: x [B, H, W, C] * filter [KH, KW, C, OC]. */
interface ConvCase {
  x: number[];
  filter: number[];
  strides: [number, number];
  pad: Pad;
}

const pick = <T>(...options: T[]): T => options[Math.floor(Math.random() * options.length)]!;
const between = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

/** A random case: every padding kind, strides 1 and 2 (mixed too), sizes 1..9, odd or even. */
function randomCase(): ConvCase {
  const kind = pick('valid', 'same', 'number', 'explicit');
  const [top, bottom, left, right] = [between(0, 3), between(0, 3), between(0, 3), between(0, 3)];
  // tfjs sizes the output of a numeric pad by the filter's height and stride alone
  // (computeOutputShape2D), so that case is square, as tfjs's own tests have it.
  const kh = between(1, 9);
  const kw = kind === 'number' ? kh : between(1, 9);
  const sh = pick(1, 2);
  const sw = kind === 'number' ? sh : pick(1, 2);
  const pad: Pad =
    kind === 'valid' || kind === 'same'
      ? kind
      : kind === 'number'
        ? top
        : [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ];
  // Input sizes that leave a non-empty output ('same' always does).
  const [padH, padW] = {
    valid: [0, 0],
    same: [kh - 1, kw - 1],
    number: [2 * top, 2 * top],
    explicit: [top + bottom, left + right],
  }[kind];
  const h = Math.max(1, kh - padH!) + between(0, 8);
  const w = kind === 'number' ? h : Math.max(1, kw - padW!) + between(0, 8);
  return {
    x: [pick(1, 2, 3, 5), h, w, between(1, 9)],
    filter: [kh, kw, 0, between(1, 9)],
    strides: [sh, sw],
    pad,
  };
}

/** The cases: random ones, plus the shapes the addon treats specially or in several chunks. */
function cases(randomCount: number): ConvCase[] {
  const list: ConvCase[] = Array.from({ length: randomCount }, randomCase);
  list.push(
    // Columns are x itself: a 1x1 filter at stride 1, and a filter as large as the input.
    { x: [3, 5, 7, 4], filter: [1, 1, 0, 6], strides: [1, 1], pad: 'valid' },
    { x: [4, 9, 9, 8], filter: [9, 9, 0, 5], strides: [1, 1], pad: 'valid' },
    // A 1x1 filter at stride 2 skips inputs: their dx must be 0.
    { x: [2, 7, 8, 3], filter: [1, 1, 0, 4], strides: [2, 2], pad: 'valid' },
    // The conv GMVAE's stride-2 layer.
    { x: [3, 18, 18, 8], filter: [4, 4, 0, 16], strides: [2, 2], pad: 'same' },
    // Columns of several 1 MB chunks per thread, chunk and thread boundaries inside examples,
    // rows that do not split evenly, one example for dx's whole-example split (few output
    // channels keep the cpu backend's reference quick).
    { x: [8, 40, 40, 16], filter: [5, 5, 0, 2], strides: [1, 1], pad: 'valid' },
    { x: [5, 30, 31, 6], filter: [3, 3, 0, 3], strides: [2, 1], pad: 'same' },
    { x: [1, 64, 64, 32], filter: [9, 9, 0, 1], strides: [1, 1], pad: 'same' },
  );
  // The filter's input channels are x's.
  return list.map((c) => ({ ...c, filter: [c.filter[0]!, c.filter[1]!, c.x[3]!, c.filter[3]!] }));
}

const describeCase = (c: ConvCase) =>
  `x [${c.x}] filter [${c.filter}] strides ${c.strides} pad ${JSON.stringify(c.pad)}`;

/** The output shape of a case, as tfjs computes it. */
function outShape(c: ConvCase): number[] {
  const info = tf.backend_util.computeConv2DInfo(c.x as Shape4, c.filter as Shape4, c.strides, 1, c.pad);
  return [...info.outShape];
}

interface Operands {
  x: Operand;
  filter: Operand;
  dy: Operand;
}

const operands = (c: ConvCase): Operands => ({
  x: operand(c.x),
  filter: operand(c.filter),
  dy: operand(outShape(c)),
});

const as4 = (o: Operand) => toTensor(o) as tf.Tensor4D;

// float32 sums of up to KH*KW*C (or B*OH*OW) terms of size ~1: relative 1e-4 with room.
const TOL = 2e-4;

describe('blas backend convolutions', { skip: skipUnlessBlas }, () => {
  const all = cases(30);

  test('Conv2D on random shapes, strides and paddings', async () => {
    for (const c of all) {
      const o = operands(c);
      await assertMatchesCpu(
        `conv2d ${describeCase(c)}`,
        () => tf.conv2d(as4(o.x), as4(o.filter), c.strides, c.pad),
        TOL,
      );
    }
  });

  test('Conv2DBackpropInput on random shapes, strides and paddings', async () => {
    for (const c of all) {
      const o = operands(c);
      await assertMatchesCpu(
        `conv2DBackpropInput ${describeCase(c)}`,
        () => tf.conv2dTranspose(as4(o.dy), as4(o.filter), c.x as Shape4, c.strides, c.pad),
        TOL,
      );
    }
  });

  test('Conv2DBackpropFilter on random shapes, strides and paddings', async () => {
    for (const c of all) {
      const o = operands(c);
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
      await assertMatchesCpu(
        `conv2DBackpropFilter ${describeCase(c)}`,
        // Not exported by tfjs as an op; the gradient of conv2d calls it like this.
        () =>
          tf
            .engine()
            .runKernel(tf.Conv2DBackpropFilter, { x: as4(o.x), dy: as4(o.dy) }, attrs as never) as tf.Tensor,
        TOL,
      );
    }
  });

  test('fused conv2d: bias row and every activation, and the forms finished by wasm', async () => {
    const c: ConvCase = { x: [3, 11, 10, 5], filter: [3, 4, 5, 7], strides: [2, 1], pad: 'same' };
    const o = operands(c);
    const bias = operand([7]);
    bias.values.forEach((v, i) => (bias.values[i] = v * 8)); // relu6's upper clip is reached too
    for (const activation of ['linear', 'relu', 'relu6', 'sigmoid', 'elu', 'leakyrelu'] as const)
      await assertMatchesCpu(
        `fused conv2d ${activation}`,
        () =>
          tf.fused.conv2d({
            x: as4(o.x),
            filter: as4(o.filter),
            strides: c.strides,
            pad: c.pad,
            bias: toTensor(bias),
            activation,
            leakyreluAlpha: 0.3,
          }),
        TOL,
      );
    await assertMatchesCpu(
      'fused conv2d without bias',
      () =>
        tf.fused.conv2d({
          x: as4(o.x),
          filter: as4(o.filter),
          strides: c.strides,
          pad: c.pad,
          activation: 'relu',
        }),
      TOL,
    );
    const wide = operand([10, 7]); // a bias broadcast over rows: wasm's Add
    const alpha = operand([7]);
    await assertMatchesCpu(
      'fused conv2d with a broadcast bias and PReLU',
      () =>
        tf.fused.conv2d({
          x: as4(o.x),
          filter: as4(o.filter),
          strides: c.strides,
          pad: c.pad,
          bias: toTensor(wide),
          activation: 'prelu',
          preluActivationWeights: toTensor(alpha),
        }),
      TOL,
    );
  });

  test('gradients through conv2d, fused conv2d and conv2dTranspose', async () => {
    // Random cases and the stride-2 layer of the conv GMVAE.
    for (const c of [...all.slice(0, 8), all.at(-3)!]) {
      const o = operands(c);
      const r = operand(outShape(c));
      await assertMatchesCpu(
        `grad conv2d ${describeCase(c)}`,
        () =>
          tf.grads((x: tf.Tensor, w: tf.Tensor) =>
            tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad), toTensor(r))),
          )([as4(o.x), as4(o.filter)]),
        TOL,
      );
      // conv2dTranspose maps dy-shaped inputs to x-shaped outputs; its gradient runs Conv2D and
      // Conv2DBackpropFilter.
      const s = operand(c.x);
      await assertMatchesCpu(
        `grad conv2dTranspose ${describeCase(c)}`,
        () =>
          tf.grads((y: tf.Tensor, w: tf.Tensor) =>
            tf.sum(
              tf.mul(
                tf.conv2dTranspose(y as tf.Tensor4D, w as tf.Tensor4D, c.x as Shape4, c.strides, c.pad),
                toTensor(s),
              ),
            ),
          )([as4(o.dy), as4(o.filter)]),
        TOL,
      );
    }
    const c: ConvCase = { x: [2, 9, 8, 3], filter: [3, 3, 3, 5], strides: [1, 2], pad: 'same' };
    const o = operands(c);
    const bias = operand([5]);
    const r = operand(outShape(c));
    await assertMatchesCpu(
      'grad fused conv2d with bias and relu',
      () =>
        tf.grads((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
          tf.sum(
            tf.mul(
              tf.fused.conv2d({
                x: x as tf.Tensor4D,
                filter: w as tf.Tensor4D,
                strides: c.strides,
                pad: c.pad,
                bias: b,
                activation: 'relu',
              }),
              toTensor(r),
            ),
          ),
        )([as4(o.x), as4(o.filter), toTensor(bias)]),
      TOL,
    );
  });

  test('unsupported forms: wasm runs dilated conv2d; Conv2DBackpropFilter on int32 throws', async () => {
    const o = operands({ x: [2, 9, 9, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: 'valid' });
    await assertMatchesCpu(
      'dilated conv2d',
      () => tf.conv2d(as4(o.x), as4(o.filter), 1, 'same', 'NHWC', 2),
      TOL,
    );
    await selectBackend('blas', { trainsConv2d: true });
    const kernel = tf.getKernel(tf.Conv2DBackpropFilter, 'blas')!;
    const x = tf.zeros([1, 3, 3, 1], 'int32');
    const dy = tf.zeros([1, 3, 3, 1], 'int32');
    assert.throws(
      () =>
        kernel.kernelFunc({
          inputs: { x, dy },
          backend: tf.backend(),
          attrs: { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [1, 1, 1, 1] },
        }),
      /Conv2DBackpropFilter: unsupported dtype int32/,
    );
    tf.dispose([x, dy]);
  });

  test('the addon refuses a filter, dy or output outside the buffer', () => {
    const addon = loadBlasAddon();
    const buffer = new ArrayBuffer(4 * 1000);
    // x [1, 4, 4, 2] (32 floats), filter [3, 3, 2, 2] (36), y [1, 2, 2, 2] (8).
    const geometry = Int32Array.from([1, 4, 4, 2, 3, 3, 2, 2, 2, 1, 1, 0, 0]);
    assert.doesNotThrow(() => addon.conv2d(buffer, Float64Array.from([0, 128, -1, 4 * 900]), geometry, 0, 0));
    assert.throws(
      () => addon.conv2d(buffer, Float64Array.from([0, 128, -1, 4 * 995]), geometry, 0, 0),
      /outside the buffer/,
    );
    assert.throws(
      () => addon.conv2dBackpropFilter(buffer, Float64Array.from([4 * 980, 0, 256]), geometry),
      /outside the buffer/,
    );
    assert.throws(
      () => addon.conv2dBackpropInput(buffer, Float64Array.from([0, 128, 2]), geometry),
      /outside the buffer/,
    );
    assert.throws(
      () =>
        addon.conv2d(
          buffer,
          Float64Array.from([0, 128, -1, 512]),
          Int32Array.from([1, 4, 4, 2, 3, 3, 2, 2, 2, 0, 1, 0, 0]),
          0,
          0,
        ),
      /bad geometry/,
    );
  });

  test('a gradient step of the conv GMVAE: the same loss and gradients as on cpu', async () => {
    const config: GmvaeConfig = {
      ...SYNTHETIC_PRESET,
      arch: 'conv',
      likelihood: 'bernoulli',
      k: 4,
      xDim: 6,
      wDim: 3,
      hidden: 16,
      seed: 5,
      backend: 'cpu',
    };
    const y = Float32Array.from({ length: 2 * 28 * 28 }, () => Math.random());
    const step = async (backend: 'cpu' | 'blas') => {
      await selectBackend(backend, { trainsConv2d: true });
      const model = new Gmvae(config, { shape: [28, 28, 1] });
      const variables = model.trainableVariables;
      const { value, grads } = tf.variableGrads(
        // Batch norm in inference mode: on a batch of 2 (the most the cpu side affords), batch
        // statistics divide by the spread of two values and magnify rounding by whole percents,
        // hiding what is compared here, the convolutions. The MLP step compares training mode.
        () => model.elboTerms(tf.tensor2d(y, [2, 28 * 28]), 99, { training: false }).loss,
        variables,
      );
      const result = {
        loss: value.dataSync()[0]!,
        grads: variables.map((v) => ({ name: v.name, values: grads[v.name]!.dataSync() as Float32Array })),
      };
      tf.dispose([value, ...Object.values(grads)]);
      model.dispose();
      return result;
    };
    const expected = await step('cpu');
    const actual = await step('blas');
    assert.ok(
      Math.abs(actual.loss - expected.loss) <= 1e-4 * Math.abs(expected.loss),
      `loss ${actual.loss} vs ${expected.loss}`,
    );
    // A wrong kernel is off by far more (the deliberate breaks were off by whole units).
    assertGradientsClose(actual.grads, expected.grads, 1e-3);
    assert.ok(actual.grads.some((g) => /conv/.test(g.name)));
  });

  test('operands made on cpu are moved onto the heap by the kernels', async () => {
    const o = operands({ x: [4, 30, 30, 8], filter: [5, 5, 8, 8], strides: [1, 1], pad: 'same' });
    const [expected] = await on('cpu', () => tf.conv2d(as4(o.x), as4(o.filter), 1, 'same'));
    await selectBackend('cpu', { trainsConv2d: true });
    const x = as4(o.x);
    const filter = as4(o.filter);
    await selectBackend('blas', { trainsConv2d: true });
    const y = tf.conv2d(x, filter, 1, 'same');
    const values = y.dataSync();
    for (let i = 0; i < values.length; i++)
      assert.ok(Math.abs(values[i]! - expected!.values[i]!) <= TOL * (1 + Math.abs(expected!.values[i]!)));
    tf.dispose([x, filter, y]);
  });
});
