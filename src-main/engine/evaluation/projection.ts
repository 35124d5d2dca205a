/**
 * 2-D projections of latent points for the UI's scatter plots: PCA (linear, fast, all points)
 * and UMAP (non-linear, shows cluster structure, on a seeded subsample).
 * Points are [n, dim] row-major Float32Arrays; projections are [m, 2] row-major.
 */
import { PCA } from 'ml-pca';
import { UMAP } from 'umap-js';
import { createRng, deriveSeed, permutation } from '../../common/random.ts';

/**
 * The centred points in the basis of their first two principal components.
 * dim = 1 has a single component: the second coordinate is 0. When there are fewer than
 * two points, or all points coincide, every coordinate is 0.
 * Each component's sign is fixed so its largest loading is positive (as sklearn's
 * svd_flip does), so re-evaluating a run does not flip the picture.
 */
export function pcaProjection(points: Float32Array, n: number, dim: number): Float32Array {
  checkShape(points, n, dim);
  const out = new Float32Array(n * 2);
  if (n < 2 || dim < 1) return out;
  const rows = toRows(points, n, dim);
  const pca = new PCA(rows); // centres, does not scale; SVD
  const components = Math.min(2, dim);
  const eigenvectors = pca.getEigenvectors(); // dim x r, column j = component j
  const projected = pca.predict(rows, { nComponents: Math.min(components, eigenvectors.columns) });
  for (let j = 0; j < projected.columns; j++) {
    const sign = largestLoadingSign(eigenvectors.getColumn(j));
    for (let i = 0; i < n; i++) {
      const v = sign * projected.get(i, j);
      // ml-pca gives NaN variance (and possibly coordinates) when all points coincide;
      // `v !== 0` also turns a sign-flipped -0 into 0
      out[i * 2 + j] = Number.isFinite(v) && v !== 0 ? v : 0;
    }
  }
  return out;
}

export interface UmapOptions {
  /** Seeds both the subsample and UMAP itself: same seed and points, same picture. */
  seed: number;
  /** Largest number of points embedded; more are subsampled (default 5000). */
  maxPoints?: number;
  /** Optimisation epochs; umap-js picks 200..500 by size when left out. */
  nEpochs?: number;
  /** Called with the fraction of epochs done, 0..1. */
  onProgress?: (fraction: number) => void;
}

export interface UmapProjection {
  /** Which input rows were embedded, ascending. */
  indices: Int32Array;
  /** [indices.length, 2] row-major. */
  coords: Float32Array;
}

const N_NEIGHBORS = 15;
const MIN_DIST = 0.1;
const DEFAULT_MAX_POINTS = 5000;

/**
 * UMAP (McInnes et al. 2018) via umap-js, nNeighbors 15, minDist 0.1.
 * umap-js is single-threaded JavaScript: the approximate neighbour search is about
 * O(n log n), but the constant is large (5000 200-D points took about 20 s here, 2000 about
 * 7 s; 10k+ would take close to a minute or more), so at most
 * `maxPoints` rows are embedded: a uniform random subset drawn with `permutation(n, seed)`,
 * returned in ascending order so callers can look up labels and clusters by index.
 * UMAP's own randomness (neighbour-search trees, initial layout, negative sampling) comes
 * from createRng on a seed derived from `seed`, never Math.random, so the result is
 * reproducible.
 */
export function umapProjection(
  points: Float32Array,
  n: number,
  dim: number,
  options: UmapOptions,
): UmapProjection {
  checkShape(points, n, dim);
  const maxPoints = options.maxPoints ?? DEFAULT_MAX_POINTS;
  const indices =
    n > maxPoints
      ? permutation(n, options.seed).subarray(0, maxPoints).sort()
      : Int32Array.from({ length: n }, (_, i) => i);
  const m = indices.length;
  const rows = Array.from(indices, (i) => Array.from(points.subarray(i * dim, (i + 1) * dim)));

  // umap-js needs more points than neighbours; tiny sets get fewer neighbours, and with
  // fewer than 3 points there is no neighbourhood graph worth optimising: use PCA instead.
  if (m < 3) {
    const subset = new Float32Array(rows.flat());
    options.onProgress?.(1);
    return { indices, coords: pcaProjection(subset, m, dim) };
  }
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.min(N_NEIGHBORS, m - 1),
    minDist: MIN_DIST,
    ...(options.nEpochs !== undefined && { nEpochs: options.nEpochs }),
    random: createRng(deriveSeed(options.seed, 1)),
  });
  // Step by step rather than fit(), to report progress while staying synchronous.
  const epochs = umap.initializeFit(rows);
  for (let epoch = 0; epoch < epochs; epoch++) {
    umap.step();
    options.onProgress?.((epoch + 1) / epochs);
  }
  const embedding = umap.getEmbedding();
  const coords = new Float32Array(m * 2);
  embedding.forEach((row, i) => {
    coords[i * 2] = row[0] ?? 0;
    coords[i * 2 + 1] = row[1] ?? 0;
  });
  return { indices, coords };
}

function toRows(points: Float32Array, n: number, dim: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(points.subarray(i * dim, (i + 1) * dim)));
}

function largestLoadingSign(vector: number[]): 1 | -1 {
  let largest = 0;
  for (const v of vector) if (Math.abs(v) > Math.abs(largest)) largest = v;
  return largest < 0 ? -1 : 1;
}

function checkShape(points: Float32Array, n: number, dim: number): void {
  if (points.length !== n * dim) {
    throw new RangeError(`points: expected ${n} x ${dim} = ${n * dim} values, got ${points.length}`);
  }
}
