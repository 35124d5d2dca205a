/**
 * Names of the recorded metrics, one place for the trainer, the store, the CLI and the UI.
 * Per-epoch metrics are prefixed by split: 'train/elbo', 'test/accuracy', ...
 */
export const ELBO_TERMS = ['elbo', 'reconstruction', 'conditional_prior', 'w_prior', 'z_prior'] as const;
export type ElboTerm = (typeof ELBO_TERMS)[number];

/** `loss` is the minimised objective: -ELBO with the z-prior term replaced by max(lambda, KL). */
export const TRAIN_METRICS = [...ELBO_TERMS, 'loss'] as const;

export const CLUSTER_METRICS = [
  'accuracy',
  'accuracy_majority',
  'accuracy_hungarian',
  'nmi',
  'ari',
  'clusters_used',
] as const;
export type ClusterMetric = (typeof CLUSTER_METRICS)[number];

export type MetricSummary = Partial<Record<ElboTerm | ClusterMetric, number>>;

export const metricName = (split: 'train' | 'test', name: string): string => `${split}/${name}`;
