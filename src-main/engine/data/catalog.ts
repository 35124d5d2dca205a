/**
 * All datasets a run can name: the built-in ones (generated or shipped in a package) and the
 * ones imported into the store. Built-in names cannot be taken by imports.
 */
import type { DatasetInfo, LoadedDataset } from '../../common/dataset.ts';
import type { Store } from '../store/index.ts';
import { BUILTIN_DATASETS, isBuiltin, loadBuiltin } from './registry.ts';

export class UnknownDatasetError extends Error {
  override name = 'UnknownDatasetError';
}

export function listDatasets(store: Store): DatasetInfo[] {
  return [...BUILTIN_DATASETS, ...store.listDatasets()];
}

export function datasetInfo(store: Store, name: string): DatasetInfo {
  const info = BUILTIN_DATASETS.find((d) => d.name === name) ?? store.getDatasetInfo(name);
  if (!info) throw new UnknownDatasetError(unknownMessage(store, name));
  return info;
}

export async function loadDataset(store: Store, name: string): Promise<LoadedDataset> {
  if (isBuiltin(name)) return loadBuiltin(name);
  const data = store.loadDataset(name);
  if (!data) throw new UnknownDatasetError(unknownMessage(store, name));
  return data;
}

function unknownMessage(store: Store, name: string): string {
  const known = listDatasets(store).map((d) => d.name);
  return `no dataset named '${name}'; known datasets: ${known.join(', ')}`;
}
