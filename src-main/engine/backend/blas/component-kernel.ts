/**
 * The mixture prior's [B, K, Dx] Gaussian terms as a kernel of the 'blas' backend, with its
 * gradient (one pass each way in the addon; model/component-gaussian.ts uses it):
 *
 *   GmvaeComponentGaussian      x, muX, logvarX [B, Dx], muK, logvarK [B, K, Dx]
 *                               -> logDensity = log N(x | muK, e^logvarK) summed over Dx  [B, K]
 *                                  kl = KL( N(muX, e^logvarX) || N(muK, e^logvarK) )        [B, K]
 *   GmvaeComponentGaussianGrad  the same inputs and dLogDensity, dKl [B, K]
 *                               -> dx, dmuX, dlogvarX [B, Dx], dmuK, dlogvarK [B, K, Dx]
 *
 * As tfjs ops the two terms are about twenty elementwise kernels forward and forty backward,
 * every one a pass over [B, K, Dx] plus the engine's overhead per op; together they were the
 * largest cost of a training step after the products and Adam.
 *
 * The model imports this module's names, so it imports nothing but types from the addon's
 * loader or the other kernels; heap.ts, which it shares with them, imports only types.
 */
import type { GradConfig, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../../tf.ts';
import type { BlasAddon } from '../../../host/blas-addon.ts';
import { offsetOf, type WasmHeapBackend } from './heap.ts';

export const COMPONENT_GAUSSIAN = 'GmvaeComponentGaussian';
export const COMPONENT_GAUSSIAN_GRAD = 'GmvaeComponentGaussianGrad';

const INPUTS = ['x', 'muX', 'logvarX', 'muK', 'logvarK'] as const;

/** [B, K, Dx] from the operands, checked: all float32, [B, Dx] rows and [B, K, Dx] components. */
function dimensions(kernel: string, inputs: Record<string, TensorInfo | undefined>) {
  const { x, muX, logvarX, muK, logvarK } = inputs;
  const [b, k, d] = (muK?.shape ?? []) as [number, number, number];
  const ok =
    muK?.shape.length === 3 &&
    logvarK !== undefined &&
    tf.util.arraysEqual(logvarK.shape, muK.shape) &&
    [x, muX, logvarX].every((t) => t !== undefined && tf.util.arraysEqual(t.shape, [b, d])) &&
    [x, muX, logvarX, muK, logvarK].every((t) => t!.dtype === 'float32');
  if (!ok)
    throw new Error(
      `${kernel}: needs float32 x, muX, logvarX [B, Dx] and muK, logvarK [B, K, Dx], got ` +
        INPUTS.map((name) => `${name} [${inputs[name]?.shape ?? ''}]`).join(', '),
    );
  return { b, k, d };
}

export function componentKernels(addon: BlasAddon, backendName: string): KernelConfig[] {
  const forward: KernelFunc = ({ inputs, backend }) => {
    const named = inputs as Record<string, TensorInfo | undefined>;
    const { b, k, d } = dimensions(COMPONENT_GAUSSIAN, named);
    const heap = backend as unknown as WasmHeapBackend;
    // Input offsets first (looking one up may move it onto the heap), then the outputs.
    const operands = INPUTS.map((name) => offsetOf(heap, named[name]!));
    const outputs = [heap.makeOutput([b, k], 'float32'), heap.makeOutput([b, k], 'float32')];
    const offsets = new Float64Array([...operands, ...outputs.map((t) => offsetOf(heap, t))]);
    addon.componentGaussian(heap.wasm.HEAPU8.buffer as ArrayBuffer, offsets, b, k, d);
    return outputs;
  };

  const gradient: KernelFunc = ({ inputs, backend }) => {
    const named = inputs as Record<string, TensorInfo | undefined>;
    const { b, k, d } = dimensions(COMPONENT_GAUSSIAN_GRAD, named);
    const dys = [named['dLogDensity'], named['dKl']];
    if (!dys.every((t) => t !== undefined && t.dtype === 'float32' && tf.util.arraysEqual(t.shape, [b, k])))
      throw new Error(`${COMPONENT_GAUSSIAN_GRAD}: dLogDensity and dKl must be float32 [${b}, ${k}]`);
    const heap = backend as unknown as WasmHeapBackend;
    const operands = [...INPUTS.map((name) => named[name]!), ...dys].map((t) => offsetOf(heap, t!));
    const outputs = INPUTS.map((name) => heap.makeOutput([...named[name]!.shape], 'float32'));
    const offsets = new Float64Array([...operands, ...outputs.map((t) => offsetOf(heap, t))]);
    addon.componentGaussianGrad(heap.wasm.HEAPU8.buffer as ArrayBuffer, offsets, b, k, d);
    return outputs;
  };

  return [
    { kernelName: COMPONENT_GAUSSIAN, backendName, kernelFunc: forward },
    { kernelName: COMPONENT_GAUSSIAN_GRAD, backendName, kernelFunc: gradient },
  ];
}

/**
 * The kernel's gradient: the gradient kernel once, for all five inputs. (tfjs calls each
 * input's function in a scope of its own, so running the kernel inside them would either run
 * it five times or lose the other outputs; computed here, the ones not asked for are freed with
 * the rest of the backward pass, as customGrad's gradients are.)
 */
export const componentGradient: GradConfig = {
  kernelName: COMPONENT_GAUSSIAN,
  inputsToSave: [...INPUTS],
  gradFunc: (dy, saved) => {
    const [dLogDensity, dKl] = dy as tf.Tensor[];
    const [x, muX, logvarX, muK, logvarK] = saved;
    const inputs = {
      x: x!,
      muX: muX!,
      logvarX: logvarX!,
      muK: muK!,
      logvarK: logvarK!,
      dLogDensity: dLogDensity!,
      dKl: dKl!,
    };
    const grads = tf.engine().runKernel(COMPONENT_GAUSSIAN_GRAD, inputs) as tf.Tensor[];
    return Object.fromEntries(INPUTS.map((name, i) => [name, () => grads[i]!]));
  },
};
