/**
 * Evaluating a model on a split: its formulation's terms (seeded Monte Carlo, so repeatable),
 * and clustering at the posterior means, scored with every protocol of docs/model.md.
 */
import type { DatasetSplit } from '../../common/dataset.ts';
import { exampleSize } from '../../common/dataset.ts';
import type { MetricSummary, TestTerm } from '../../common/metric-names.ts';
import { deriveSeed } from '../../common/random.ts';
import { SEED_STREAM, gatherRows } from '../data/batches.ts';
import { stackTerms } from '../model/formulations/terms.ts';
import type { Gmvae } from '../model/gmvae.ts';
import { tf, type Tensor2D } from '../tf.ts';
import {
  accuracyPaperProtocol,
  assignmentsFromConfidence,
  clusterMetrics,
  logOddsFromLogProbabilities,
} from './cluster-metrics.ts';

export interface ClusterResult {
  /** The cluster probabilities assigned by (p(z_k | mu_x, mu_w), or q(z_k|y)), [n, K] row-major. */
  confidence: Float32Array;
  /** Their log-odds, which rank examples where the probabilities tie at 1: [n, K] row-major. */
  logOdds: Float64Array;
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

/** Example-weighted means of the formulation's terms over a split (the objective left out). */
export async function elboOnSplit(
  model: Gmvae,
  split: DatasetSplit,
  shape: number[],
  seed: number,
): Promise<Partial<Record<TestTerm, number>>> {
  const d = exampleSize(shape);
  const sums = new Map<TestTerm, number>();
  let batch = 0;
  for (const { y } of batches(split, d, split.n)) {
    let names: TestTerm[] = [];
    const stackedValues = tf.tidy(() => {
      const stacked = stackTerms(model.elboTerms(y, deriveSeed(seed, SEED_STREAM.evalNoise, batch++)), false);
      names = stacked.names as TestTerm[];
      return stacked.values;
    });
    const values = await stackedValues.data();
    stackedValues.dispose();
    names.forEach((name, i) => sums.set(name, (sums.get(name) ?? 0) + values[i]! * y.shape[0]));
    y.dispose();
  }
  return Object.fromEntries([...sums].map(([name, sum]) => [name, sum / split.n]));
}

/**
 * Cluster probabilities at the posterior means for the first `limit` examples: the
 * formulation's own assignment, or (v1, v2) Bayes' rule p(z|x,w).
 */
export async function clusterSplit(
  model: Gmvae,
  split: DatasetSplit,
  shape: number[],
  limit = split.n,
  source: 'assigned' | 'bayes' = 'assigned',
): Promise<ClusterResult> {
  const d = exampleSize(shape);
  const k = model.config.k;
  const logP = new Float32Array(limit * k);
  for (const { start, y } of batches(split, d, limit)) {
    const p = source === 'bayes' ? model.bayesClusterLogProbabilities(y)! : model.clusterLogProbabilities(y);
    logP.set(await p.data(), start * k);
    p.dispose();
    y.dispose();
  }
  return {
    confidence: logP.map(Math.exp),
    logOdds: logOddsFromLogProbabilities(logP, limit, k),
    assignments: assignmentsFromConfidence(logP, limit, k),
  };
}

/** Everything recorded per epoch about a split: ELBO terms and clustering metrics. */
export async function evaluateSplit(
  model: Gmvae,
  split: DatasetSplit,
  shape: number[],
  numClasses: number,
  seed: number,
): Promise<{ metrics: MetricSummary; clusters: ClusterResult }> {
  const terms = await elboOnSplit(model, split, shape, seed);
  const clusters = await clusterSplit(model, split, shape);
  const scores = clusterMetrics({
    assignments: clusters.assignments,
    labels: split.y,
    logOdds: clusters.logOdds,
    k: model.config.k,
    numClasses,
  });
  return {
    metrics: { ...terms, ...scores, ...(await bayesAgreement(model, split, shape, clusters)) },
    clusters,
  };
}

/**
 * v1 assigns clusters by q(z|y) and trains its consistency term on p(z|x,w): how far the two
 * agree (the fraction of examples with the same argmax) and the paper-protocol accuracy of the
 * Bayes assignment. Other formulations have one assignment only.
 */
async function bayesAgreement(
  model: Gmvae,
  split: DatasetSplit,
  shape: number[],
  assigned: ClusterResult,
): Promise<MetricSummary> {
  if (model.config.model !== 'v1') return {};
  const bayes = await clusterSplit(model, split, shape, split.n, 'bayes');
  const same = assigned.assignments.filter((c, i) => c === bayes.assignments[i]).length;
  const metrics: MetricSummary = { bayes_agreement: same / split.n };
  if (split.y) {
    const { k } = model.config;
    metrics.accuracy_bayes = accuracyPaperProtocol(bayes.assignments, split.y, bayes.logOdds, k);
  }
  return metrics;
}
