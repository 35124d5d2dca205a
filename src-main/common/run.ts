/** Runs, their lifecycle and what is recorded about them. Runs anywhere. */
import type { GmvaeConfig } from './config.ts';
import { plural } from './text.ts';

/**
 * running: a trainer process owns it now. paused: its trainer holds it, waiting.
 * completed: trained all epochs. stopped: the user stopped it (resumable).
 * failed: an error ended it (message in `error`). interrupted: its trainer died
 * without saying so (killed, crashed, power cut); resumable from the last checkpoint.
 */
export type RunStatus = 'running' | 'paused' | 'completed' | 'stopped' | 'failed' | 'interrupted';

/** A trainer holds the run: it trains, or waits paused. */
export const isTraining = (status: RunStatus): boolean => status === 'running' || status === 'paused';

/** Why a run of a Slurm sweep is resumed on the cluster, not here (RunRecord.onCluster). */
export const ON_CLUSTER_REASON = 'it trains on a Slurm cluster as part of a sweep: use gmvae sweep resume';

/** The fields that say whether and how a run can train on. */
export type RunResumeFacts = Pick<RunRecord, 'status' | 'onCluster'> & {
  config: Pick<GmvaeConfig, 'epochs' | 'lrSchedule'>;
};

/**
 * Why a trainer here cannot take the run up again (the Resume action), or null when it can. A run
 * of a Slurm sweep resumes only through its sweep, whatever its status.
 */
export function resumeBlocker(run: Pick<RunRecord, 'status' | 'onCluster'>): string | null {
  if (run.onCluster) return ON_CLUSTER_REASON;
  switch (run.status) {
    case 'completed':
      return 'it has completed; train it further for more epochs';
    case 'running':
      return 'it is running';
    case 'paused':
    case 'stopped':
    case 'interrupted':
    case 'failed':
      return null;
  }
}

/** Whether a trainer here can take the run up again (the Resume action). */
export const canResumeHere = (run: Pick<RunRecord, 'status' | 'onCluster'>): boolean =>
  resumeBlocker(run) === null;

/**
 * Why the run cannot train past its epochs, or null when it can; what stopping would not change
 * comes first. A run of a Slurm sweep trains on the cluster, so only the sweep can take it
 * further. Training further is the same as having asked for the longer run from the start only
 * when nothing in training depends on the run's length; the cosine schedule does (it anneals
 * over all the run's steps). A trainer that holds the run must let it go first.
 */
export function trainFurtherBlocker(run: RunResumeFacts): string | null {
  const { config } = run;
  if (run.onCluster) return ON_CLUSTER_REASON;
  if (config.lrSchedule === 'constant')
    return isTraining(run.status) ? `it is ${run.status}; stop it first` : null;
  return (
    `its learning rate anneals over its ${plural(config.epochs, 'epoch')} (${config.lrSchedule} schedule), so more ` +
    'epochs would have meant another rate for the epochs already trained; duplicate it with more epochs instead'
  );
}

/**
 * Silence in training, in seconds, after which a running run's trainer reads as stopped (Ctrl+Z,
 * SIGSTOP) or hung: it writes a heartbeat every few seconds while it trains (none while it
 * evaluates). Such a run stays 'running' in the store, since its process is alive.
 */
export const SILENT_AFTER_SECONDS = 60;

/**
 * The silence worth a warning: `seconds` since a running run's trainer last gave a sign of life,
 * when it is past SILENT_AFTER_SECONDS and the run was training (`phase` of its last progress
 * report); otherwise null. Shared by the runs table and `gmvae runs list`.
 */
export function warnableSilence(
  status: RunStatus,
  phase: string | undefined,
  seconds: number | null,
): number | null {
  if (status !== 'running' || phase !== 'training' || seconds === null) return null;
  return seconds > SILENT_AFTER_SECONDS ? seconds : null;
}

export interface RunRecord {
  id: number;
  name: string;
  dataset: string;
  status: RunStatus;
  /** The full resolved configuration the run trains with. */
  config: GmvaeConfig;
  /** Backend actually used, e.g. 'wasm', and a description of the device. */
  backend: string | null;
  device: string | null;
  seed: number;
  epoch: number;
  step: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
  /** Seconds spent training, summed over every sitting. */
  trainSeconds: number;
  error: string | null;
  notes: string;
  tags: string[];
  /** Process id of the trainer while running or paused. */
  pid: number | null;
  /** The sweep the run belongs to (docs/sweeps.md), or null. */
  sweepId: number | null;
  /**
   * A run of a Slurm sweep: it trains on the cluster, in a store of its own, and this record is
   * a copy that sweep collection keeps up to date, so no trainer here resumes it.
   */
  onCluster: boolean;
}

export interface MetricPoint {
  runId: number;
  step: number;
  epoch: number;
  /** e.g. 'train/elbo', 'test/accuracy'; see metric-names.ts. */
  name: string;
  value: number;
  /** Unix milliseconds. */
  time: number;
}

export type CheckpointKind = 'last' | 'best';

export interface CheckpointInfo {
  runId: number;
  kind: CheckpointKind;
  epoch: number;
  step: number;
  /** Index of the next batch within `epoch` (0 at an epoch boundary). */
  batchInEpoch: number;
  createdAt: string;
  /** The value the 'best' checkpoint was chosen by (test ELBO). */
  score: number | null;
}

/** A named tensor as stored in a checkpoint. */
export interface StoredTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface CheckpointData extends CheckpointInfo {
  weights: StoredTensor[];
  optimizer: StoredTensor[];
  /** Training seconds up to this checkpoint, so a resumed run's timing stays right. */
  trainSeconds: number;
}

export type ArtefactKind = 'projection' | 'reconstructions' | 'cluster-samples';

export interface ArtefactRecord {
  runId: number;
  kind: ArtefactKind;
  checkpoint: CheckpointKind;
  epoch: number;
  createdAt: string;
  /** JSON-serialisable payload; its type depends on `kind` (see evaluation/artefacts.ts). */
  payload: unknown;
}
