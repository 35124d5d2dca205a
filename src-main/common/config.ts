/**
 * The full configuration of one GMVAE run: every field has a one-line reason.
 * Defaults follow the dataset (see `defaultConfigFor`); a run stores the resolved config.
 * Runs anywhere.
 */
import type { DatasetInfo } from './dataset.ts';

export type Architecture = 'mlp' | 'conv';
export type Likelihood = 'bernoulli' | 'gaussian';
export type BackendChoice = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'blas' | 'wasm' | 'cpu';
/**
 * How the gradient reaches p(z|x,w) through the conditional-prior term. 'exact': the gradient
 * of the objective (gmvae-model.md). 'authors': as the authors' Torch code computes it, which
 * negates that gradient while the batch-mean z-prior KL is above lambda (see docs/model.md).
 */
export type ZPriorGradient = 'exact' | 'authors';
export const Z_PRIOR_GRADIENTS: readonly ZPriorGradient[] = ['exact', 'authors'];
/**
 * Which GMVAE objective trains (docs/model.md, "Three formulations"). 'v2': the paper's later
 * versions, the minimum information constraint, clusters read from Bayes' rule p(z|x,w). 'v1': the
 * paper's first version, a recognition head q(z|y) plus the consistency term H(p(z|x,w)), clusters
 * read from q(z|y). 'shu': Rui Shu's GMVAE, a categorical q(z|y) and a Gaussian q(x|y,z) per
 * cluster, z summed out exactly; a baseline none of the paper's code has.
 */
export type Formulation = 'v2' | 'v1' | 'shu';
export const FORMULATIONS: readonly Formulation[] = ['v2', 'v1', 'shu'];
/**
 * 'adam': Adam as published. 'adam-reset': what the authors' Torch code ran, Adam with its state
 * rebuilt at every step, i.e. the per-element update -lr * g / (|g| + 3.16e-7) (docs/model.md).
 */
export type OptimizerChoice = 'adam' | 'adam-reset';
export const OPTIMIZERS: readonly OptimizerChoice[] = ['adam', 'adam-reset'];
/** Initial weights: Glorot-uniform kernels and zero biases, or Torch7's layer defaults. */
export type InitScheme = 'glorot' | 'torch';
export const INIT_SCHEMES: readonly InitScheme[] = ['glorot', 'torch'];
/** The minimised loss as the batch's mean per example, or its sum (the authors' code). */
export type LossReduction = 'mean' | 'sum';
export const LOSS_REDUCTIONS: readonly LossReduction[] = ['mean', 'sum'];
export const BACKEND_CHOICES: readonly BackendChoice[] = [
  'auto',
  'tensorflow-gpu',
  'tensorflow',
  'blas',
  'wasm',
  'cpu',
];

export interface GmvaeConfig {
  /** The objective: 'v2' minimum information, 'v1' consistency (the paper's first version), 'shu'. */
  model: Formulation;
  /** Encoder/decoder family: the paper's MLP, or its conv net for 28x28 images. */
  arch: Architecture;
  /** K: number of mixture components (clusters) in the prior. */
  k: number;
  /** Dx: size of the continuous latent x whose prior is the mixture. */
  xDim: number;
  /** Dw: size of the noise latent w that generates the mixture's parameters. */
  wDim: number;
  /** Width of every hidden layer (encoder trunk, decoder, prior network). */
  hidden: number;
  /** M: Monte Carlo samples of (x, w) per example per step. */
  mcSamples: number;
  /** Minimum information constraint in nats on the batch-mean z-prior KL; 0 = off. */
  lambda: number;
  /** 'exact' (the objective's gradient) or 'authors' (their code's sign flip, for comparison). */
  zPriorGradient: ZPriorGradient;
  /**
   * v1: weight of the consistency term H(p(z|x,w)). v2 with the authors' gradient: the factor
   * their code puts on the z-prior's gradient (the same command-line option). Unused otherwise.
   */
  cvWeight: number;
  /** p(y|x): Bernoulli for values in [0,1], Gaussian for real-valued data. */
  likelihood: Likelihood;
  /** Passes over the training split. */
  epochs: number;
  batchSize: number;
  /** Learning rate (the step size of 'adam-reset'). */
  lr: number;
  /** 'adam', or the authors' code's Adam restarted at every step. */
  optimizer: OptimizerChoice;
  /** Initial weights: 'glorot' or Torch7's defaults ('torch', the authors' code). */
  init: InitScheme;
  /** The loss as the batch mean ('mean') or sum ('sum', the authors' code). */
  lossReduction: LossReduction;
  /** Fixes initialisation, data order and sampling (on a given backend). */
  seed: number;
  /** Compute backend requested; the one actually used is recorded on the run. */
  backend: BackendChoice;
  /** Also checkpoint within an epoch after this many minutes, so long epochs lose little. */
  checkpointMinutes: number;
}

