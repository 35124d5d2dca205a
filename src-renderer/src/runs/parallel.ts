/**
 * Parallel coordinates of runs: an axis per setting that differs between them, then the chosen
 * final metric; each run is one line through its values. Pure, unit-tested.
 */
import type { RunSummary } from '../../../src-main/common/api/contract.ts';
import { formatSetting, setting, SETTINGS, type SettingKey } from '../../../src-main/common/settings.ts';
import { formatValue, metricLabel, type MetricKey } from './columns.ts';

export interface ParallelAxis {
  key: SettingKey | MetricKey;
  label: string;
  /** Categories (choices, in the order the runs show them) or a numeric range. */
  categories: string[] | null;
  min: number;
  max: number;
  /** Logarithmic when all values are positive and span over two decades (learning rates). */
  log: boolean;
  /** Tick labels: the categories, or the range's ends. */
  ticks: { at: number; text: string }[];
}

export interface ParallelLine {
  run: RunSummary;
  /** Per axis, the value's height in [0, 1] (0 at the bottom), or null when the run has none. */
  heights: (number | null)[];
  /** The metric's height, for the line's colour; null without a value. */
  metric: number | null;
}

function numberAxis(key: SettingKey | MetricKey, label: string, values: number[]): ParallelAxis {
  const finite = values.filter(Number.isFinite);
  const min = finite.length ? Math.min(...finite) : 0;
  const max = finite.length ? Math.max(...finite) : 1;
  const log = min > 0 && max / min > 100;
  const text = (v: number) => formatValue(key, v);
  return {
    key,
    label,
    categories: null,
    min,
    max,
    log,
    ticks:
      min === max
        ? [{ at: 0.5, text: text(min) }]
        : [
            { at: 0, text: text(min) },
            { at: 1, text: text(max) },
          ],
  };
}

/** The height of a value on an axis, in [0, 1]; a range of one value sits in the middle. */
export function heightOn(axis: ParallelAxis, value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (axis.categories) {
    const i = axis.categories.indexOf(String(value));
    if (i < 0) return null;
    return axis.categories.length === 1 ? 0.5 : i / (axis.categories.length - 1);
  }
  const v = Number(value);
  if (!Number.isFinite(v)) return null;
  if (axis.max === axis.min) return 0.5;
  if (axis.log) return (Math.log(v) - Math.log(axis.min)) / (Math.log(axis.max) - Math.log(axis.min));
  return (v - axis.min) / (axis.max - axis.min);
}

/** The axes for these runs: each setting whose value differs between them, then the metric. */
export function parallelAxes(runs: readonly RunSummary[], metric: MetricKey): ParallelAxis[] {
  const axes: ParallelAxis[] = [];
  for (const spec of SETTINGS) {
    const values = runs.map((r) => r.config[spec.key]);
    if (new Set(values.map((v) => JSON.stringify(v))).size < 2) continue;
    if (spec.kind === 'choice') {
      const categories = [...new Set(values.map(String))];
      axes.push({
        key: spec.key,
        label: setting(spec.key).label,
        categories,
        min: 0,
        max: categories.length - 1,
        log: false,
        ticks: categories.map((c, i) => ({
          at: categories.length === 1 ? 0.5 : i / (categories.length - 1),
          text: formatSetting(spec.key, c),
        })),
      });
    } else axes.push(numberAxis(spec.key, spec.label, values as number[]));
  }
  axes.push(
    numberAxis(
      metric,
      metricLabel(metric),
      runs.map((r) => r.metrics[metric] ?? NaN),
    ),
  );
  return axes;
}

/** One line per run through its heights on the axes. */
export function parallelLines(runs: readonly RunSummary[], axes: readonly ParallelAxis[]): ParallelLine[] {
  return runs.map((run) => {
    const heights = axes.map((axis, i) =>
      heightOn(
        axis,
        i === axes.length - 1 ? run.metrics[axis.key as MetricKey] : run.config[axis.key as SettingKey],
      ),
    );
    return { run, heights, metric: heights[heights.length - 1] ?? null };
  });
}
