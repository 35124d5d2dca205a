/**
 * The tasks an engine process runs besides training (import, evaluate, export, and the dataset
 * reads behind the interface's previews), one handler per kind of the protocol's task table.
 * Evaluation and export load TensorFlow.js; they are imported when first asked for, so that a
 * process that only imports or reads datasets starts without it.
 */
import path from 'node:path';
import type { LoadedDataset } from '../common/dataset.ts';
import type {
  EngineTaskKind,
  EngineTaskOf,
  EngineTaskReply,
  EngineTaskResult,
} from '../common/worker-protocol.ts';
import { isBuiltin } from '../host/datasets.ts';
import type { Store } from '../host/store/index.ts';
import { importDataset } from './data/import/index.ts';
import { datasetExample, datasetPreview } from './data/preview.ts';
import { zipFolder } from './export/archive.ts';

export interface TaskContext {
  store: Store;
  signal: AbortSignal;
  onProgress: (fraction: number, message: string) => void;
  /** Decodes a dataset; a dataset reader passes one that keeps the last dataset. */
  loadDataset: (name: string) => Promise<LoadedDataset>;
}

type Handlers = {
  [K in EngineTaskKind]: (task: EngineTaskOf<K>, context: TaskContext) => Promise<EngineTaskResult<K>>;
};

const HANDLERS: Handlers = {
  async import(task, { store, signal, onProgress }) {
    const data = await importDataset(task.paths, {
      name: task.name,
      labelColumn: task.labelColumn,
      source: task.source,
      onProgress,
      signal,
    });
    if (isBuiltin(data.info.name))
      throw new Error(`'${data.info.name}' is a built-in dataset; choose another name`);
    store.saveDataset(data);
    return { dataset: data.info.name };
  },
  async evaluate(task, { store, onProgress, signal }) {
    const { evaluateCheckpoint } = await import('./evaluation/evaluate-checkpoint.ts');
    const { metrics } = await evaluateCheckpoint(store, task.runId, task.checkpoint, {
      onStage: onProgress,
      signal,
    });
    onProgress(1, 'done');
    return metrics;
  },
  async export(task, { store, onProgress }) {
    const { exportRun } = await import('./export/export-run.ts');
    onProgress(0, 'exporting');
    const result = await exportRun(store, task.runId, { outDir: task.outDir, checkpoint: task.checkpoint });
    if (task.archive) {
      onProgress(0.9, 'zipping');
      zipFolder(result.out, task.archive, path.basename(result.out));
    }
    onProgress(1, 'done');
    return { out: result.out, files: result.files };
  },
  async preview(task, { loadDataset }) {
    return datasetPreview(await loadDataset(task.dataset));
  },
  async example(task, { loadDataset }) {
    return datasetExample(await loadDataset(task.dataset), task);
  },
  async 'backend-probe'() {
    const { probeOptionalBackends } = await import('./backend/probe.ts');
    return probeOptionalBackends();
  },
};

/** Runs one task; the reply carries its kind, so the other process can check what it got. */
export async function runTask<K extends EngineTaskKind>(
  task: EngineTaskOf<K>,
  context: TaskContext,
): Promise<EngineTaskReply> {
  const handler: Handlers[K] = HANDLERS[task.kind];
  const result = await handler(task, context);
  return { kind: task.kind, result } as EngineTaskReply;
}
