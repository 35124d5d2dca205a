/**
 * Clustering metrics on plain arrays: the three accuracy protocols of the literature, NMI,
 * ARI and the number of clusters in use (see docs/model.md, "Clustering and
 * its scores").
 *
 * Conventions shared by every function here:
 * - `assignments[i]` is example i's cluster in 0..K-1 (argmax_k p(z_k | x, w));
 * - `labels[i]` is its true class in 0..C-1;
 * - `logOdds` is [n, K] row-major, logOdds[i * K + k] = log p(z_k|.) - log(1 - p(z_k|.)) of
 *   example i's cluster probabilities (`logOddsFromLogProbabilities`): it ranks the examples
 *   by p(z_k|.) where float32 probabilities cannot, since they round to exactly 1 once the
 *   other clusters' mass falls below about 6e-8 (on MNIST, thousands of test examples do);
 * - accuracies are fractions in [0, 1];
 * - on an empty evaluated set (n = 0) the label-based metrics are undefined and return NaN.
 */
import munkres from 'munkres-js';
import type { ClusterMetric } from '../../common/metric-names.ts';

// ---------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------

/**
 * Cluster of each example: argmax_k of its row of probabilities, or of log-probabilities (the
 * same argmax), the first maximum on ties.
 */
export function assignmentsFromConfidence(confidence: Float32Array, n: number, k: number): Int32Array {
  checkLength('confidence', confidence.length, n * k);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestValue = -Infinity;
    for (let j = 0; j < k; j++) {
      const v = confidence[i * k + j]!;
      if (v > bestValue) {
        bestValue = v;
        best = j;
      }
    }
    out[i] = best;
  }
  return out;
}

/**
 * log p_k - log(sum_{j != k} p_j) for every example and cluster, in float64, from float32
 * log-probabilities (whose smaller entries stay exact where the probabilities round to 0 or 1).
 * logP: [n, K] row-major -> [n, K]
 */
export function logOddsFromLogProbabilities(logP: Float32Array, n: number, k: number): Float64Array {
  checkLength('log-probabilities', logP.length, n * k);
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const row = logP.subarray(i * k, (i + 1) * k);
    for (let j = 0; j < k; j++) {
      let max = -Infinity;
      for (let o = 0; o < k; o++) if (o !== j) max = Math.max(max, row[o]!);
      let sum = 0;
      for (let o = 0; o < k; o++) if (o !== j) sum += Math.exp(row[o]! - max);
      // K = 1 or every other cluster at probability 0: the odds are infinite.
      out[i * k + j] = max === -Infinity ? Infinity : row[j]! - (max + Math.log(sum));
    }
  }
  return out;
}

/** K x C table of counts: table[k][c] = #examples in cluster k with label c. */
export function contingencyTable(
  assignments: Int32Array,
  labels: Int32Array,
  k: number,
  numClasses: number,
): number[][] {
  checkLength('labels', labels.length, assignments.length);
  const table = Array.from({ length: k }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < assignments.length; i++) {
    const a = checkIndex('assignment', assignments[i]!, k);
    const c = checkIndex('label', labels[i]!, numClasses);
    table[a]![c]!++;
  }
  return table;
}

/** Number of distinct clusters with at least one member. */
export function clustersUsed(assignments: Int32Array): number {
  return new Set(assignments).size;
}

/**
 * Fraction of examples whose cluster's label (clusterLabels[k], -1 for "no label") equals
 * their own. An example in an unlabelled cluster counts as wrong.
 */
export function accuracyFromClusterLabels(
  assignments: Int32Array,
  labels: Int32Array,
  clusterLabels: Int32Array,
): number {
  checkLength('labels', labels.length, assignments.length);
  if (assignments.length === 0) return NaN;
  let correct = 0;
  for (let i = 0; i < assignments.length; i++) {
    const a = checkIndex('assignment', assignments[i]!, clusterLabels.length);
    if (clusterLabels[a] === labels[i]) correct++;
  }
  return correct / assignments.length;
}

// ---------------------------------------------------------------------------
// Cluster -> label maps, one per protocol (exported so the UI can show them)
// ---------------------------------------------------------------------------

/**
 * Paper / AAE protocol. Makhzani et al., "Adversarial Autoencoders" (2015), section 6: "for
 * each cluster i, we found the validation example x_n that maximizes q(y_i | x_n), and
 * assigned the label of x_n to all the points in the cluster i". The maximum is taken over
 * the whole evaluated set, not over cluster i's members only: that is what the sentence says,
 * and Dilokthanakul et al. (the GMVAE paper) follow the AAE protocol. The most confident
 * example for z_k may therefore sit in another cluster. AAE took the labels from a
 * validation set and scored the test set; here both are the evaluated set.
 * The maximum is taken on the log-odds: ranked by float32 probabilities, hundreds of examples
 * tie at exactly 1 and the first of them, any member, would label the cluster. Exact ties
 * go to the first example. Returns -1 for every cluster when n = 0.
 */
