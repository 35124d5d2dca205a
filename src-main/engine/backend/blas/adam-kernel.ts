/**
 * The optimizers' updates as kernels of the 'blas' backend, one pass over memory each:
 * - Adam over the parameters, their gradient and both moments, where tfjs's AdamOptimizer runs
 *   about a dozen elementwise ops that each stream every parameter through memory (a third of a
 *   training step of the MNIST model). training/optimizer.ts uses it where the backend has it.
 * - The authors' Adam restarted every step (training/reset-adam.ts), where the composed update
 *   is five kernels per variable, each dispatched by tfjs (about a tenth of a step of the conv
 *   network at batch 50).
 * The arithmetic is the unfused ops', in the same order, so either path gives the same numbers.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BlasAddon } from '../../../host/blas-addon.ts';
import { offsetOf, size, type WasmHeapBackend } from './heap.ts';

export const FUSED_ADAM = 'GmvaeFusedAdam';
export const RESET_ADAM = 'GmvaeResetAdam';

export interface FusedAdamAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
}

/** Inputs value, gradient, m, v, accBeta1, accBeta2 -> outputs [value', m', v']. */
export function fusedAdamKernel(addon: BlasAddon, backendName: string): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const { value, gradient, m, v, accBeta1, accBeta2 } = inputs as Record<string, TensorInfo>;
    const { beta1, beta2, epsilon, learningRate } = attrs as unknown as FusedAdamAttrs;
    const heap = backend as unknown as WasmHeapBackend;
    const operands = [value!, gradient!, m!, v!, accBeta1!, accBeta2!];
    if (operands.some((t) => t.dtype !== 'float32')) throw new Error(`${FUSED_ADAM} needs float32 tensors`);
    const outputs = [value!, m!, v!].map((t) => heap.makeOutput([...t.shape], 'float32'));
    const offsets = new Float64Array([...operands, ...outputs].map((t) => offsetOf(heap, t)));
    const count = size(value!.shape);
    // The scalars as AdamOptimizer's ops see them: (1 - beta) is formed in double precision
    // and only then becomes a float32 tensor, and so here.
    addon.adam(
      heap.wasm.HEAPU8.buffer as ArrayBuffer,
      offsets,
      count,
      beta1,
      1 - beta1,
      beta2,
      1 - beta2,
      epsilon,
      -learningRate,
    );
    return outputs;
  };
  return { kernelName: FUSED_ADAM, backendName, kernelFunc };
}

export interface ResetAdamAttrs {
  learningRate: number;
  /** The denominator's floor, eps / sqrt(1 - beta2). */
  floor: number;
}

/** Inputs value, gradient -> output value - (lr * gradient) / (|gradient| + floor). */
export function resetAdamKernel(addon: BlasAddon, backendName: string): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const { value, gradient } = inputs as Record<string, TensorInfo>;
    const { learningRate, floor } = attrs as unknown as ResetAdamAttrs;
    const heap = backend as unknown as WasmHeapBackend;
    if (value!.dtype !== 'float32' || gradient!.dtype !== 'float32')
      throw new Error(`${RESET_ADAM} needs float32 tensors`);
    const output = heap.makeOutput([...value!.shape], 'float32');
    const offsets = new Float64Array([value!, gradient!, output].map((t) => offsetOf(heap, t)));
    addon.resetAdam(heap.wasm.HEAPU8.buffer as ArrayBuffer, offsets, size(value!.shape), learningRate, floor);
    return output;
  };
  return { kernelName: RESET_ADAM, backendName, kernelFunc };
}
