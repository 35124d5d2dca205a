/**
 * The runs table as an experiment table: filters on any column (λ = 0.5, accuracy > 0.8) and
 * groups by a setting with each group's mean ± sd of the final metrics. Pure, unit-tested.
 */
import type { RunSummary } from '../../../src-main/common/api/contract.ts';
import { formatSetting, type SettingKey } from '../../../src-main/common/settings.ts';
import { columnValue, scoreValue, type ColumnId, type ScoreKey } from './columns.ts';

export const FILTER_OPS = ['=', '≠', '<', '≤', '>', '≥', 'contains'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export interface ColumnFilter {
  column: ColumnId;
  op: FilterOp;
  /** As typed: '0.5', '1e-3', 'adam'. */
  value: string;
}

/** Numbers equal to the precision they are typed with (0.1 + 0.2 = 0.3). */
function sameNumber(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Whether a run passes one filter. A run without a value in the column never does. */
export function matchesFilter(run: RunSummary, filter: ColumnFilter, now: number): boolean {
  const value = columnValue(run, filter.column, now);
  if (value === null) return false;
  const wanted = filter.value.trim();
  if (filter.op === 'contains') return String(value).toLowerCase().includes(wanted.toLowerCase());
  const number = Number(wanted);
  if (typeof value === 'number' && wanted !== '' && Number.isFinite(number)) {
    switch (filter.op) {
      case '=':
        return sameNumber(value, number);
      case '≠':
        return !sameNumber(value, number);
      case '<':
        return value < number && !sameNumber(value, number);
      case '≤':
        return value <= number || sameNumber(value, number);
      case '>':
        return value > number && !sameNumber(value, number);
      case '≥':
        return value >= number || sameNumber(value, number);
    }
  }
  const text = String(value).toLowerCase();
  const target = wanted.toLowerCase();
  switch (filter.op) {
    case '=':
      return text === target;
    case '≠':
      return text !== target;
    case '<':
      return text < target;
    case '≤':
      return text <= target;
    case '>':
      return text > target;
    case '≥':
      return text >= target;
  }
}

export function applyFilters(
  runs: readonly RunSummary[],
  filters: readonly ColumnFilter[],
  now: number,
): RunSummary[] {
  return runs.filter((run) => filters.every((f) => matchesFilter(run, f, now)));
}

export interface Stat {
  mean: number;
  /** The sample standard deviation; null for a single value. */
  sd: number | null;
  /** How many of the group's runs have the metric. */
  n: number;
}

/** Mean and sample standard deviation of the finite values; null when there are none. */
export function meanSd(values: readonly (number | null | undefined)[]): Stat | null {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (xs.length === 0) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length === 1) return { mean, sd: null, n: 1 };
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, sd: Math.sqrt(variance), n: xs.length };
}

export interface RunGroup {
  /** The setting's value the group shares. */
  value: string | number | null;
  /** That value as the settings table writes it. */
  label: string;
  runs: RunSummary[];
  stats: Partial<Record<ScoreKey, Stat | null>>;
}

/** The runs grouped by one setting's value (in value order), with each metric's mean ± sd per group. */
export function groupRuns(
  runs: readonly RunSummary[],
  by: SettingKey,
  metrics: readonly ScoreKey[],
): RunGroup[] {
  const groups = new Map<string, RunGroup>();
  for (const run of runs) {
    const value = run.config[by] ?? null;
    const key = JSON.stringify(value);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { value, label: formatSetting(by, value), runs: [], stats: {} }));
    group.runs.push(run);
  }
  const out = [...groups.values()].sort((a, b) =>
    a.value === b.value ? 0 : a.value === null ? 1 : b.value === null ? -1 : a.value < b.value ? -1 : 1,
  );
  for (const group of out)
    for (const metric of metrics) group.stats[metric] = meanSd(group.runs.map((r) => scoreValue(r, metric)));
  return out;
}
