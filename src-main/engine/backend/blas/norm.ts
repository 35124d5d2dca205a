/**
 * Batch normalisation's forward kernel (FusedBatchNorm) in the addon, per channel of the last
 * axis, with the cpu backend's arithmetic (offset + (x - mean) * scale / sqrt(variance + eps) in
 * double precision). wasm's kernel takes an index per element and several times longer on the
 * conv network's NHWC activations. Parameters of any other shape than [C] (C = x's last axis),
 * and non-float32 tensors, go to wasm's kernel.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
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
