/**
 * The engine process as the desktop app starts it: the built bundle in out/engine (apart from
 * the interface's out/main, electron.vite.config.ts) trains a run to completion and answers a
 * task, so the split build ships a working engine, TensorFlow and all.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { resolveConfig } from '../../src-main/common/config.ts';
import { Store } from '../../src-main/host/store/index.ts';
import { EngineSupervisor, forkLauncher } from '../../src-main/host/supervisor.ts';
import { blobs } from '../helpers/blobs.ts';
import { tempDir } from '../helpers/temp.ts';

const ENGINE_BUNDLE = path.join(import.meta.dirname, '../../out/engine/engine-process.js');

test('the built engine bundle trains a run and answers a task', async () => {
  const home = tempDir();
  const store = await Store.open(home);
  const data = blobs(200, 50);
  store.saveDataset(data);
  const config = resolveConfig(data.info, { k: 3, hidden: 16, epochs: 1, batchSize: 50, backend: 'cpu' });
  const run = store.createRun({ dataset: 'blobs', config, status: 'interrupted', pid: null });
  const supervisor = new EngineSupervisor(store, home, forkLauncher(ENGINE_BUNDLE));
  const finished = new Promise<string>((resolve) =>
    supervisor.onEvent((e) => {
      if (e.type === 'status' && e.status !== 'running') resolve(e.status);
    }),
  );
  supervisor.start(run.id);
  assert.equal(await finished, 'completed');
  assert.equal(store.getRun(run.id)!.epoch, 1);
  const preview = await supervisor.runTask({ kind: 'preview', dataset: 'blobs' }).result;
  assert.equal(preview.info.name, 'blobs');
  await supervisor.shutdown();
  store.close();
});
