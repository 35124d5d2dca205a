/** Drawing examples from number arrays onto canvases. */

/** Writes an [h, w, c] array with values in [0,1] into a canvas of h x w pixels. */
export function drawImage(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  shape: readonly number[],
): void {
  const [h = 1, w = 1, c = 1] = shape;
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const image = ctx.createImageData(w, h);
  const px = image.data;
  for (let i = 0; i < h * w; i++) {
    const o = i * 4;
    if (c >= 3) {
      px[o] = clamp255(values[i * c]!);
      px[o + 1] = clamp255(values[i * c + 1]!);
      px[o + 2] = clamp255(values[i * c + 2]!);
    } else {
      const v = clamp255(values[i * c]!);
      px[o] = px[o + 1] = px[o + 2] = v;
    }
    px[o + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

function clamp255(v: number): number {
  return Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round(v * 255))) : 0;
}

export interface PointGroup {
  color: string;
  points: readonly (readonly number[])[];
  marker?: 'dot' | 'cross' | 'ring';
  radius?: number;
  alpha?: number;
}

export interface Bounds {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export function boundsOf(groups: readonly PointGroup[]): Bounds {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const g of groups)
    for (const p of g.points) {
      const [x = 0, y = 0] = p;
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  if (!Number.isFinite(x0)) return { x0: -1, x1: 1, y0: -1, y1: 1 };
  const px = (x1 - x0) * 0.06 || 1;
  const py = (y1 - y0) * 0.06 || 1;
  return { x0: x0 - px, x1: x1 + px, y0: y0 - py, y1: y1 + py };
}

/** Draws 2-D points (table data such as the spiral) with optional segments between pairs. */
export function drawPoints(
  canvas: HTMLCanvasElement,
  groups: readonly PointGroup[],
  options: {
    bounds?: Bounds;
    segments?: readonly [number[], number[]][];
    segmentColor?: string;
    background?: string;
  } = {},
): void {
  const dpr = window.devicePixelRatio || 1;
  const cssW = canvas.clientWidth || 160;
  const cssH = canvas.clientHeight || 160;
  canvas.width = Math.round(cssW * dpr);
  canvas.height = Math.round(cssH * dpr);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssW, cssH);
  if (options.background) {
    ctx.fillStyle = options.background;
    ctx.fillRect(0, 0, cssW, cssH);
  }
  const b = options.bounds ?? boundsOf(groups);
  // Equal scale on both axes so shapes (arcs of circles) are not distorted.
  const scale = Math.min(cssW / (b.x1 - b.x0), cssH / (b.y1 - b.y0));
  const ox = (cssW - (b.x1 - b.x0) * scale) / 2;
  const oy = (cssH - (b.y1 - b.y0) * scale) / 2;
  const sx = (x: number) => ox + (x - b.x0) * scale;
  const sy = (y: number) => cssH - oy - (y - b.y0) * scale;
  if (options.segments) {
    ctx.strokeStyle = options.segmentColor ?? 'rgba(128,128,128,0.5)';
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (const [a, c] of options.segments) {
      ctx.moveTo(sx(a[0]!), sy(a[1]!));
      ctx.lineTo(sx(c[0]!), sy(c[1]!));
    }
    ctx.stroke();
  }
  for (const g of groups) {
    const r = g.radius ?? 2.5;
    ctx.globalAlpha = g.alpha ?? 1;
    ctx.fillStyle = g.color;
    ctx.strokeStyle = g.color;
    ctx.lineWidth = 1.5;
    for (const p of g.points) {
      const x = sx(p[0] ?? 0);
      const y = sy(p[1] ?? 0);
      if (g.marker === 'cross') {
        ctx.beginPath();
        ctx.moveTo(x - r, y - r);
        ctx.lineTo(x + r, y + r);
        ctx.moveTo(x - r, y + r);
        ctx.lineTo(x + r, y - r);
        ctx.stroke();
      } else if (g.marker === 'ring') {
        ctx.beginPath();
        ctx.arc(x, y, r, 0, Math.PI * 2);
        ctx.stroke();
      } else {
        ctx.fillRect(x - r / 2, y - r / 2, r, r);
      }
    }
  }
  ctx.globalAlpha = 1;
}
