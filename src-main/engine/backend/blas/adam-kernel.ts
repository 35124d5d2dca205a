/**
 * A fused Adam update as a kernel of the 'blas' backend: one pass over the parameters, their
 * gradient and both moments, where tfjs's AdamOptimizer runs about a dozen elementwise ops that
 * each stream every parameter through memory (a third of a training step of the MNIST model).
 * training/optimizer.ts uses it where the active backend has it; the arithmetic is the same.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BlasAddon } from '../../../host/blas-addon.ts';
import { offsetOf, size, type WasmHeapBackend } from './heap.ts';

export const FUSED_ADAM = 'GmvaeFusedAdam';

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
