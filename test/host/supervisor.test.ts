/**
 * Training in separate processes: pause, resume and stop by message; a killed process leaves
 * the run interrupted, and a new process resumes it to the same results as an uninterrupted run.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../../src-main/common/config.ts';
import type { TrainEvent } from '../../src-main/common/training-events.ts';
import type {
  EngineTaskReply,
  SupervisorMessage,
  WorkerMessage,
} from '../../src-main/common/worker-protocol.ts';
import { Store, StoreError, isProcessAlive } from '../../src-main/host/store/index.ts';
import {
  DEFAULT_TRAINING_NICENESS,
  EngineSupervisor,
  forkLauncher,
  trainingNiceness,
  type WorkerHandle,
} from '../../src-main/host/supervisor.ts';
import { trainRun } from '../../src-main/engine/training/trainer.ts';
import { blobs } from '../helpers/blobs.ts';
import { metricSeries } from '../helpers/metrics.ts';
import { tempDir } from '../helpers/temp.ts';

const data = blobs();
const SUPERVISE_FIXTURE = fileURLToPath(new URL('./fixtures/supervise-until-sigint.ts', import.meta.url));

async function setup(epochs: number) {
  const home = tempDir();
  const store = await Store.open(home, { staleGraceMs: 0 });
  store.saveDataset(data);
  const config = resolveConfig(data.info, {
    k: 3,
    hidden: 32,
    epochs,
    batchSize: 50,
    lr: 3e-3,
    backend: 'cpu',
    seed: 9,
  });
  const run = store.createRun({ dataset: 'blobs', config, status: 'interrupted', pid: null });
  // The suite runs with GMVAE_TRAINING_NICENESS=0 (package.json); these runs take the product's.
  const supervisor = new EngineSupervisor(store, home, forkLauncher(), {
    trainingNiceness: DEFAULT_TRAINING_NICENESS,
  });
  return { home, store, run, supervisor };
}

/** The niceness of each thread of a process (Linux: field 19 of /proc/PID/task/TID/stat). */
function threadNiceness(pid: number): number[] {
  return fs.readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

/** Resolves with the first event that matches. */
function next(supervisor: EngineSupervisor, match: (e: TrainEvent) => boolean): Promise<TrainEvent> {
  return new Promise((resolve) => {
    const off = supervisor.onEvent((e) => {
      if (match(e)) {
        off();
        resolve(e);
      }
    });
  });
}

describe('EngineSupervisor', () => {
  test('pause, resume and stop a run training in its own process', async () => {
    const { store, run, supervisor } = await setup(200);
    const started = next(supervisor, (e) => e.type === 'started');
    supervisor.start(run.id);
    const first = await started;
    assert.equal(first.type === 'started' && first.backend, 'cpu');
    const trainerPid = store.getRun(run.id)!.pid;
    assert.ok(trainerPid && trainerPid !== process.pid, 'trains in another process');
    // ...every thread of it at a lower priority than the interface, which stays responsive
    // while runs take every core. (Linux keeps niceness per thread.)
    if (process.platform === 'linux') {
      const threads = threadNiceness(trainerPid);
      assert.ok(threads.length > 1, 'the engine has its threads');
      assert.deepEqual(new Set(threads), new Set([DEFAULT_TRAINING_NICENESS]));
      // Under autogroup scheduling the CPU is shared between sessions first: the engine leads
      // its own (it starts detached), so its session's group is lowered too.
      if (fs.existsSync(`/proc/${trainerPid}/autogroup`))
        assert.match(
          fs.readFileSync(`/proc/${trainerPid}/autogroup`, 'utf8'),
          new RegExp(`nice ${DEFAULT_TRAINING_NICENESS}\\b`),
        );
    }

    await next(supervisor, (e) => e.type === 'epoch');
    const paused = next(supervisor, (e) => e.type === 'status' && e.status === 'paused');
    supervisor.pause(run.id);
    await paused;
    assert.equal(store.getRun(run.id)!.status, 'paused');
    const stepAtPause = store.getRun(run.id)!.step;

    const running = next(supervisor, (e) => e.type === 'status' && e.status === 'running');
    supervisor.resume(run.id);
    await running;
    await next(supervisor, (e) => e.type === 'progress' && e.step > stepAtPause);

    const stopped = next(supervisor, (e) => e.type === 'status' && e.status === 'stopped');
    supervisor.stop(run.id);
    await stopped;
    const after = store.getRun(run.id)!;
    assert.equal(after.status, 'stopped');
    assert.equal(after.pid, null);
    assert.ok(after.step > stepAtPause);
    assert.equal(await supervisor.exited(run.id, 5000), true, 'the process exits after saying stopped');
    assert.deepEqual(supervisor.active, []);
    assert.equal(await supervisor.exited(run.id, 0), true, 'no process: at once');
    assert.throws(() => supervisor.stop(run.id), /not training/);
    store.close();
  });

  /** The fixture supervising the run in its own process group, once the engine process trains. */
  async function superviseInGroup(home: string, store: Store, runId: number) {
    // Its own process group, as a shell makes a foreground job; Ctrl-C signals the whole group.
    const parent = spawn(process.execPath, [SUPERVISE_FIXTURE, home, String(runId)], {
      stdio: ['ignore', 'inherit', 'inherit'],
      detached: true,
    });
    const exited = new Promise((resolve) => parent.on('exit', resolve));
    // Trains once the engine process has recorded its own pid and committed an epoch.
    for (;;) {
      const current = store.getRun(runId)!;
      if (current.pid !== null && current.pid !== parent.pid && current.epoch >= 1)
        return { parent, exited, trainer: current.pid };
      if (parent.exitCode !== null) throw new Error(`the fixture exited with code ${parent.exitCode}`);
      if (current.status === 'failed') throw new Error(`the run failed: ${current.error}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The run ended 'stopped' with a checkpoint of the step it reached. */
  function assertStoppedWithCheckpoint(store: Store, runId: number): void {
    const after = store.getRun(runId)!;
    assert.equal(after.status, 'stopped', after.error ?? '');
    assert.equal(after.pid, null);
    assert.equal(store.loadCheckpoint(runId, 'last')!.step, after.step);
    assert.ok(after.epoch < 500);
  }

  test('Ctrl-C in the terminal reaches the command, not its engine processes: the run stops with a checkpoint', async () => {
    const { home, store, run } = await setup(500);
    const { parent, exited } = await superviseInGroup(home, store, run.id);
    try {
      process.kill(-parent.pid!, 'SIGINT');
      await exited;
    } finally {
      // Only when the test failed with the group still alive: leave no training behind.
      if (parent.exitCode === null && parent.signalCode === null) process.kill(-parent.pid!, 'SIGKILL');
    }
    assertStoppedWithCheckpoint(store, run.id);
    store.close();
  });

  test('an engine process whose parent was killed stops by itself with a checkpoint', async () => {
    const { home, store, run } = await setup(500);
    const { parent, exited, trainer } = await superviseInGroup(home, store, run.id);
    parent.kill('SIGKILL');
    await exited;
    // The trainer notices the closed channel, checkpoints and exits.
    for (let i = 0; i < 1200 && isProcessAlive(trainer); i++) await new Promise((r) => setTimeout(r, 50));
    if (isProcessAlive(trainer)) process.kill(trainer, 'SIGKILL');
    assertStoppedWithCheckpoint(store, run.id);
    store.close();
  });

  test('a killed training process leaves the run interrupted; resuming matches an uninterrupted run', async () => {
    const reference = await setup(4);
    await trainRun({ store: reference.store, runId: reference.run.id, loadDataset: async () => data });

    const { store, run, supervisor } = await setup(4);
    supervisor.start(run.id);
    await next(supervisor, (e) => e.type === 'checkpoint' && e.epoch === 1);
    const interrupted = next(supervisor, (e) => e.type === 'status' && e.status === 'interrupted');
    supervisor.killAll();
    await interrupted;
    assert.equal(store.getRun(run.id)!.status, 'interrupted');
    assert.equal(store.integrityCheck(), 'ok');

    const completed = next(supervisor, (e) => e.type === 'status' && e.status === 'completed');
    supervisor.resume(run.id);
    await completed;
    assert.equal(store.getRun(run.id)!.status, 'completed');
    assert.deepEqual(metricSeries(store, run.id), metricSeries(reference.store, reference.run.id));
    store.close();
    reference.store.close();
  });
});

describe('engine tasks', () => {
  test('an import runs in its own process, reports progress, and can be cancelled', async () => {
    const home = tempDir();
    const store = await Store.open(home);
    const supervisor = new EngineSupervisor(store, home);
    const dir = tempDir();
    const small = `${dir}/small.csv`;
    fs.writeFileSync(small, 'a,b\n1,2\n3,4\n5,6\n7,8\n9,10\n');
    const progress: number[] = [];
    const done = await supervisor.runTask({ kind: 'import', paths: [small] }, (f) => progress.push(f)).result;
    assert.deepEqual(done, { dataset: 'small' });
    assert.ok(progress.length > 0 && progress.at(-1) === 1);
    assert.equal(store.getDatasetInfo('small')!.nTrain + store.getDatasetInfo('small')!.nTest, 5);

    // A large file, cancelled at once: the task rejects and stores nothing.
    const big = `${dir}/big.csv`;
    fs.writeFileSync(big, `a,b,c\n${'0.5,1.5,2.5\n'.repeat(400_000)}`);
    const task = supervisor.runTask({ kind: 'import', paths: [big] });
    task.cancel();
    await assert.rejects(task.result, /abort|cancel|ended/i);
    assert.equal(store.getDatasetInfo('big'), null);

    const failed = supervisor.runTask({ kind: 'import', paths: [`${dir}/missing.csv`] }).result;
    await assert.rejects(failed, /missing\.csv/);
    store.close();
  });

  test('tasks beyond the limit wait for a free process; a waiting task can be cancelled', async () => {
    const home = tempDir();
    const store = await Store.open(home);
    // Stand-in processes that finish when told to: no engine is loaded.
    const launched: FakeWorker[] = [];
    const supervisor = new EngineSupervisor(store, home, () => fakeWorker(launched), { maxTasks: 2 });
    const task = (i: number) => ({ kind: 'import' as const, paths: [`/data/${i}.csv`] });
    const progress: string[] = [];
    const runs = [0, 1, 2, 3].map((i) => supervisor.runTask(task(i), (_f, m) => progress.push(`${i}:${m}`)));
    assert.equal(launched.length, 2, 'two processes at most');
    assert.deepEqual(progress, [
      '2:waiting for other tasks to finish',
      '3:waiting for other tasks to finish',
    ]);

    runs[3]!.cancel();
    await assert.rejects(runs[3]!.result, /cancelled before it started/);
    launched[0]!.finish({ dataset: 'zero' });
    assert.deepEqual(await runs[0]!.result, { dataset: 'zero' });
    assert.equal(launched.length, 3, 'the waiting task started in the freed slot');
    assert.deepEqual(launched[2]!.sent[0], { type: 'task', home, id: 0, task: task(2), stay: false });
    launched[1]!.finish(1);
    launched[2]!.finish(2);
    assert.deepEqual(await Promise.all([runs[1]!.result, runs[2]!.result]), [1, 2]);
    assert.equal(launched.length, 3, 'the cancelled task never started');
    store.close();
  });

  test('a cancelled task whose process had to be killed is cancelled, not a crash', async () => {
    const home = tempDir();
    const store = await Store.open(home);
    const launched: FakeWorker[] = [];
    const supervisor = new EngineSupervisor(store, home, () => fakeWorker(launched));
    const crashed = supervisor.runTask({ kind: 'import', paths: ['/data/a.csv'] });
    launched[0]!.kill(); // ends without answering
    await assert.rejects(crashed.result, /the engine process ended unexpectedly/);
    const cancelled = supervisor.runTask({ kind: 'import', paths: ['/data/b.csv'] });
    cancelled.cancel();
    assert.deepEqual(launched[1]!.sent.at(-1), { type: 'stop' });
    launched[1]!.kill(); // busy, it did not answer the stop: killed
    await assert.rejects(cancelled.result, /^Error: the task was cancelled$/);
    store.close();
  });

  test('a waiting task whose process cannot start fails alone; the next waiting task still starts', async () => {
    const home = tempDir();
    const store = await Store.open(home);
    const launched: FakeWorker[] = [];
    let attempts = 0;
    const launcher = () => {
      if (attempts++ === 1) throw new Error('fork failed');
      return fakeWorker(launched);
    };
    const supervisor = new EngineSupervisor(store, home, launcher, { maxTasks: 1 });
    const task = (i: number) => ({ kind: 'import' as const, paths: [`/data/${i}.csv`] });
    const runs = [0, 1, 2].map((i) => supervisor.runTask(task(i)));
    launched[0]!.finish({ dataset: 'zero' });
    await assert.rejects(runs[1]!.result, /fork failed/);
    assert.equal(launched.length, 2, 'the third task took the slot the failed launch left');
    launched[1]!.finish({ dataset: 'two' });
    assert.deepEqual(await runs[2]!.result, { dataset: 'two' });
    store.close();
  });
});

describe('claiming a run', () => {
  test('a run another live process trains is refused before any process starts', async (t) => {
    const { home, store, run } = await setup(2);
    const launched: FakeWorker[] = [];
    const supervisor = new EngineSupervisor(store, home, () => fakeWorker(launched));
    // A live process stands for the other trainer (a `gmvae train --resume` in a terminal).
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    t.after(() => other.kill());
    store.claimRun(run.id, other.pid!);
    assert.throws(
      () => supervisor.start(run.id),
      (error: unknown) =>
        error instanceof StoreError && error.message.includes(`is running in process ${other.pid}`),
    );
    assert.deepEqual(launched, [], 'no engine process was started');
    assert.deepEqual(supervisor.active, []);
    const held = store.getRun(run.id)!;
    assert.deepEqual([held.status, held.pid], ['running', other.pid], 'the other trainer keeps it');
    store.close();
  });

  test('an engine process that exits after another trainer claimed its run leaves that trainer the run', async (t) => {
    const { home, store, run } = await setup(2);
    const launched: FakeWorker[] = [];
    const supervisor = new EngineSupervisor(store, home, () => fakeWorker(launched));
    const statuses: string[] = [];
    supervisor.onEvent((e) => void (e.type === 'status' && statuses.push(e.status)));
    supervisor.start(run.id);
    // The engine process stops its run, and before the host reads its last message a terminal's
    // `gmvae train --resume` claims the run; then the process's exit arrives.
    store.updateRun(run.id, { status: 'stopped', pid: null });
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    t.after(() => other.kill());
    store.claimRun(run.id, other.pid!);
    launched[0]!.kill();
    const held = store.getRun(run.id)!;
    assert.deepEqual([held.status, held.pid], ['running', other.pid], 'the other trainer keeps it');
    assert.deepEqual(statuses, []);
    // Without such a claim, a process that dies leaves its run interrupted.
    const second = store.createRun({
      dataset: 'blobs',
      config: run.config,
      status: 'interrupted',
      pid: null,
    });
    supervisor.start(second.id);
    launched[1]!.kill();
    assert.deepEqual([store.getRun(second.id)!.status, store.getRun(second.id)!.pid], ['interrupted', null]);
    assert.deepEqual(statuses, ['interrupted']);
    store.close();
  });

  test('training niceness: 10 unless GMVAE_TRAINING_NICENESS says otherwise, which must be 0 to 19', () => {
    assert.equal(trainingNiceness({}), 10);
    assert.equal(trainingNiceness({ GMVAE_TRAINING_NICENESS: '0' }), 0);
    assert.equal(trainingNiceness({ GMVAE_TRAINING_NICENESS: ' 19 ' }), 19);
    for (const bad of ['20', '-1', '5.5', 'low'])
      assert.throws(
        () => trainingNiceness({ GMVAE_TRAINING_NICENESS: bad }),
        new RegExp(`GMVAE_TRAINING_NICENESS must be a whole number from 0 to 19, not "${bad}"`),
      );
  });

  test('of two supervisors on one home (an app and a server) exactly one trains a run', async () => {
    const { home, store, run } = await setup(2);
    const second = await Store.open(home, { staleGraceMs: 0 });
    const launched: FakeWorker[] = [];
    const a = new EngineSupervisor(store, home, () => fakeWorker(launched), {
      trainingNiceness: DEFAULT_TRAINING_NICENESS,
    });
    const b = new EngineSupervisor(second, home, () => fakeWorker(launched));
    a.start(run.id);
    assert.throws(() => b.start(run.id), StoreError);
    assert.equal(launched.length, 1, 'one engine process for the run');
    assert.deepEqual(launched[0]!.sent, [
      { type: 'train', home, runId: run.id, niceness: DEFAULT_TRAINING_NICENESS },
    ]);
    assert.deepEqual([a.active, b.active], [[run.id], []]);
    a.killAll();
    second.close();
    store.close();
  });
});

interface FakeWorker extends WorkerHandle {
  sent: SupervisorMessage[];
  finish(result: unknown): void;
}

/** A WorkerHandle that records what it is sent and reports a task done when told to. */
function fakeWorker(launched: FakeWorker[]): FakeWorker {
  const onMessage: ((m: WorkerMessage) => void)[] = [];
  const onExit: ((code: number | null) => void)[] = [];
  const worker: FakeWorker = {
    pid: 100_000 + launched.length,
    sent: [],
    send: (message) => void worker.sent.push(message),
    onMessage: (listener) => void onMessage.push(listener),
    onExit: (listener) => void onExit.push(listener),
    kill: () => onExit.forEach((l) => l(null)),
    finish: (result) => {
      onMessage.forEach((l) =>
        l({ type: 'task-done', id: 0, ok: true, reply: { kind: 'import', result } as EngineTaskReply }),
      );
      onExit.forEach((l) => l(0));
    },
  };
  launched.push(worker);
  return worker;
}

test('a message to an engine process that has just exited is dropped, not a crash of the host', async () => {
  // The sweep and shutdown paths send 'stop' to every process they hold; one may have finished
  // its run and exited a moment before. An unhandled EPIPE or closed-channel error ended the host.
  const entry = `${tempDir()}/exits.mjs`;
  fs.writeFileSync(entry, 'process.exit(0);\n');
  const worker = forkLauncher(entry)();
  await new Promise<void>((resolve) => worker.onExit(() => resolve()));
  const errors: unknown[] = [];
  const onError = (error: unknown) => errors.push(error);
  process.on('uncaughtException', onError);
  try {
    worker.send({ type: 'stop' });
    await new Promise((resolve) => setTimeout(resolve, 300));
  } finally {
    process.off('uncaughtException', onError);
  }
  assert.deepEqual(errors, []);
});
