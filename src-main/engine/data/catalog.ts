/**
 * Decoding any dataset a run can name: a built-in one (generated, or read from its package) or
 * one imported into the store. Runs in engine processes only; what a dataset is, without its
 * data, is in host/datasets.ts.
 */
import type { LoadedDataset } from '../../common/dataset.ts';
import { UnknownDatasetError, isBuiltin, unknownDatasetMessage } from '../../host/datasets.ts';
import type { Store } from '../../host/store/index.ts';
import { loadBuiltin } from './registry.ts';

export async function loadDataset(store: Store, name: string): Promise<LoadedDataset> {
  if (isBuiltin(name)) return loadBuiltin(name);
  const data = store.loadDataset(name);
  if (!data) throw new UnknownDatasetError(unknownDatasetMessage(store, name));
  return data;
}
