/**
 * Pictures a reproduction writes, without a browser: charts as SVG from Vega-Lite specs
 * (rendered headless by Vega), image grids as PNG. Pure functions of plain data.
 */
import { PNG } from 'pngjs';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Renders a Vega-Lite spec to an SVG document (no canvas needed: Vega's headless SVG renderer). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface ScatterPoint {
  x: number;
  y: number;
  /** What the colour shows (a cluster or component number). */
  group: number;
}

/** One domain for both axes, so that a square plot keeps the data's shape (arcs stay circular). */
export function squareDomain(points: ScatterPoint[]): [number, number] {
  if (points.length === 0) return [0, 1];
  const lo = Math.min(...points.map((p) => Math.min(p.x, p.y)));
  const hi = Math.max(...points.map((p) => Math.max(p.x, p.y)));
  const margin = (hi - lo) * 0.03 || 1;
  return [lo - margin, hi + margin];
}

/** 2-D points coloured by group 0..groups-1 (the same colour for k in every picture), on equal axes. */
export function scatterSpec(
  points: ScatterPoint[],
  groups: number,
  title: string,
  groupTitle: string,
): TopLevelSpec {
  const domain = squareDomain(points);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 320,
    height: 320,
    background: 'white',
    data: { values: points },
    // No per-point ARIA labels: they would triple the file for thousands of points.
    mark: { type: 'circle', size: 10, opacity: 0.8, aria: false },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: null, scale: { domain, nice: false } },
      y: { field: 'y', type: 'quantitative', title: null, scale: { domain, nice: false } },
      color: {
        field: 'group',
        type: 'nominal',
        title: groupTitle,
        // Ten clearly distinct hues where they suffice; tableau20's paired shades beyond.
        scale: {
          domain: Array.from({ length: groups }, (_, k) => k),
          scheme: groups <= 10 ? 'category10' : 'tableau20',
        },
      },
    },
  };
}

export interface CurvePoint {
  run: string;
  epoch: number;
  /** The chart it belongs to (its title). */
  metric: string;
  value: number;
}

/**
 * One small line chart per metric (own y scale), one line per run, against the epoch; `metrics`
 * orders the charts. Points are marked only on short runs (hundreds of markers per line would
 * hide the lines and swell the file).
 */
export function curvesSpec(points: CurvePoint[], title: string, metrics: string[]): TopLevelSpec {
  const longest = Math.max(0, ...points.map((p) => p.epoch));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    background: 'white',
    data: { values: points },
    facet: { field: 'metric', type: 'nominal', title: null, sort: metrics },
    columns: 2,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 280,
      height: 160,
      mark: { type: 'line', aria: false, point: longest <= 40 ? { size: 12, aria: false } : false },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { format: 'd', tickMinStep: 1 } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: { field: 'run', type: 'nominal', title: 'run' },
      },
    },
  };
}

export interface ImageGridOptions {
  /** [height, width] of one image (single channel, values in [0,1]). */
  size: [number, number];
  /** Pixels per image pixel. */
  scale?: number;
  /** Empty columns inserted before these image positions in every row (separates groups). */
  gapsBefore?: number[];
}

/**
 * A grid of grey images as a PNG: one row per entry of `rows`, images left to right. Rows may
 * be shorter than the longest (the rest stays white), and an empty image leaves its cell white
 * (a cluster with fewer members than the others). Values outside [0,1] are clipped.
 */
export function imageGridPng(rows: ArrayLike<number>[][], options: ImageGridOptions): Buffer {
  const [h, w] = options.size;
  const scale = options.scale ?? 2;
  const pad = 2;
  const gaps = new Set(options.gapsBefore ?? []);
  const columns = Math.max(1, ...rows.map((r) => r.length));
  const gapWidth = (w * scale) / 2;
  const xOf = (col: number) =>
    pad + col * (w * scale + pad) + [...gaps].filter((g) => g <= col).length * gapWidth;
  const width = Math.ceil(xOf(columns));
  const height = pad + rows.length * (h * scale + pad);
  const png = new PNG({ width, height });
  png.data.fill(255);
  rows.forEach((images, row) => {
    images.forEach((image, col) => {
      if (image.length === 0) return;
      const x0 = Math.round(xOf(col));
      const y0 = pad + row * (h * scale + pad);
      for (let i = 0; i < h * scale; i++)
        for (let j = 0; j < w * scale; j++) {
          const v = image[Math.floor(i / scale) * w + Math.floor(j / scale)]!;
          const grey = Math.round(255 * (1 - Math.min(1, Math.max(0, v))));
          const at = ((y0 + i) * width + x0 + j) * 4;
          png.data[at] = png.data[at + 1] = png.data[at + 2] = grey;
          png.data[at + 3] = 255;
        }
    });
  });
  // One grey channel: a third of the bytes of RGB to compress (MNIST grids of K 30 were 1.2 MB).
  return PNG.sync.write(png, { colorType: 0 });
}
