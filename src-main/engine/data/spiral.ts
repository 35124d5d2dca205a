/**
 * The synthetic "spiral" dataset of the GMVAE paper (Dilokthanakul et al., 2016): 2-D points on
 * the arcs of five circles, label = arc. The paper does not give the exact geometry, so we use a
 * pinwheel that looks like its figure and keeps the arcs well apart: five unit half-circles
 * whose centres sit on a ring of radius 2.5, each facing outward and turned by 0.8 rad so that
 * together they swirl. The closest two arcs are about 2 apart, 40 noise standard deviations,
 * so a GMVAE with K = 8 can separate all five.
 *
 * Generated from a seed, so every run sees the same data: the training set from one derived
 * seed stream and the test set (2,000 points, not a subset) from another.
 */
import type { DatasetInfo, DatasetSplit, LoadedDataset } from '../../common/dataset.ts';
import { createNormalRng, createRng, deriveSeed } from '../../common/random.ts';

export const SPIRAL_ARCS = 5;
export const SPIRAL_TRAIN_SIZE = 10_000;
export const SPIRAL_TEST_SIZE = 2_000;
export const SPIRAL_NOISE_SD = 0.05;
const RING_RADIUS = 2.5;
const ARC_RADIUS = 1;
const TWIST = 0.8;

export interface Arc {
  cx: number;
  cy: number;
  radius: number;
  /** The arc runs from angle `start` to `start + PI` around its centre (radians). */
  start: number;
}

/** Geometry of arc k (0..4), exported for tests and plots. */
export function spiralArc(k: number): Arc {
  const direction = Math.PI / 2 + (2 * Math.PI * k) / SPIRAL_ARCS; // first arc at the top
  return {
    cx: RING_RADIUS * Math.cos(direction),
    cy: RING_RADIUS * Math.sin(direction),
    radius: ARC_RADIUS,
    // Centred on the outward direction (facing away from the ring's centre), then twisted.
    start: direction - Math.PI / 2 + TWIST,
  };
}

/**
 * n points, labels cycling 0..4 (so classes are balanced), each at a uniform position along its
 * arc plus isotropic Gaussian noise. `stream` selects an independent seed stream.
 */
export function generateSpiral(n: number, seed: number, stream: number): DatasetSplit {
  const uniform = createRng(deriveSeed(seed, stream, 0));
  const normal = createNormalRng(deriveSeed(seed, stream, 1));
  const arcs = Array.from({ length: SPIRAL_ARCS }, (_, k) => spiralArc(k));
  const x = new Float32Array(2 * n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % SPIRAL_ARCS;
    const arc = arcs[k]!;
    const angle = arc.start + Math.PI * uniform();
    x[2 * i] = arc.cx + arc.radius * Math.cos(angle) + SPIRAL_NOISE_SD * normal();
    x[2 * i + 1] = arc.cy + arc.radius * Math.sin(angle) + SPIRAL_NOISE_SD * normal();
    y[i] = k;
  }
  return { x, y, n };
}

/** The spiral dataset; the default seed 0 is the built-in `spiral`. */
export function loadSpiral(seed = 0): LoadedDataset {
  const train = generateSpiral(SPIRAL_TRAIN_SIZE, seed, 0);
  const test = generateSpiral(SPIRAL_TEST_SIZE, seed, 1);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of [...train.x, ...test.x]) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const info: DatasetInfo = {
    name: 'spiral',
    kind: 'table',
    shape: [2],
    nTrain: train.n,
    nTest: test.n,
    valueRange: [lo, hi],
    numClasses: SPIRAL_ARCS,
    source: 'builtin',
    split: 'source',
    preprocessing: [],
  };
  return { info, train, test };
}