export const CONFIG_KEYS = [
  'model',
  'arch',
  'k',
  'xDim',
  'wDim',
  'hidden',
  'mcSamples',
  'lambda',
  'zPriorGradient',
  'cvWeight',
  'likelihood',
  'epochs',
  'batchSize',
  'lr',
  'optimizer',
  'init',
  'lossReduction',
  'seed',
  'backend',
  'checkpointMinutes',
] as const satisfies readonly (keyof GmvaeConfig)[];

/**
 * The value of each setting added after the first runs were stored, as those runs trained: a
 * stored config that lacks a key is read with it (so old runs stay comparable and resumable).
 */
export const LEGACY_DEFAULTS: Pick<
  GmvaeConfig,
  'model' | 'cvWeight' | 'optimizer' | 'init' | 'lossReduction'
> = { model: 'v2', cvWeight: 1, optimizer: 'adam', init: 'glorot', lossReduction: 'mean' };

/** The paper's synthetic experiment (authors' code): MLP 100, K 8, Dx = Dw = 2, batch 200, 500 epochs. */
export const SYNTHETIC_PRESET: Omit<GmvaeConfig, 'seed' | 'backend'> = {
  ...LEGACY_DEFAULTS,
  arch: 'mlp',
  k: 8,
  xDim: 2,
  wDim: 2,
  hidden: 100,
  mcSamples: 1,
  lambda: 0.5,
  zPriorGradient: 'exact',
  likelihood: 'gaussian',
  epochs: 500,
  batchSize: 200,
  lr: 1e-3,
  checkpointMinutes: 5,
};

/**
 * The paper's MNIST settings on its MLP (Table 1 itself used the conv network, batch 50: see
 * engine/reproduce/experiments.ts): MLP 500, Dx 200, Dw 150, Adam 1e-4, 100 epochs, M = 1, and the
 * z-prior gradient as the authors' code computes it: with the objective's exact gradient the
 * clusters merge within a few epochs on MNIST (docs/results.md, `gmvae reproduce mnist-gradient`).
 */
export const MNIST_PRESET: Omit<GmvaeConfig, 'seed' | 'backend'> = {
  ...LEGACY_DEFAULTS,
  arch: 'mlp',
  k: 16,
  xDim: 200,
  wDim: 150,
  hidden: 500,
  mcSamples: 1,
  lambda: 0.5,
  zPriorGradient: 'authors',
  likelihood: 'bernoulli',
  epochs: 100,
  batchSize: 100,
  lr: 1e-4,
  checkpointMinutes: 5,
};

/**
 * Defaults that follow the dataset: the synthetic preset for `spiral`, the MNIST preset for
 * 28x28 single-channel images, and for anything else an MLP sized to the data
 * (Dx = min(200, max(2, D/4)), K = the number of labels or 10, likelihood from the value range,
 * the exact gradient: the authors' sign is the MNIST remedy, not known to help elsewhere).
 */
