/**
 * How the 'blas' backend's kernels reach tensors on tfjs-backend-wasm's WebAssembly heap. Only
 * types from tfjs, so that the kernels the model and the optimizer import by name
 * (component-kernel.ts, adam-kernel.ts) can use it without loading the addon or the others.
 */
import type { DataType, TensorInfo } from '@tensorflow/tfjs';

/** The parts of tfjs-backend-wasm's BackendWasm these kernels use. */
export interface WasmHeapBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
}

export const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** Byte offset of `t`'s values on the heap; looking it up moves a tensor made elsewhere there. */
export function offsetOf(backend: WasmHeapBackend, t: TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('blas: tensor is not on the wasm heap');
  return data.memoryOffset;
}
