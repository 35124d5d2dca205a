/**
 * What a trainer reports while it works. The same events flow from the in-process trainer
 * (CLI), from a training process to its supervisor, and on to any UI.
 */
import type { RunStatus } from './run.ts';

export type TrainEvent =
  | {
      type: 'started';
      runId: number;
      backend: string;
      device: string;
      /** Backends passed over by 'auto', each with its reason. */
      skipped: string[];
      resumedFrom: { epoch: number; step: number } | null;
    }
  | {
      type: 'progress';
      runId: number;
      epoch: number;
      batch: number;
      batches: number;
      step: number;
      loss: number;
      examplesPerSecond: number;
    }
  | { type: 'epoch'; runId: number; epoch: number; seconds: number; metrics: Record<string, number> }
  | { type: 'checkpoint'; runId: number; epoch: number; step: number; best: boolean }
  | { type: 'status'; runId: number; status: RunStatus; error: string | null }
  | { type: 'log'; runId: number; message: string };

export type TrainEventListener = (event: TrainEvent) => void;
