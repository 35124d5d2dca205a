/**
 * Batch normalisation in the addon:
 *
 * - FusedBatchNorm, the pass with given moments that inference runs, per channel of the last
 *   axis, with the cpu backend's arithmetic (offset + (x - mean) * scale / sqrt(variance + eps)
 *   in double precision). wasm's kernel takes an index per element and several times longer on
 *   the conv network's NHWC activations. Parameters of any other shape than [C] (C = x's last
 *   axis), and non-float32 tensors, go to wasm's kernel.
 * - Training's pass, the batch's moments included, and its gradient, as two kernels of the
 *   engine's own (below).
 */
import type { GradConfig, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../../tf.ts';
import type { BlasAddon } from '../../../host/blas-addon.ts';
import { offsetOf, size, type WasmHeapBackend } from './heap.ts';

export function batchNormKernel(
  addon: BlasAddon,
  backendName: string,
  fallback: (kernelName: string) => KernelFunc,
): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x, mean, variance, offset, scale } = args.inputs as Record<string, TensorInfo | undefined>;
    const { varianceEpsilon } = args.attrs as { varianceEpsilon?: number };
    const channels = x!.shape.at(-1) ?? 1;
    const perChannel = (t: TensorInfo | undefined) =>
      t === undefined || (t.dtype === 'float32' && t.shape.length === 1 && t.shape[0] === channels);
    const handled =
      x!.dtype === 'float32' &&
      x!.shape.length >= 1 &&
      mean !== undefined &&
      variance !== undefined &&
      [mean, variance, offset, scale].every(perChannel);
    if (!handled) return fallback(tf.FusedBatchNorm)(args);
    const backend = args.backend as unknown as WasmHeapBackend;
    // Input offsets first (finding one may move it onto the heap), then the output.
    const inputs = [x!, mean, variance, offset, scale].map((t) =>
      t === undefined ? -1 : offsetOf(backend, t),
    );
    const out = backend.makeOutput([...x!.shape], 'float32');
    const offsets = new Float64Array([...inputs, offsetOf(backend, out)]);
    const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
    // 0.001 where the attribute is missing, as the cpu backend has it.
    addon.batchNorm(heap, offsets, size(x!.shape) / channels, channels, varianceEpsilon ?? 0.001);
    return out;
  };
  return { kernelName: tf.FusedBatchNorm, backendName, kernelFunc };
}

/**
 * Batch normalisation in training as one kernel each way (model/batch-norm.ts uses them):
 *
 *   GmvaeBatchNormTraining      x [..., C], scale, offset [C]   -> y, mean [C], variance [C]
 *   GmvaeBatchNormTrainingGrad  x, scale, mean, variance, dy    -> dx, dscale, doffset
 *
 * with the batch's own mean and biased variance per channel (the last axis), as tf.moments
 * computes them (the formulas: native/src/blas.c, "Batch normalisation in training").
 */
export const BATCH_NORM_TRAINING = 'GmvaeBatchNormTraining';
export const BATCH_NORM_TRAINING_GRAD = 'GmvaeBatchNormTrainingGrad';

/** x's [rows, channels], checked: float32 throughout, every per-channel operand [C]. */
function trainingDimensions(
  kernel: string,
  x: TensorInfo | undefined,
  perChannel: (TensorInfo | undefined)[],
) {
  const channels = x?.shape.at(-1);
  const ok =
    x !== undefined &&
    channels !== undefined &&
    x.dtype === 'float32' &&
    perChannel.every(
      (t) => t !== undefined && t.dtype === 'float32' && tf.util.arraysEqual(t.shape, [channels]),
    );
  if (!ok)
    throw new Error(
      `${kernel}: needs float32 x [..., C] and [C] parameters, got x [${x?.shape ?? ''}] and ` +
        perChannel.map((t) => `[${t?.shape ?? ''}]`).join(', '),
    );
  return { rows: size(x.shape) / channels, channels };
}

/**
 * New outputs shaped [x's shape, [C], [C]] and the addon run on the offsets of `operands` then
 * those outputs (operands first: finding one may move it onto the heap).
 */
function withOutputs(
  backend: unknown,
  operands: TensorInfo[],
  shape: readonly number[],
  channels: number,
  run: (heap: ArrayBuffer, offsets: Float64Array) => void,
): TensorInfo[] {
  const heap = backend as WasmHeapBackend;
  const inputs = operands.map((t) => offsetOf(heap, t));
  const outputs = [[...shape], [channels], [channels]].map((s) => heap.makeOutput(s, 'float32'));
  run(
    heap.wasm.HEAPU8.buffer as ArrayBuffer,
    new Float64Array([...inputs, ...outputs.map((t) => offsetOf(heap, t))]),
  );
  return outputs;
}

export function batchNormTrainingKernels(addon: BlasAddon, backendName: string): KernelConfig[] {
  const forward: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, scale, offset } = inputs as Record<string, TensorInfo | undefined>;
    const { rows, channels } = trainingDimensions(BATCH_NORM_TRAINING, x, [scale, offset]);
    const { varianceEpsilon } = attrs as { varianceEpsilon: number };
    return withOutputs(backend, [x!, scale!, offset!], x!.shape, channels, (heap, offsets) =>
      addon.batchNormTrain(heap, offsets, rows, channels, varianceEpsilon),
    );
  };

  const gradient: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, scale, mean, variance, dy } = inputs as Record<string, TensorInfo | undefined>;
    const { rows, channels } = trainingDimensions(BATCH_NORM_TRAINING_GRAD, x, [scale, mean, variance]);
    if (dy === undefined || dy.dtype !== 'float32' || !tf.util.arraysEqual(dy.shape, x!.shape))
      throw new Error(`${BATCH_NORM_TRAINING_GRAD}: dy must be float32 [${x!.shape}]`);
    const { varianceEpsilon } = attrs as { varianceEpsilon: number };
    return withOutputs(backend, [x!, scale!, mean!, variance!, dy], x!.shape, channels, (heap, offsets) =>
      addon.batchNormTrainGrad(heap, offsets, rows, channels, varianceEpsilon),
    );
  };

  return [
    { kernelName: BATCH_NORM_TRAINING, backendName, kernelFunc: forward },
    { kernelName: BATCH_NORM_TRAINING_GRAD, backendName, kernelFunc: gradient },
  ];
}

/**
 * The training kernel's gradient: the gradient kernel once for x, scale and offset. Gradients
 * reaching the mean and variance outputs (the layer only feeds them to its moving averages, which
 * are not trained) are added as their own terms, d mean / dx = 1/N and d variance / dx =
 * 2 (x - mean) / N, so the gradient is right whatever uses them.
 */
export const batchNormTrainingGradient: GradConfig = {
  kernelName: BATCH_NORM_TRAINING,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy, dMean, dVariance] = dys as (tf.Tensor | null)[];
    const [x, scale, mean, variance] = saved as tf.Tensor[];
    const inputs = { x: x!, scale: scale!, mean: mean!, variance: variance!, dy: dy ?? tf.zerosLike(x!) };
    const [dx, dScale, dOffset] = tf
      .engine()
      .runKernel(BATCH_NORM_TRAINING_GRAD, inputs, attrs) as tf.Tensor[];
    const rows = size(x!.shape) / mean!.size;
    const throughMoments = () => {
      let total = dx!;
      if (dMean) total = tf.add(total, tf.div(dMean, rows));
      if (dVariance) total = tf.add(total, tf.mul(tf.sub(x!, mean!), tf.mul(dVariance, 2 / rows)));
      return total;
    };
    return { x: throughMoments, scale: () => dScale!, offset: () => dOffset! };
  },
};
