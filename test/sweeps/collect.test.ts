/**
 * Collecting a Slurm task's run into the user's store, without Slurm or training: a task store
 * written as `gmvae sweep task` writes it (checkpoint commits, then a snapshot), collected
 * once, twice, and after more training. Collecting is idempotent (one run per task, its
 * metrics and checkpoints replaced, never appended twice), and a run that trains on the
 * cluster is neither marked stale nor claimable here.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { resolveConfig } from '../../src-main/common/config.ts';
import {
  canResumeHere,
  ON_CLUSTER_REASON,
  trainFurtherBlocker,
  type CheckpointData,
} from '../../src-main/common/run.ts';
import { parseSweepDefinition } from '../../src-main/common/sweep.ts';
import { SPIRAL_INFO, datasetInfo } from '../../src-main/host/datasets.ts';
import { Store, StoreError } from '../../src-main/host/store/index.ts';
import {
  TASK_SNAPSHOT,
  checkNotDriven,
  createSweep,
  sweepStatus,
  taskFolder,
  unfinishedTasks,
} from '../../src-main/host/sweeps.ts';
import { serviceClient } from '../helpers/service-client.ts';
import { tempDir } from '../helpers/temp.ts';

function checkpoint(runId: number, epoch: number): CheckpointData {
  return {
    runId,
    kind: 'last',
    epoch,
    step: epoch * 10,
    batchInEpoch: 0,
    createdAt: new Date().toISOString(),
    score: -epoch,
    trainSeconds: epoch,
    weights: [{ name: 'w', shape: [3], data: new Float32Array([epoch, 2, 3]) }],
    optimizer: [{ name: 'm', shape: [1], data: new Float32Array([epoch]) }],
  };
}

/** One epoch as the trainer commits it, then the snapshot the task writes after it. */
function trainEpoch(task: Store, folder: string, runId: number, epoch: number, status?: 'completed'): void {
  task.commitCheckpoint({
    checkpoint: checkpoint(runId, epoch),
    alsoBest: true,
    metrics: ['test/elbo', 'train/loss'].map((name) => ({
      runId,
      step: epoch * 10,
      epoch,
      name,
      value: -epoch,
      time: Date.now(),
    })),
    run: { epoch, step: epoch * 10, trainSeconds: epoch },
  });
  if (status) task.updateRun(runId, { status, pid: null });
  const tmp = path.join(folder, `${TASK_SNAPSHOT}.tmp`);
  fs.rmSync(tmp, { force: true });
  task.snapshotTo(tmp);
  fs.renameSync(tmp, path.join(folder, TASK_SNAPSHOT));
}

