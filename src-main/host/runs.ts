/**
 * Operations on runs shared by every front end (CLI, desktop app, web mode). Light on purpose:
 * the process serving an interface imports this, and must not load TensorFlow.
 */
import { resolveConfig } from '../common/config.ts';
import {
  BAYES_METRICS,
  CLUSTER_METRICS,
  TEST_TERMS,
  metricName,
  type MetricSummary,
} from '../common/metric-names.ts';
import type { CheckpointScores, RunPace } from '../common/api/contract.ts';
import type { RunRecord } from '../common/run.ts';
import { datasetInfo } from './datasets.ts';
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

/** The test-split ELBO terms and clustering scores, under their metric names. */
const SUMMARY_METRICS = [...TEST_TERMS, ...CLUSTER_METRICS, ...BAYES_METRICS] as const;
const SUMMARY_NAMES = SUMMARY_METRICS.map((name) => metricName('test', name));

function testMetrics(recorded: Record<string, number>): MetricSummary {
  const metrics: MetricSummary = {};
  for (const name of SUMMARY_METRICS) {
    const value = recorded[metricName('test', name)];
    if (value !== undefined) metrics[name] = value;
  }
  return metrics;
}

/** The latest test-split ELBO terms and clustering scores of a run, under their metric names. */
export function latestTestMetrics(store: Store, runId: number): MetricSummary {
  return testMetrics(store.latestMetrics(runId));
}

/**
 * The test metrics of a run's best checkpoint, the one with the highest test ELBO: those of the
 * epoch it was taken at, which the trainer records in the same transaction as the checkpoint
 * (from the same parameters). Null before the first epoch ends.
 */
export function bestCheckpointScores(store: Store, runId: number): CheckpointScores | null {
  const best = store.listCheckpoints(runId).find((c) => c.kind === 'best');
  if (!best) return null;
  return { epoch: best.epoch, metrics: testMetrics(store.metricsAt(runId, best.step, SUMMARY_NAMES)) };
}

/**
 * A run's pace at its last finished epoch: the trainer records each epoch's wall time as
 * 'epoch_seconds' at the step that ends it, and every epoch has as many steps, so that step over
 * the epochs done is the steps per epoch. Null before the first epoch ends.
 */
export function lastEpochPace(store: Store, runId: number): RunPace | null {
  const last = store.metrics(runId, ['epoch_seconds']).at(-1);
  if (!last || last.epoch < 1 || last.step < last.epoch || !(last.value > 0)) return null;
  const stepsPerEpoch = last.step / last.epoch;
  return { stepsPerEpoch, secondsPerStep: last.value / stepsPerEpoch };
}

/**
 * Seconds since the trainer of a running run last gave a sign of life in the store: its heartbeat
 * (every few seconds while it trains, none while it evaluates) or a commit (a checkpoint). Null
 * unless the run is running. Only meaningful for a trainer in another process: a process that
 * trains the run itself watches its worker instead.
 */
export function trainerSilence(store: Store, run: RunRecord, now = Date.now()): number | null {
  if (run.status !== 'running') return null;
  const updated = Date.parse(run.updatedAt);
  const last = Math.max(updated, Date.parse(store.runHeartbeatAt(run.id) ?? run.updatedAt));
  return Number.isFinite(last) ? Math.max(0, (now - last) / 1000) : null;
}
