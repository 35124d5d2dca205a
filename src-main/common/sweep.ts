/**
 * Sweeps: a definition (a JSON file, see docs/sweeps.md) expands into tasks, one run each.
 * What a definition may say, how it is checked (every setting through `resolveConfig`, the
 * check `gmvae train` uses, each error naming the file and the field), how grids and sampled
 * settings expand, and what a sweep and its tasks look like to the interfaces. Runs anywhere.
 */
import { ConfigError, resolveConfig, type GmvaeConfig } from './config.ts';
import type { DatasetInfo } from './dataset.ts';
import { createRng, deriveSeed } from './random.ts';
import { datasetError, isSettingKey, setting, valueError, type SettingKey } from './settings.ts';

export const SWEEP_EXECUTORS = ['local', 'slurm'] as const;
export type SweepExecutorKind = (typeof SWEEP_EXECUTORS)[number];

/**
 * Where the runs train. One object holds both executors' settings, so that
 * `gmvae sweep run FILE --executor slurm` can switch a definition written for one to the other.
 */
export interface SweepExecutor {
  kind: SweepExecutorKind;
  /** local: runs training at once, each in its own engine process. */
  jobs: number;
  /** slurm: the partition (null: the cluster's default). */
  partition: string | null;
  /** slurm: --time, e.g. '00:30:00' or '1-00:00:00' (null: the partition's default). */
  time: string | null;
  /** slurm: CPUs per array task (the trainer's BLAS threads). */
  cpusPerTask: number;
  /** slurm: --gres, e.g. 'gpu:1'. */
  gres: string | null;
  /** slurm: array tasks running at once (the array's %N); null: as many as Slurm allows. */
  throttle: number | null;
  /** slurm: more #SBATCH lines, each one option as sbatch takes it, e.g. '--mem=4G'. */
  sbatch: string[];
  /** slurm: the sweep's folder on the shared filesystem; null: <home>/sweeps/<id>. */
  folder: string | null;
}

/** A sampled setting: one of `choices`, or uniform / log-uniform in [min, max]. */
export type SampleSpec =
  { choices: (string | number)[] } | { uniform: [number, number] } | { logUniform: [number, number] };

export interface SweepDefinition {
  name: string;
  dataset: string;
  /** Settings every run shares (any key of the settings table but `seed`). */
  base: Record<string, unknown>;
  /** Every combination of these values is trained. */
  grid: Record<string, (string | number)[]>;
  /** Drawn `samples` times per grid point, from the generator seeded by `sampleSeed`. */
  sample: Record<string, SampleSpec>;
  samples: number;
  sampleSeed: number;
  /** Each configuration trains once per seed. */
  seeds: number[];
  /** The most runs the sweep may have; more is an error (null: no limit). */
  budget: number | null;
  executor: SweepExecutor;
}

/** One run of a sweep: its place and what it varies (the settings and the seed). */
export interface SweepTaskPlan {
  index: number;
  overrides: Record<string, unknown>;
}

export class SweepDefinitionError extends Error {
  override name = 'SweepDefinitionError';
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks against one file's name: every error says `FILE: field: problem`. */
class Checker {
  readonly file: string;
  constructor(file: string) {
    this.file = file;
  }
  fail(field: string, problem: string): never {
    throw new SweepDefinitionError(`${this.file}: ${field}: ${problem}`);
  }
  only(value: Json, field: string, allowed: readonly string[]): void {
    for (const key of Object.keys(value))
      if (!allowed.includes(key))
        this.fail(field ? `${field}.${key}` : key, `unknown field (expected ${allowed.join(', ')})`);
  }
  object(value: unknown, field: string): Json {
    if (!isObject(value)) this.fail(field, 'must be an object');
    return value;
  }
  string(value: unknown, field: string): string {
    if (typeof value !== 'string' || value.trim() === '') this.fail(field, 'must be non-empty text');
    return value;
  }
  int(value: unknown, field: string, min: number): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
      this.fail(field, `must be a whole number ≥ ${min}`);
    return value;
  }
  /** A setting's key: known, and not the seed (seeds are their own field). */
  key(key: string, field: string): SettingKey {
    if (key === 'seed') this.fail(field, "the seed is set by the sweep's 'seeds', not as a setting");
    if (!isSettingKey(key)) this.fail(field, 'unknown setting');
    return key;
  }
}

