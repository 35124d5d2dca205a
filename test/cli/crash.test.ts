/**
 * Crash safety of a real `gmvae train`: SIGKILL mid-run leaves a consistent database and an
 * interrupted run, and `train --resume` finishes it with exactly the uninterrupted results.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Store } from '../../src-main/host/store/index.ts';
import { blobsCsv } from '../helpers/blobs.ts';
import { metricSeries } from '../helpers/metrics.ts';
import { gmvaeJson, startGmvae } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const ARGS = [
  '--k',
  '3',
  '--hidden',
  '32',
  '--epochs',
  '6',
  '--batch-size',
  '25',
  '--lr',
  '3e-3',
  '--backend',
  'cpu',
];

test('a killed trainer leaves an interrupted run that resumes to the same results', async () => {
  const home = tempDir();
  const csv = blobsCsv(1500);
  await gmvaeJson(home, ['datasets', 'import', csv, '--name', 'blobs']);
  await gmvaeJson(home, ['train', '--dataset', 'blobs', '--name', 'reference', ...ARGS]);

  const child = startGmvae(home, ['train', '--dataset', 'blobs', '--name', 'victim', ...ARGS]);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const watcher = await Store.open(home);
  // Kill it once its first epoch is committed, wherever it is then.
  for (let i = 0; i < 600; i++) {
    const victim = watcher.getRun('victim');
    if (victim && victim.epoch >= 1) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  await exited;
  watcher.close();

  const store = await Store.open(home, { staleGraceMs: 0 });
  assert.equal(store.integrityCheck(), 'ok');
  const killed = store.getRun('victim')!;
  assert.equal(killed.status, 'interrupted');
  // Six epochs leave the watcher (50 ms polls) a wide window on a fast machine.
  assert.ok(killed.epoch >= 1 && killed.epoch < 6, `killed in epoch ${killed.epoch}`);
  const checkpoint = store.loadCheckpoint(killed.id, 'last')!;
  assert.equal(checkpoint.step, killed.step, 'the run and its checkpoint were committed together');
  store.close();

  const resumed = await gmvaeJson<{ status: string; epochs: number }>(home, ['train', '--resume', 'victim']);
  assert.equal(resumed.status, 'completed');
  assert.equal(resumed.epochs, 6);
  const after = await Store.open(home);
  assert.deepEqual(metricSeries(after, 'victim'), metricSeries(after, 'reference'));
  after.close();
});
