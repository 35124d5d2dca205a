/** The cluster-by-label matrix of a projection payload. Pure, unit-tested. */

export interface ClusterLabelMatrix {
  /** Clusters that have members, ascending. */
  clusters: number[];
  labels: number[];
  /** counts[i][j]: points of clusters[i] with labels[j]. */
  counts: number[][];
  /** Per cluster row: its majority label and the fraction it makes up. */
  majority: { label: number; purity: number; size: number }[];
  max: number;
}

export function clusterLabelMatrix(cluster: readonly number[], label: readonly number[]): ClusterLabelMatrix {
  const clusterSet = [...new Set(cluster)].sort((a, b) => a - b);
  const labelSet = [...new Set(label)].sort((a, b) => a - b);
  const ci = new Map(clusterSet.map((c, i) => [c, i]));
  const li = new Map(labelSet.map((l, i) => [l, i]));
  const counts = clusterSet.map(() => labelSet.map(() => 0));
  const n = Math.min(cluster.length, label.length);
  for (let i = 0; i < n; i++) counts[ci.get(cluster[i]!)!]![li.get(label[i]!)!]!++;
  let max = 0;
  const majority = counts.map((row) => {
    let best = 0;
    let size = 0;
    row.forEach((v, j) => {
      size += v;
      if (v > row[best]!) best = j;
      if (v > max) max = v;
    });
    return { label: labelSet[best] ?? 0, purity: size ? row[best]! / size : 0, size };
  });
  return { clusters: clusterSet, labels: labelSet, counts, majority, max };
}

/**
 * Each cluster's majority label over all its test points (the matrix's rows), for the Clusters
 * tab, whose own payload holds only each cluster's most confident members.
 */
export function majorityByCluster(
  cluster: readonly number[],
  label: readonly number[],
): Map<number, { label: number; purity: number; size: number }> {
  const m = clusterLabelMatrix(cluster, label);
  return new Map(m.clusters.map((c, i) => [c, m.majority[i]!]));
}
