/**
 * The authors' scripts as presets: each of their MNIST commands (`run.sh mnist_fc`, `run.sh
 * mnist`) under each version of their code (branch master = the paper's first version, v1;
 * branch version2 = the minimum information model, v2). Every value says where it comes from:
 * `run.sh` for what the script passes, `main.lua` for the defaults it leaves alone, and the
 * code itself for what it does without an option (docs/model.md, "The authors' training").
 */
import type { GmvaeConfig } from './config.ts';

export interface AuthorsPreset {
  id: string;
  name: string;
  description: string;
  /** For 28x28 single-channel images (MNIST and its look-alikes). */
  overrides: Partial<GmvaeConfig>;
  /** Setting -> the line of the authors' code it is taken from. */
  sources: Partial<Record<keyof GmvaeConfig, string>>;
}

/** Shared by every MNIST command of both branches. */
const COMMON: Partial<GmvaeConfig> = {
  xDim: 200,
  wDim: 150,
  k: 14,
  batchSize: 50,
  lr: 1e-4,
  lrSchedule: 'constant',
  epochs: 100,
  mcSamples: 1,
  likelihood: 'bernoulli',
  optimizer: 'adam-reset',
  init: 'torch',
  lossReduction: 'sum',
  cvWeight: 0.4,
};
const COMMON_SOURCES: Partial<Record<keyof GmvaeConfig, string>> = {
  xDim: 'run.sh: -xSize 200',
  wDim: 'run.sh: -wSize 150',
  k: 'run.sh: -K 14',
  batchSize: 'run.sh: -batchSize 50',
  cvWeight: 'run.sh: -cvWeight 0.4',
  lr: "main.lua: cmd:option('-learningRate', 0.0001)",
  lrSchedule: 'main.lua: the same learning_rate is passed to optim at every step (no schedule)',
  epochs: "main.lua: cmd:option('-epoch', 100)",
  mcSamples: "main.lua: cmd:option('-nMC', 1)",
  likelihood: "main.lua: cmd:option('-continuous', 0) -> BCECriterion",
  optimizer:
    'main.lua: optim[optimiser](feval, params, {learningRate = learning_rate}) builds a new state each step',
  init: "Torch7's nn defaults (no initialisation code in the repository)",
  lossReduction: 'main.lua: ReconCriterion.sizeAverage = false; the KL criteria sum over the batch',
};

const VERSIONS = {
  v1: {
    overrides: { model: 'v1' },
    sources: { model: 'branch master: q_z head in models/*.lua, EntropyCriterion on p(z|x,w) in main.lua' },
    label: 'v1 (first version, consistency)',
  },
  v2: {
    overrides: { model: 'v2', lambda: 0.5, zPriorGradient: 'authors' },
    sources: {
      model: 'branch version2: zLoss from EntropyCriterion on p(z|x,w) in main.lua',
      lambda: "version2 main.lua: cmd:option('-lambda', 0.5)",
      zPriorGradient: 'version2 main.lua: gradQz:add(EntropyCriterion:backward(qZ)):mul(-1)',
    },
    label: 'v2 (minimum information)',
  },
} as const satisfies Record<string, { overrides: Partial<GmvaeConfig>; sources: object; label: string }>;

const SCRIPTS = {
  mnist_fc: {
    overrides: { arch: 'mlp', hidden: 1000 },
    sources: {
      arch: "run.sh mnist_fc: -network fc (main.lua's default)",
      hidden: 'run.sh mnist_fc: -hiddenSize 1000',
    },
    label: 'MLP 1000',
  },
  mnist: {
    overrides: { arch: 'conv', hidden: 500 },
    sources: { arch: 'run.sh mnist: -network conv', hidden: "main.lua: cmd:option('-hiddenSize', 500)" },
    label: 'conv network',
  },
} as const satisfies Record<string, { overrides: Partial<GmvaeConfig>; sources: object; label: string }>;

export const AUTHORS_PRESETS: readonly AuthorsPreset[] = (['mnist_fc', 'mnist'] as const).flatMap((script) =>
  (['v1', 'v2'] as const).map((version) => ({
    id: `authors-${script}-${version}`,
    name: `Authors: run.sh ${script}, ${version}`,
    description: `Their ${SCRIPTS[script].label}, ${VERSIONS[version].label}: K 14, batch 50, lr 1e-4, their Adam restarted each step, Torch init, summed loss`,
    overrides: { ...COMMON, ...SCRIPTS[script].overrides, ...VERSIONS[version].overrides },
    sources: { ...COMMON_SOURCES, ...SCRIPTS[script].sources, ...VERSIONS[version].sources },
  })),
);
