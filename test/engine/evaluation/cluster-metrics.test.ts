import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../../src-main/engine/tf.ts';
import {
  accuracyHungarian,
  accuracyMajority,
  accuracyPaperProtocol,
  ari,
  assignmentsFromConfidence,
  clusterLabelsHungarian,
  clusterLabelsMajority,
  clusterLabelsPaperProtocol,
  clusterMetrics,
  clustersUsed,
  contingencyTable,
  logOddsFromLogProbabilities,
  nmi,
} from '../../../src-main/engine/evaluation/cluster-metrics.ts';

const i32 = (values: number[]): Int32Array => Int32Array.from(values);
const f32 = (rows: number[][]): Float32Array => Float32Array.from(rows.flat());
/** The log-odds the paper protocol ranks by, from [n, K] probabilities. */
const odds = (p: Float32Array, k: number): Float64Array =>
  logOddsFromLogProbabilities(p.map(Math.log), p.length / k, k);

/** Confidence that puts 0.9 on the assigned cluster and spreads the rest evenly. */
function peaked(assignments: number[], k: number): Float32Array {
  return f32(assignments.map((a) => Array.from({ length: k }, (_, j) => (j === a ? 0.9 : 0.1 / (k - 1)))));
}

function assertClose(actual: number, expected: number, tolerance = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);
}

describe('three clusters, two classes: the three accuracy protocols disagree', () => {
  // Cluster 0: examples 0-3, labels 0 0 0 1; its most confident example overall is #3 (label 1).
  // Cluster 1: examples 4-7, labels 1 1 1 0; most confident for z_1 is #6 (label 1).
  // Cluster 2: examples 8-10, labels 0 0 1; its most confident MEMBER is #8 (p = 0.40, label 0),
  //   but over the whole set the most confident example for z_2 is #5 (p = 0.45, label 1),
  //   which belongs to cluster 1.
  const confidence = f32([
    [0.7, 0.2, 0.1],
    [0.8, 0.1, 0.1],
    [0.6, 0.2, 0.2],
    [0.9, 0.05, 0.05],
    [0.1, 0.8, 0.1],
    [0.05, 0.5, 0.45],
    [0.1, 0.85, 0.05],
    [0.2, 0.7, 0.1],
    [0.3, 0.3, 0.4],
    [0.3, 0.32, 0.38],
    [0.32, 0.3, 0.38],
  ]);
  const labels = i32([0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1]);
  const assignments = assignmentsFromConfidence(confidence, 11, 3);

  it('assigns by argmax', () => {
    assert.deepEqual(assignments, i32([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2]));
  });

  it('contingency table', () => {
    assert.deepEqual(contingencyTable(assignments, labels, 3, 2), [
      [3, 1],
      [1, 3],
      [2, 1],
    ]);
  });

  it('majority: 0, 1, 0 -> (3 + 3 + 2) / 11', () => {
    assert.deepEqual(clusterLabelsMajority(assignments, labels, 3, 2), i32([0, 1, 0]));
    assertClose(accuracyMajority(assignments, labels, 3, 2), 8 / 11);
  });

  it('Hungarian: 0 -> 0, 1 -> 1, cluster 2 unmatched -> (3 + 3) / 11', () => {
    // Pairings: {0->0, 1->1} = 6, {2->0, 1->1} = 5, {0->0, 2->1} = 4, ...: 6 is the best.
    assert.deepEqual(clusterLabelsHungarian(assignments, labels, 3, 2), i32([0, 1, -1]));
    assertClose(accuracyHungarian(assignments, labels, 3, 2), 6 / 11);
  });

  it('paper protocol: 1, 1, 1 (maximum over the whole set) -> (1 + 3 + 1) / 11', () => {
    // Members-only would have labelled cluster 2 by #8 (label 0), giving 6 / 11.
    assert.deepEqual(clusterLabelsPaperProtocol(labels, odds(confidence, 3), 3), i32([1, 1, 1]));
    assertClose(accuracyPaperProtocol(assignments, labels, odds(confidence, 3), 3), 5 / 11);
  });
});

it('paper protocol differs from majority when the most confident example is mislabelled', () => {
  // Cluster 0 = labels 0 0 1, but its most confident example is the label-1 one; cluster 1 = 1 1.
  // Majority: 0, 1 -> (2 + 2) / 5. Paper: 1, 1 -> (1 + 2) / 5.
  const assignments = i32([0, 0, 0, 1, 1]);
  const labels = i32([0, 0, 1, 1, 1]);
  const confidence = f32([
    [0.8, 0.2],
    [0.7, 0.3],
    [0.95, 0.05],
    [0.1, 0.9],
    [0.2, 0.8],
  ]);
  assertClose(accuracyMajority(assignments, labels, 2, 2), 4 / 5);
  assertClose(accuracyPaperProtocol(assignments, labels, odds(confidence, 2), 2), 3 / 5);
});

