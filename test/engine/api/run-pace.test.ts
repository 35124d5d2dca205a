/**
 * A run trained by another process (`gmvae reproduce` in a terminal) sends the interface no
 * progress reports; its time left comes from the pace of its last finished epoch, which the
 * service reads from the store's 'epoch_seconds' metric.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SYNTHETIC_PRESET } from '../../../src-main/common/config.ts';
import { lastEpochPace } from '../../../src-main/host/runs.ts';
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
