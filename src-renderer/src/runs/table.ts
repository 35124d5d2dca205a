/** Sorting and filtering of the runs table. Pure, unit-tested. */
import type { RunSummary } from '../../../src-main/common/api/contract.ts';
import type { RunStatus } from '../../../src-main/common/run.ts';
import { columnValue, isScoreKey, type ColumnId } from './columns.ts';

/** The columns every table shows, the sweep a run belongs to, and any column the user may choose (columns.ts). */
export type SortKey = 'name' | 'dataset' | 'status' | 'sweep' | ColumnId;

export interface SortState {
  key: SortKey;
  direction: 'asc' | 'desc';
}

export interface RunFilter {
  status: RunStatus | 'all';
  dataset: string | 'all';
  search: string;
  /** A sweep's id: only its runs (absent or 'all': every run). */
  sweep?: number | 'all';
}

const STATUS_ORDER: Record<RunStatus, number> = {
  running: 0,
  paused: 1,
  interrupted: 2,
  failed: 3,
  stopped: 4,
  completed: 5,
};

export function sortValue(run: RunSummary, key: SortKey, now = Date.now()): string | number | null {
  switch (key) {
    case 'name':
      return run.name.toLowerCase();
    case 'dataset':
      return run.dataset.toLowerCase();
    case 'status':
      return STATUS_ORDER[run.status];
    case 'sweep':
      // Sorting by sweep groups each sweep's runs, in task order (their ids grow with it).
      return run.sweepId;
    default:
      return columnValue(run, key, now);
  }
}

/** Missing values sort last in both directions; ties keep the newest run first. */
export function sortRuns(runs: readonly RunSummary[], sort: SortState, now = Date.now()): RunSummary[] {
  const sign = sort.direction === 'asc' ? 1 : -1;
  return [...runs].sort((a, b) => {
    const va = sortValue(a, sort.key, now);
    const vb = sortValue(b, sort.key, now);
    const aMissing = va === null || (typeof va === 'number' && Number.isNaN(va));
    const bMissing = vb === null || (typeof vb === 'number' && Number.isNaN(vb));
    if (aMissing !== bMissing) return aMissing ? 1 : -1;
    if (!aMissing && va !== vb) return (va! < vb! ? -1 : 1) * sign;
    return b.id - a.id;
  });
}

export function filterRuns(runs: readonly RunSummary[], filter: RunFilter): RunSummary[] {
  const words = filter.search.toLowerCase().split(/\s+/).filter(Boolean);
  return runs.filter((run) => {
    if (filter.status !== 'all' && run.status !== filter.status) return false;
    if (filter.dataset !== 'all' && run.dataset !== filter.dataset) return false;
    if (filter.sweep !== undefined && filter.sweep !== 'all' && run.sweepId !== filter.sweep) return false;
    if (words.length === 0) return true;
    const sweep = run.sweepId !== null ? [`sweep:${run.sweepId}`] : [];
    const haystack = [run.name, run.dataset, run.status, run.notes, ...run.tags, `#${run.id}`, ...sweep]
      .join(' ')
      .toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
}

/** Next sort state when a column header is activated: same column flips, a new one starts sensibly. */
export function nextSort(current: SortState, key: SortKey): SortState {
  if (current.key === key) return { key, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  const descFirst = isScoreKey(key) || ['createdAt', 'epochs', 'elapsed'].includes(key);
  return { key, direction: descFirst ? 'desc' : 'asc' };
}