it('paper protocol: the most confident example, also where float32 probabilities round to 1', () => {
  // Logit gaps of 20, 30 and 25 nats: softmax gives exactly 1 in float32 for all three, so a
  // ranking by probability ties them and takes the first (label 0). By log-odds the second is
  // the most confident (label 1), as in exact arithmetic.
  const logits = tf.tensor2d([
    [20, 0],
    [30, 0],
    [25, 0],
    [0, 3],
  ]);
  const probabilities = tf.softmax(logits).dataSync() as Float32Array;
  assert.deepEqual(Array.from(probabilities.filter((_, i) => i % 2 === 0).slice(0, 3)), [1, 1, 1]);
  const logP = tf.logSoftmax(logits).dataSync() as Float32Array;
  const logOdds = logOddsFromLogProbabilities(logP, 4, 2);
  for (const [i, gap] of [20, 30, 25].entries()) assertClose(logOdds[i * 2]!, gap, 1e-4);
  assertClose(logOdds[3 * 2 + 1]!, 3, 1e-4);
  const labels = i32([0, 1, 0, 1]);
  assert.deepEqual(clusterLabelsPaperProtocol(labels, logOdds, 2), i32([1, 1]));
  assert.deepEqual(clusterLabelsPaperProtocol(labels, Float64Array.from(probabilities), 2), i32([0, 1]));
});

describe('perfect clusterings', () => {
  for (const [name, ids] of [
    ['identity ids', [0, 0, 1, 1, 2, 2]],
    ['permuted ids', [2, 2, 0, 0, 1, 1]],
  ] as const) {
    it(`${name}: every metric is 1`, () => {
      const assignments = i32([...ids]);
      const metrics = clusterMetrics({
        assignments,
        labels: i32([0, 0, 1, 1, 2, 2]),
        logOdds: odds(peaked([...ids], 3), 3),
        k: 3,
        numClasses: 3,
      });
      assert.deepEqual(metrics, {
        accuracy: 1,
        accuracy_majority: 1,
        accuracy_hungarian: 1,
        nmi: 1,
        ari: 1,
        clusters_used: 3,
      });
    });
  }
});

it('K > C: two pure clusters per class', () => {
  // Clusters 0,1 hold class 0; clusters 2,3 hold class 1 (two examples each).
  // Majority and paper: every cluster pure -> 1. Hungarian: only two clusters can be matched -> 4/8.
  // NMI: H(labels) = ln 2, H(clusters) = ln 4 = 2 ln 2, I = H(labels) (clusters determine labels)
  //   -> ln 2 / (1.5 ln 2) = 2/3.
  // ARI: index = 4 C(2,2) = 4, a = 4 C(2,2) = 4, b = 2 C(4,2) = 12, C(8,2) = 28,
  //   expected = 4 * 12 / 28 = 12/7, max = 8 -> (4 - 12/7) / (8 - 12/7) = 16/44 = 4/11.
  const ids = [0, 0, 1, 1, 2, 2, 3, 3];
  const metrics = clusterMetrics({
    assignments: i32(ids),
    labels: i32([0, 0, 0, 0, 1, 1, 1, 1]),
    logOdds: odds(peaked(ids, 4), 4),
    k: 4,
    numClasses: 2,
  });
  assert.equal(metrics.accuracy, 1);
  assert.equal(metrics.accuracy_majority, 1);
  assert.equal(metrics.accuracy_hungarian, 0.5);
  assertClose(metrics.nmi, 2 / 3);
  assertClose(metrics.ari, 4 / 11);
  assert.equal(metrics.clusters_used, 4);
});