test('a task is collected once per snapshot, into one run, however often status is asked', async () => {
  const home = tempDir();
  const store = await Store.open(home);
  const definition = parseSweepDefinition(
    {
      name: 'c',
      dataset: 'spiral',
      base: { epochs: 3 },
      grid: { lambda: [0.5, 1] },
      executor: { kind: 'slurm' },
    },
    'c.json',
    (name) => datasetInfo(store, name),
  );
  const sweep = await createSweep(store, home, definition);
  assert.equal(sweep.folder, path.join(home, 'sweeps', String(sweep.id)));
  // Nothing trained yet: queued, no run here.
  assert.deepEqual(
    sweepStatus(store, sweep.id, { collect: false }).tasks.map((t) => [t.state, t.runId]),
    [
      ['queued', null],
      ['queued', null],
    ],
  );

  // Task 0 trains two epochs (as `sweep task` does: claimed, then committed epochs).
  const folder = taskFolder(sweep.folder!, 0);
  const task = await Store.open(folder, { exclusive: true });
  const [taskRun] = task.listRuns();
  assert.deepEqual(taskRun!.config, resolveConfig(SPIRAL_INFO, { epochs: 3, lambda: 0.5, seed: 1 }));
  task.claimRun(taskRun!.id, process.pid);
  trainEpoch(task, folder, taskRun!.id, 1);
  trainEpoch(task, folder, taskRun!.id, 2);

  const collectOnce = () => {
    return store.collectSweepTask(sweep.id, 0, path.join(folder, TASK_SNAPSHOT), 'v1', 'c-s1-0');
  };
  const first = collectOnce();
  assert.equal(first.copied, true);
  const again = collectOnce();
  assert.deepEqual(again, { runId: first.runId, copied: false });
  // A new version of the same snapshot replaces what was copied: still one run, no duplicates.
  const forced = store.collectSweepTask(sweep.id, 0, path.join(folder, TASK_SNAPSHOT), 'v2', 'c-s1-0');
  assert.deepEqual(forced, { runId: first.runId, copied: true });
  let runs = store.listRuns();
  assert.equal(runs.length, 1);
  assert.equal(runs[0]!.sweepId, sweep.id);
  assert.equal(runs[0]!.name, 'c-s1-0');
  assert.equal(runs[0]!.status, 'running');
  assert.equal(runs[0]!.pid, null);
  assert.equal(runs[0]!.epoch, 2);
  assert.equal(store.metrics(first.runId, ['test/elbo']).length, 2);
  assert.deepEqual(
    store.listCheckpoints(first.runId).map((c) => [c.kind, c.epoch]),
    [
      ['best', 2],
      ['last', 2],
    ],
  );
  assert.deepEqual([...store.loadCheckpoint(first.runId, 'last')!.weights[0]!.data], [2, 2, 3]);

  // Trained on the cluster: not stale here however old its heartbeat, and not trainable here.
  assert.deepEqual(store.markStaleRunsInterrupted(0), []);
  assert.throws(
    () => store.claimRun(first.runId, process.pid),
    (e: unknown) => {
      assert.ok(e instanceof StoreError);
      assert.match(e.message, /trains on a Slurm cluster as part of a sweep: use gmvae sweep resume/);
      return true;
    },
  );
  // The record says so, and the actions the interface offers follow it: neither Resume nor
  // Train further here (the store refuses both with the same reason).
  assert.equal(runs[0]!.onCluster, true);
  assert.equal(taskRun!.onCluster, false, "the task's own store trains it");
  assert.equal(canResumeHere({ ...runs[0]!, status: 'interrupted' }), false);
  assert.equal(canResumeHere({ ...taskRun!, status: 'interrupted' }), true);
  assert.equal(trainFurtherBlocker(runs[0]!), ON_CLUSTER_REASON);
  assert.throws(
    () => store.extendRun(first.runId, 9),
    new StoreError(`run 'c-s1-0' cannot train further: ${ON_CLUSTER_REASON}`),
  );
  assert.equal(store.getRun(first.runId)!.config.epochs, 3, 'a refusal changes nothing');

  // The last epoch: the next collection updates the same run.
  trainEpoch(task, folder, taskRun!.id, 3, 'completed');
  task.close();
  const status = sweepStatus(store, sweep.id, { collect: false });
  assert.equal(status.tasks[0]!.runId, first.runId);
  collectOnce();
  store.collectSweepTask(sweep.id, 0, path.join(folder, TASK_SNAPSHOT), 'v3', 'c-s1-0');
  store.collectSweepTask(sweep.id, 0, path.join(folder, TASK_SNAPSHOT), 'v3', 'c-s1-0');
  runs = store.listRuns();
  assert.equal(runs.length, 1);
  assert.equal(runs[0]!.status, 'completed');
  assert.equal(runs[0]!.epoch, 3);
  assert.deepEqual(
    store.metrics(first.runId, ['test/elbo']).map((m) => m.epoch),
    [1, 2, 3],
  );
  assert.deepEqual(sweepStatus(store, sweep.id, { collect: false }).tasks[0]!.state, 'done');
  store.close();
});

