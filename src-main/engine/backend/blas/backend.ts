/**
 * The 'blas' TensorFlow.js backend: tfjs-backend-wasm's backend instance under a second name,
 * with its own kernel table: every wasm kernel, except the matrix products and the convolutions
 * (conv.ts, including the Conv2DBackpropFilter wasm lacks), which run through the native BLAS
 * addon on the same WebAssembly heap, plus fused optimizer updates (adam-kernel.ts) and the mixture
 * prior's [B, K, Dx] Gaussian terms (component-kernel.ts), Sum and Mean over leading axes
 * (reduce.ts), the four arithmetic ops on whole tensors and repeated rows (binary.ts) and batch
 * normalisation, inference's pass and training's both ways (norm.ts).
 *
 * Why share wasm's instance rather than build a second one: wasm's kernels keep their compiled
 * entry points in module-level variables, so two wasm modules in one process would overwrite
 * each other's; and sharing means a tensor made on 'wasm' is already a 'blas' tensor (moving
 * between the two costs nothing). The shared instance is wrapped in a Proxy whose only change
 * is `dispose`, so disposing 'blas' cannot free the heap that 'wasm' still uses.
 */
import type { KernelBackend, KernelFunc } from '@tensorflow/tfjs';
import { tf } from '../../tf.ts';
import { loadBlasAddon, type BlasAddon } from '../../../host/blas-addon.ts';
import { fusedAdamKernel, resetAdamKernel } from './adam-kernel.ts';
import { binaryKernels } from './binary.ts';
import { componentGradient, componentKernels } from './component-kernel.ts';
import { convKernels } from './conv.ts';
import { blasKernels } from './kernels.ts';
import { batchNormKernel, batchNormTrainingGradient, batchNormTrainingKernels } from './norm.ts';
import { meanGradient, reduceKernels, tfjsMeanGradient } from './reduce.ts';

export const BLAS_BACKEND = 'blas';
/** Below cpu (1) and wasm (2): tfjs never picks 'blas' on its own; the engine asks for it. */
const PRIORITY = 0;

/** The wasm backend instance, initialised (this leaves 'wasm' as the active backend). */
async function wasmInstance(): Promise<KernelBackend> {
  await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
  return tf.backend();
}

function shared(target: KernelBackend): KernelBackend {
  return new Proxy(target, {
    get(t, property) {
      if (property === 'dispose') return () => {};
      const value: unknown = Reflect.get(t, property, t);
      // Methods run on the real instance, so its counters and maps stay the only ones.
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
    set: (t, property, value) => Reflect.set(t, property, value, t),
  });
}

/**
 * Registers the 'blas' backend (once) and returns the addon. Throws BlasUnavailableError when
 * the addon is missing or does not load. Afterwards `tf.setBackend('blas')` activates it.
 */
export async function registerBlasBackend(): Promise<BlasAddon> {
  const addon = loadBlasAddon();
  if (tf.findBackendFactory(BLAS_BACKEND) !== null) return addon;
  const wasm = await wasmInstance();
  const fallback = (kernelName: string): KernelFunc => {
    const config = tf.getKernel(kernelName, 'wasm');
    if (!config) throw new Error(`the wasm backend has no ${kernelName} kernel`);
    return config.kernelFunc;
  };
  const overrides = [
    ...blasKernels(addon, BLAS_BACKEND, fallback),
    ...convKernels(addon, BLAS_BACKEND, fallback),
    fusedAdamKernel(addon, BLAS_BACKEND),
    resetAdamKernel(addon, BLAS_BACKEND),
    ...componentKernels(addon, BLAS_BACKEND),
    ...reduceKernels(addon, BLAS_BACKEND, fallback),
    ...binaryKernels(addon, BLAS_BACKEND, fallback),
    batchNormKernel(addon, BLAS_BACKEND, fallback),
    ...batchNormTrainingKernels(addon, BLAS_BACKEND),
  ];
  const overridden = new Set(overrides.map((k) => k.kernelName));
  for (const config of tf.getKernelsForBackend('wasm'))
    if (!overridden.has(config.kernelName)) tf.registerKernel({ ...config, backendName: BLAS_BACKEND });
  for (const config of overrides) tf.registerKernel(config);
  tf.registerGradient(componentGradient);
  tf.registerGradient(batchNormTrainingGradient);
  tf.registerGradient(meanGradient(tfjsMeanGradient(), BLAS_BACKEND));
  tf.registerBackend(BLAS_BACKEND, () => shared(wasm), PRIORITY);
  return addon;
}
