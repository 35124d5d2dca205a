/**
 * Training in separate processes: pause, resume and stop by message; a killed process leaves
 * the run interrupted, and a new process resumes it to the same results as an uninterrupted run.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { resolveConfig } from '../../src-main/common/config.ts';
import type { TrainEvent } from '../../src-main/common/training-events.ts';
import { Store } from '../../src-main/host/store/index.ts';
import { EngineSupervisor } from '../../src-main/host/supervisor.ts';
import { trainRun } from '../../src-main/engine/training/trainer.ts';
import { blobs } from '../helpers/blobs.ts';
import { metricSeries } from '../helpers/metrics.ts';
import { tempDir } from '../helpers/temp.ts';

const data = blobs();

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
  return { home, store, run, supervisor: new EngineSupervisor(store, home) };
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
    for (let i = 0; i < 100 && supervisor.active.length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(supervisor.active, [], 'the process has exited');
    assert.throws(() => supervisor.stop(run.id), /not training/);
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
});
