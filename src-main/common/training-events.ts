/**
 * What a trainer reports while it works. The same events flow from the in-process trainer
 * (CLI), from a training process to its supervisor, and on to any UI.
 */
import type { RunStatus } from './run.ts';

export const TRAIN_PHASES = ['training', 'evaluating', 'artefacts'] as const;
export type TrainPhase = (typeof TRAIN_PHASES)[number];

export type TrainEvent =
  | {
      type: 'started';
      runId: number;
      backend: string;
      device: string;
      /** Backends passed over by 'auto', each with its reason. */
      skipped: string[];
      resumedFrom: { epoch: number; step: number } | null;
      /** What the user should know about the resume (a network the checkpoint lacked). */
      warnings: string[];
    }
  | {
      type: 'progress';
      runId: number;
      /**
       * What the trainer is doing: Adam steps; evaluating the test split after an epoch's last
       * batch (which takes a while on a large test set); after the final epoch, computing the
       * projections, reconstructions and cluster samples of the final model.
       */
      phase: TrainPhase;
      /** The epoch in progress, from 0 (the one just trained while it is evaluated). */
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
