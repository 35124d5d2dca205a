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
}

export interface ReconstructionsPayload {
  shape: number[];
  indices: number[];
  originals: number[][];
  reconstructions: number[][];
}

export interface ClusterSamplesPayload {
  shape: number[];
  clusters: {
    k: number;
    size: number;
    /** Test examples with the highest p(z_k | .) among the cluster's members. */
    members: { index: number; confidence: number; label: number | null; values: number[] }[];
    /** Generated from component k: w ~ p(w), x ~ p(x | w, z = k), y = E[y | x]. */
    samples: number[][];
  }[];
}
