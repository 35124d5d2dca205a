/**
 * `gmvae train --resume RUN --epochs N` trains a completed run further, and with a constant
 * learning rate that is the longer run exactly: 3 epochs then 3 more record what 6 at once do.
 * Other settings cannot change on resume, and an annealed run is refused with the reason.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Store } from '../../src-main/host/store/index.ts';
import { blobsCsv } from '../helpers/blobs.ts';
import { metricSeries } from '../helpers/metrics.ts';
import { gmvae, gmvaeJson } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const ARGS = ['--k', '3', '--hidden', '32', '--batch-size', '25', '--lr', '3e-3', '--backend', 'cpu'];

test('a run trained 3 epochs, then further to 6, records exactly what a 6-epoch run does', async () => {
  const home = tempDir();
  await gmvaeJson(home, ['datasets', 'import', blobsCsv(600), '--name', 'blobs']);
  await gmvaeJson(home, ['train', '--dataset', 'blobs', '--name', 'straight', '--epochs', '6', ...ARGS]);
  const short = await gmvaeJson<{ status: string; epochs: number }>(home, [
    ...['train', '--dataset', 'blobs', '--name', 'further', '--epochs', '3', ...ARGS],
  ]);
  assert.deepEqual([short.status, short.epochs], ['completed', 3]);

  const lr = await gmvae(home, ['train', '--resume', 'further', '--lr', '1e-2']);
  assert.equal(lr.code, 1);
  assert.match(lr.stderr, /--resume continues run 'further' with its own settings; --lr cannot change them/);
  const fewer = await gmvae(home, ['train', '--resume', 'further', '--epochs', '2']);
  assert.equal(fewer.code, 1);
  assert.match(fewer.stderr, /run 'further' cannot train further: it is set to 3 epochs already/);

  const further = await gmvae(home, ['train', '--resume', 'further', '--epochs', '6', '--json']);
  assert.equal(further.code, 0, further.stderr);
  assert.match(further.stderr, /now trains to epoch 6/);
  assert.match(further.stderr, /resuming at epoch 3/);
  const summary = JSON.parse(further.stdout) as {
    status: string;
    epochs: number;
    config: { epochs: number };
  };
  assert.deepEqual([summary.status, summary.epochs, summary.config.epochs], ['completed', 6, 6]);

  const store = await Store.open(home);
  assert.deepEqual(metricSeries(store, 'further'), metricSeries(store, 'straight'));
  store.close();
});

test('an annealed run is not trained further, and says why', async () => {
  const home = tempDir();
  await gmvaeJson(home, ['datasets', 'import', blobsCsv(200), '--name', 'blobs']);
  const args = ['--name', 'annealed', '--epochs', '1', '--lr-schedule', 'cosine', ...ARGS];
  await gmvaeJson(home, ['train', '--dataset', 'blobs', ...args]);
  const refused = await gmvae(home, ['train', '--resume', 'annealed', '--epochs', '2']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /its learning rate anneals over its 1 epoch \(cosine schedule\)/);
  const store = await Store.open(home);
  assert.deepEqual(
    [store.getRun('annealed')!.status, store.getRun('annealed')!.config.epochs],
    ['completed', 1],
  );
  store.close();
});
