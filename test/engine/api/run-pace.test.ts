/**
 * A run trained by another process (`gmvae reproduce` in a terminal) sends this process no
 * events: its trainer writes its progress to the store with each heartbeat, and the service
 * passes it on (run-watch.ts). A run whose trainer stores no progress (an older version) gets
 * its time left from the pace of its last finished epoch, the store's 'epoch_seconds' metric.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SYNTHETIC_PRESET } from '../../../src-main/common/config.ts';
import type { RunProgress } from '../../../src-main/common/api/contract.ts';
import { lastEpochPace } from '../../../src-main/host/runs.ts';
import { Store } from '../../../src-main/host/store/index.ts';
import { serviceClient } from '../../helpers/service-client.ts';

test("a running run of another process lists with its last epoch's pace", async (t) => {
  const back = await serviceClient();
  t.after(back.close);
  const { store } = back;
  const config = { ...SYNTHETIC_PRESET, seed: 1, backend: 'cpu' as const };
  // This process stands in for the trainer: its pid is alive.
  const run = store.createRun({ dataset: 'spiral', config, status: 'running', pid: process.pid });
  store.heartbeat(run.id);
  const listed = async () => (await back.api.listRuns()).find((r) => r.id === run.id)!;
  assert.equal((await listed()).pace, null, 'no pace before its first epoch ends');

  const epochSeconds = (epoch: number, value: number) => ({
    runId: run.id,
    step: 40 * epoch,
    epoch,
    name: 'epoch_seconds',
    value,
    time: Date.now(),
  });
  store.appendMetrics([epochSeconds(1, 30), epochSeconds(2, 20)]);
  // The latest epoch counts: 40 steps an epoch, 20 s over 40 steps.
  assert.deepEqual((await listed()).pace, { stepsPerEpoch: 40, secondsPerStep: 0.5 });
  assert.deepEqual(lastEpochPace(store, run.id), { stepsPerEpoch: 40, secondsPerStep: 0.5 });

  const finished = store.createRun({ dataset: 'spiral', config, status: 'completed', pid: null });
  store.appendMetrics([{ ...epochSeconds(1, 30), runId: finished.id }]);
  const done = (await back.api.listRuns()).find((r) => r.id === finished.id)!;
  assert.equal(done.pace, null, 'a run that is not running has no pace to report');
});

test('a running run of another process lists with the progress its trainer stored, and its events reach clients', async (t) => {
  const back = await serviceClient({ watchMs: 20 });
  t.after(back.close);
  // The other process: its own connection to the same store.
  const there = await Store.open(back.home);
  t.after(() => there.close());
  const config = { ...SYNTHETIC_PRESET, seed: 1, backend: 'cpu' as const };
  const run = there.createRun({ dataset: 'spiral', config, status: 'interrupted', pid: null });
  there.claimRun(run.id, process.pid);
  const progress: RunProgress = {
    phase: 'training',
    epoch: 2,
    batch: 30,
    batches: 40,
    step: 110,
    loss: 1.5,
    examplesPerSecond: 800,
  };
  // The service's watch timer does not hold the process open; this wait does, for at most 10 s.
  const received = new Promise<unknown>((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error('no progress event within 10 s')), 10_000);
    back.onEvent((e) => {
      if (e.type !== 'train' || e.event.type !== 'progress' || e.event.runId !== run.id) return;
      clearTimeout(timeout);
      resolve(e.event);
    });
  });
  there.heartbeat(run.id, progress);
  assert.deepEqual(
    await received,
    { type: 'progress', runId: run.id, ...progress },
    'pushed to every client',
  );
  const listed = (await back.api.listRuns()).find((r) => r.id === run.id)!;
  assert.deepEqual(listed.progress, progress);
  assert.equal(listed.pace, null, 'progress says more than the pace');
});
