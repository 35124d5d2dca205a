/**
 * Sweep definitions: the checks (each error names the file and the field, every run goes
 * through resolveConfig as `gmvae train` does), grid and sampling expansion, YAML and JSON.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { expandSweep, parseSweepDefinition, SweepDefinitionError } from '../../src-main/common/sweep.ts';
import { datasetInfo } from '../../src-main/host/datasets.ts';
import { Store } from '../../src-main/host/store/index.ts';
import { readSweepDefinition } from '../../src-main/host/sweeps.ts';
import { tempDir } from '../helpers/temp.ts';

const FILE = 'sweeps/my.json';
let store: Store;
const info = (name: string) => datasetInfo(store, name);
const parse = (raw: unknown) => parseSweepDefinition(raw, FILE, info);
const base = { name: 'lam', dataset: 'spiral', base: { epochs: 2 } };

test.before(async () => {
  store = await Store.open(tempDir());
});
test.after(() => store.close());

test('a grid expands to every combination, once per seed, in a stable order', () => {
  const definition = parse({ ...base, grid: { lambda: [0.5, 1], k: [4, 8] }, seeds: [1, 2] });
  const tasks = expandSweep(definition);
  assert.equal(tasks.length, 8);
  assert.deepEqual(
    tasks.map((t) => [t.index, t.overrides.lambda, t.overrides.k, t.overrides.seed]),
    [
      [0, 0.5, 4, 1],
      [1, 0.5, 4, 2],
      [2, 0.5, 8, 1],
      [3, 0.5, 8, 2],
      [4, 1, 4, 1],
      [5, 1, 4, 2],
      [6, 1, 8, 1],
      [7, 1, 8, 2],
    ],
  );
  assert.ok(tasks.every((t) => t.overrides.epochs === 2));
  assert.deepEqual(definition.executor, {
    kind: 'local',
    jobs: 1,
    partition: null,
    time: null,
    cpusPerTask: 1,
    gres: null,
    throttle: null,
    sbatch: [],
    folder: null,
  });
});

test('sampled settings: choices, uniform and log-uniform draws, the same for the same sampleSeed', () => {
  const raw = {
    ...base,
    grid: { k: [4, 8] },
    sample: {
      lr: { logUniform: [1e-4, 1e-2] },
      lambda: { uniform: [0, 2] },
      hidden: { uniform: [8, 32] },
      init: { choices: ['glorot', 'torch'] },
    },
    samples: 5,
    sampleSeed: 7,
  };
  const tasks = expandSweep(parse(raw));
  assert.equal(tasks.length, 10);
  for (const { overrides: o } of tasks) {
    assert.ok((o.lr as number) >= 1e-4 && (o.lr as number) <= 1e-2, `lr ${o.lr}`);
    assert.ok((o.lambda as number) >= 0 && (o.lambda as number) <= 2);
    assert.ok(Number.isInteger(o.hidden) && (o.hidden as number) >= 8 && (o.hidden as number) <= 32);
    assert.ok(['glorot', 'torch'].includes(o.init as string));
  }
  // Log-uniform: spread over the decades, not bunched at the top.
  assert.ok(tasks.some((t) => (t.overrides.lr as number) < 1e-3));
  assert.deepEqual(expandSweep(parse(raw)), tasks);
  assert.notDeepEqual(expandSweep(parse({ ...raw, sampleSeed: 8 })), tasks);
});

test('a budget caps the runs, and sets the number of draws when samples is omitted', () => {
  const sampled = parse({ ...base, sample: { lambda: { uniform: [0, 1] } }, seeds: [1, 2], budget: 7 });
  assert.equal(sampled.samples, 3);
  assert.equal(expandSweep(sampled).length, 6);
  assert.throws(
    () => parse({ ...base, grid: { lambda: [0, 1, 2] }, seeds: [1, 2], budget: 4 }),
    new SweepDefinitionError(`${FILE}: budget: the sweep expands to 6 runs, more than its budget of 4`),
  );
});

test('each error names the file and the field', () => {
  const cases: [unknown, RegExp][] = [
    [[], /^sweeps\/my\.json: \(top level\): must be an object$/],
    [{ ...base, name: undefined }, /^sweeps\/my\.json: name: must be non-empty text$/],
    [{ ...base, dataset: 'nope' }, /^sweeps\/my\.json: dataset: /],
    [{ ...base, colour: 1 }, /^sweeps\/my\.json: colour: unknown field/],
    [{ ...base, base: { lambdaa: 1 } }, /^sweeps\/my\.json: base\.lambdaa: unknown setting$/],
    [{ ...base, base: { epochs: 0 } }, /^sweeps\/my\.json: base\.epochs: epochs must be/],
    [{ ...base, base: { seed: 3 } }, /^sweeps\/my\.json: base\.seed: the seed is set by the sweep's 'seeds'/],
    [{ ...base, grid: { lambda: [] } }, /^sweeps\/my\.json: grid\.lambda: must be a non-empty list$/],
    [{ ...base, grid: { lambda: [1, -1] } }, /^sweeps\/my\.json: grid\.lambda: lambda must be/],
    [
      { ...base, grid: { likelihood: ['poisson'] } },
      /^sweeps\/my\.json: grid\.likelihood: likelihood must be one of/,
    ],
    [
      { ...base, sample: { likelihood: { choices: ['bernoulli'] } } },
      /^sweeps\/my\.json: sample\.likelihood: a Bernoulli likelihood needs values in \[0,1\]/,
    ],
    [
      { ...base, sample: { lr: { uniform: [1, 0] } } },
      /^sweeps\/my\.json: sample\.lr\.uniform: must be \[min, max\]/,
    ],
    [
      { ...base, sample: { lr: { logUniform: [0, 1] } } },
      /^sweeps\/my\.json: sample\.lr\.logUniform: needs min > 0$/,
    ],
    [{ ...base, sample: { lr: { normal: [0, 1] } } }, /^sweeps\/my\.json: sample\.lr: must be one of/],
    [{ ...base, sample: { arch: { uniform: [0, 1] } } }, /^sweeps\/my\.json: sample\.arch: arch is a choice/],
    [
      { ...base, grid: { lr: [1e-3] }, sample: { lr: { uniform: [0, 1] } } },
      /sample\.lr: is in the grid too$/,
    ],
    [{ ...base, seeds: [1, 1] }, /^sweeps\/my\.json: seeds: lists a seed twice$/],
    [{ ...base, seeds: [1, 'two'] }, /^sweeps\/my\.json: seeds\[1\]: must be a whole number/],
    [
      { ...base, executor: { kind: 'pbs' } },
      /^sweeps\/my\.json: executor\.kind: must be one of local, slurm$/,
    ],
    [{ ...base, executor: { jobs: 0 } }, /^sweeps\/my\.json: executor\.jobs: must be a whole number ≥ 1$/],
    [
      { ...base, executor: { kind: 'slurm', time: 'soon' } },
      /^sweeps\/my\.json: executor\.time: must be a Slurm time/,
    ],
    [
      { ...base, executor: { kind: 'slurm', sbatch: ['mem=4G'] } },
      /^sweeps\/my\.json: executor\.sbatch\[0\]: must be one sbatch option/,
    ],
    [
      { ...base, executor: { kind: 'slurm', partition: 'a b' } },
      /^sweeps\/my\.json: executor\.partition: must not contain spaces$/,
    ],
  ];
  for (const [raw, message] of cases) assert.throws(() => parse(raw), { message }, JSON.stringify(raw));
});

test('files: JSON or YAML by name, unreadable and malformed files named, --executor overrides the kind', () => {
  const dir = tempDir();
  const yaml = path.join(dir, 'sweep.yaml');
  fs.writeFileSync(
    yaml,
    [
      'name: lam',
      'dataset: spiral',
      'base: { epochs: 2 }',
      'grid:',
      '  lambda: [0.5, 1]',
      'executor:',
      '  kind: slurm',
      '  partition: gpu',
      '  gres: gpu:1',
      "  time: '01:00:00'",
      '  cpusPerTask: 4',
      '  sbatch: [--mem=8G]',
      '',
    ].join('\n'),
  );
  const fromYaml = readSweepDefinition(store, yaml);
  assert.equal(expandSweep(fromYaml).length, 2);
  assert.equal(fromYaml.executor.kind, 'slurm');
  assert.equal(fromYaml.executor.gres, 'gpu:1');
  assert.deepEqual(fromYaml.executor.sbatch, ['--mem=8G']);
  assert.equal(readSweepDefinition(store, yaml, 'local').executor.kind, 'local');

  const json = path.join(dir, 'sweep.json');
  fs.writeFileSync(json, JSON.stringify({ ...base, grid: { lambda: [0.5] } }));
  assert.equal(expandSweep(readSweepDefinition(store, json)).length, 1);

  fs.writeFileSync(json, '{ "name": ');
  assert.throws(() => readSweepDefinition(store, json), { message: new RegExp(`^${json}: not valid JSON`) });
  fs.writeFileSync(yaml, 'name: [unclosed');
  assert.throws(() => readSweepDefinition(store, yaml), { message: new RegExp(`^${yaml}: not valid YAML`) });
  assert.throws(
    () => readSweepDefinition(store, path.join(dir, 'none.json')),
    /none\.json: cannot read it \(ENOENT\)/,
  );
});

test('the example definition is valid', () => {
  const example = new URL('../../examples/spiral-lambda.json', import.meta.url).pathname;
  const definition = readSweepDefinition(store, example);
  assert.equal(definition.dataset, 'spiral');
  assert.ok(expandSweep(definition).length >= 4);
});