function parseExecutor(c: Checker, raw: unknown, kindOverride?: SweepExecutorKind): SweepExecutor {
  const value = raw === undefined ? {} : c.object(raw, 'executor');
  c.only(value, 'executor', [
    'kind',
    'jobs',
    'partition',
    'time',
    'cpusPerTask',
    'gres',
    'throttle',
    'sbatch',
    'folder',
  ]);
  const kind = kindOverride ?? value.kind ?? 'local';
  if (!SWEEP_EXECUTORS.includes(kind as SweepExecutorKind))
    c.fail('executor.kind', `must be one of ${SWEEP_EXECUTORS.join(', ')}`);
  const optionalText = (field: string): string | null => {
    const v = value[field];
    if (v === undefined || v === null) return null;
    const text = c.string(v, `executor.${field}`);
    if (/\s/.test(text)) c.fail(`executor.${field}`, 'must not contain spaces');
    return text;
  };
  const time = optionalText('time');
  if (time !== null && !/^(\d+-)?\d+(:\d{2}){0,2}$/.test(time))
    c.fail('executor.time', "must be a Slurm time limit such as '30', '01:30:00' or '1-00:00:00'");
  const sbatch = value.sbatch ?? [];
  if (!Array.isArray(sbatch)) c.fail('executor.sbatch', 'must be a list of sbatch options');
  sbatch.forEach((line, i) => {
    const field = `executor.sbatch[${i}]`;
    const text = c.string(line, field);
    if (!text.startsWith('-') || /[\n\r]/.test(text))
      c.fail(field, "must be one sbatch option on one line, such as '--mem=4G'");
  });
  const folder = value.folder;
  return {
    kind: kind as SweepExecutorKind,
    jobs: value.jobs === undefined ? 1 : c.int(value.jobs, 'executor.jobs', 1),
    partition: optionalText('partition'),
    time,
    cpusPerTask: value.cpusPerTask === undefined ? 1 : c.int(value.cpusPerTask, 'executor.cpusPerTask', 1),
    gres: optionalText('gres'),
    throttle:
      value.throttle === undefined || value.throttle === null
        ? null
        : c.int(value.throttle, 'executor.throttle', 1),
    sbatch: sbatch as string[],
    folder: folder === undefined || folder === null ? null : c.string(folder, 'executor.folder'),
  };
}

function parseSample(c: Checker, raw: unknown, field: string, key: SettingKey): SampleSpec {
  const value = c.object(raw, field);
  const kinds = Object.keys(value);
  if (kinds.length !== 1 || !['choices', 'uniform', 'logUniform'].includes(kinds[0]!))
    c.fail(field, 'must be one of { choices: [...] }, { uniform: [min, max] }, { logUniform: [min, max] }');
  const kind = kinds[0]!;
  const arg = value[kind];
  if (kind === 'choices') {
    if (!Array.isArray(arg) || arg.length === 0) c.fail(`${field}.choices`, 'must be a non-empty list');
    return { choices: arg as (string | number)[] };
  }
  if (
    !Array.isArray(arg) ||
    arg.length !== 2 ||
    !arg.every((v) => typeof v === 'number' && Number.isFinite(v)) ||
    arg[0] >= arg[1]
  )
    c.fail(`${field}.${kind}`, 'must be [min, max] with min < max');
  if (setting(key).kind === 'choice') c.fail(field, `${key} is a choice: sample it with { choices: [...] }`);
  if (kind === 'logUniform' && arg[0] <= 0) c.fail(`${field}.logUniform`, 'needs min > 0');
  return kind === 'uniform' ? { uniform: arg as [number, number] } : { logUniform: arg as [number, number] };
}

/**
 * Parses and checks a definition (the parsed JSON of `file`): its shape, then every run it
 * expands to through `resolveConfig` with `info`'s dataset. Throws SweepDefinitionError
 * naming the file and the field.
 */
