/**
 * Names of the recorded metrics, one place for the trainer, the store, the CLI and the UI.
 * Per-epoch metrics are prefixed by split: 'train/elbo', 'test/accuracy', ...
 */
export const ELBO_TERMS = ['elbo', 'reconstruction', 'conditional_prior', 'w_prior', 'z_prior'] as const;
export type ElboTerm = (typeof ELBO_TERMS)[number];

/**
 * What a training step records. `loss` is the minimised objective per example (v2: -ELBO with the
 * z-prior term replaced by max(lambda, KL); v1: -ELBO + cvWeight * consistency + balanceWeight *
 * balance); `consistency` is v1's H(p(z|x,w)), `balance` the KL of the batch's mean q(z|y) from
 * uniform (v1, Shu). A formulation records the terms it has (no w_prior in Shu's model).
 * The order is stored in checkpoints (the running sums of an epoch): append, never reorder.
 */
export const TRAIN_METRICS = [...ELBO_TERMS, 'loss', 'consistency', 'balance'] as const;
export type TrainMetric = (typeof TRAIN_METRICS)[number];
/** Terms evaluated on the test split: the ELBO's, and v1's consistency. */
export const TEST_TERMS = [...ELBO_TERMS, 'consistency'] as const;
export type TestTerm = (typeof TEST_TERMS)[number];

export const CLUSTER_METRICS = [
  'accuracy',
  'accuracy_majority',
  'accuracy_hungarian',
  'nmi',
  'ari',
  'clusters_used',
] as const;
export type ClusterMetric = (typeof CLUSTER_METRICS)[number];

/**
 * v1 only: the paper-protocol accuracy of Bayes' rule p(z|x,w), and the fraction of examples on
 * which it agrees with the q(z|y) assignment the formulation reports.
 */
export const BAYES_METRICS = ['accuracy_bayes', 'bayes_agreement'] as const;
export type BayesMetric = (typeof BAYES_METRICS)[number];

export type MetricSummary = Partial<Record<TestTerm | ClusterMetric | BayesMetric, number>>;

/**
 * The engine's memory at the end of each epoch: live tensors, their bytes, and (GPU backends)
 * the bytes held on the device. A training run that leaks grows these from epoch to epoch.
 */
export const MEMORY_METRICS = ['memory/tensors', 'memory/bytes', 'memory/gpu_bytes'] as const;

export const metricName = (split: 'train' | 'test', name: string): string => `${split}/${name}`;

/**
 * What the trainer logs every few steps within an epoch (the step's loss and ELBO, and the
 * learning rate it stepped with: see the lrSchedule setting); every other metric is per epoch.
 */
export const STEP_METRICS = ['train/step_loss', 'train/step_elbo', 'train/lr'] as const;
export const isStepMetric = (name: string): boolean => (STEP_METRICS as readonly string[]).includes(name);