export function defaultConfigFor(info: DatasetInfo): GmvaeConfig {
  const common = { seed: 1, backend: 'auto' as BackendChoice };
  if (info.name === 'spiral') return { ...SYNTHETIC_PRESET, ...common };
  const [h, w, c] = info.shape;
  if (info.kind === 'image' && h === 28 && w === 28 && (c ?? 1) === 1) return { ...MNIST_PRESET, ...common };
  const d = info.shape.reduce((a, b) => a * b, 1);
  const inUnitRange = info.valueRange[0] >= 0 && info.valueRange[1] <= 1;
  const xDim = Math.min(200, Math.max(2, Math.round(d / 4)));
  return {
    ...MNIST_PRESET,
    ...common,
    k: info.numClasses > 1 ? info.numClasses : 10,
    xDim,
    wDim: Math.max(2, Math.round(xDim * 0.75)),
    hidden: d > 100 ? 500 : 100,
    likelihood: inUnitRange ? 'bernoulli' : 'gaussian',
    zPriorGradient: 'exact',
    lr: 1e-3,
    epochs: 50,
  };
}

/** Thrown for a configuration that cannot train; the message names the field. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Merges user overrides into the dataset's defaults and checks every field.
 * Unknown keys are errors (a typo must not silently train with a default).
 */
export function resolveConfig(info: DatasetInfo, overrides: Record<string, unknown>): GmvaeConfig {
  const config: Record<string, unknown> = { ...defaultConfigFor(info) };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) throw new ConfigError(`unknown setting '${key}'`);
    config[key] = value;
  }
  const c = config as unknown as GmvaeConfig;
  const positiveInt = (key: keyof GmvaeConfig, min = 1): void => {
    const v = c[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
      throw new ConfigError(`${key} must be an integer >= ${min}, got ${String(v)}`);
  };
  positiveInt('k', 1);
  positiveInt('xDim');
  positiveInt('wDim');
  positiveInt('hidden');
  positiveInt('mcSamples');
  positiveInt('epochs');
  positiveInt('batchSize');
  positiveInt('seed', 0);
  if (!(typeof c.lambda === 'number' && c.lambda >= 0)) throw new ConfigError(`lambda must be >= 0`);
  if (!(typeof c.lr === 'number' && c.lr > 0 && c.lr < 1)) throw new ConfigError(`lr must be in (0, 1)`);
  if (!(typeof c.cvWeight === 'number' && c.cvWeight >= 0)) throw new ConfigError(`cvWeight must be >= 0`);
  const oneOf = <T extends string>(key: keyof GmvaeConfig, choices: readonly T[]): void => {
    if (!choices.includes(c[key] as T)) throw new ConfigError(`${key} must be one of ${choices.join(', ')}`);
  };
  oneOf('model', FORMULATIONS);
  oneOf('optimizer', OPTIMIZERS);
  oneOf('init', INIT_SCHEMES);
  oneOf('lossReduction', LOSS_REDUCTIONS);
  if (!(typeof c.checkpointMinutes === 'number' && c.checkpointMinutes > 0))
    throw new ConfigError(`checkpointMinutes must be > 0`);
  if (c.arch !== 'mlp' && c.arch !== 'conv') throw new ConfigError(`arch must be 'mlp' or 'conv'`);
  if (!Z_PRIOR_GRADIENTS.includes(c.zPriorGradient))
    throw new ConfigError(`zPriorGradient must be one of ${Z_PRIOR_GRADIENTS.join(', ')}`);
  if (c.likelihood !== 'bernoulli' && c.likelihood !== 'gaussian')
    throw new ConfigError(`likelihood must be 'bernoulli' or 'gaussian'`);
  if (!BACKEND_CHOICES.includes(c.backend))
    throw new ConfigError(`backend must be one of ${BACKEND_CHOICES.join(', ')}`);
  if (c.arch === 'conv' && !(info.kind === 'image' && info.shape[0] === 28 && info.shape[1] === 28))
    throw new ConfigError(
      `the conv architecture needs 28x28 images; ${info.name} has shape ${info.shape.join('x')}`,
    );
  if (c.likelihood === 'bernoulli' && (info.valueRange[0] < 0 || info.valueRange[1] > 1))
    throw new ConfigError(
      `a Bernoulli likelihood needs values in [0,1]; ${info.name} ranges over [${info.valueRange.join(', ')}]`,
    );
  return c;
}
