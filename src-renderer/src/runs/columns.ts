/**
 * The runs table's optional columns: any setting of the settings table, any final (latest test)
 * metric, the best-ELBO checkpoint's accuracy, the backend, the training time and, for a running
 * run, its ETA. Each column knows its
 * header, its value (for sorting, filtering and grouping) and its text. Pure, unit-tested.
 */
import type { RunSummary } from '../../../src-main/common/api/contract.ts';
import {
  BAYES_METRICS,
  CLUSTER_METRICS,
  TEST_TERMS,
  type MetricSummary,
} from '../../../src-main/common/metric-names.ts';
import {
  COLUMN_SETTINGS,
  formatSetting,
  isSettingKey,
  appliedValue,
  setting,
  SETTINGS,
  type SettingKey,
} from '../../../src-main/common/settings.ts';
import { fmt, fmtDate, fmtDuration, fmtPercent } from '../lib/format.ts';

export type MetricKey = keyof MetricSummary;

/** Every final metric a run may record, in the order the picker lists them. */
export const METRIC_KEYS: readonly MetricKey[] = [...CLUSTER_METRICS, ...TEST_TERMS, ...BAYES_METRICS];

const METRIC_SET: ReadonlySet<string> = new Set(METRIC_KEYS);

export function isMetricKey(key: string): key is MetricKey {
  return METRIC_SET.has(key);
}

/** A column: a setting's key, a metric's name (they never clash), or one of the run's own. */
export type ColumnId = SettingKey | MetricKey | 'bestAccuracy' | 'createdAt' | 'elapsed' | 'eta';

/** The columns that score a run: its final metrics and its best-ELBO checkpoint's accuracy. */
export type ScoreKey = MetricKey | 'bestAccuracy';

export function isScoreKey(key: string): key is ScoreKey {
  return isMetricKey(key) || key === 'bestAccuracy';
}

/** A run's score in a score column (undefined where it has none). */
export function scoreValue(run: RunSummary, key: ScoreKey): number | undefined {
  return key === 'bestAccuracy' ? run.bestCheckpoint?.metrics.accuracy : run.metrics[key];
}

const METRIC_LABELS: Partial<Record<MetricKey, string>> = {
  accuracy: 'Accuracy',
  accuracy_majority: 'Acc. majority',
  accuracy_hungarian: 'Acc. Hungarian',
  nmi: 'NMI',
  ari: 'ARI',
  clusters_used: 'Clusters used',
  elbo: 'ELBO',
  reconstruction: 'Reconstruction',
  conditional_prior: 'Cond. prior KL',
  w_prior: 'w-prior KL',
  z_prior: 'z-prior KL',
  consistency: 'Consistency',
  accuracy_bayes: 'Acc. p(z|x,w)',
  bayes_agreement: 'q(z|y) = p(z|x,w)',
};

/** Scores read as percentages; the rest as numbers. */
const PERCENT: ReadonlySet<MetricKey> = new Set([
  'accuracy',
  'accuracy_majority',
  'accuracy_hungarian',
  'accuracy_bayes',
  'bayes_agreement',
]);

export interface Column {
  id: ColumnId;
  /** The header: a setting's short column header or its label; a metric's name. */
  label: string;
  /** What the header's tooltip says. */
  title: string;
  numeric: boolean;
  group: 'setting' | 'metric' | 'run';
}

const SHORT_HEADER = new Map<string, { header: string; title: string }>(
  COLUMN_SETTINGS.map((s) => [s.key, s.column]),
);

export function metricLabel(key: MetricKey): string {
  return METRIC_LABELS[key] ?? key;
}

export function column(id: ColumnId): Column {
  if (id === 'backend')
    return { id, label: 'Backend', title: 'the backend the run used', numeric: false, group: 'setting' };
  if (isSettingKey(id)) {
    const spec = setting(id);
    const short = SHORT_HEADER.get(id);
    return {
      id,
      label: short?.header ?? spec.label,
      title: short ? `${spec.label}: ${short.title}` : spec.help,
      numeric: spec.kind !== 'choice',
      group: 'setting',
    };
  }
  if (isMetricKey(id))
    return {
      id,
      label: metricLabel(id),
      title: `the latest test ${id} (the final epoch's once completed)`,
      numeric: true,
      group: 'metric',
    };
  const own: Record<'bestAccuracy' | 'createdAt' | 'elapsed' | 'eta', Column> = {
    bestAccuracy: {
      id,
      label: 'Acc. best ELBO',
      title: 'the test accuracy of the best checkpoint, the epoch with the highest test ELBO',
      numeric: true,
      group: 'metric',
    },
    createdAt: { id, label: 'Created', title: 'when the run was created', numeric: false, group: 'run' },
    elapsed: { id, label: 'Time', title: 'time spent training so far', numeric: true, group: 'run' },
    eta: {
      id,
      label: 'ETA',
      title: 'time left for a running run, at its current speed',
      numeric: true,
      group: 'run',
    },
  };
  return own[id];
}

