/**
 * Another process's trainer reaches this process only through the store: the watcher turns its
 * commits into the events an own trainer sends (progress, epochs with their metrics, status),
 * and leaves this process's own runs alone. Two Store connections on one file stand for the
 * two processes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunProgress } from '../../src-main/common/api/contract.ts';
import type { MetricPoint } from '../../src-main/common/run.ts';
import type { TrainEvent } from '../../src-main/common/training-events.ts';
import { RunWatch } from '../../src-main/host/run-watch.ts';
import { Store } from '../../src-main/host/store/index.ts';
import { tempHome, testConfig } from './store/helpers.ts';

const STEPS = 10;

function progressAt(batch: number): RunProgress {
  return { phase: 'training', epoch: 0, batch, batches: STEPS, step: batch, loss: 2, examplesPerSecond: 500 };
}

test("another process's run: its progress, epochs and status become events; this process's own do not", async (t) => {
  const home = tempHome(t);
  const here = await Store.open(home);
  const there = await Store.open(home);
  t.after(() => {
    here.close();
    there.close();
  });
  const events: TrainEvent[] = [];
  let changes = 0;
  let own: number[] = [];
  const watch = new RunWatch({
    store: here,
    ownRuns: () => own,
    emit: (e) => events.push(e),
    changed: () => changes++,
  });
  watch.poll();
  const version = here.dataVersion();
  here.createRun({ dataset: 'spiral', config: testConfig(), status: 'interrupted', pid: null });
  assert.equal(here.dataVersion(), version, "this connection's own writes leave data_version alone");
  watch.poll();
  assert.equal(changes, 0);

  // The other process creates and claims a run.
  const run = there.createRun({ dataset: 'spiral', config: testConfig(), status: 'interrupted', pid: null });
  assert.notEqual(here.dataVersion(), version, "another connection's commit changes it");
  watch.poll();
  assert.equal(changes, 1, 'a new run: lists refetch');
  there.claimRun(run.id, process.pid);
  watch.poll();
  assert.deepEqual(events, [{ type: 'status', runId: run.id, status: 'running', error: null }]);
  events.length = 0;

  // Its heartbeats carry progress; a heartbeat without keeps the last.
  there.heartbeat(run.id, progressAt(4));
  watch.poll();
  there.heartbeat(run.id);
  watch.poll();
  assert.deepEqual(events, [{ type: 'progress', runId: run.id, ...progressAt(4) }]);
  assert.deepEqual(here.runProgress(run.id), progressAt(4));
  events.length = 0;

  // An epoch ends: its metrics, as committed with the checkpoint.
  const at = (name: string, value: number): MetricPoint => ({
    runId: run.id,
    step: STEPS,
    epoch: 1,
    name,
    value,
    time: 0,
  });
  there.commitCheckpoint({
    checkpoint: {
      runId: run.id,
      kind: 'last',
      epoch: 1,
      step: STEPS,
      batchInEpoch: 0,
      createdAt: new Date(0).toISOString(),
      score: -3,
      trainSeconds: 5,
      weights: [],
      optimizer: [],
    },
    alsoBest: true,
    metrics: [at('test/accuracy', 0.75), at('epoch_seconds', 5)],
    run: { epoch: 1, step: STEPS, trainSeconds: 5 },
  });
  watch.poll();
  assert.deepEqual(events, [
    {
      type: 'epoch',
      runId: run.id,
      epoch: 1,
      seconds: 5,
      metrics: { 'test/accuracy': 0.75, epoch_seconds: 5 },
    },
  ]);
  assert.equal(changes, 3, 'the new run, its start, its epoch');
  events.length = 0;

  there.updateRun(run.id, { status: 'completed', pid: null });
  watch.poll();
  assert.deepEqual(events, [{ type: 'status', runId: run.id, status: 'completed', error: null }]);
  events.length = 0;

  // A run this process trains sends its own events: nothing from the watcher, even for the
  // writes that land just after its trainer has gone.
  const mine = there.createRun({ dataset: 'spiral', config: testConfig(), status: 'interrupted', pid: null });
  own = [mine.id];
  watch.poll();
  there.claimRun(mine.id, process.pid);
  there.heartbeat(mine.id, progressAt(1));
  watch.poll();
  own = [];
  there.updateRun(mine.id, { status: 'completed', pid: null });
  watch.poll();
  assert.deepEqual(events, []);

  // A claim clears the last trainer's progress: a resumed run shows none until it reports.
  there.updateRun(run.id, { status: 'interrupted', pid: null });
  there.heartbeat(run.id, progressAt(7));
  there.claimRun(run.id, process.pid);
  assert.equal(here.runProgress(run.id), null);
});
