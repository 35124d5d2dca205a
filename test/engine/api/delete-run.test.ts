/**
 * Deleting a run: refused while it trains; right after Stop, when the store already says
 * 'stopped' but the trainer's process has not exited yet, it waits for the exit and deletes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SYNTHETIC_PRESET } from '../../../src-main/common/config.ts';
import { serviceClient } from '../../helpers/service-client.ts';

test('a run is deleted once its stopped trainer exits, and not while it trains', async (t) => {
  const back = await serviceClient();
  t.after(back.close);
  const { store } = back;
  const config = { ...SYNTHETIC_PRESET, seed: 1, backend: 'cpu' as const };
  const run = store.createRun({ dataset: 'spiral', config, status: 'interrupted', pid: null });
  await back.api.resumeRun(run.id); // a (fake) trainer process takes it
  const [worker] = back.workers;
  assert.ok(worker, 'a trainer started');
  assert.equal(store.getRun(run.id)!.status, 'running');
  await assert.rejects(back.api.deleteRun(run.id), /is training; stop it before deleting it/);

  // The trainer records its end, and exits a moment later.
  store.updateRun(run.id, { status: 'stopped', pid: null });
  let deleted = false;
  const deleting = back.api.deleteRun(run.id).then(() => (deleted = true));
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(deleted, false, 'waits for the process');
  assert.ok(store.getRun(run.id), 'still there while its process lives');
  worker.kill();
  await deleting;
  assert.equal(store.getRun(run.id), null, 'deleted once it exited');
});
