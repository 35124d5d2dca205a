/**
 * What a reproduction found: one row per run (its latest test metrics, those of its best-ELBO
 * checkpoint, backend and time) and one summary per variant (mean, standard deviation and best
 * over seeds, beside the paper's numbers), as JSON and as the Markdown tables docs/results.md is
 * made of.
 */
import type { CheckpointScores } from '../../common/api/contract.ts';
import type { MetricSummary } from '../../common/metric-names.ts';
import type { RunRecord, RunStatus } from '../../common/run.ts';
import { bestCheckpointScores, latestTestMetrics } from '../../host/runs.ts';
import type { Store } from '../../host/store/index.ts';
import type { Experiment, PaperAccuracy, PlannedRun } from './experiments.ts';

export interface RunResult {
  variant: string;
  seed: number;
  run: number;
  name: string;
  status: RunStatus;
  epoch: number;
  epochs: number;
  backend: string | null;
  device: string | null;
  trainSeconds: number;
  secondsPerEpoch: number | null;
  /** The latest epoch's test metrics: the final epoch's once completed. */
  metrics: MetricSummary;
  /** The checkpoint with the highest test ELBO, and its test metrics. */
  bestCheckpoint: CheckpointScores | null;
}

/** Mean, sample standard deviation and best of one metric over the completed seeds. */
export interface Spread {
  mean: number;
  sd: number;
  best: number;
  n: number;
}

export interface VariantSummary {
  variant: string;
  label: string;
  paper: PaperAccuracy | null;
  runs: number;
  completed: number;
  accuracy: Spread | null;
  /** Accuracy of each run's best-ELBO checkpoint. */
  accuracyBestElbo: Spread | null;
  accuracyMajority: Spread | null;
  accuracyHungarian: Spread | null;
  nmi: Spread | null;
  clustersUsed: Spread | null;
}

export interface ExperimentResults {
  experiment: string;
  title: string;
  generatedAt: string;
  runs: RunResult[];
  variants: VariantSummary[];
}

export function spread(values: number[]): Spread | null {
  if (values.length === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd =
    values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, sd, best: Math.max(...values), n: values.length };
}

/** `planned` holds the runs' current records; the store gives their metrics. */
export function collectResults(
  store: Store,
  experiment: Experiment,
  planned: { plan: PlannedRun; run: RunRecord }[],
  now: Date = new Date(),
): ExperimentResults {
  const runs: RunResult[] = planned.map(({ plan, run }): RunResult => ({
    variant: plan.variant.id,
    seed: plan.seed,
    run: run.id,
    name: run.name,
    status: run.status,
    epoch: run.epoch,
    epochs: run.config.epochs,
    backend: run.backend,
    device: run.device,
    trainSeconds: run.trainSeconds,
    secondsPerEpoch: run.epoch > 0 ? run.trainSeconds / run.epoch : null,
    metrics: latestTestMetrics(store, run.id),
    bestCheckpoint: bestCheckpointScores(store, run.id),
  }));
  const variantIds = [...new Set(planned.map((p) => p.plan.variant.id))];
  const variants = variantIds.map((id): VariantSummary => {
    const variant = experiment.variants.find((v) => v.id === id)!;
    // Only finished runs enter the summary; the per-run rows show the others as they stand.
    const completed = runs.filter((r) => r.variant === id && r.status === 'completed');
    const over = (pick: (r: RunResult) => number | undefined) =>
      spread(completed.map(pick).filter((v): v is number => v !== undefined));
    const of = (key: keyof MetricSummary) => over((r) => r.metrics[key]);
    return {
      variant: id,
      label: variant.label,
      paper: variant.paper ?? null,
      runs: runs.filter((r) => r.variant === id).length,
      completed: completed.length,
      accuracy: of('accuracy'),
      accuracyBestElbo: over((r) => r.bestCheckpoint?.metrics.accuracy),
      accuracyMajority: of('accuracy_majority'),
      accuracyHungarian: of('accuracy_hungarian'),
      nmi: of('nmi'),
      clustersUsed: of('clusters_used'),
    };
  });
  return {
    experiment: experiment.id,
    title: experiment.title,
    generatedAt: now.toISOString(),
    runs,
    variants,
  };
}

const pct = (v: number | undefined) => (v === undefined ? '–' : (100 * v).toFixed(2));
const num = (v: number | undefined, digits: number) => (v === undefined ? '–' : v.toFixed(digits));
const meanSd = (s: Spread | null, scale = 100, digits = 2) =>
  s ? `${(scale * s.mean).toFixed(digits)} ± ${(scale * s.sd).toFixed(digits)}` : '–';

function paperCell(paper: PaperAccuracy | null): string {
  if (!paper) return '–';
  const average = paper.mean !== undefined ? `${paper.mean.toFixed(2)} ± ${paper.sd!.toFixed(2)}` : '–';
  return `${paper.best.toFixed(2)} / ${average}`;
}

/** The per-variant table (paper beside ours) and the per-run table, in Markdown. */
export function resultsMarkdown(results: ExperimentResults): string {
  const lines: string[] = [];
  lines.push(
    // The paper's accuracies are its first version's Table 1 (the v1 model, scored from q(z|y));
    // ours are each run's final epoch, never a peak over epochs, and beside it the checkpoint
    // the test ELBO chose (no labels).
    "| setting | paper, first version's Table 1 (v1 model): best / average (%) | ours, final epoch: best seed (%) | ours, final epoch: average (%) | ours, best-ELBO checkpoint: average (%) | majority (%) | Hungarian (%) | NMI | clusters used | runs |",
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const v of results.variants)
    lines.push(
      `| ${v.label} | ${paperCell(v.paper)} | ${v.accuracy ? pct(v.accuracy.best) : '–'} | ${meanSd(v.accuracy)} | ` +
        `${meanSd(v.accuracyBestElbo)} | ` +
        `${meanSd(v.accuracyMajority)} | ${meanSd(v.accuracyHungarian)} | ${meanSd(v.nmi, 1, 3)} | ` +
        `${meanSd(v.clustersUsed, 1, 1)} | ${v.completed} of ${v.runs} completed |`,
    );
  lines.push(
    '',
    '| run | setting | seed | status | epochs | accuracy (%) | best-ELBO checkpoint: epoch, accuracy (%) | majority (%) | Hungarian (%) | NMI | ARI | clusters | test ELBO | s / epoch | backend |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const r of results.runs) {
    const m = r.metrics;
    const best = r.bestCheckpoint
      ? `${r.bestCheckpoint.epoch}, ${pct(r.bestCheckpoint.metrics.accuracy)}`
      : '–';
    lines.push(
      `| ${r.run} | ${r.variant} | ${r.seed} | ${r.status} | ${r.epoch} of ${r.epochs} | ${pct(m.accuracy)} | ${best} | ` +
        `${pct(m.accuracy_majority)} | ${pct(m.accuracy_hungarian)} | ${num(m.nmi, 3)} | ${num(m.ari, 3)} | ` +
        `${m.clusters_used ?? '–'} | ${num(m.elbo, 2)} | ${r.secondsPerEpoch === null ? '–' : r.secondsPerEpoch.toFixed(1)} | ${r.backend ?? '–'} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
