/** What the line charts compute from their series: hover look-up, log-scale check, CSV. Pure, unit-tested. */
import { ema, thin, type XY } from './smoothing.ts';

/** One line a chart draws: series `series`, smoothed, or raw beneath its smoothed line. */
export interface Drawn {
  series: number;
  raw: boolean;
  data: XY[];
}

/**
 * The lines for these series: each as it is, or with smoothing its raw line (drawn faint) then
 * its EMA. Thinned to `maxPoints` after smoothing, so thinning does not change the smoothed shape.
 */
export function drawnSeries(
  series: readonly { data: readonly XY[] }[],
  smoothing: number,
  maxPoints: number,
): Drawn[] {
  return series.flatMap((s, i): Drawn[] =>
    smoothing > 0
      ? [
          { series: i, raw: true, data: thin(s.data, maxPoints) },
          { series: i, raw: false, data: thin(ema(s.data, smoothing), maxPoints) },
        ]
      : [{ series: i, raw: false, data: thin(s.data, maxPoints) }],
  );
}

/**
 * The index of the point nearest `x` in a series sorted by x (binary search), or -1 when the
 * series is empty. Used by the tooltip to list every series at the pointer's x, even when their
 * points fall at different x (runs compared by wall time).
 */
export function nearestIndex(points: readonly XY[], x: number): number {
  if (points.length === 0) return -1;
  let lo = 0;
  let hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.x < x) lo = mid;
    else hi = mid;
  }
  return Math.abs(points[lo]!.x - x) <= Math.abs(points[hi]!.x - x) ? lo : hi;
}

/** A log y axis can show every finite value only when all are positive (an ELBO is negative). */
export function allPositive(series: readonly { data: readonly XY[] }[]): boolean {
  let any = false;
  for (const s of series)
    for (const p of s.data) {
      if (!Number.isFinite(p.y)) continue;
      if (p.y <= 0) return false;
      any = true;
    }
  return any;
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * The series as one CSV table: a column for x (named `xLabel`) holding every x any series has,
 * in order, then a column per series; a series without a point at that x leaves its cell empty.
 */
export function seriesCsv(series: readonly { label: string; data: readonly XY[] }[], xLabel: string): string {
  const rows = new Map<number, (number | undefined)[]>();
  series.forEach((s, column) => {
    for (const p of s.data) {
      let row = rows.get(p.x);
      if (!row) rows.set(p.x, (row = new Array<number | undefined>(series.length)));
      row[column] = p.y;
    }
  });
  const lines = [[xLabel, ...series.map((s) => s.label)].map(csvField).join(',')];
  for (const x of [...rows.keys()].sort((a, b) => a - b)) {
    const cells = rows.get(x)!;
    lines.push(
      [x, ...Array.from({ length: series.length }, (_, i) => cells[i])]
        .map((v) => (v === undefined || !Number.isFinite(v) ? '' : String(v)))
        .join(','),
    );
  }
  return lines.join('\n') + '\n';
}

/** A file name from a chart's title: 'ELBO (nats, higher is better)' -> 'elbo-nats-higher-is-better'. */
export function fileStem(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'chart'
  );
}

/**
 * A #rrggbb colour at `alpha` (the raw line under a smoothed one), as rgba() so an SVG download
 * writes it as a colour and an opacity that every SVG reader knows; other colours unchanged.
 */
export function faint(colour: string, alpha = 0.25): string {
  if (!/^#[0-9a-f]{6}$/i.test(colour)) return colour;
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/**
 * SVG markup as svgcanvas writes it, made readable by any SVG reader: a #rrggbbaa fill or
 * stroke (the theme's grid colours) as #rrggbb and an opacity, and the text-decoration="undefined"
 * it writes on every label dropped.
 */
export function portableSvg(markup: string): string {
  return markup
    .replace(/ text-decoration="undefined"/g, '')
    .replace(/ (fill|stroke)="#([0-9a-f]{6})([0-9a-f]{2})"/gi, (_m, attr: string, rgb: string, a: string) => {
      const opacity = +(parseInt(a, 16) / 255).toFixed(3);
      return ` ${attr}="#${rgb}" ${attr}-opacity="${opacity}"`;
    });
}
