/**
 * Sum and Mean over a tensor's leading axes (axes 0..r-1, in any order), in the addon: the input
 * is then a [rows, cols] matrix and the result its column sums. That is how batch normalisation
 * reduces NHWC activations (over N, H, W) and how every bias gradient sums over the batch.
 * wasm's kernels reduce only trailing axes and transpose the whole input first, which made these
 * reductions the largest elementwise cost of a conv training step. Any other axes, and
 * non-float32 tensors, go to wasm's kernels.
 */
import type { GradConfig, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../../tf.ts';
import type { BlasAddon } from '../../../host/blas-addon.ts';
import { offsetOf, size, type WasmHeapBackend } from './heap.ts';

interface ReduceAttrs {
  axis: number | number[];
  keepDims: boolean;
}

/**
 * The number of leading axes `axis` names (negative ones counted from the end), or null if they
 * are not a prefix. Repeated axes are left to wasm: tfjs gives them no consistent meaning.
 */
export function leadingAxes(axis: number | number[], rank: number): number | null {
  const list = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a));
  if (new Set(list).size !== list.length || list.some((a) => a < 0 || a >= rank)) return null;
  list.sort((a, b) => a - b);
  return list.length > 0 && list.every((a, i) => a === i) ? list.length : null;
}

export function reduceKernels(
  addon: BlasAddon,
  backendName: string,
  fallback: (kernelName: string) => KernelFunc,
): KernelConfig[] {
  const kernel =
    (name: string, mean: boolean): KernelFunc =>
    (args) => {
      const { x } = args.inputs as { x: TensorInfo };
      const { axis, keepDims } = args.attrs as unknown as ReduceAttrs;
      const leading = x.dtype === 'float32' ? leadingAxes(axis, x.shape.length) : null;
      if (leading === null) return fallback(name)(args);
      const backend = args.backend as unknown as WasmHeapBackend;
      const from = offsetOf(backend, x); // first: finding x may move it onto the heap
      const kept = x.shape.slice(leading);
      const outShape = keepDims ? [...x.shape.slice(0, leading).map(() => 1), ...kept] : kept;
      const out = backend.makeOutput(outShape, 'float32');
      const rows = size(x.shape.slice(0, leading));
      const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
      addon.reduceColumns(heap, from, offsetOf(backend, out), rows, size(kept), mean);
      return out;
    };
  return [
    { kernelName: tf.Sum, backendName, kernelFunc: kernel(tf.Sum, false) },
    { kernelName: tf.Mean, backendName, kernelFunc: kernel(tf.Mean, true) },
  ];
}

/**
 * Mean's gradient with the same values and less work on `backendName`: tfjs's multiplies dy by a
 * tensor of ones of the input's shape, which it builds in JavaScript and copies onto the heap
 * (for batch normalisation's moments over conv activations, about 50 ms of a step). Here dy,
 * divided by the count, is broadcast (Tile; one row repeated where the mean was over leading
 * axes) and divided: (dy * 1) / n and dy / n are the same float32 numbers. Other backends keep
 * `original`.
 */
export function meanGradient(original: GradConfig, backendName: string): GradConfig {
  return {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      if (tf.getBackend() !== backendName) return original.gradFunc(dy, saved, attrs);
      const [x] = saved as [tf.Tensor];
      const { axis } = attrs as unknown as { axis: number | number[] };
      const axes = tf.util.parseAxisParam(axis, x.shape);
      const count = axes.reduce((p, a) => p * x.shape[a]!, 1);
      const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      return {
        x: () => tf.div(tf.broadcastTo(tf.reshape(dy as tf.Tensor, expanded), x.shape), count),
      };
    },
  };
}

/** Mean's gradient as tfjs registers it (before meanGradient replaces it). */
export const tfjsMeanGradient = (): GradConfig => {
  const config = tf.getGradient(tf.Mean);
  if (!config) throw new Error('tfjs registers no gradient for Mean');
  return config;
};
