/**
 * Messages between an engine process and its supervisor (the Electron main process, or the
 * web-mode server). Everything heavy runs in such a process so that the process serving an
 * interface never blocks: training a run, and one-off tasks (import, evaluate, export).
 * A discriminated union, so both ends are checked by the compiler.
 */
import type { CheckpointKind, RunStatus } from './run.ts';
import type { TrainEvent } from './training-events.ts';

export type EngineTask =
  | { kind: 'import'; paths: string[]; name?: string; labelColumn?: string }
  | { kind: 'evaluate'; runId: number; checkpoint: CheckpointKind }
  /** `archive`: also zip the folder into this (new) file, for a download in web mode. */
  | { kind: 'export'; runId: number; outDir: string; checkpoint: CheckpointKind; archive?: string };

export type SupervisorMessage =
  | { type: 'train'; home: string; runId: number }
  | { type: 'task'; home: string; task: EngineTask }
  | { type: 'pause' }
  | { type: 'resume' }
  /** Stops training at the next step (with a checkpoint), or cancels a task. */
  | { type: 'stop' };

export type WorkerMessage =
  | { type: 'event'; event: TrainEvent }
  | { type: 'finished'; runId: number; status: RunStatus; error: string | null }
  | { type: 'task-progress'; fraction: number; message: string }
  | { type: 'task-done'; ok: true; result: unknown }
  | { type: 'task-done'; ok: false; error: string };
