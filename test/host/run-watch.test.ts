/**
 * Another process's trainer reaches this process only through the store: the watcher turns its
 * commits into the events an own trainer sends (progress, epochs with their metrics, status),
 * never repeats what this process's own trainers reported, and marks a run whose trainer died
 * as interrupted. Two Store connections on one file stand for the two processes.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { RunProgress } from '../../src-main/common/api/contract.ts';
import type { MetricPoint } from '../../src-main/common/run.ts';
import type { TrainEvent } from '../../src-main/common/training-events.ts';
import { RunWatch } from '../../src-main/host/run-watch.ts';
import { Store } from '../../src-main/host/store/index.ts';
import { deadPid, tempHome, testConfig } from './store/helpers.ts';

const STEPS = 10;

function progressAt(batch: number): RunProgress {
  return { phase: 'training', epoch: 0, batch, batches: STEPS, step: batch, loss: 2, examplesPerSecond: 500 };
}

/** This process's store and watcher, another process's store, and what the watcher sent. */
async function twoProcesses(t: TestContext, staleEvery = 1000) {
  const home = tempHome(t);
  const here = await Store.open(home);
  const there = await Store.open(home);
  t.after(() => {
    here.close();
    there.close();
  });
  const events: TrainEvent[] = [];
  const seen = { changes: 0, own: [] as number[] };
  const watch = new RunWatch({
    store: here,
    ownRuns: () => seen.own,
    emit: (e) => events.push(e),
    changed: () => seen.changes++,
    staleEvery,
  });
  watch.poll();
  const newRun = (store: Store) =>
    store.createRun({ dataset: 'spiral', config: testConfig(), status: 'interrupted', pid: null });
  return { here, there, watch, events, seen, newRun };
}

/** Commits epoch `epoch` of `runId` as a trainer does: checkpoint, metrics and run in one go. */
function commitEpoch(store: Store, runId: number, epoch: number, accuracy: number): void {
  const step = epoch * STEPS;
  const at = (name: string, value: number, atEpoch = epoch): MetricPoint => ({
    runId,
    step,
    epoch: atEpoch,
    name,
    value,
    time: 0,
  });
  store.commitCheckpoint({
    checkpoint: {
      runId,
      kind: 'last',
      epoch,
      step,
      batchInEpoch: 0,
      createdAt: new Date(0).toISOString(),
      score: -3,
      trainSeconds: 5 * epoch,
      weights: [],
      optimizer: [],
    },
    alsoBest: true,
    // The loss the trainer logs every few steps lands on the epoch's last step too.
    metrics: [at('train/step_loss', 1.5, epoch - 1), at('test/accuracy', accuracy), at('epoch_seconds', 5)],
    run: { epoch, step, trainSeconds: 5 * epoch },
  });
}

test("another process's run: its progress, epochs and status become events", async (t) => {
  const { here, there, watch, events, seen, newRun } = await twoProcesses(t);
  const version = here.dataVersion();
  newRun(here);
  assert.equal(here.dataVersion(), version, "this connection's own writes leave data_version alone");
  watch.poll();
  assert.equal(seen.changes, 0);

  const run = newRun(there);
  assert.notEqual(here.dataVersion(), version, "another connection's commit changes it");
  watch.poll();
  assert.equal(seen.changes, 1, 'a new run: lists refetch');
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

  // Two epochs end between polls: each goes out with its own metrics, not the steps' loss.
  commitEpoch(there, run.id, 1, 0.5);
  commitEpoch(there, run.id, 2, 0.75);
  watch.poll();
  assert.deepEqual(events, [
    {
      type: 'epoch',
      runId: run.id,
      epoch: 1,
      seconds: 5,
      metrics: { 'test/accuracy': 0.5, epoch_seconds: 5 },
    },
    {
      type: 'epoch',
      runId: run.id,
      epoch: 2,
      seconds: 5,
      metrics: { 'test/accuracy': 0.75, epoch_seconds: 5 },
    },
  ]);
  assert.equal(seen.changes, 3, 'the new run, its start, its epochs');
  events.length = 0;

  there.updateRun(run.id, { status: 'completed', pid: null });
  watch.poll();
  assert.deepEqual(events, [{ type: 'status', runId: run.id, status: 'completed', error: null }]);

  events.length = 0;

  // A rename (or notes, tags) in the other process: no event, the lists refetch.
  there.updateRun(run.id, { name: 'renamed' });
  watch.poll();
  assert.deepEqual(events, []);
  assert.equal(seen.changes, 5, 'a renamed run: lists refetch');

  there.deleteRun(run.id);
  watch.poll();
  assert.equal(seen.changes, 6, 'a deleted run: lists refetch');

  // A claim clears the last trainer's progress: a resumed run shows none until it reports.
  const again = newRun(there);
  there.heartbeat(again.id, progressAt(7));
  there.claimRun(again.id, process.pid);
  assert.equal(here.runProgress(again.id), null);
});

