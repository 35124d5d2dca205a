/**
 * The [B, K, Dx] Gaussian terms of the mixture prior as two kernels of the 'blas' backend (one
 * pass each, in the addon; see model/component-gaussian.ts for the ops that use them):
 *
 *   GmvaeComponentGaussian      a, la [B, Dx], muK, logvarK [B, K, Dx] -> [B, K]
 *                               attrs.mode 'logDensity': log N(a | muK, e^logvarK) summed over Dx
 *                                          'kl':         KL( N(a, e^la) || N(muK, e^logvarK) )
 *   GmvaeComponentGaussianGrad  the same inputs and dy [B, K] -> da, dla [B, Dx], dmuK, dlogvarK
 *
 * As tfjs ops each term is about ten elementwise kernels forward and twenty backward, every one
 * a pass over [B, K, Dx] plus the engine's overhead per op; together they were the largest cost
 * of a training step after the products and Adam.
 *
 * The model (model/component-gaussian.ts) imports this module's names, so it imports nothing
 * but types from the addon's loader or the other kernels.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BlasAddon } from '../../../host/blas-addon.ts';
import type { WasmHeapBackend } from './kernels.ts';

export const COMPONENT_GAUSSIAN = 'GmvaeComponentGaussian';
export const COMPONENT_GAUSSIAN_GRAD = 'GmvaeComponentGaussianGrad';

/** `mode` of the addon's componentGaussian, as in native/src/blas.c. */
export const COMPONENT_MODES = { logDensity: 0, kl: 1 } as const;
export type ComponentMode = keyof typeof COMPONENT_MODES;

export interface ComponentAttrs {
  mode: ComponentMode;
}

function offsetOf(heap: WasmHeapBackend, t: TensorInfo): number {
  const data = heap.dataIdMap.get(t.dataId);
  if (!data) throw new Error('blas: tensor is not on the wasm heap');
  return data.memoryOffset;
}

/** [B, K, Dx] from the operands, checked: float32, a and la [B, Dx], muK and logvarK [B, K, Dx]. */
function dimensions(kernel: string, a: TensorInfo, la: TensorInfo, muK: TensorInfo, logvarK: TensorInfo) {
  const [b, k, d] = muK.shape as [number, number, number];
  const same = (x: readonly number[], y: readonly number[]) =>
    x.length === y.length && x.every((v, i) => v === y[i]);
  const ok =
    muK.shape.length === 3 &&
    same(logvarK.shape, muK.shape) &&
    same(a.shape, [b, d]) &&
    same(la.shape, [b, d]) &&
    [a, la, muK, logvarK].every((t) => t.dtype === 'float32');
  if (!ok)
    throw new Error(
      `${kernel}: needs float32 a, la [B, Dx] and muK, logvarK [B, K, Dx], got ${a.shape}, ${la.shape}, ${muK.shape}, ${logvarK.shape}`,
    );
  return { b, k, d };
}

export function componentKernels(addon: BlasAddon, backendName: string): KernelConfig[] {
  const forward: KernelFunc = ({ inputs, backend, attrs }) => {
    const { a, la, muK, logvarK } = inputs as Record<string, TensorInfo>;
    const { mode } = attrs as unknown as ComponentAttrs;
    const { b, k, d } = dimensions(COMPONENT_GAUSSIAN, a!, la!, muK!, logvarK!);
    const heap = backend as unknown as WasmHeapBackend;
    // Input offsets first (looking one up may move it onto the heap), then the output.
    const operands = [a!, la!, muK!, logvarK!].map((t) => offsetOf(heap, t));
    const out = heap.makeOutput([b, k], 'float32');
    const offsets = new Float64Array([...operands, offsetOf(heap, out)]);
    addon.componentGaussian(heap.wasm.HEAPU8.buffer as ArrayBuffer, offsets, COMPONENT_MODES[mode], b, k, d);
    return out;
  };

  const gradient: KernelFunc = ({ inputs, backend, attrs }) => {
    const { a, la, muK, logvarK, dy } = inputs as Record<string, TensorInfo>;
    const { mode } = attrs as unknown as ComponentAttrs;
    const { b, k, d } = dimensions(COMPONENT_GAUSSIAN_GRAD, a!, la!, muK!, logvarK!);
    if (dy!.dtype !== 'float32' || dy!.shape.length !== 2 || dy!.shape[0] !== b || dy!.shape[1] !== k)
      throw new Error(`${COMPONENT_GAUSSIAN_GRAD}: dy must be float32 [${b}, ${k}], got ${dy!.shape}`);
    const heap = backend as unknown as WasmHeapBackend;
    const operands = [a!, la!, muK!, logvarK!, dy!].map((t) => offsetOf(heap, t));
    const outputs = [a!, la!, muK!, logvarK!].map((t) => heap.makeOutput([...t.shape], 'float32'));
    const offsets = new Float64Array([...operands, ...outputs.map((t) => offsetOf(heap, t))]);
    addon.componentGaussianGrad(
      heap.wasm.HEAPU8.buffer as ArrayBuffer,
      offsets,
      COMPONENT_MODES[mode],
      b,
      k,
      d,
    );
    return outputs;
  };

  return [
    { kernelName: COMPONENT_GAUSSIAN, backendName, kernelFunc: forward },
    { kernelName: COMPONENT_GAUSSIAN_GRAD, backendName, kernelFunc: gradient },
  ];
}
