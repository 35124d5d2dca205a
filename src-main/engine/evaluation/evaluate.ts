/**
 * Evaluating a model on a split: the four ELBO terms (seeded Monte Carlo, so repeatable),
 * and clustering at the posterior means, scored with every protocol of gmvae-model.md.
 */
import type { DatasetSplit } from '../../common/dataset.ts';
import { exampleSize } from '../../common/dataset.ts';
import type { MetricSummary } from '../../common/metric-names.ts';
import { deriveSeed } from '../../common/random.ts';
import { SEED_STREAM, gatherRows } from '../data/batches.ts';
import type { ElboTerms, Gmvae } from '../model/gmvae.ts';
import { tf, type Tensor2D } from '../tf.ts';
import { assignmentsFromConfidence, clusterMetrics } from './cluster-metrics.ts';

export interface ClusterResult {
  /** p(z_k | mu_x, mu_w) per example, [n, K] row-major. */
  confidence: Float32Array;
  assignments: Int32Array;
}

const EVAL_BATCH = 500;

function* batches(split: DatasetSplit, d: number, limit: number): Generator<{ start: number; y: Tensor2D }> {
  for (let start = 0; start < limit; start += EVAL_BATCH) {
    const end = Math.min(limit, start + EVAL_BATCH);
    const rows = Array.from({ length: end - start }, (_, i) => start + i);
    yield { start, y: tf.tensor2d(gatherRows(split.x, d, rows), [rows.length, d]) };
  }
}

/** Example-weighted means of the ELBO terms over a split. */
export function elboOnSplit(
  model: Gmvae,
  split: DatasetSplit,
  shape: number[],
  seed: number,
): Record<'elbo' | 'reconstruction' | 'conditional_prior' | 'w_prior' | 'z_prior', number> {
  const d = exampleSize(shape);
  const sums = new Float64Array(5);
  let batch = 0;
  for (const { y } of batches(split, d, split.n)) {
    const values = tf.tidy(() => {
      const t: ElboTerms = model.elboTerms(y, deriveSeed(seed, SEED_STREAM.evalNoise, batch++));
      return tf.stack([t.elbo, t.reconstruction, t.conditionalPrior, t.wPrior, t.zPrior]).dataSync();
    });
    for (let i = 0; i < 5; i++) sums[i]! += values[i]! * y.shape[0];
    y.dispose();
  }
  const mean = (i: number) => sums[i]! / split.n;
  return {
    elbo: mean(0),
    reconstruction: mean(1),
    conditional_prior: mean(2),
    w_prior: mean(3),
    z_prior: mean(4),
  };
}

/** Cluster probabilities at the posterior means for the first `limit` examples. */
export function clusterSplit(
  model: Gmvae,
  split: DatasetSplit,
  shape: number[],
  limit = split.n,
): ClusterResult {
  const d = exampleSize(shape);
  const k = model.config.k;
  const confidence = new Float32Array(limit * k);
  for (const { start, y } of batches(split, d, limit)) {
    const p = model.clusterProbabilities(y);
    confidence.set(p.dataSync(), start * k);
    p.dispose();
    y.dispose();
  }
  return { confidence, assignments: assignmentsFromConfidence(confidence, limit, k) };
}

/** Everything recorded per epoch about a split: ELBO terms and clustering metrics. */
export function evaluateSplit(
  model: Gmvae,
  split: DatasetSplit,
  shape: number[],
  numClasses: number,
  seed: number,
): { metrics: MetricSummary; clusters: ClusterResult } {
  const terms = elboOnSplit(model, split, shape, seed);
  const clusters = clusterSplit(model, split, shape);
  const scores = clusterMetrics({
    assignments: clusters.assignments,
    labels: split.y,
    confidence: clusters.confidence,
    k: model.config.k,
    numClasses,
  });
  return { metrics: { ...terms, ...scores }, clusters };
}