export function clusterLabelsPaperProtocol(labels: Int32Array, logOdds: Float64Array, k: number): Int32Array {
  const n = labels.length;
  checkLength('logOdds', logOdds.length, n * k);
  const out = new Int32Array(k).fill(-1);
  for (let j = 0; j < k; j++) {
    let bestValue = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = logOdds[i * k + j]!;
      if (v > bestValue) {
        bestValue = v;
        out[j] = labels[i]!;
      }
    }
  }
  return out;
}

/** Majority vote: each cluster gets its most frequent label (smallest label on ties; -1 if empty). */
export function clusterLabelsMajority(
  assignments: Int32Array,
  labels: Int32Array,
  k: number,
  numClasses: number,
): Int32Array {
  const table = contingencyTable(assignments, labels, k, numClasses);
  return Int32Array.from(table, (row) => {
    let best = -1;
    let bestCount = 0;
    row.forEach((count, c) => {
      if (count > bestCount) {
        bestCount = count;
        best = c;
      }
    });
    return best;
  });
}

/**
 * Hungarian matching: the one-to-one map of clusters to labels that maximises the number of
 * correctly labelled examples. Munkres minimises cost, so cost = max(count) - count on the
 * contingency table, padded with zero counts to a square S x S, S = max(K, C): a cluster
 * matched to a padding column is left without a label (-1), and its members count as wrong.
 */
