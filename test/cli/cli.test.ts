/**
 * The gmvae command end to end: datasets, training, runs, evaluation and export, each with
 * its --json contract, and bad input that must fail with one line and change nothing.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { Gmvae } from '../../src-main/engine/model/gmvae.ts';
import { Store } from '../../src-main/host/store/index.ts';
import { tf } from '../../src-main/engine/tf.ts';
import { restoreWeights } from '../../src-main/engine/checkpoint/state.ts';
import { blobs } from '../helpers/blobs.ts';
import { gmvae, gmvaeJson } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const home = tempDir();
const files = tempDir();

/** The blobs dataset as a CSV with a label column. */
function writeBlobsCsv(file: string): void {
  const data = blobs(300, 0);
  const rows = ['x1,x2,label'];
  for (let i = 0; i < data.train.n; i++)
    rows.push(`${data.train.x[2 * i]},${data.train.x[2 * i + 1]},${['a', 'b', 'c'][data.train.y![i]!]}`);
  fs.writeFileSync(file, rows.join('\n'));
}

const TRAIN_ARGS = [
  '--k',
  '3',
  '--hidden',
  '32',
  '--epochs',
  '2',
  '--batch-size',
  '50',
  '--lr',
  '3e-3',
  '--backend',
  'cpu',
];
const METRIC_KEYS = [
  'elbo',
  'reconstruction',
  'conditional_prior',
  'w_prior',
  'z_prior',
  'accuracy',
  'accuracy_majority',
  'accuracy_hungarian',
  'nmi',
  'ari',
  'clusters_used',
];

interface TrainJson {
  run: number;
  status: string;
  backend: string;
  epochs: number;
  metrics: Record<string, number>;
}

