/**
 * Every run setting, declared once. Each entry gives what the interfaces need to show, take
 * and check the setting: its label and help, its kind and range or choices, its `gmvae train`
 * flag, how its value is written, its group in the New run form, whether its default follows
 * the dataset, and the formulations it applies to. `GmvaeConfig` is derived from this table,
 * and so are the CLI's options, `resolveConfig`'s checks, the New run form, the runs table's
 * setting columns, the hyperparameter panel and Compare. Adding a setting is one entry here,
 * its default value in config.ts's presets, and its use in the engine.
 * The default values themselves live in config.ts (`defaultConfigFor` and the presets).
 * Runs anywhere: no Node or DOM API.
 */
import type { DatasetInfo } from './dataset.ts';

/**
 * Which GMVAE objective trains (docs/model.md, "Three formulations"). 'v2': the paper's later
 * versions, the minimum information constraint, clusters read from Bayes' rule p(z|x,w). 'v1': the
 * paper's first version, a recognition head q(z|y) plus the consistency term H(p(z|x,w)), clusters
 * read from q(z|y). 'shu': Rui Shu's GMVAE, a categorical q(z|y) and a Gaussian q(x|y,z) per
 * cluster, z summed out exactly; a baseline none of the paper's code has.
 */
export const FORMULATIONS = ['v2', 'v1', 'shu'] as const;
export const ARCHITECTURES = ['mlp', 'conv'] as const;
export const LIKELIHOODS = ['bernoulli', 'gaussian'] as const;
/** How the gradient reaches p(z|x,w): see the zPriorGradient entry's help and docs/model.md. */
export const Z_PRIOR_GRADIENTS = ['exact', 'authors'] as const;
/**
 * 'adam': Adam as published. 'adam-reset': what the authors' Torch code ran, Adam with its state
 * rebuilt at every step, i.e. the per-element update -lr * g / (|g| + 3.16e-7) (docs/model.md).
 */
export const OPTIMIZERS = ['adam', 'adam-reset'] as const;
/** The learning rate over a run: fixed, or annealed to 0 along a half cosine (training/lr-schedule.ts). */
export const LR_SCHEDULES = ['constant', 'cosine'] as const;
/** Initial weights: Glorot-uniform kernels and zero biases, or Torch7's layer defaults. */
export const INIT_SCHEMES = ['glorot', 'torch'] as const;
/** The minimised loss as the batch's mean per example, or its sum (the authors' code). */
export const LOSS_REDUCTIONS = ['mean', 'sum'] as const;
/**
 * In the order `auto` tries them. webgpu comes after blas: on an NVIDIA H200 it trained the MNIST
 * MLP at about half blas's speed on the same machine's CPU, its step bound by tfjs-backend-webgpu's
 * per-op encoding on the CPU (docs/performance.md). tfjs-node's CPU backend, ahead of blas since
 * before, was not measured against it.
 */
export const BACKEND_CHOICES = [
  'auto',
  'tensorflow-gpu',
  'tensorflow',
  'blas',
  'webgpu',
  'wasm',
  'cpu',
] as const;

export type Formulation = (typeof FORMULATIONS)[number];
export type Architecture = (typeof ARCHITECTURES)[number];
export type Likelihood = (typeof LIKELIHOODS)[number];
export type ZPriorGradient = (typeof Z_PRIOR_GRADIENTS)[number];
export type OptimizerChoice = (typeof OPTIMIZERS)[number];
export type LrSchedule = (typeof LR_SCHEDULES)[number];
export type InitScheme = (typeof INIT_SCHEMES)[number];
export type LossReduction = (typeof LOSS_REDUCTIONS)[number];
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export type SettingKind = 'int' | 'float' | 'choice';
export type SettingGroup = 'model' | 'objective' | 'training';

/**
 * The settings an applicability rule may read. Spelled out from the choice lists rather than
 * taken from GmvaeConfig, which is derived from the table and so cannot type the table itself.
 */
export interface ApplicabilityContext {
  model: Formulation;
  zPriorGradient: ZPriorGradient;
}

