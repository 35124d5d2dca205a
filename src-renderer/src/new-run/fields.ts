/**
 * The New run form: one field per GmvaeConfig key, with the label and help the config's own
 * comments give, and per-field validation mirroring common/config.ts resolveConfig (so the form
 * answers as you type; the back end still validates). Pure, unit-tested.
 */
import type { BackendStatus } from '../../../src-main/common/api/contract.ts';
import {
  BACKEND_CHOICES,
  FORMULATIONS,
  INIT_SCHEMES,
  LOSS_REDUCTIONS,
  OPTIMIZERS,
  Z_PRIOR_GRADIENTS,
} from '../../../src-main/common/config.ts';
import type { BackendChoice, GmvaeConfig } from '../../../src-main/common/config.ts';
import type { DatasetInfo } from '../../../src-main/common/dataset.ts';

export type FieldKind = 'int' | 'float' | 'choice';

export interface FieldSpec {
  key: keyof GmvaeConfig;
  label: string;
  help: string;
  kind: FieldKind;
  choices?: readonly string[];
  group: 'model' | 'objective' | 'training';
}

export const FIELDS: readonly FieldSpec[] = [
  {
    key: 'model',
    label: 'Formulation',
    help: "v2: minimum information (the paper's later versions). v1: consistency term and a q(z|y) head (the paper's first version, behind its MNIST table). shu: Rui Shu's GMVAE, a baseline.",
    kind: 'choice',
    choices: FORMULATIONS,
    group: 'objective',
  },
  {
    key: 'k',
    label: 'K (clusters)',
    help: 'Mixture components in the prior: the number of clusters.',
    kind: 'int',
    group: 'model',
  },
  {
    key: 'xDim',
    label: 'Dx',
    help: 'Size of the continuous latent x whose prior is the mixture.',
    kind: 'int',
    group: 'model',
  },
  {
    key: 'wDim',
    label: 'Dw',
    help: 'Size of the noise latent w that generates the mixture parameters.',
    kind: 'int',
    group: 'model',
  },
  {
    key: 'hidden',
    label: 'Hidden units',
    help: 'Width of every hidden layer (encoder, decoder, prior network).',
    kind: 'int',
    group: 'model',
  },
  {
    key: 'arch',
    label: 'Architecture',
    help: "The paper's MLP, or its conv net (28x28 images only).",
    kind: 'choice',
    choices: ['mlp', 'conv'],
    group: 'model',
  },
  {
    key: 'likelihood',
    label: 'Likelihood',
    help: 'Bernoulli for values in [0,1], Gaussian for real-valued data.',
    kind: 'choice',
    choices: ['bernoulli', 'gaussian'],
    group: 'model',
  },
  {
    key: 'mcSamples',
    label: 'M (MC samples)',
    help: 'Monte Carlo samples of (x, w) per example per step.',
    kind: 'int',
    group: 'objective',
  },
  {
    key: 'lambda',
    label: 'λ (min. information)',
    help: 'Minimum information constraint in nats on the batch-mean z-prior KL; 0 turns it off.',
    kind: 'float',
    group: 'objective',
  },
  {
    key: 'zPriorGradient',
    label: 'p(z|x,w) gradient',
    help: "exact: the objective's gradient. authors: their code's, which negates the conditional prior's gradient through p(z|x,w) while the z-prior KL is above λ (the default for 28x28 images, where the exact gradient merges clusters).",
    kind: 'choice',
    choices: Z_PRIOR_GRADIENTS,
    group: 'objective',
  },
  {
    key: 'cvWeight',
    label: 'Consistency weight',
    help: "v1: weight of the consistency term H(p(z|x,w)). v2 with the authors' gradient: the factor on the z-prior's gradient.",
    kind: 'float',
    group: 'objective',
  },
  { key: 'epochs', label: 'Epochs', help: 'Passes over the training split.', kind: 'int', group: 'training' },
  {
    key: 'batchSize',
    label: 'Batch size',
    help: 'Examples per training step.',
    kind: 'int',
    group: 'training',
  },
  {
    key: 'lr',
    label: 'Learning rate',
    help: 'Learning rate, in (0, 1).',
    kind: 'float',
    group: 'training',
  },
  {
    key: 'optimizer',
    label: 'Optimizer',
    help: "adam, or adam-reset: Adam restarted at every step, as the authors' code ran it (a sign-like step of size lr).",
    kind: 'choice',
    choices: OPTIMIZERS,
    group: 'training',
  },
  {
    key: 'init',
    label: 'Initialisation',
    help: "glorot, or torch: Torch7's defaults (weights and biases uniform in ±1/√fan-in), as the authors' code.",
    kind: 'choice',
    choices: INIT_SCHEMES,
    group: 'training',
  },
  {
    key: 'lossReduction',
    label: 'Loss reduction',
    help: "The minimised loss as the batch mean, or its sum (the authors' code).",
    kind: 'choice',
    choices: LOSS_REDUCTIONS,
    group: 'training',
  },
  {
    key: 'seed',
    label: 'Seed',
    help: 'Fixes initialisation, data order and sampling (on a given backend).',
    kind: 'int',
    group: 'training',
  },
  {
    key: 'backend',
    label: 'Backend',
    help: 'Compute backend; auto takes the first that works.',
    kind: 'choice',
    choices: BACKEND_CHOICES,
    group: 'training',
  },
  {
    key: 'checkpointMinutes',
    label: 'Checkpoint every (min)',
    help: 'Also checkpoint within an epoch after this many minutes.',
    kind: 'float',
    group: 'training',
  },
];