describe('gmvae', () => {
  let run: TrainJson;

  before(async () => {
    writeBlobsCsv(path.join(files, 'blobs.csv'));
    await gmvaeJson(home, ['datasets', 'import', path.join(files, 'blobs.csv'), '--name', 'blobs']);
    run = await gmvaeJson<TrainJson>(home, ['train', '--dataset', 'blobs', '--name', 'first', ...TRAIN_ARGS]);
  });

  test('datasets list --json: the built-ins and the import, with their sizes and shapes', async () => {
    const { datasets } = await gmvaeJson<{ datasets: Record<string, unknown>[] }>(home, ['datasets', 'list']);
    const byName = Object.fromEntries(datasets.map((d) => [d.name, d]));
    assert.deepEqual(Object.keys(byName).sort(), ['blobs', 'mnist', 'spiral']);
    assert.equal(byName.mnist!.n_train, 60000);
    assert.equal(byName.mnist!.n_test, 10000);
    assert.deepEqual(byName.mnist!.shape, [28, 28, 1]);
    assert.equal((byName.blobs!.n_train as number) + (byName.blobs!.n_test as number), 300);
    assert.deepEqual(byName.blobs!.shape, [2]);
  });

  test('train --json reports the run, its backend and every metric', () => {
    assert.equal(run.status, 'completed');
    assert.equal(run.backend, 'cpu');
    assert.equal(run.epochs, 2);
    for (const key of METRIC_KEYS) assert.equal(typeof run.metrics[key], 'number', key);
    assert.ok(run.metrics.accuracy! >= 0 && run.metrics.accuracy! <= 1);
  });

  test('runs list --json and runs show --json', async () => {
    const { runs } = await gmvaeJson<{ runs: Record<string, unknown>[] }>(home, ['runs', 'list']);
    const listed = runs.find((r) => r.run === run.run)!;
    assert.equal(listed.name, 'first');
    assert.equal(listed.dataset, 'blobs');
    assert.equal(listed.status, 'completed');
    assert.equal((listed.hyperparameters as { k: number }).k, 3);
    const shown = await gmvaeJson<{ checkpoints: { kind: string }[]; config: { lr: number } }>(home, [
      'runs',
      'show',
      'first',
    ]);
    assert.equal(shown.config.lr, 3e-3);
    assert.deepEqual(shown.checkpoints.map((c) => c.kind).sort(), ['best', 'last']);
  });

  test("runs show gives the best checkpoint's scores, and eval of that checkpoint recomputes them", async () => {
    type Scores = { epoch: number; metrics: Record<string, number> };
    const shown = await gmvaeJson<{ best_checkpoint: Scores }>(home, ['runs', 'show', 'first']);
    const best = shown.best_checkpoint;
    assert.ok(best.epoch >= 1 && best.epoch <= 2);
    const text = await gmvae(home, ['runs', 'show', 'first']);
    assert.match(
      text.stdout,
      new RegExp(`^best checkpoint \\(highest test ELBO\\): epoch ${best.epoch}, test accuracy `, 'm'),
    );
    const result = await gmvaeJson<TrainJson & { checkpoint_epoch: number }>(home, [
      'eval',
      String(run.run),
      '--checkpoint',
      'best',
    ]);
    assert.equal(result.checkpoint_epoch, best.epoch);
    for (const key of METRIC_KEYS) assert.ok(Math.abs(result.metrics[key]! - best.metrics[key]!) < 1e-6, key);
  });

  test('eval --json recomputes the final metrics from the stored checkpoint', async () => {
    const result = await gmvaeJson<TrainJson>(home, ['eval', String(run.run), '--checkpoint', 'last']);
    for (const key of METRIC_KEYS) assert.ok(Math.abs(result.metrics[key]! - run.metrics[key]!) < 1e-6, key);
  });

  test('export writes loadable TensorFlow.js layers models, a manifest and the assignments', async () => {
    const out = path.join(tempDir(), 'export');
    const result = await gmvaeJson<{ files: string[] }>(home, ['export', 'first', '--out', out]);
    assert.ok(result.files.includes('encoder/model.json'));
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    assert.equal(manifest.config.k, 3);
    const csv = fs.readFileSync(path.join(out, 'assignments.csv'), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'split,index,source_index,cluster,confidence,label');
    assert.equal(csv.length - 1, 300);

    // The exported encoder, loaded by tf.loadLayersModel, computes what the stored model computes.
    const loadFolder = (dir: string) =>
      tf.loadLayersModel({
        load: async () => {
          const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
          const bin = fs.readFileSync(path.join(dir, 'weights.bin'));
          return {
            modelTopology: json.modelTopology,
            weightSpecs: json.weightsManifest[0].weights,
            weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
          };
        },
      });
    await tf.setBackend('cpu');
    const encoder = await loadFolder(path.join(out, 'encoder'));
    await loadFolder(path.join(out, 'prior-network'));
    await loadFolder(path.join(out, 'decoder'));
    const store = await Store.open(home);
    const stored = store.getRun('first')!;
    const model = new Gmvae(stored.config, { shape: [2] });
    restoreWeights(model, store.loadCheckpoint(stored.id, 'last')!.weights);
    store.close();
    const y = tf.tensor2d([
      [1, 2],
      [-4, 0.5],
    ]);
    const exported = (encoder.predict(y) as tf.Tensor[])[0]!.dataSync();
    const original = model.encode(y).muX.dataSync();
    exported.forEach((v, i) => assert.ok(Math.abs(v - original[i]!) < 1e-5));
  });

  test('bad input fails with one line naming the problem, and stores nothing', async () => {
    const bad = path.join(files, 'bad.csv');
    fs.writeFileSync(bad, 'a,b\n1,2\n3,x\n');
    const before = await gmvaeJson<{ datasets: unknown[] }>(home, ['datasets', 'list']);
    const result = await gmvae(home, ['datasets', 'import', bad]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr.trim(), /^gmvae: error: .*bad\.csv: row 3, column 2: not a number/);
    assert.equal(result.stderr.trim().split('\n').length, 1);
    const after = await gmvaeJson<{ datasets: unknown[] }>(home, ['datasets', 'list']);
    assert.deepEqual(after, before);

    const unknown = await gmvae(home, ['train', '--dataset', 'nope', '--json']);
    assert.equal(unknown.code, 1);
    assert.match(JSON.parse(unknown.stdout).error, /no dataset named 'nope'/);
    const badNumber = await gmvae(home, ['train', '--dataset', 'blobs', '--k', 'many']);
    assert.notEqual(badNumber.code, 0);
    assert.match(badNumber.stderr, /'many' is not an integer/);
    const badConfig = await gmvae(home, ['train', '--dataset', 'blobs', '--likelihood', 'bernoulli']);
    assert.match(badConfig.stderr, /Bernoulli likelihood needs values in \[0,1\]/);
  });
});
