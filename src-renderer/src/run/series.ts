/** Metric points grouped into chart series, appended to in place as events arrive. Pure. */
import { STEP_METRICS as STEP_METRIC_NAMES } from '../../../src-main/common/metric-names.ts';
import type { MetricPoint } from '../../../src-main/common/run.ts';
import type { XY } from '../charts/smoothing.ts';

export const STEP_METRICS: ReadonlySet<string> = new Set(STEP_METRIC_NAMES);

export class SeriesSet {
  readonly byName = new Map<string, XY[]>();

  get(name: string): XY[] {
    let s = this.byName.get(name);
    if (!s) this.byName.set(name, (s = []));
    return s;
  }

  /** Adds one point; x = step for per-step metrics, else epoch. A repeated x replaces the last point. */
  push(name: string, x: number, y: number | null): void {
    const s = this.get(name);
    const value = y ?? NaN;
    const last = s[s.length - 1];
    if (last && last.x === x) last.y = value;
    else if (last && last.x > x) {
      // A resumed run re-records from its checkpoint: drop what it will redo.
      while (s.length && s[s.length - 1]!.x >= x) s.pop();
      s.push({ x, y: value });
    } else s.push({ x, y: value });
  }

  static from(points: readonly MetricPoint[]): SeriesSet {
    const set = new SeriesSet();
    for (const p of points) set.push(p.name, STEP_METRICS.has(p.name) ? p.step : p.epoch, p.value);
    return set;
  }
}