test('a collected run that Slurm no longer runs is interrupted; a status override never duplicates', async () => {
  const home = tempDir();
  const store = await Store.open(home);
  const definition = parseSweepDefinition(
    { name: 'd', dataset: 'spiral', base: { epochs: 3 }, executor: { kind: 'slurm' } },
    'd.json',
    (name) => datasetInfo(store, name),
  );
  const sweep = await createSweep(store, home, definition);
  const folder = taskFolder(sweep.folder!, 0);
  const task = await Store.open(folder, { exclusive: true });
  const id = task.listRuns()[0]!.id;
  task.claimRun(id, process.pid);
  trainEpoch(task, folder, id, 1);
  task.close();
  const file = path.join(folder, TASK_SNAPSHOT);
  const { runId } = store.collectSweepTask(sweep.id, 0, file, 'v1', 'd-s1-0');
  store.collectSweepTask(sweep.id, 0, file, 'v1', 'd-s1-0', 'interrupted');
  assert.equal(store.getRun(runId)!.status, 'interrupted');
  assert.equal(store.listRuns().length, 1);
  assert.equal(store.metrics(runId, ['test/elbo']).length, 1);
  // A task Slurm has forgotten, whose snapshot says running: interrupted, resumable.
  store.updateSweepTask(sweep.id, 0, { slurmJob: '999999_0', slurmState: 'CANCELLED' });
  assert.equal(sweepStatus(store, sweep.id, { collect: false }).tasks[0]!.state, 'interrupted');
  store.close();
});

test("a task's unreadable snapshot is that task's problem: the store is unharmed and the other tasks collected", async () => {
  const home = tempDir();
  const store = await Store.open(home);
  const definition = parseSweepDefinition(
    { name: 'bad', dataset: 'spiral', base: { epochs: 1 }, seeds: [1, 2, 3], executor: { kind: 'slurm' } },
    'bad.json',
    (name) => datasetInfo(store, name),
  );
  const sweep = await createSweep(store, home, definition);
  for (const index of [0, 1, 2]) {
    const folder = taskFolder(sweep.folder!, index);
    const task = await Store.open(folder, { exclusive: true });
    const id = task.listRuns()[0]!.id;
    task.claimRun(id, process.pid);
    trainEpoch(task, folder, id, 1, 'completed');
    task.close();
    store.updateSweepTask(sweep.id, index, { slurmJob: `999999_${index}`, slurmState: 'COMPLETED' });
  }
  // Task 0's snapshot is not a database at all; task 1's was cut short (a copy that failed).
  const snapshot = (index: number) => path.join(taskFolder(sweep.folder!, index), TASK_SNAPSHOT);
  fs.writeFileSync(snapshot(0), Buffer.alloc(8192, 0x5a));
  const whole = fs.readFileSync(snapshot(1));
  fs.writeFileSync(snapshot(1), whole.subarray(0, Math.floor(whole.length / 2)));

  const bin = tempDir();
  fs.writeFileSync(path.join(bin, 'squeue'), '#!/bin/sh\necho "Invalid job id specified" >&2\nexit 1\n', {
    mode: 0o755,
  });
  const pathBefore = process.env.PATH;
  process.env.PATH = `${bin}${path.delimiter}${pathBefore}`;
  try {
    const info = sweepStatus(store, sweep.id);
    const [bad, cut, good] = info.tasks;
    for (const [task, index] of [
      [bad!, 0],
      [cut!, 1],
    ] as const) {
      assert.equal(task.runId, null);
      assert.ok(
        task.problem?.includes(`snapshot ${snapshot(index)} cannot be read`),
        task.problem ?? 'no problem',
      );
      assert.doesNotMatch(task.problem ?? '', /the store .* is damaged/);
    }
    assert.equal(good!.state, 'done', 'the sound snapshot is still collected');
    assert.equal(good!.problem, null);
    assert.equal(info.collected, 1);
  } finally {
    process.env.PATH = pathBefore;
  }
  store.close();
  // The user's store opens again (its own check passes) with the one collected run.
  const reopened = await Store.open(home);
  assert.deepEqual(
    reopened.listRuns().map((r) => r.status),
    ['completed'],
  );
  reopened.close();
});

