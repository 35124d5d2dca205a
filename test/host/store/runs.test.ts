import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import {
  canResumeHere,
  ON_CLUSTER_REASON,
  resumeBlocker,
  type RunStatus,
} from '../../../src-main/common/run.ts';
import { Store, StoreError, isProcessAlive } from '../../../src-main/host/store/index.ts';
import { deadPid, openTempStore, tempHome, testConfig } from './helpers.ts';

test('createRun fills in defaults; getRun finds it by id, numeric string or name', async (t) => {
  const store = await openTempStore(t);
  const run = store.createRun({ dataset: 'spiral', config: testConfig(42) });
  assert.equal(run.name, `run-${run.id}`);
  assert.equal(run.status, 'running');
  assert.equal(run.seed, 42);
  assert.deepEqual(run.config, testConfig(42));
  assert.deepEqual(run.tags, []);
  assert.equal(run.notes, '');
  assert.equal(run.pid, null);
  assert.equal(run.epoch, 0);
  assert.equal(run.trainSeconds, 0);
  assert.ok(!Number.isNaN(Date.parse(run.createdAt)));

  assert.deepEqual(store.getRun(run.id), run);
  assert.deepEqual(store.getRun(String(run.id)), run);
  assert.deepEqual(store.getRun(run.name), run);
  assert.equal(store.getRun(999), null);
  assert.equal(store.getRun('no-such-run'), null);
});

test('run names are unique and never numbers', async (t) => {
  const store = await openTempStore(t);
  const a = store.createRun({ name: 'alpha', dataset: 'spiral', config: testConfig() });
  assert.throws(
    () => store.createRun({ name: 'alpha', dataset: 'spiral', config: testConfig() }),
    new StoreError('a run named "alpha" already exists'),
  );
  const b = store.createRun({ name: 'beta', dataset: 'spiral', config: testConfig() });
  assert.throws(() => store.updateRun(b.id, { name: 'alpha' }), /already exists/);
  assert.equal(store.getRun(b.id)?.name, 'beta');
  assert.throws(() => store.createRun({ name: '123', dataset: 'spiral', config: testConfig() }), StoreError);
  assert.throws(
    () => store.createRun({ name: ' padded', dataset: 'spiral', config: testConfig() }),
    StoreError,
  );
  assert.throws(() => store.updateRun(a.id, { name: '' }), StoreError);
  assert.equal(store.listRuns().length, 2);
});

test('a default name taken by hand gets a suffix; ids are never reused', async (t) => {
  const store = await openTempStore(t);
  const first = store.createRun({ name: 'run-2', dataset: 'spiral', config: testConfig() });
  const second = store.createRun({ dataset: 'spiral', config: testConfig() });
  assert.equal(second.id, 2);
  assert.equal(second.name, 'run-2-2');
  store.deleteRun(second.id);
  const third = store.createRun({ dataset: 'spiral', config: testConfig() });
  assert.equal(third.id, 3);
  assert.deepEqual(
    store.listRuns().map((r) => r.id),
    [third.id, first.id],
    'newest first',
  );
});

test('updateRun patches fields, tags and notes, and stamps updatedAt', async (t) => {
  const store = await openTempStore(t);
  const run = store.createRun({ name: 'r', dataset: 'spiral', config: testConfig(), status: 'stopped' });
  await sleep(5);
  const updated = store.updateRun(run.id, {
    status: 'completed',
    backend: 'wasm',
    device: 'cpu, 4 threads',
    epoch: 3,
    step: 300,
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T01:00:00.000Z',
    trainSeconds: 12.5,
    error: null,
    notes: 'looks good\nsecond line',
    tags: ['baseline', 'k=8'],
    pid: null,
  });
  assert.equal(updated.status, 'completed');
  assert.equal(updated.backend, 'wasm');
  assert.equal(updated.step, 300);
  assert.equal(updated.trainSeconds, 12.5);
  assert.equal(updated.notes, 'looks good\nsecond line');
  assert.deepEqual(updated.tags, ['baseline', 'k=8']);
  assert.ok(updated.updatedAt > run.updatedAt);
  assert.deepEqual(store.getRun(run.id), updated);

  // Fields left out (or undefined) are untouched.
  assert.deepEqual(store.updateRun(run.id, { notes: undefined, tags: [] }).notes, 'looks good\nsecond line');

  assert.throws(() => store.updateRun(run.id, { status: 'exploded' as never }), StoreError);
  assert.throws(() => store.updateRun(run.id, { tags: 'x' as never }), StoreError);
  assert.throws(() => store.updateRun(run.id, { id: 5 } as never), StoreError);
  assert.throws(() => store.updateRun(404, { notes: 'x' }), new StoreError('no run with id 404'));
  assert.throws(() => store.heartbeat(404), StoreError);
  assert.throws(() => store.deleteRun(404), StoreError);
});

