/** Turning a projection payload into scatter groups. Pure, unit-tested. */
import type { ProjectionPayload } from '../../../src-main/common/artefacts.ts';

export type ProjectionMethod = 'pcaX' | 'pcaW' | 'umapX';
export type ColourBy = 'cluster' | 'label';

export interface ScatterPoint {
  x: number;
  y: number;
  /** Index of the test example. */
  i: number;
}

export interface ScatterGroup {
  key: number;
  points: ScatterPoint[];
}

export function projectionGroups(
  p: ProjectionPayload,
  method: ProjectionMethod,
  by: ColourBy,
): ScatterGroup[] {
  const groupOf = by === 'label' && p.label ? p.label : p.cluster;
  const groups = new Map<number, ScatterPoint[]>();
  const add = (i: number, x: number, y: number) => {
    const g = groupOf[i] ?? -1;
    let list = groups.get(g);
    if (!list) groups.set(g, (list = []));
    list.push({ x, y, i });
  };
  if (method === 'umapX') {
    const { indices, coords } = p.umapX;
    for (let j = 0; j < indices.length; j++) add(indices[j]!, coords[2 * j]!, coords[2 * j + 1]!);
  } else {
    const xy = p[method] ?? [];
    const n = Math.min(p.n, Math.floor(xy.length / 2));
    for (let i = 0; i < n; i++) add(i, xy[2 * i]!, xy[2 * i + 1]!);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([key, points]) => ({ key, points }));
}

/** A synthetic payload (Gaussian blobs) for the scatter benchmark route and tests. */
export function syntheticProjection(n: number, k = 10, seed = 1): ProjectionPayload {
  let s = seed >>> 0 || 1;
  const rand = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const cluster: number[] = [];
  const label: number[] = [];
  const confidence: number[] = [];
  const pcaX: number[] = [];
  const pcaW: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % k;
    const angle = (2 * Math.PI * c) / k;
    cluster.push(c);
    label.push(rand() < 0.9 ? c : Math.floor(rand() * k));
    confidence.push(0.5 + 0.5 * rand());
    pcaX.push(4 * Math.cos(angle) + gauss(), 4 * Math.sin(angle) + gauss());
    pcaW.push(gauss(), gauss());
  }
  const m = Math.min(n, 3000);
  const indices = Array.from({ length: m }, (_, j) => j);
  const coords = indices.flatMap((i) => [pcaX[2 * i]! * 1.5, pcaX[2 * i + 1]! * 1.5]);
  return { n, cluster, label, confidence, pcaX, pcaW, umapX: { indices, coords } };
}
