/**
 * Where a live (running or paused) run is, in the same words on the Run screen and in the runs
 * table. "epoch 2/10" is always the epoch in progress, counted from 1, whether the run trains,
 * evaluates, or is paused in it; "batch 30/600" the batches of it done.
 */
import type { RunProgress } from '../../../src-main/common/api/contract.ts';
import type { RunStatus } from '../../../src-main/common/run.ts';
import { fmtDuration } from '../lib/format.ts';

export interface LiveRun {
  status: RunStatus;
  /** Epochs completed. */
  epoch: number;
  config: { epochs: number };
  progress: RunProgress | null;
}

/** What the trainer does between an epoch's batches and the next, as the interface says it. */
export const PHASE_TEXT = {
  evaluating: 'evaluating test split…',
  artefacts: 'computing projections and samples…',
} as const;

/** The epoch a live run is in, counted from 1. */
export function epochInProgress(run: LiveRun): number {
  const p = run.progress;
  // A paused run's progress may be the previous epoch's evaluation (paused before a batch of
  // the next): then the completed epochs say where it is.
  if (p && (run.status !== 'paused' || p.phase === 'training')) return p.epoch + 1;
  return Math.min(run.epoch + 1, run.config.epochs);
}

/**
 * 'epoch 2/10 · batch 30/600', 'epoch 2/10 · evaluating test split…', 'paused in epoch 2/10 ·
 * batch 30/600', 'starting epoch 1/10…'. Without progress reports, a run trained by another
 * process (`gmvae train` in a terminal, a Slurm task) is known only from its checkpoints: then
 * just the epoch it is in, not "starting" a run that may be minutes into it.
 */
export function progressText(run: LiveRun): string {
  const p = run.progress;
  const where = `epoch ${epochInProgress(run)}/${run.config.epochs}`;
  const batch = p && p.phase === 'training' ? ` · batch ${p.batch}/${p.batches}` : '';
  if (run.status === 'paused') return `paused in ${where}${batch}`;
  if (!p) return run.epoch === 0 ? `starting ${where}…` : where;
  if (p.phase !== 'training') return `${where} · ${PHASE_TEXT[p.phase]}`;
  return `${where}${batch}`;
}

/** The tooltip of that text. */
export const PROGRESS_TITLE =
  'the epoch in progress (counted from 1) of all epochs, and the batches of it done';

/** The warning for a trainer silent this many seconds (RunsStore.silentSeconds). */
export const silentText = (seconds: number): string =>
  `⚠ no heartbeat for ${fmtDuration(seconds)}: stopped or hung?`;

/** Its tooltip. */
export const SILENT_TITLE =
  'The process training this run has written no heartbeat for this long (it writes one every ' +
  'few seconds while it trains): it is stopped (Ctrl+Z, SIGSTOP) or hung. If it resumes, so ' +
  'does the run; if it has ended, the run is marked interrupted and resumes from its last checkpoint.';