test('stale detection: dead or missing trainers become interrupted, live ones do not', async (t) => {
  const store = await openTempStore(t);
  const dead = await deadPid();
  assert.equal(isProcessAlive(dead), false);
  assert.equal(isProcessAlive(process.pid), true);
  // pid 1 always exists; whether we may signal it (EPERM) or not, it is alive.
  assert.equal(isProcessAlive(1), true);
  assert.equal(isProcessAlive(0), false);

  const create = (name: string, status: 'running' | 'paused' | 'stopped', pid: number | null) =>
    store.createRun({ name, dataset: 'spiral', config: testConfig(), status, pid }).id;
  const deadRunning = create('dead-running', 'running', dead);
  const deadPaused = create('dead-paused', 'paused', dead);
  const noPid = create('no-pid', 'running', null);
  const ours = create('ours', 'running', process.pid);
  const stopped = create('stopped', 'stopped', dead);

  // A recorded pid that is gone can never write again: interrupted at once, grace or not.
  // Within the grace period a run without a pid is left alone: its trainer may just not have
  // recorded it yet.
  assert.deepEqual(store.markStaleRunsInterrupted(60_000), [deadRunning, deadPaused]);
  assert.equal(store.getRun(noPid)?.status, 'running');

  assert.deepEqual(store.markStaleRunsInterrupted(0), [noPid]);
  for (const id of [deadRunning, deadPaused, noPid]) {
    const run = store.getRun(id);
    assert.equal(run?.status, 'interrupted');
    assert.equal(run?.pid, null);
  }
  assert.equal(store.getRun(ours)?.status, 'running');
  assert.equal(store.getRun(ours)?.pid, process.pid);
  assert.equal(store.getRun(stopped)?.status, 'stopped');
  assert.deepEqual(store.markStaleRunsInterrupted(0), [], 'nothing left to mark');
});

test('a heartbeat keeps a pid-less run alive until the grace period passes; open() marks stale runs', async (t) => {
  const home = tempHome(t);
  const store = await Store.open(home);
  const run = store.createRun({ dataset: 'spiral', config: testConfig(), pid: null });
  await sleep(60);
  store.heartbeat(run.id);
  assert.deepEqual(store.markStaleRunsInterrupted(50), []);
  await sleep(60);
  assert.deepEqual(store.markStaleRunsInterrupted(50), [run.id]);

  store.updateRun(run.id, { status: 'running', pid: await deadPid() });
  store.close();
  const reopened = await Store.open(home, { staleGraceMs: 0 });
  t.after(() => reopened.close());
  assert.equal(reopened.getRun(run.id)?.status, 'interrupted');
});

test('looking for stale runs does not wait for another process holding the write lock', async (t) => {
  const home = tempHome(t);
  const store = await Store.open(home);
  t.after(() => store.close());
  store.createRun({ dataset: 'spiral', config: testConfig(), pid: process.pid });
  // Another connection in the middle of a long write (a trainer committing a checkpoint).
  const writer = new Database(store.path);
  writer.exec('BEGIN IMMEDIATE');
  t.after(() => writer.close());
  // With nothing stale there is nothing to write: a reader under WAL is not blocked.
  assert.deepEqual(store.markStaleRunsInterrupted(0), []);
  writer.exec('ROLLBACK');
});

test('a run whose recorded trainer was killed reads as interrupted on the next open, without waiting', async (t) => {
  const home = tempHome(t);
  const store = await Store.open(home);
  const run = store.createRun({
    dataset: 'spiral',
    config: testConfig(),
    status: 'running',
    pid: await deadPid(),
  });
  store.heartbeat(run.id); // the trainer's last heartbeat was just now
  store.close();
  const reopened = await Store.open(home); // the default grace period of 10 s
  t.after(() => reopened.close());
  assert.equal(reopened.getRun(run.id)?.status, 'interrupted');
  assert.equal(reopened.claimRun(run.id, process.pid).pid, process.pid, 'and it can be resumed at once');
});

