/** Curve smoothing for the charts. Pure, unit-tested. */

export interface XY {
  x: number;
  y: number;
}

/**
 * Exponential moving average with debiasing (as TensorBoard): weight 0 returns the input, 0.99
 * is very smooth. Non-finite values pass through unsmoothed and do not poison later points.
 */
export function ema(points: readonly XY[], weight: number): XY[] {
  if (weight <= 0) return points.map((p) => ({ x: p.x, y: p.y }));
  const w = Math.min(weight, 0.999);
  let last = 0;
  let count = 0;
  return points.map((p) => {
    if (!Number.isFinite(p.y)) return { x: p.x, y: p.y };
    last = last * w + (1 - w) * p.y;
    count++;
    const debias = 1 - w ** count;
    return { x: p.x, y: last / debias };
  });
}

/** Keeps at most `max` points (every n-th, always the last) so long step series stay cheap to draw. */
export function thin(points: readonly XY[], max: number): XY[] {
  if (points.length <= max) return points as XY[];
  const stride = Math.ceil(points.length / max);
  const out: XY[] = [];
  for (let i = 0; i < points.length; i += stride) out.push(points[i]!);
  if (out[out.length - 1] !== points[points.length - 1]) out.push(points[points.length - 1]!);
  return out;
}
