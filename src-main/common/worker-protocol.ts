/**
 * Messages between a training process and its supervisor (the Electron main process, or the
 * web-mode server). A discriminated union, so both ends are checked by the compiler.
 */
import type { RunStatus } from './run.ts';
import type { TrainEvent } from './training-events.ts';

export type SupervisorMessage =
  { type: 'train'; home: string; runId: number } | { type: 'pause' } | { type: 'resume' } | { type: 'stop' };

export type WorkerMessage =
  | { type: 'event'; event: TrainEvent }
  | { type: 'finished'; runId: number; status: RunStatus; error: string | null };