interface SettingBase {
  /** The GmvaeConfig key: the name in stored configs, the API and `--json` output. */
  key: string;
  /** What the interfaces call it. */
  label: string;
  /** One or two sentences: what it does (the form's help, the CLI's option text, tooltips). */
  help: string;
  group: SettingGroup;
  /** The `gmvae train` option. Written out, not derived from the key: it is a public name. */
  flag: `--${string}`;
  /** The option's value in `gmvae train --help`; choices default to `<a|b|c>`, numbers to `<n>`. */
  placeholder?: string;
  /** How the default follows the dataset (see config.ts defaultConfigFor); absent: one default for all. */
  followsDataset?: string;
  /** The runs whose objective reads this setting; absent: every run. */
  appliesTo?: { when: (config: ApplicabilityContext) => boolean; why: string };
  /** A column in the runs table (the app's and `gmvae runs list`). */
  column?: {
    header: string;
    title: string;
    /** The header where only ASCII reads well (a terminal). */ plain?: string;
  };
}

export interface NumberSetting extends SettingBase {
  kind: 'int' | 'float';
  /** Smallest allowed value, itself allowed unless `minOpen`. */
  min: number;
  minOpen?: boolean;
  /** Largest allowed value, itself allowed unless `maxOpen`; absent: no bound. */
  max?: number;
  maxOpen?: boolean;
  /** A typical value, quoted in the message for an out-of-range one. */
  example?: string;
  /** How a value is written; absent: as JavaScript writes it. */
  format?: (value: number) => string;
}

export interface ChoiceSetting extends SettingBase {
  kind: 'choice';
  choices: readonly string[];
  /** A check against the dataset: the message when the value cannot train on it. */
  check?: (value: string, info: DatasetInfo) => string | null;
}

export type Setting = NumberSetting | ChoiceSetting;

/** Learning rates and other small positives: 1e-3 stays 1e-3, 0.5 stays 0.5. */
export function formatSmall(value: number): string {
  if (value > 0 && value < 0.01) {
    const exp = Math.floor(Math.log10(value));
    const mant = value / 10 ** exp;
    return `${Math.abs(mant - Math.round(mant)) < 1e-9 ? Math.round(mant) : mant.toFixed(1)}e${exp}`;
  }
  return String(value);
}

const rounded = (v: number): number => +v.toPrecision(3);