/**
 * Every column, in the order the table shows the chosen ones: the scores, every setting, then the
 * run's own columns. Scores first, as MLflow puts metrics before parameters: with the settings
 * first, the table scrolled sideways before Accuracy on a 1440-pixel window.
 */
export const ALL_COLUMNS: readonly ColumnId[] = [
  ...METRIC_KEYS,
  'bestAccuracy',
  ...SETTINGS.map((s) => s.key),
  'elapsed',
  'eta',
  'createdAt',
];

/** The columns shown until the user chooses: the key scores, the settings table's column settings. */
export const DEFAULT_COLUMNS: readonly ColumnId[] = [
  'accuracy',
  'elbo',
  ...COLUMN_SETTINGS.map((s) => s.key),
  'backend',
  'elapsed',
  'createdAt',
];

/**
 * Seconds spent training. The stored total grows at each epoch's commit; for a running run the
 * time since that commit (its `updatedAt`) is added, so the cell keeps counting between epochs.
 */
export function elapsedSeconds(run: RunSummary, now: number): number {
  if (run.status !== 'running') return run.trainSeconds;
  const since = (now - Date.parse(run.updatedAt)) / 1000;
  return run.trainSeconds + (Number.isFinite(since) && since > 0 ? since : 0);
}

/**
 * Seconds left for a running run at its current speed: the batches still to train times the
 * batch size, over the examples per second of the epoch so far that its last progress report gave
 * (evaluation between epochs not counted). A run trained by another process reports no progress here: then the steps
 * still to train at its last finished epoch's pace (evaluation included). Null when it is not
 * running or neither is known yet.
 */
export function etaSeconds(run: RunSummary): number | null {
  if (run.status !== 'running') return null;
  const p = run.progress;
  if (p && p.examplesPerSecond > 0 && p.batches > 0) {
    const batchesLeft = (run.config.epochs - p.epoch - 1) * p.batches + (p.batches - p.batch);
    return (Math.max(0, batchesLeft) * run.config.batchSize) / p.examplesPerSecond;
  }
  const pace = run.pace;
  if (p || !pace) return null;
  return Math.max(0, run.config.epochs * pace.stepsPerEpoch - run.step) * pace.secondsPerStep;
}

/** A run's value in a column: for sorting, filtering and grouping. Null when it has none. */
export function columnValue(run: RunSummary, id: ColumnId, now: number): string | number | null {
  // The backend a run used says more than the one it asked for ('auto').
  if (id === 'backend') return run.backend ?? run.config.backend;
  // No value where the formulation does not read the setting: '—', and no filter match.
  if (isSettingKey(id)) return appliedValue(id, run.config);
  if (isScoreKey(id)) return scoreValue(run, id) ?? null;
  switch (id) {
    case 'createdAt':
      return run.createdAt;
    case 'elapsed':
      return elapsedSeconds(run, now);
    case 'eta':
      return etaSeconds(run);
  }
}

/** A value of a column as the table writes it. */
export function formatValue(id: ColumnId, value: string | number | null | undefined): string {
  if (isSettingKey(id)) return formatSetting(id, value);
  if (value === null || value === undefined) return '—';
  if (isMetricKey(id)) return PERCENT.has(id) ? fmtPercent(Number(value)) : fmt(Number(value), 4);
  if (id === 'bestAccuracy') return fmtPercent(Number(value));
  if (id === 'createdAt') return fmtDate(String(value));
  if (id === 'elapsed' || id === 'eta') return fmtDuration(Number(value));
  return String(value);
}

export function cellText(run: RunSummary, id: ColumnId, now: number): string {
  return formatValue(id, columnValue(run, id, now));
}

const TRAIN_ONLY: Record<string, string> = {
  loss: 'Loss (minimised objective)',
  step_loss: 'Loss per step',
  step_elbo: 'ELBO per step',
  lr: 'Learning rate',
  // The engine's own records per epoch.
  epoch_seconds: 'Seconds per epoch',
  tensors: 'Live tensors',
  bytes: 'Tensor bytes',
  gpu_bytes: 'GPU bytes',
};

/** A recorded metric's name as people read it: 'test/accuracy' -> 'test · Accuracy'. */
export function metricTitle(name: string): string {
  const [split, key] = name.includes('/') ? (name.split('/', 2) as [string, string]) : ['', name];
  const label = isMetricKey(key) ? metricLabel(key) : (TRAIN_ONLY[key] ?? key);
  return split ? `${split} · ${label}` : label;
}
