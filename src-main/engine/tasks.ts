/**
 * One-off engine tasks (import, evaluate, export), run inside an engine process. Each returns a
 * JSON-serialisable result for the interface.
 */
import path from 'node:path';
import type { EngineTask } from '../common/worker-protocol.ts';
import { isBuiltin } from './data/registry.ts';
import { importDataset } from './data/import/index.ts';
import { zipFolder } from './export/archive.ts';
import { exportRun } from './export/export-run.ts';
import { evaluateCheckpoint } from './evaluation/evaluate-checkpoint.ts';
import type { Store } from './store/index.ts';

export interface TaskContext {
  store: Store;
  signal: AbortSignal;
  onProgress: (fraction: number, message: string) => void;
}

export async function runTask(task: EngineTask, context: TaskContext): Promise<unknown> {
  const { store, signal, onProgress } = context;
  switch (task.kind) {
    case 'import': {
      const data = await importDataset(task.paths, {
        name: task.name,
        labelColumn: task.labelColumn,
        onProgress,
        signal,
      });
      if (isBuiltin(data.info.name))
        throw new Error(`'${data.info.name}' is a built-in dataset; choose another name`);
      store.saveDataset(data);
      return { dataset: data.info.name };
    }
    case 'evaluate': {
      onProgress(0, 'evaluating');
      const { metrics } = await evaluateCheckpoint(store, task.runId, task.checkpoint);
      onProgress(1, 'done');
      return metrics;
    }
    case 'export': {
      onProgress(0, 'exporting');
      const result = await exportRun(store, task.runId, { outDir: task.outDir, checkpoint: task.checkpoint });
      if (task.archive) {
        onProgress(0.9, 'zipping');
        zipFolder(result.out, task.archive, path.basename(result.out));
      }
      onProgress(1, 'done');
      return { out: result.out, files: result.files };
    }
  }
}
