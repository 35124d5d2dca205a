/**
 * A run's metric history as CSV tables that spreadsheets and pandas read as is: metrics.csv
 * has a row per epoch and a column per epoch metric (the ELBO terms on both splits, the
 * clustering scores, the epoch's time); steps.csv has the training loss and ELBO logged every
 * few steps within the epochs. A cell is empty where that metric was not recorded.
 */
import { isStepMetric } from '../../common/metric-names.ts';
import type { MetricPoint } from '../../common/run.ts';

function table(points: readonly MetricPoint[], key: 'epoch' | 'step'): string {
  const names = [...new Set(points.map((p) => p.name))].sort();
  const rows = new Map<number, { epoch: number; step: number; values: Map<string, number> }>();
  for (const p of points) {
    let row = rows.get(p[key]);
    if (!row) rows.set(p[key], (row = { epoch: p.epoch, step: p.step, values: new Map() }));
    row.values.set(p.name, p.value);
  }
  const lines = [['epoch', 'step', ...names].join(',')];
  for (const [, row] of [...rows].sort((a, b) => a[0] - b[0])) {
    const cells = names.map((n) => (row.values.has(n) ? String(row.values.get(n)) : ''));
    lines.push([row.epoch, row.step, ...cells].join(','));
  }
  return `${lines.join('\n')}\n`;
}

export function metricsCsv(points: readonly MetricPoint[]): { epochs: string; steps: string } {
  return {
    epochs: table(
      points.filter((p) => !isStepMetric(p.name)),
      'epoch',
    ),
    steps: table(
      points.filter((p) => isStepMetric(p.name)),
      'step',
    ),
  };
}
