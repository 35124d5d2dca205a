/**
 * Operations on runs shared by every front end (CLI, desktop app, web mode). Light on purpose:
 * the process serving an interface imports this, and must not load TensorFlow.
 */
import { resolveConfig } from '../common/config.ts';
import type { RunRecord } from '../common/run.ts';
import { datasetInfo } from './data/catalog.ts';
import type { Store } from './store/index.ts';

export interface NewRunInput {
  dataset: string;
  name?: string;
  /** Settings that differ from the dataset's defaults (see common/config.ts). */
  overrides: Record<string, unknown>;
}

/** Creates a run (status 'interrupted' until a trainer claims it, so nothing is ever orphaned as 'running'). */
export function createRun(store: Store, input: NewRunInput): RunRecord {
  const info = datasetInfo(store, input.dataset);
  const config = resolveConfig(info, input.overrides);
  return store.createRun({ name: input.name, dataset: info.name, config, status: 'interrupted', pid: null });
}

export function requireRun(store: Store, idOrName: string | number): RunRecord {
  const run = store.getRun(idOrName);
  if (!run) throw new Error(`no run '${idOrName}'`);
  return run;
}