it('K < C: two clusters, three classes', () => {
  // Cluster 0 = labels 0 0 1 2, cluster 1 = labels 0 0.
  // Majority: 0, 0 -> (2 + 2) / 6. Hungarian (table padded to 3x3): {0->0, 1->?} = 2 + 0,
  //   {1->0, 0->1 or 2} = 2 + 1 -> 3/6. Paper: #2 (label 1) tops z_0, #4 (label 0) tops z_1 -> (1 + 2)/6.
  // NMI: H(U) = -(4/6 ln 4/6 + 2/6 ln 2/6) = 0.6365141682948128,
  //   H(V) = -(4/6 ln 4/6 + 2 (1/6) ln 1/6) = 0.8675632284814612,
  //   I = 2/6 ln(6*2/(4*4)) + 2 (1/6) ln(6/4) + 2/6 ln(6*2/(2*4)) = ln(27/16) / 3 = 0.17441604792151594,
  //   NMI = I / ((H(U) + H(V)) / 2) = 0.23192429896938302.
  // ARI: index = C(2,2) + C(2,2) = 2, a = C(4,2) + C(2,2) = 7, b = C(4,2) = 6, C(6,2) = 15,
  //   expected = 42/15 = 2.8, max = 6.5 -> (2 - 2.8) / (6.5 - 2.8) = -8/37.
  const assignments = i32([0, 0, 0, 0, 1, 1]);
  const labels = i32([0, 0, 1, 2, 0, 0]);
  const confidence = f32([
    [0.8, 0.2],
    [0.8, 0.2],
    [0.9, 0.1],
    [0.7, 0.3],
    [0.1, 0.9],
    [0.2, 0.8],
  ]);
  assert.deepEqual(clusterLabelsHungarian(assignments, labels, 2, 3)[1], 0);
  assertClose(accuracyMajority(assignments, labels, 2, 3), 4 / 6);
  assertClose(accuracyHungarian(assignments, labels, 2, 3), 3 / 6);
  assertClose(accuracyPaperProtocol(assignments, labels, odds(confidence, 2), 2), 3 / 6);
  assertClose(
    nmi(assignments, labels),
    Math.log(27 / 16) / 3 / ((0.6365141682948128 + 0.8675632284814612) / 2),
  );
  assertClose(nmi(assignments, labels), 0.23192429896938302);
  assertClose(ari(assignments, labels), -8 / 37);
});

describe('NMI and ARI against scikit-learn documented values', () => {
  it('[0,0,1,1] vs [0,0,1,2]', () => {
    assertClose(ari(i32([0, 0, 1, 1]), i32([0, 0, 1, 2])), 0.5714285714285715);
    assertClose(ari(i32([0, 0, 1, 2]), i32([0, 0, 1, 1])), 0.5714285714285715);
    // H = ln 2 and 1.5 ln 2, I = ln 2 -> 1 / 1.25
    assertClose(nmi(i32([0, 0, 1, 1]), i32([0, 0, 1, 2])), 0.8);
  });
  it('relabelled identical partitions', () => {
    assert.equal(ari(i32([0, 0, 1, 1]), i32([1, 1, 0, 0])), 1);
    assertClose(nmi(i32([0, 0, 1, 1]), i32([1, 1, 0, 0])), 1);
  });
  it('discordant labelings give negative ARI', () => {
    assertClose(ari(i32([0, 0, 1, 1]), i32([0, 1, 0, 1])), -0.5);
  });
  it('one class split into singletons: ARI 0, NMI 0', () => {
    assert.equal(ari(i32([0, 0, 0, 0]), i32([0, 1, 2, 3])), 0);
    assert.equal(nmi(i32([0, 0, 0, 0]), i32([0, 1, 2, 3])), 0);
  });
});

describe('degenerate cases', () => {
  it('one cluster and one class: NMI 1, ARI 1', () => {
    assert.equal(nmi(i32([3, 3, 3]), i32([1, 1, 1])), 1);
    assert.equal(ari(i32([3, 3, 3]), i32([1, 1, 1])), 1);
  });
  it('one side constant, other not: NMI 0', () => {
    assert.equal(nmi(i32([0, 0, 0, 0]), i32([0, 0, 1, 1])), 0);
    assert.equal(nmi(i32([0, 1, 1, 0]), i32([2, 2, 2, 2])), 0);
  });
  it('empty set: label metrics are NaN, no clusters used', () => {
    const metrics = clusterMetrics({
      assignments: i32([]),
      labels: i32([]),
      logOdds: new Float64Array(0),
      k: 2,
      numClasses: 2,
    });
    assert.equal(metrics.clusters_used, 0);
    for (const key of ['accuracy', 'accuracy_majority', 'accuracy_hungarian', 'nmi', 'ari'] as const) {
      assert.ok(Number.isNaN(metrics[key]), key);
    }
  });
  it('rejects out-of-range ids and mismatched lengths', () => {
    assert.throws(() => contingencyTable(i32([0, 2]), i32([0, 0]), 2, 1), RangeError);
    assert.throws(() => contingencyTable(i32([0, 1]), i32([0, -1]), 2, 1), RangeError);
    assert.throws(() => nmi(i32([0, 1]), i32([0])), RangeError);
    assert.throws(() => accuracyPaperProtocol(i32([0]), i32([0]), new Float64Array(3), 2), RangeError);
  });
});

describe('clusters_used and unlabelled data', () => {
  it('counts distinct non-empty clusters', () => {
    assert.equal(clustersUsed(i32([0, 0, 3, 3, 5])), 3);
    assert.equal(clustersUsed(i32([])), 0);
  });
  it('returns only clusters_used without labels', () => {
    const ids = [0, 2, 2, 4];
    const metrics = clusterMetrics({
      assignments: i32(ids),
      labels: null,
      logOdds: odds(peaked(ids, 5), 5),
      k: 5,
      numClasses: 0,
    });
    assert.deepEqual(metrics, { clusters_used: 3 });
  });
});