/** The table. Its order is the order of the form's fields, the CLI's options and every list of settings. */
const TABLE = [
  {
    key: 'k',
    label: 'K (clusters)',
    help: 'Mixture components in the prior: the number of clusters.',
    kind: 'int',
    min: 1,
    group: 'model',
    flag: '--k',
    followsDataset:
      "8 on spiral, 16 on 28x28 images, else the dataset's number of labels (10 without labels)",
    column: { header: 'K', title: 'mixture components' },
  },
  {
    key: 'xDim',
    label: 'Dx',
    help: 'Size of the continuous latent x whose prior is the mixture.',
    kind: 'int',
    min: 1,
    group: 'model',
    flag: '--x-dim',
    followsDataset: '2 on spiral, 200 on 28x28 images, else a quarter of the input size (2 to 200)',
  },
  {
    key: 'wDim',
    label: 'Dw',
    help: 'Size of the noise latent w that generates the mixture parameters.',
    kind: 'int',
    min: 1,
    group: 'model',
    flag: '--w-dim',
    followsDataset: '2 on spiral, 150 on 28x28 images, else three quarters of Dx (at least 2)',
  },
  {
    key: 'hidden',
    label: 'Hidden units',
    help: 'Width of every hidden layer (encoder, decoder, prior network).',
    kind: 'int',
    min: 1,
    group: 'model',
    flag: '--hidden',
    followsDataset: '500 for inputs of over 100 values, else 100',
  },
  {
    key: 'arch',
    label: 'Architecture',
    help: "The paper's MLP, or its conv net (28x28 images only).",
    kind: 'choice',
    choices: ARCHITECTURES,
    group: 'model',
    flag: '--arch',
    column: { header: 'Network', title: 'mlp or conv', plain: 'arch' },
    check: (value, info) =>
      value === 'conv' && !(info.kind === 'image' && info.shape[0] === 28 && info.shape[1] === 28)
        ? `the conv architecture needs 28x28 images; ${info.name} has shape ${info.shape.join('x')}`
        : null,
    followsDataset: 'conv on 28x28 images, mlp elsewhere',
  },
  {
    key: 'likelihood',
    label: 'Likelihood',
    help: 'p(y|x): Bernoulli for values in [0,1], Gaussian for real-valued data.',
    kind: 'choice',
    choices: LIKELIHOODS,
    group: 'model',
    flag: '--likelihood',
    followsDataset: 'Bernoulli when the values lie in [0,1], else Gaussian',
    check: (value, info) =>
      value === 'bernoulli' && (info.valueRange[0] < 0 || info.valueRange[1] > 1)
        ? `a Bernoulli likelihood needs values in [0,1]; ${info.name} ranges over [${info.valueRange.map(rounded).join(', ')}]`
        : null,
  },
  {
    key: 'model',
    label: 'Formulation',
    help: "v2: minimum information (the paper's later versions). v1: consistency term and a q(z|y) head (the paper's first version, behind its MNIST table). shu: Rui Shu's GMVAE, a baseline. See docs/model.md.",
    kind: 'choice',
    choices: FORMULATIONS,
    group: 'objective',
    flag: '--model',
    column: { header: 'Formulation', title: 'v1, v2 or shu', plain: 'model' },
    followsDataset:
      "v1 on 28x28 images (with the authors' training and conv network: docs/results.md, what clusters MNIST best), v2 elsewhere",
  },
  {
    key: 'mcSamples',
    label: 'M (MC samples)',
    help: 'Monte Carlo samples of (x, w) per example per step.',
    kind: 'int',
    min: 1,
    group: 'objective',
    flag: '--mc-samples',
    column: { header: 'M', title: 'Monte Carlo samples' },
  },
  {
    key: 'lambda',
    label: 'λ (min. information)',
    help: 'Minimum information constraint in nats on the batch-mean z-prior KL; 0 turns it off.',
    kind: 'float',
    min: 0,
    group: 'objective',
    flag: '--lambda',
    placeholder: '<nats>',
    appliesTo: {
      when: (c) => c.model === 'v2',
      why: 'only the v2 objective has the minimum information constraint',
    },
    column: { header: 'λ', title: 'minimum information constraint', plain: 'lambda' },
  },
  {
    key: 'zPriorGradient',
    label: 'p(z|x,w) gradient',
    // The one place the interfaces explain the authors' gradient; docs/model.md has the detail.
    help: "exact: the objective's gradient. authors: as the authors' code computes it, which negates the conditional prior's gradient through p(z|x,w) while the batch-mean z-prior KL is above λ (where the exact gradient merges the clusters on 28x28 images). See docs/model.md.",
    kind: 'choice',
    choices: Z_PRIOR_GRADIENTS,
    group: 'objective',
    flag: '--z-prior-gradient',
    followsDataset: 'authors on 28x28 images, exact elsewhere',
    appliesTo: {
      when: (c) => c.model === 'v2',
      why: 'only the v2 objective has the z-prior term this gradient concerns',
    },
  },
  {
    key: 'cvWeight',
    label: 'Consistency weight',
    help: "v1: weight of the consistency term H(p(z|x,w)). v2 with the authors' gradient: the factor their code puts on the z-prior's gradient.",
    kind: 'float',
    min: 0,
    group: 'objective',
    flag: '--cv-weight',
    placeholder: '<w>',
    followsDataset: '0.4 on 28x28 images, 1 elsewhere',
    appliesTo: {
      when: (c) => c.model === 'v1' || (c.model === 'v2' && c.zPriorGradient === 'authors'),
      why: "only v1, and v2 with the authors' gradient, read it",
    },
  },
  {
    key: 'balanceWeight',
    label: 'Cluster balance weight',
    help: 'Weight of KL(mean over the batch of q(z|y) || uniform), which asks the batch to use the K clusters equally; 0 leaves the objective as published. Not in any version of the paper (docs/model.md).',
    kind: 'float',
    min: 0,
    group: 'objective',
    flag: '--balance-weight',
    placeholder: '<w>',
    appliesTo: {
      when: (c) => c.model === 'v1' || c.model === 'shu',
      why: "only v1 and Shu's GMVAE have the q(z|y) it balances",
    },
  },
  {
    key: 'epochs',
    label: 'Epochs',
    help: 'Passes over the training split.',
    kind: 'int',
    min: 1,
    group: 'training',
    flag: '--epochs',
    followsDataset: '500 on spiral, 100 on 28x28 images, 50 elsewhere',
    column: { header: 'Epochs', title: 'training epochs' },
  },
  {
    key: 'batchSize',
    label: 'Batch size',
    help: 'Examples per training step.',
    kind: 'int',
    min: 1,
    group: 'training',
    flag: '--batch-size',
    followsDataset: '200 on spiral, 50 on 28x28 images, 100 elsewhere',
  },
  {
    key: 'lr',
    label: 'Learning rate',
    help: "Adam's learning rate (the step size of adam-reset), in (0, 1).",
    kind: 'float',
    min: 0,
    minOpen: true,
    max: 1,
    maxOpen: true,
    example: '1e-3',
    format: formatSmall,
    group: 'training',
    flag: '--lr',
    placeholder: '<rate>',
    followsDataset: '1e-4 on 28x28 images, 1e-3 elsewhere',
    column: { header: 'lr', title: 'learning rate' },
  },
  {
    key: 'lrSchedule',
    label: 'Learning-rate schedule',
    help: 'constant, or cosine: the rate falls from lr to 0 over the run along a half cosine, so the last epochs settle.',
    kind: 'choice',
    choices: LR_SCHEDULES,
    group: 'training',
    flag: '--lr-schedule',
    column: { header: 'Schedule', title: 'constant, or cosine down to 0' },
  },
  {
    key: 'optimizer',
    label: 'Optimizer',
    help: "adam, or adam-reset: Adam restarted at every step, as the authors' code ran it (a sign-like step of size lr).",
    kind: 'choice',
    choices: OPTIMIZERS,
    group: 'training',
    flag: '--optimizer',
    followsDataset: "adam-reset on 28x28 images (the authors' training), adam elsewhere",
  },
  {
    key: 'init',
    label: 'Initialisation',
    help: "glorot, or torch: Torch7's defaults (weights and biases uniform in ±1/√fan-in), as the authors' code.",
    kind: 'choice',
    choices: INIT_SCHEMES,
    group: 'training',
    flag: '--init',
    followsDataset: 'torch on 28x28 images, glorot elsewhere',
  },
  {
    key: 'lossReduction',
    label: 'Loss reduction',
    help: "The minimised loss as the batch mean, or its sum (the authors' code).",
    kind: 'choice',
    choices: LOSS_REDUCTIONS,
    group: 'training',
    flag: '--loss-reduction',
    followsDataset: 'sum on 28x28 images, mean elsewhere',
  },
  {
    key: 'seed',
    label: 'Seed',
    help: 'Fixes initialisation, data order and sampling (on a given backend).',
    kind: 'int',
    min: 0,
    group: 'training',
    flag: '--seed',
  },
  {
    key: 'backend',
    label: 'Backend',
    help: 'Compute backend; auto takes the first that works. The one used is recorded on the run.',
    kind: 'choice',
    choices: BACKEND_CHOICES,
    group: 'training',
    flag: '--backend',
    placeholder: '<name>',
  },
  {
    key: 'checkpointMinutes',
    label: 'Checkpoint every (min)',
    help: 'Also checkpoint within an epoch after this many minutes, so long epochs lose little.',
    kind: 'float',
    min: 0,
    minOpen: true,
    group: 'training',
    flag: '--checkpoint-minutes',
    placeholder: '<minutes>',
  },
] as const satisfies readonly Setting[];

