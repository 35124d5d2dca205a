/**
 * Messages between an engine process and its supervisor (the Electron main process, or the
 * web-mode server). Everything heavy runs in such a process so that the process serving an
 * interface never blocks and never loads TensorFlow: training a run, one-off tasks (import,
 * evaluate, export) and reading datasets (preview, example).
 * Discriminated unions, so both ends are checked by the compiler.
 */
import type { DatasetExample, DatasetPreview, ExampleRequest, ExportSummary } from './api/contract.ts';
import type { MetricSummary } from './metric-names.ts';
import type { CheckpointKind, RunStatus } from './run.ts';
import type { TrainEvent } from './training-events.ts';

/**
 * Every task an engine process runs: what it is given, and what it answers. The one table the
 * engine's handlers (engine/tasks.ts), the supervisor and the service are all typed from.
 */
export interface EngineTaskTable {
  /** `source`: what the dataset says it came from, where not its paths (uploads in web mode). */
  import: {
    task: { paths: string[]; name?: string; labelColumn?: string; source?: string };
    result: { dataset: string };
  };
  evaluate: { task: { runId: number; checkpoint: CheckpointKind }; result: MetricSummary };
  /** `archive`: also zip the folder into this (new) file, for a download in web mode. */
  export: {
    task: { runId: number; outDir: string; checkpoint: CheckpointKind; archive?: string };
    result: ExportSummary;
  };
  preview: { task: { dataset: string }; result: DatasetPreview };
  example: { task: ExampleRequest; result: DatasetExample };
  /** What the interface lists about the backends that need optional packages (host/backend-probe.ts). */
  'backend-probe': { task: object; result: BackendProbeReport };
}

/**
 * Found in an engine process: whether each TensorFlow native package is installed (said as a
 * detail line), and the WebGPU adapter (engine/backend/webgpu-adapter.ts) or why there is none.
 */
export interface BackendProbeReport {
  native: Partial<Record<'tensorflow-gpu' | 'tensorflow', { available: boolean; detail: string }>>;
  gpuAdapter: GpuAdapterReport;
}

/** What the interface lists for the webgpu backend, found without loading TensorFlow. */
export type GpuAdapterReport =
  { found: true; description: string; software: boolean } | { found: false; reason: string };

export type EngineTaskKind = keyof EngineTaskTable;

/**
 * Quick questions for the interface, answered in turn by one process that keeps the last dataset
 * decoded (host/dataset-reader.ts): dataset reads, and which optional backends are there.
 */
export type ReaderTaskKind = 'preview' | 'example' | 'backend-probe';

export type EngineTaskOf<K extends EngineTaskKind> = {
  [P in K]: { kind: P } & EngineTaskTable[P]['task'];
}[K];
export type EngineTask = EngineTaskOf<EngineTaskKind>;
export type EngineTaskResult<K extends EngineTaskKind> = EngineTaskTable[K]['result'];

/** A task's answer as it crosses the process boundary, tagged with its kind. */
export type EngineTaskReply = {
  [K in EngineTaskKind]: { kind: K; result: EngineTaskResult<K> };
}[EngineTaskKind];

/**
 * The result of `task` from its reply. The kind is checked because the value crossed a process
 * boundary; past this check the compiler knows the result's type from the task's kind.
 */
export function taskResult<T extends EngineTask>(
  task: T,
  reply: EngineTaskReply,
): EngineTaskResult<T['kind']> {
  if (reply.kind !== task.kind) throw new Error(`a '${task.kind}' task was answered as '${reply.kind}'`);
  return reply.result as EngineTaskResult<T['kind']>;
}

export type SupervisorMessage =
  /** `niceness`: the priority training takes (worker/priority.ts). */
  | { type: 'train'; home: string; runId: number; niceness: number }
  /**
   * A task, answered by a 'task-done' with the same id. Unless `stay` is set the process exits
   * after answering; a dataset reader stays up for the next task and keeps its decoded dataset.
   */
  | { type: 'task'; home: string; id: number; task: EngineTask; stay: boolean }
  | { type: 'pause' }
  | { type: 'resume' }
  /** Stops training at the next step (with a checkpoint), or cancels a task. */
  | { type: 'stop' };

export type WorkerMessage =
  | { type: 'event'; event: TrainEvent }
  | { type: 'finished'; runId: number; status: RunStatus; error: string | null }
  | { type: 'task-progress'; id: number; fraction: number; message: string }
  | { type: 'task-done'; id: number; ok: true; reply: EngineTaskReply }
  | { type: 'task-done'; id: number; ok: false; error: string };
