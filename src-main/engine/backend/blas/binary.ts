/**
 * Add, Sub, Multiply and RealDiv of float32 tensors in the addon, where each operand is either
 * the whole output or one row of it repeated: a shape that, without its leading 1s, is the
 * output's trailing axes (a per-channel vector of batch normalisation over NHWC activations, a
 * bias, a scalar). wasm's kernels compute a broadcast index per element, several times slower
 * than a pass over memory on the conv network's activations. Other broadcasts, other dtypes and
 * empty tensors go to wasm's kernels.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../../tf.ts';
import type { BlasAddon } from '../../../host/blas-addon.ts';
import { offsetOf, size, type WasmHeapBackend } from './heap.ts';

/** The addon's operation codes (native/src/blas.c, binary). */
const OPS = { [tf.Add]: 0, [tf.Sub]: 1, [tf.Multiply]: 2, [tf.RealDiv]: 3 } as const;

/** Whether an operand of `shape` is all of `outShape`, or one row of it repeated. */
export function wholeOrRow(shape: readonly number[], outShape: readonly number[]): boolean {
  if (size(shape) === size(outShape)) return true;
  const first = shape.findIndex((d) => d !== 1);
  const core = first < 0 ? [] : shape.slice(first);
  if (core.length > outShape.length) return false;
  const tail = outShape.slice(outShape.length - core.length);
  return core.every((d, i) => d === tail[i]);
}

export function binaryKernels(
  addon: BlasAddon,
  backendName: string,
  fallback: (kernelName: string) => KernelFunc,
): KernelConfig[] {
  const kernel =
    (name: keyof typeof OPS): KernelFunc =>
    (args) => {
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(name)(args);
      const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const outSize = size(outShape);
      const aSize = size(a.shape);
      const bSize = size(b.shape);
      const handled =
        outSize > 0 &&
        (aSize === outSize || bSize === outSize) &&
        wholeOrRow(a.shape, outShape) &&
        wholeOrRow(b.shape, outShape);
      if (!handled) return fallback(name)(args);
      const backend = args.backend as unknown as WasmHeapBackend;
      const aOffset = offsetOf(backend, a); // first: finding an input may move it onto the heap
      const bOffset = offsetOf(backend, b);
      const out = backend.makeOutput(outShape, 'float32');
      const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
      addon.binary(heap, OPS[name], aOffset, aSize, bOffset, bSize, offsetOf(backend, out), outSize);
      return out;
    };
  return (Object.keys(OPS) as (keyof typeof OPS)[]).map((name) => ({
    kernelName: name,
    backendName,
    kernelFunc: kernel(name),
  }));
}