test('a run created and finished between two polls still sends its epochs, once', async (t) => {
  const { there, watch, events, seen, newRun } = await twoProcesses(t);
  const run = newRun(there);
  there.claimRun(run.id, process.pid);
  commitEpoch(there, run.id, 1, 0.5);
  there.updateRun(run.id, { status: 'completed', pid: null });
  watch.poll();
  watch.poll();
  assert.deepEqual(
    events.map((e) => e.type),
    ['epoch'],
  );
  assert.equal(seen.changes, 1, 'its status comes with the lists, refetched once');
});

test("this process's own runs: nothing it reported goes out twice, what another process does next does", async (t) => {
  const { there, watch, events, seen, newRun } = await twoProcesses(t);
  // Trained here: the watcher skips it while its trainer runs, and learns from its events.
  const mine = newRun(there);
  seen.own = [mine.id];
  there.claimRun(mine.id, process.pid);
  there.heartbeat(mine.id, progressAt(1));
  watch.poll();
  commitEpoch(there, mine.id, 1, 0.5);
  there.updateRun(mine.id, { status: 'stopped', pid: null });
  // Its trainer reported both and ended before the next poll.
  watch.observe({ type: 'epoch', runId: mine.id, epoch: 1, seconds: 5, metrics: {} });
  watch.observe({ type: 'status', runId: mine.id, status: 'stopped', error: null });
  seen.own = [];
  watch.poll();
  assert.deepEqual(events, []);

  // Started and finished here between two polls: known from its events alone.
  const quick = newRun(there);
  there.claimRun(quick.id, process.pid);
  commitEpoch(there, quick.id, 1, 0.5);
  there.updateRun(quick.id, { status: 'completed', pid: null });
  watch.observe({
    type: 'started',
    runId: quick.id,
    backend: 'cpu',
    device: 'CPU',
    skipped: [],
    resumedFrom: null,
    warnings: [],
  });
  watch.observe({ type: 'epoch', runId: quick.id, epoch: 1, seconds: 5, metrics: {} });
  watch.observe({ type: 'status', runId: quick.id, status: 'completed', error: null });
  watch.poll();
  assert.deepEqual(events, []);

  // Then a terminal resumes the stopped one: that is news.
  there.claimRun(mine.id, process.pid);
  watch.poll();
  assert.deepEqual(events, [{ type: 'status', runId: mine.id, status: 'running', error: null }]);
});

test('a run whose trainer in another process died shows as interrupted, though nothing commits', async (t) => {
  const { there, watch, events, seen, newRun } = await twoProcesses(t, 1);
  const run = newRun(there);
  there.claimRun(run.id, process.pid);
  there.updateRun(run.id, { pid: await deadPid() });
  watch.poll();
  assert.deepEqual(events.at(-1), { type: 'status', runId: run.id, status: 'interrupted', error: null });
  assert.equal(there.getRun(run.id)!.status, 'interrupted');
  assert.ok(seen.changes > 0);
});