type Entry = (typeof TABLE)[number];

/** The full configuration of one run: one field per table entry, a choice's union or a number. */
export type GmvaeConfig = {
  -readonly [E in Entry as E['key']]: E extends { readonly choices: readonly (infer C)[] } ? C : number;
};

export type SettingKey = keyof GmvaeConfig;

/** One table entry, for code that reads any of them. */
export type SettingSpec = Setting & { key: SettingKey };

/** The table, in its order. */
export const SETTINGS: readonly SettingSpec[] = TABLE;

export const SETTING_KEYS: readonly SettingKey[] = SETTINGS.map((s) => s.key);

const BY_KEY = new Map<string, SettingSpec>(SETTINGS.map((s) => [s.key, s]));

export function isSettingKey(key: string): key is SettingKey {
  return BY_KEY.has(key);
}

export function setting(key: SettingKey): SettingSpec {
  return BY_KEY.get(key)!;
}

export type ColumnKey = Extract<Entry, { column: object }>['key'];
type ColumnSetting = SettingSpec & { key: ColumnKey; column: NonNullable<Setting['column']> };

/** Settings with a runs-table column, in table order. */
export const COLUMN_SETTINGS: readonly ColumnSetting[] = SETTINGS.filter(
  (s): s is ColumnSetting => s.column !== undefined,
);

