/**
 * `gmvae reproduce` end to end on the synthetic experiment (shortened): runs land in the store
 * with results and pictures; a second sitting retrains nothing, nor does a report on them; a
 * stopped reproduction resumes its runs from their checkpoints when the same command runs again.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { ExperimentResults } from '../../src-main/engine/reproduce/report.ts';
import { Store } from '../../src-main/host/store/index.ts';
import { gmvae, gmvaeJson, startGmvae } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

type Output = ExperimentResults & { out: string; files: string[] };

describe('gmvae reproduce', () => {
  test('trains the runs, writes results and pictures, and a second sitting retrains nothing', async () => {
    const home = tempDir();
    const out = path.join(tempDir(), 'synthetic');
    const args = ['reproduce', 'synthetic', '--epochs', '2', '--seeds', '1', '--jobs', '2', '--out', out];
    const first = await gmvaeJson<Output>(home, args);
    assert.deepEqual(
      first.runs.map((r) => [r.variant, r.status, r.epoch]),
      [
        ['lambda-0', 'completed', 2],
        ['lambda-0.5', 'completed', 2],
      ],
    );
    assert.ok(first.runs.every((r) => r.metrics.accuracy !== undefined && r.backend));
    for (const file of [
      'lambda-0-seed1-clusters.svg',
      'lambda-0-seed1-samples.svg',
      'lambda-0.5-seed1-clusters.svg',
      'curves.svg',
      'results.json',
      'results.md',
    ]) {
      assert.ok(first.files.includes(file), file);
      assert.ok(fs.statSync(path.join(out, file)).size > 0, file);
    }
    const markdown = fs.readFileSync(path.join(out, 'results.md'), 'utf8');
    assert.match(markdown, /\| K 8, lambda 0\.5 \| – \|/);
    assert.match(markdown, /!\[curves\.svg\]\(curves\.svg\)/);

    const again = await gmvae(home, [...args, '--json']);
    assert.equal(again.code, 0, again.stderr);
    const second = JSON.parse(again.stdout) as Output;
    assert.deepEqual(
      second.runs.map((r) => [r.run, r.trainSeconds]),
      first.runs.map((r) => [r.run, r.trainSeconds]),
    );
    assert.doesNotMatch(again.stderr, /starting run|resuming run/);

    // A report on the stored runs trains nothing; asked with another --epochs, it names the runs
    // the store has with these settings and the --epochs that finds them.
    const report = await gmvaeJson<Output>(home, [...args, '--report-only']);
    assert.deepEqual(
      report.runs.map((r) => [r.run, r.status, r.epoch, r.trainSeconds]),
      first.runs.map((r) => [r.run, r.status, r.epoch, r.trainSeconds]),
    );
    const longer = ['reproduce', 'synthetic', '--epochs', '3', '--seeds', '1', '--out', out];
    const elsewhere = await gmvae(home, [...longer, '--report-only', '--json']);
    assert.equal(elsewhere.code, 0, elsewhere.stderr);
    assert.deepEqual((JSON.parse(elsewhere.stdout) as Output).runs, []);
    assert.match(
      elsewhere.stderr,
      new RegExp(
        `synthetic lambda-0 seed 1 \\(3 epochs\\): no run with 3 epochs; run ${first.runs[0]!.run} ` +
          `'synthetic lambda-0 seed 1 \\(2 epochs\\)' has these settings with 2 \\(at epoch 2\\): ` +
          'report on it with --epochs 2',
      ),
    );
    assert.doesNotMatch(elsewhere.stderr, /starting run|not started yet/);
    const store = await Store.open(home);
    const runs = store.listRuns();
    store.close();
    assert.equal(runs.length, 2);
    assert.ok(runs.every((r) => r.tags.includes('reproduce:synthetic')));
  });

  test('a reproduction stopped with Ctrl-C resumes its run from the checkpoint when rerun', async () => {
    const home = tempDir();
    const out = tempDir();
    const args = [
      'reproduce',
      'synthetic',
      // Enough epochs that the Ctrl-C after the first lands mid-run on a busy machine too.
      '--epochs',
      '30',
      '--seeds',
      '2',
      '--variants',
      'lambda-0.5',
      '--out',
      out,
    ];
    const child = startGmvae(home, args);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    for (let i = 0; i < 1200 && !/epoch 1:/.test(stderr); i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    assert.equal(await exited, 0, stderr);
    const store = await Store.open(home);
    const [stopped] = store.listRuns();
    store.close();
    assert.equal(stopped!.status, 'stopped');
    assert.ok(!fs.existsSync(path.join(out, 'results.md')), 'a stopped sitting writes no results');
    assert.ok(stopped!.epoch >= 1 && stopped!.epoch < 30, `stopped at epoch ${stopped!.epoch}`);

    const resumed = await gmvae(home, [...args, '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(
      resumed.stderr,
      new RegExp(`resuming run ${stopped!.id} .* at epoch ${stopped!.epoch} of 30`),
    );
    const result = JSON.parse(resumed.stdout) as Output;
    assert.deepEqual(
      result.runs.map((r) => [r.run, r.status, r.epoch]),
      [[stopped!.id, 'completed', 30]],
    );
  });

  test('--list names the experiments; an unknown one is a one-line error', async () => {
    const home = tempDir();
    const listed = await gmvaeJson<{ experiments: { id: string }[] }>(home, ['reproduce', '--list']);
    assert.deepEqual(
      listed.experiments.map((e) => e.id),
      [
        'synthetic',
        'mnist-table1',
        'mnist-mlp',
        'mnist-gradient',
        'mnist-formulations',
        'fashion-formulations',
        'mnist-ablation',
      ],
    );
    const bad = await gmvae(home, ['reproduce', 'cifar']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^gmvae: error: no experiment 'cifar'; the experiments are synthetic/);
  });
});