export function parseSweepDefinition(
  raw: unknown,
  file: string,
  datasetInfo: (name: string) => DatasetInfo,
  executorKind?: SweepExecutorKind,
): SweepDefinition {
  const c: Checker = new Checker(file);
  const value = c.object(raw, '(top level)');
  c.only(value, '', [
    'name',
    'dataset',
    'base',
    'grid',
    'sample',
    'samples',
    'sampleSeed',
    'seeds',
    'budget',
    'executor',
    'description',
  ]);
  const name = c.string(value.name, 'name');
  if (/^\d+$/.test(name) || /[/\\\s]/.test(name))
    c.fail('name', 'must not be a number nor contain spaces or slashes');
  const dataset = c.string(value.dataset, 'dataset');
  let info: DatasetInfo;
  try {
    info = datasetInfo(dataset);
  } catch (error) {
    c.fail('dataset', (error as Error).message);
  }
  const base = value.base === undefined ? {} : c.object(value.base, 'base');
  for (const key of Object.keys(base)) c.key(key, `base.${key}`);

  const grid: Record<string, (string | number)[]> = {};
  for (const [key, values] of Object.entries(value.grid === undefined ? {} : c.object(value.grid, 'grid'))) {
    c.key(key, `grid.${key}`);
    if (!Array.isArray(values) || values.length === 0) c.fail(`grid.${key}`, 'must be a non-empty list');
    grid[key] = values as (string | number)[];
  }
  const sample: Record<string, SampleSpec> = {};
  const rawSample = value.sample === undefined ? {} : c.object(value.sample, 'sample');
  for (const [key, spec] of Object.entries(rawSample)) {
    const k = c.key(key, `sample.${key}`);
    if (Object.hasOwn(grid, key)) c.fail(`sample.${key}`, 'is in the grid too');
    sample[key] = parseSample(c, spec, `sample.${key}`, k);
  }
  const hasSample = Object.keys(sample).length > 0;
  const seeds =
    value.seeds === undefined
      ? [1]
      : Array.isArray(value.seeds) && value.seeds.length > 0
        ? value.seeds.map((s, i) => c.int(s, `seeds[${i}]`, 0))
        : c.fail('seeds', 'must be a non-empty list of whole numbers');
  if (new Set(seeds).size !== seeds.length) c.fail('seeds', 'lists a seed twice');
  const budget =
    value.budget === undefined || value.budget === null ? null : c.int(value.budget, 'budget', 1);
  const gridPoints = Object.values(grid).reduce((n, values) => n * values.length, 1);
  let samples: number;
  if (value.samples !== undefined) {
    if (!hasSample) c.fail('samples', "needs settings to sample ('sample')");
    samples = c.int(value.samples, 'samples', 1);
  } else if (hasSample && budget !== null) {
    // Random search by budget: as many draws as fit.
    samples = Math.floor(budget / (gridPoints * seeds.length));
    if (samples < 1)
      c.fail('budget', `is below one draw per grid point and seed (${gridPoints * seeds.length})`);
  } else samples = 1;
  const sampleSeed = value.sampleSeed === undefined ? 0 : c.int(value.sampleSeed, 'sampleSeed', 0);
  const executor = parseExecutor(c, value.executor, executorKind);

  const definition: SweepDefinition = {
    name,
    dataset,
    base,
    grid,
    sample,
    samples,
    sampleSeed,
    seeds,
    budget,
    executor,
  };
  const tasks = expandSweep(definition);
  if (budget !== null && tasks.length > budget)
    c.fail('budget', `the sweep expands to ${tasks.length} runs, more than its budget of ${budget}`);
  // Every run through the check `gmvae train` makes, naming the field its value came from.
  const fieldOf = (key: string) =>
    Object.hasOwn(grid, key) ? `grid.${key}` : Object.hasOwn(sample, key) ? `sample.${key}` : `base.${key}`;
  for (const task of tasks) {
    for (const [key, v] of Object.entries(task.overrides)) {
      if (key === 'seed') continue;
      const problem = valueError(key as SettingKey, v);
      if (problem) c.fail(fieldOf(key), `${key} ${problem}, got ${JSON.stringify(v)}`);
      const unfit = datasetError(key as SettingKey, v, info!);
      if (unfit) c.fail(fieldOf(key), unfit);
    }
    try {
      resolveConfig(info!, task.overrides);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      c.fail('base', error.message);
    }
  }
  return definition;
}