test('the API lists sweeps and their tasks, and a collection that copied runs says runs-changed', async () => {
  // A squeue that has forgotten every job, so this test needs no cluster (slurm.test.ts has one).
  const bin = tempDir();
  fs.writeFileSync(
    path.join(bin, 'squeue'),
    '#!/bin/sh\necho "slurm_load_jobs error: Invalid job id specified" >&2\nexit 1\n',
    { mode: 0o755 },
  );
  const pathBefore = process.env.PATH;
  process.env.PATH = `${bin}${path.delimiter}${pathBefore}`;
  const client = await serviceClient();
  try {
    const { store, home } = client;
    const definition = parseSweepDefinition(
      { name: 'api', dataset: 'spiral', base: { epochs: 1 }, seeds: [1, 2], executor: { kind: 'slurm' } },
      'api.json',
      (name) => datasetInfo(store, name),
    );
    const sweep = await createSweep(store, home, definition);
    const folder = taskFolder(sweep.folder!, 1);
    const task = await Store.open(folder, { exclusive: true });
    const id = task.listRuns()[0]!.id;
    task.claimRun(id, process.pid);
    trainEpoch(task, folder, id, 1, 'completed');
    task.close();
    // Submitted once (a job Slurm has long forgotten): the task's run is collected on asking.
    store.updateSweepTask(sweep.id, 1, { slurmJob: '999999_1', slurmState: 'RUNNING' });
    store.updateSweepTask(sweep.id, 0, { slurmJob: '999999_0', slurmState: 'RUNNING' });
    store.updateSweep(sweep.id, { state: 'stopped' });

    const events: string[] = [];
    client.onEvent((event) => events.push(event.type));
    const got = await client.api.getSweep(sweep.id);
    assert.deepEqual(
      got.tasks.map((t) => [t.index, t.state, t.runId !== null]),
      [
        // Ended by `sweep stop` (the sweep's state), not by a failure.
        [0, 'stopped', false],
        [1, 'done', true],
      ],
    );
    assert.equal(got.collected, 1);
    assert.deepEqual(events, ['runs-changed']);
    const listed = await client.api.listSweeps();
    assert.deepEqual(
      listed.map((s) => [s.id, s.name, s.executor, s.state, s.counts.done, s.counts.stopped]),
      [[sweep.id, 'api', 'slurm', 'stopped', 1, 1]],
    );
    const runs = await client.api.listRuns();
    assert.deepEqual(
      runs.map((r) => [r.name, r.status, r.sweepId]),
      [['api-s1-1', 'completed', sweep.id]],
    );
    await assert.rejects(client.api.getSweep(999), /no sweep '999'/);
  } finally {
    process.env.PATH = pathBefore;
    await client.close();
  }
});

test('resume submits what is neither done nor live in Slurm; a driven local sweep is not driven twice', async () => {
  const home = tempDir();
  const store = await Store.open(home);
  const parse = (kind: string) =>
    parseSweepDefinition(
      { name: 'r', dataset: 'spiral', base: { epochs: 1 }, seeds: [1, 2, 3], executor: { kind } },
      'r.json',
      (name) => datasetInfo(store, name),
    );
  const slurm = await createSweep(store, home, parse('slurm'));
  // Never submitted (sbatch failed): every task; then one pending and one running are live.
  assert.deepEqual(unfinishedTasks(sweepStatus(store, slurm.id, { collect: false })), [0, 1, 2]);
  store.updateSweepTask(slurm.id, 0, { slurmJob: '7_0', slurmState: 'PENDING' });
  store.updateSweepTask(slurm.id, 1, { slurmJob: '7_1', slurmState: 'RUNNING' });
  store.updateSweepTask(slurm.id, 2, { slurmJob: '7_2', slurmState: 'TIMEOUT' });
  const status = sweepStatus(store, slurm.id, { collect: false });
  assert.deepEqual(
    status.tasks.map((t) => t.state),
    ['queued', 'running', 'interrupted'],
  );
  assert.deepEqual(unfinishedTasks(status), [2]);

  const local = await createSweep(store, home, parse('local'));
  checkNotDriven(store.getSweep(local.id)!);
  store.updateSweep(local.id, { pid: process.ppid });
  assert.throws(() => checkNotDriven(store.getSweep(local.id)!), /sweep 'r' is training in process \d+/);
  store.close();
});
