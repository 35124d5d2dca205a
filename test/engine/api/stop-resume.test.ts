/**
 * Resume right after Stop: the stopping trainer would take a resume for itself and end, so the
 * service waits for its process to exit and continues the run in a new one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SYNTHETIC_PRESET } from '../../../src-main/common/config.ts';
import { serviceClient } from '../../helpers/service-client.ts';

test('Resume right after Stop waits for the stopping process and continues in a new one', async (t) => {
  const back = await serviceClient();
  t.after(back.close);
  const { store } = back;
  const config = { ...SYNTHETIC_PRESET, seed: 1, backend: 'cpu' as const };
  const run = store.createRun({ dataset: 'spiral', config, status: 'interrupted', pid: null });
  await back.api.resumeRun(run.id);
  const [first] = back.workers;
  assert.ok(first, 'a trainer started');
  first.exitOnStop = false; // it stops at its next step, with a checkpoint
  await back.api.stopRun(run.id);
  assert.deepEqual(
    first.received.map((m) => m.type),
    ['train', 'stop'],
  );

  // The user presses Resume before that step ends: the run still reads 'running'.
  let resumed = false;
  const resuming = back.api.resumeRun(run.id).then(() => (resumed = true));
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(resumed, false, 'waits for the stopping process');
  assert.deepEqual(
    first.received.map((m) => m.type),
    ['train', 'stop'],
    'no resume sent to a process that is stopping',
  );
  store.updateRun(run.id, { status: 'stopped', pid: null });
  first.kill();
  await resuming;
  assert.equal(back.workers.length, 2, 'a new process continues the run');
  assert.deepEqual(
    back.workers[1]!.received.map((m) => m.type),
    ['train'],
  );
  assert.equal(store.getRun(run.id)!.status, 'running');
});