/** A value drawn from a sampled setting; integers round (a setting of kind 'int'). */
function draw(spec: SampleSpec, key: SettingKey, rng: () => number): string | number {
  if ('choices' in spec)
    return spec.choices[Math.min(spec.choices.length - 1, Math.floor(rng() * spec.choices.length))]!;
  const [min, max] = 'uniform' in spec ? spec.uniform : spec.logUniform;
  const x =
    'uniform' in spec
      ? min + rng() * (max - min)
      : Math.exp(Math.log(min) + rng() * (Math.log(max) - Math.log(min)));
  return setting(key).kind === 'int' ? Math.round(x) : Number(x.toPrecision(6));
}

/**
 * The sweep's runs, in order: grid points (the first grid setting varying slowest), then
 * draws, then seeds. Draw d of grid point g comes from the generator seeded by
 * (sampleSeed, g, d), so a definition always expands to the same runs.
 */
export function expandSweep(definition: SweepDefinition): SweepTaskPlan[] {
  const gridKeys = Object.keys(definition.grid);
  let points: Record<string, unknown>[] = [{}];
  for (const key of gridKeys)
    points = points.flatMap((point) => definition.grid[key]!.map((v) => ({ ...point, [key]: v })));
  const sampleKeys = Object.keys(definition.sample) as SettingKey[];
  const tasks: SweepTaskPlan[] = [];
  points.forEach((point, g) => {
    for (let d = 0; d < (sampleKeys.length > 0 ? definition.samples : 1); d++) {
      const rng = createRng(deriveSeed(definition.sampleSeed, g, d));
      const drawn = Object.fromEntries(sampleKeys.map((k) => [k, draw(definition.sample[k]!, k, rng)]));
      for (const seed of definition.seeds)
        tasks.push({ index: tasks.length, overrides: { ...definition.base, ...point, ...drawn, seed } });
    }
  });
  return tasks;
}

/** What the settings of a task vary, for labels: 'lambda=0.5 seed=2'. */
export function taskLabel(definition: SweepDefinition, overrides: Record<string, unknown>): string {
  const keys = [...Object.keys(definition.grid), ...Object.keys(definition.sample), 'seed'];
  return keys.map((k) => `${k}=${String(overrides[k])}`).join(' ');
}

/** A task as the interfaces show it. */
export const SWEEP_TASK_STATES = ['queued', 'running', 'done', 'failed', 'stopped', 'interrupted'] as const;
export type SweepTaskState = (typeof SWEEP_TASK_STATES)[number];

export interface SweepTaskInfo {
  index: number;
  label: string;
  state: SweepTaskState;
  /** The run in the user's store; null until collected (Slurm) or created (local). */
  runId: number | null;
  epoch: number;
  epochs: number;
  /** Slurm's job id of this task ('123_4'), and its state there, when it has one. */
  slurmJob: string | null;
  slurmState: string | null;
  /** Why this answer could not copy the task's run from the cluster (its snapshot unreadable). */
  problem: string | null;
}

export interface SweepInfo {
  id: number;
  name: string;
  dataset: string;
  executor: SweepExecutorKind;
  /** 'running' while any task is queued or running; 'stopped' after `sweep stop`. */
  state: 'running' | 'done' | 'failed' | 'stopped' | 'incomplete';
  createdAt: string;
  folder: string | null;
  counts: Record<SweepTaskState, number>;
  tasks: SweepTaskInfo[];
  definition: SweepDefinition;
  /** Runs copied from the cluster by the call that answered this (Slurm). */
  collected: number;
}

/** The overrides a stored task trains with, as a config (for display). */
export type SweepTaskConfig = Partial<GmvaeConfig>;