/** Form values are the raw text of each input. */
export type FormValues = Record<keyof GmvaeConfig, string>;

export function toForm(config: GmvaeConfig): FormValues {
  return Object.fromEntries(FIELDS.map((f) => [f.key, String(config[f.key])])) as FormValues;
}

function parseNumber(text: string): number | null {
  const t = text.trim();
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return null;
  return Number(t);
}

/** The message for one field, or null when it is valid. */
export function fieldError(
  key: keyof GmvaeConfig,
  values: FormValues,
  info: DatasetInfo | null,
): string | null {
  const spec = FIELDS.find((f) => f.key === key)!;
  const text = values[key];
  if (spec.kind === 'choice') {
    if (!spec.choices!.includes(text)) return `choose one of ${spec.choices!.join(', ')}`;
    if (
      key === 'arch' &&
      text === 'conv' &&
      info &&
      !(info.kind === 'image' && info.shape[0] === 28 && info.shape[1] === 28)
    )
      return `the conv architecture needs 28x28 images; ${info.name} has shape ${info.shape.join('x')}`;
    if (
      key === 'likelihood' &&
      text === 'bernoulli' &&
      info &&
      (info.valueRange[0] < 0 || info.valueRange[1] > 1)
    )
      return `Bernoulli needs values in [0,1]; ${info.name} ranges over [${info.valueRange.map((v) => +v.toPrecision(3)).join(', ')}]`;
    return null;
  }
  const v = parseNumber(text);
  if (v === null) return 'enter a number';
  if (spec.kind === 'int') {
    const min = key === 'seed' ? 0 : 1;
    if (!Number.isInteger(v) || v < min) return `a whole number ≥ ${min}`;
    return null;
  }
  if ((key === 'lambda' || key === 'cvWeight') && v < 0) return 'must be ≥ 0';
  if (key === 'lr' && !(v > 0 && v < 1)) return 'must be between 0 and 1 (e.g. 1e-3)';
  if (key === 'checkpointMinutes' && !(v > 0)) return 'must be > 0';
  return null;
}

export function formErrors(
  values: FormValues,
  info: DatasetInfo | null,
): Partial<Record<keyof GmvaeConfig, string>> {
  const errors: Partial<Record<keyof GmvaeConfig, string>> = {};
  for (const f of FIELDS) {
    const e = fieldError(f.key, values, info);
    if (e) errors[f.key] = e;
  }
  return errors;
}

export function fromForm(values: FormValues): GmvaeConfig {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) out[f.key] = f.kind === 'choice' ? values[f.key] : Number(values[f.key].trim());
  return out as unknown as GmvaeConfig;
}

/** Only the settings that differ from the dataset's defaults (what NewRunRequest.overrides wants). */
export function overrides(config: GmvaeConfig, defaults: GmvaeConfig): Partial<GmvaeConfig> {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) if (config[f.key] !== defaults[f.key]) out[f.key] = config[f.key];
  return out as Partial<GmvaeConfig>;
}

/**
 * The backend 'auto' would pick, as the back end does: the first available in the order the
 * back end lists them, passing over those that cannot train convolutions for conv runs.
 */
export function backendToUse(
  choice: BackendChoice,
  arch: string,
  backends: readonly BackendStatus[],
): { name: string | null; reason: string } {
  if (choice !== 'auto') {
    const b = backends.find((x) => x.name === choice);
    if (!b) return { name: choice, reason: 'requested' };
    return b.available
      ? { name: b.name, reason: b.detail }
      : { name: null, reason: `${b.name} is not available: ${b.detail}` };
  }
  for (const b of backends) {
    if (!b.available || (arch === 'conv' && !b.trainsConv)) continue;
    return { name: b.name, reason: b.detail };
  }
  return { name: null, reason: 'no backend is available' };
}
