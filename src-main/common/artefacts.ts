/**
 * Payloads of the stored artefacts (see run.ts ArtefactKind): what the evaluation computes
 * (engine/evaluation/artefacts.ts) and the interface draws. Plain JSON. Runs anywhere.
 */

export interface ProjectionPayload {
  /** Test examples projected (the first n of the test split). */
  n: number;
  cluster: number[];
  /** True label per point, or null when the dataset has none. */
  label: number[] | null;
  /** p(z = cluster | .) per point. */
  confidence: number[];
  /** [n * 2] PCA coordinates of the posterior means mu_x and mu_w (null: the model has no w). */
  pcaX: number[];
  pcaW: number[] | null;
  /** UMAP of mu_x on a seeded subsample: which points, and their [m * 2] coordinates. */
  umapX: { indices: number[]; coords: number[] };
  /**
   * v1 only: the clusters of the Bayes posterior p(z|x,w), beside `cluster` and `confidence`,
   * which are q(z|y)'s (docs/model.md, "Two cluster rules in v1"). Absent for other models and
   * for artefacts stored before v1 recorded both.
   */
  bayes?: { cluster: number[]; confidence: number[] };
}

export interface ReconstructionsPayload {
  shape: number[];
  indices: number[];
  originals: number[][];
  reconstructions: number[][];
}

export interface ClusterMember {
  index: number;
  confidence: number;
  label: number | null;
  values: number[];
}

export interface ClusterSamplesPayload {
  shape: number[];
  clusters: {
    k: number;
    size: number;
    /** Test examples with the highest p(z_k | .) among the cluster's members. */
    members: ClusterMember[];
    /** Generated from component k: w ~ p(w), x ~ p(x | w, z = k), y = E[y | x]. */
    samples: number[][];
  }[];
  /** v1 only: each cluster's size and most confident members under p(z|x,w) (see ProjectionPayload.bayes). */
  bayes?: { size: number; members: ClusterMember[] }[];
  /**
   * 2-D data only: the test set's points (the first 2,000, flattened as x0, y0, x1,
   * y1, ...), drawn faintly beneath each cluster's picture so its members show where they lie.
   */
  points?: number[];
}