test('claimRun takes a free run and refuses one held by a live trainer, a completed one, or one being started', async (t) => {
  const store = await openTempStore(t);
  const create = (
    name: string,
    status: 'running' | 'paused' | 'stopped' | 'interrupted' | 'completed',
    pid: number | null,
  ) => store.createRun({ name, dataset: 'spiral', config: testConfig(), status, pid }).id;

  const free = create('free', 'interrupted', null);
  const claimed = store.claimRun(free, process.pid);
  assert.equal(claimed.status, 'running');
  assert.equal(claimed.pid, process.pid);
  // Held now, by this very process too: a process trains a run once.
  assert.throws(
    () => store.claimRun(free, process.pid),
    new StoreError(`run 'free' is running in process ${process.pid}; stop it there first`),
  );
  assert.throws(() => store.claimRun(create('paused', 'paused', 1), process.pid), /is paused in process 1/);
  assert.throws(
    () => store.claimRun(create('done', 'completed', null), process.pid),
    /has already completed/,
  );
  // Created a moment ago with no pid yet: its creator is about to record one.
  assert.throws(
    () => store.claimRun(create('starting', 'running', null), process.pid),
    /being started by another process/,
  );
  // A dead trainer's run and a stopped run are taken over.
  const dead = await deadPid();
  assert.equal(store.claimRun(create('orphan', 'running', dead), process.pid).pid, process.pid);
  assert.equal(store.claimRun(create('stopped', 'stopped', null), process.pid).status, 'running');
  assert.throws(() => store.claimRun(404, process.pid), new StoreError('no run with id 404'));
});

test('resumeBlocker: the Resume action takes up a stopped, paused, interrupted or failed run, and says why not', () => {
  const why = (status: RunStatus, onCluster = false) => resumeBlocker({ status, onCluster });
  for (const status of ['stopped', 'paused', 'interrupted', 'failed'] as const) {
    assert.equal(why(status), null, status);
    assert.equal(canResumeHere({ status, onCluster: false }), true, status);
    // A Slurm sweep's run resumes through its sweep only, whatever its status.
    assert.equal(why(status, true), ON_CLUSTER_REASON, `${status} on a cluster`);
    assert.equal(canResumeHere({ status, onCluster: true }), false, `${status} on a cluster`);
  }
  assert.equal(why('completed'), 'it has completed; train it further for more epochs');
  assert.equal(why('running'), 'it is running');
  assert.equal(canResumeHere({ status: 'running', onCluster: false }), false);
});

test('extendRun raises the epochs of a run that can train further and refuses the rest, saying why', async (t) => {
  const store = await openTempStore(t);
  const create = (name: string, status: 'running' | 'stopped' | 'completed', config = testConfig()) =>
    store.createRun({
      name,
      dataset: 'spiral',
      config,
      status,
      pid: status === 'running' ? process.pid : null,
    });

  const done = create('done', 'completed');
  store.updateRun(done.id, { epoch: 500, finishedAt: new Date().toISOString() });
  const extended = store.extendRun(done.id, 800);
  assert.equal(extended.config.epochs, 800);
  assert.deepEqual({ ...extended.config, epochs: 500 }, done.config, 'nothing else changes');
  assert.equal(extended.status, 'stopped', 'resumable');
  assert.equal(extended.finishedAt, null);
  assert.equal(extended.epoch, 500, 'the trained epochs stay');
  assert.equal(store.extendRun(create('halfway', 'stopped').id, 501).status, 'stopped');

  const refusal = (name: string, why: string) => new StoreError(`run '${name}' cannot train further: ${why}`);
  assert.throws(
    () => store.extendRun(done.id, 800),
    refusal('done', 'it is set to 800 epochs already; ask for more than that'),
  );
  assert.throws(
    () => store.extendRun(done.id, 900.5),
    refusal('done', 'epochs must be a whole number, got 900.5'),
  );
  // What a web client could send: named as it came.
  assert.throws(
    () => store.extendRun(done.id, '900' as unknown as number),
    refusal('done', 'epochs must be a whole number, got "900"'),
  );
  assert.throws(
    () => store.extendRun(create('busy', 'running').id, 900),
    refusal('busy', 'it is running; stop it first'),
  );
  const cosine = create('annealed', 'completed', { ...testConfig(), lrSchedule: 'cosine' });
  assert.throws(
    () => store.extendRun(cosine.id, 900),
    /cannot train further: its learning rate anneals over its 500 epochs/,
  );
  assert.equal(store.getRun(cosine.id)!.config.epochs, 500, 'a refusal changes nothing');
  assert.equal(store.getRun(cosine.id)!.status, 'completed');
  assert.throws(() => store.extendRun(404, 900), new StoreError('no run with id 404'));
});