/** A value as every interface writes it (learning rates as 1e-4); missing values as '—'. */
export function formatSetting(key: SettingKey, value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const spec = setting(key);
  return typeof value === 'number' && spec.kind !== 'choice' && spec.format
    ? spec.format(value)
    : String(value);
}

/**
 * A run's value of a setting as tables show it: null where its formulation does not read the
 * setting (λ of a v1 or Shu run), so no table lists a value the run never used.
 */
export function appliedValue<K extends SettingKey>(
  key: K,
  config: ApplicabilityContext & Partial<Record<K, string | number>>,
): string | number | null {
  return notApplicable(key, config) ? null : (config[key] ?? null);
}

/** Why the setting does not apply to this configuration, or null when it does. */
export function notApplicable(key: SettingKey, config: ApplicabilityContext): string | null {
  const rule = setting(key).appliesTo;
  return rule && !rule.when(config) ? rule.why : null;
}

function rangeText(spec: NumberSetting): string {
  const lower = `${spec.minOpen ? '>' : '≥'} ${spec.min}`;
  if (spec.max === undefined)
    return spec.kind === 'int' ? `must be a whole number ${lower}` : `must be ${lower}`;
  const between =
    spec.minOpen && spec.maxOpen
      ? `between ${spec.min} and ${spec.max}`
      : `${lower} and ${spec.maxOpen ? '<' : '≤'} ${spec.max}`;
  return `must be ${spec.kind === 'int' ? 'a whole number ' : ''}${between}${spec.example ? ` (e.g. ${spec.example})` : ''}`;
}

/**
 * The problem with one value, as a phrase that follows the setting's name ("must be ≥ 0"), or
 * null when the table allows it. The form (as you type) and resolveConfig (for every front
 * end) both ask this, so they agree.
 */
export function valueError(key: SettingKey, value: unknown): string | null {
  const spec = setting(key);
  if (spec.kind === 'choice')
    return typeof value === 'string' && spec.choices.includes(value)
      ? null
      : `must be one of ${spec.choices.join(', ')}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
  const inRange =
    (spec.kind === 'float' || Number.isInteger(value)) &&
    (spec.minOpen ? value > spec.min : value >= spec.min) &&
    (spec.max === undefined || (spec.maxOpen ? value < spec.max : value <= spec.max));
  return inRange ? null : rangeText(spec);
}

/** Why an allowed value cannot train on this dataset (a sentence), or null when it can. */
export function datasetError(key: SettingKey, value: unknown, info: DatasetInfo): string | null {
  const spec = setting(key);
  return spec.kind === 'choice' && spec.check && typeof value === 'string' ? spec.check(value, info) : null;
}