export function clusterLabelsHungarian(
  assignments: Int32Array,
  labels: Int32Array,
  k: number,
  numClasses: number,
): Int32Array {
  const out = new Int32Array(k).fill(-1);
  const size = Math.max(k, numClasses);
  if (size === 0) return out;
  const table = contingencyTable(assignments, labels, k, numClasses);
  let max = 0;
  for (const row of table) for (const count of row) max = Math.max(max, count);
  const cost = Array.from({ length: size }, (_, r) =>
    Array.from({ length: size }, (_, c) => max - (table[r]?.[c] ?? 0)),
  );
  for (const [r, c] of munkres(cost)) {
    if (r < k && c < numClasses) out[r] = c;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Accuracies
// ---------------------------------------------------------------------------

/** Accuracy under the paper / AAE protocol (see clusterLabelsPaperProtocol). */
export function accuracyPaperProtocol(
  assignments: Int32Array,
  labels: Int32Array,
  logOdds: Float64Array,
  k: number,
): number {
  return accuracyFromClusterLabels(assignments, labels, clusterLabelsPaperProtocol(labels, logOdds, k));
}

/** Accuracy when each cluster is labelled by majority vote of its members. */
export function accuracyMajority(
  assignments: Int32Array,
  labels: Int32Array,
  k: number,
  numClasses: number,
): number {
  return accuracyFromClusterLabels(
    assignments,
    labels,
    clusterLabelsMajority(assignments, labels, k, numClasses),
  );
}

/** Accuracy under the optimal one-to-one cluster-to-label matching. */
export function accuracyHungarian(
  assignments: Int32Array,
  labels: Int32Array,
  k: number,
  numClasses: number,
): number {
  return accuracyFromClusterLabels(
    assignments,
    labels,
    clusterLabelsHungarian(assignments, labels, k, numClasses),
  );
}

// ---------------------------------------------------------------------------
// NMI and ARI (symmetric in their two partitions; ids need not be contiguous)
// ---------------------------------------------------------------------------

/**
 * Normalised mutual information, natural log, arithmetic-mean normalisation (sklearn's
 * default): NMI = I(U; V) / ((H(U) + H(V)) / 2).
 * Degenerate cases, as sklearn defines them:
 * - both partitions a single group (H(U) = H(V) = 0): the partitions agree, NMI = 1;
 * - otherwise I = 0 (e.g. one side constant, the other not): NMI = 0.
 */
export function nmi(assignments: Int32Array, labels: Int32Array): number {
  const n = assignments.length;
  const { cells, rowSums, colSums } = sparseContingency(assignments, labels);
  if (n === 0) return NaN;
  if (rowSums.size === 1 && colSums.size === 1) return 1;
  // I(U; V) = sum_ij (n_ij / n) ln(n n_ij / (a_i b_j))
  let mi = 0;
  for (const [key, count] of cells) {
    const [a, b] = splitKey(key);
    mi += (count / n) * Math.log((n * count) / (rowSums.get(a)! * colSums.get(b)!));
  }
  mi = Math.max(mi, 0); // rounding can leave a tiny negative
  if (mi === 0) return 0;
  const mean = (entropy(rowSums.values(), n) + entropy(colSums.values(), n)) / 2;
  return Math.min(mi / mean, 1);
}

/**
 * Adjusted Rand index (Hubert & Arabie 1985): (index - expected) / (max - expected), with
 * index = sum_ij C(n_ij, 2), a = sum_i C(a_i, 2), b = sum_j C(b_j, 2),
 * expected = a b / C(n, 2), max = (a + b) / 2. 1 for identical partitions, about 0 for
 * random ones, can be negative. max = expected only when both partitions are all-singletons
 * or both a single group, i.e. identical: return 1 (as sklearn does; also for n < 2).
 */
export function ari(assignments: Int32Array, labels: Int32Array): number {
  const n = assignments.length;
  const { cells, rowSums, colSums } = sparseContingency(assignments, labels);
  if (n === 0) return NaN;
  const pairs = (m: number): number => (m * (m - 1)) / 2;
  let index = 0;
  for (const count of cells.values()) index += pairs(count);
  let a = 0;
  for (const count of rowSums.values()) a += pairs(count);
  let b = 0;
  for (const count of colSums.values()) b += pairs(count);
  const total = pairs(n);
  const expected = total === 0 ? 0 : (a * b) / total;
  const max = (a + b) / 2;
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}

// ---------------------------------------------------------------------------
// Everything at once, under the names recorded by the store (common/metric-names.ts)
// ---------------------------------------------------------------------------

export type LabelledClusterMetrics = Record<ClusterMetric, number>;
export type UnlabelledClusterMetrics = Pick<LabelledClusterMetrics, 'clusters_used'>;

export interface ClusterMetricsInput {
  assignments: Int32Array;
  /** True classes, or null for an unlabelled dataset. */
  labels: Int32Array | null;
  /** [n, K] row-major log-odds of the cluster probabilities; used by the paper protocol. */
  logOdds: Float64Array;
  k: number;
  numClasses: number;
}

export function clusterMetrics(input: ClusterMetricsInput & { labels: Int32Array }): LabelledClusterMetrics;
export function clusterMetrics(input: ClusterMetricsInput & { labels: null }): UnlabelledClusterMetrics;
export function clusterMetrics(input: ClusterMetricsInput): LabelledClusterMetrics | UnlabelledClusterMetrics;
export function clusterMetrics(
  input: ClusterMetricsInput,
): LabelledClusterMetrics | UnlabelledClusterMetrics {
  const { assignments, labels, logOdds, k, numClasses } = input;
  const clusters_used = clustersUsed(assignments);
  if (labels === null) return { clusters_used };
  return {
    accuracy: accuracyPaperProtocol(assignments, labels, logOdds, k),
    accuracy_majority: accuracyMajority(assignments, labels, k, numClasses),
    accuracy_hungarian: accuracyHungarian(assignments, labels, k, numClasses),
    nmi: nmi(assignments, labels),
    ari: ari(assignments, labels),
    clusters_used,
  };
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/**
 * Contingency table as maps, so NMI and ARI need no K or C and cost O(n) whatever the ids.
 * Keys pack the two ids into one number (ids are int32, so a * 2^32 + b is exact).
 */
function sparseContingency(
  assignments: Int32Array,
  labels: Int32Array,
): { cells: Map<number, number>; rowSums: Map<number, number>; colSums: Map<number, number> } {
  checkLength('labels', labels.length, assignments.length);
  const cells = new Map<number, number>();
  const rowSums = new Map<number, number>();
  const colSums = new Map<number, number>();
  for (let i = 0; i < assignments.length; i++) {
    const a = assignments[i]!;
    const b = labels[i]!;
    const key = a * 2 ** 32 + (b >>> 0);
    cells.set(key, (cells.get(key) ?? 0) + 1);
    rowSums.set(a, (rowSums.get(a) ?? 0) + 1);
    colSums.set(b, (colSums.get(b) ?? 0) + 1);
  }
  return { cells, rowSums, colSums };
}

function splitKey(key: number): [number, number] {
  const a = Math.floor(key / 2 ** 32);
  const b = (key - a * 2 ** 32) | 0; // back to a signed int32
  return [a, b];
}

/** Entropy (nats) of a partition given its group sizes. */
function entropy(sizes: Iterable<number>, n: number): number {
  let h = 0;
  for (const size of sizes) if (size > 0) h -= (size / n) * Math.log(size / n);
  return h;
}

function checkLength(name: string, actual: number, expected: number): void {
  if (actual !== expected) throw new RangeError(`${name}: expected length ${expected}, got ${actual}`);
}

function checkIndex(name: string, value: number, size: number): number {
  if (!(value >= 0 && value < size)) throw new RangeError(`${name} ${value} outside 0..${size - 1}`);
  return value;
}
