/**
 * Scheduling a reproduction's runs over engine processes (simulated here by a fake launcher):
 * at most `jobs` at once, completed runs left alone, a run another process trains waited for,
 * a crashed run reported rather than restarted, and a stop that leaves every run resumable.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import type { RunStatus } from '../../../src-main/common/run.ts';
import type { SupervisorMessage, WorkerMessage } from '../../../src-main/common/worker-protocol.ts';
import { createRun } from '../../../src-main/host/runs.ts';
import { trainRuns } from '../../../src-main/engine/reproduce/schedule.ts';
import { Store } from '../../../src-main/host/store/index.ts';
import { EngineSupervisor, type WorkerHandle } from '../../../src-main/host/supervisor.ts';
import { tempDir } from '../../helpers/temp.ts';

type Behaviour = 'complete' | 'crash' | 'until-stopped';

/** A launcher whose "processes" mark their run running, then complete, crash, or wait for 'stop'. */
function fakeLauncher(store: Store, behaviour: Behaviour) {
  const started: number[] = [];
  let live = 0;
  let maxLive = 0;
  const launch = (): WorkerHandle => {
    const messageListeners: ((m: WorkerMessage) => void)[] = [];
    const exitListeners: ((code: number | null) => void)[] = [];
    let runId = 0;
    const exit = (code: number) => {
      live--;
      for (const l of exitListeners) l(code);
    };
    const finish = (status: RunStatus) => {
      store.updateRun(runId, { status, pid: null, epoch: status === 'completed' ? 3 : 1 });
      for (const l of messageListeners)
        l({ type: 'event', event: { type: 'status', runId, status, error: null } });
      for (const l of messageListeners) l({ type: 'finished', runId, status, error: null });
      exit(0);
    };
    return {
      pid: 4242,
      send: (message: SupervisorMessage) => {
        if (message.type === 'train') {
          runId = message.runId;
          started.push(runId);
          live++;
          maxLive = Math.max(maxLive, live);
          store.updateRun(runId, { status: 'running', pid: process.pid });
          if (behaviour === 'complete') setTimeout(() => finish('completed'), 30);
          if (behaviour === 'crash') setTimeout(() => exit(1), 30);
        } else if (message.type === 'stop') setTimeout(() => finish('stopped'), 10);
      },
      onMessage: (l) => messageListeners.push(l),
      onExit: (l) => exitListeners.push(l),
      kill: () => exit(137),
    };
  };
  return { launch, started, maxLive: () => maxLive };
}

async function setup(runs: number, behaviour: Behaviour) {
  const home = tempDir();
  const store = await Store.open(home, { staleGraceMs: 60_000 });
  const ids = Array.from(
    { length: runs },
    (_, i) => createRun(store, { dataset: 'spiral', name: `r${i}`, overrides: { seed: i } }).id,
  );
  const fake = fakeLauncher(store, behaviour);
  return { store, ids, fake, supervisor: new EngineSupervisor(store, home, fake.launch) };
}

describe('trainRuns', () => {
  test('trains every pending run (a failed one too), at most `jobs` at once, and leaves completed runs alone', async () => {
    const { store, ids, fake, supervisor } = await setup(5, 'complete');
    store.updateRun(ids[0]!, { status: 'completed', epoch: 3 });
    store.updateRun(ids[1]!, { status: 'failed', epoch: 1, error: 'disk full' });
    const runs = await trainRuns(store, supervisor, ids, { jobs: 2, pollMs: 5 });
    assert.deepEqual(
      runs.map((r) => r.status),
      ['completed', 'completed', 'completed', 'completed', 'completed'],
    );
    assert.deepEqual([...fake.started].sort(), ids.slice(1).sort());
    assert.equal(fake.maxLive(), 2);
    store.close();
  });

  test('waits for a run that another live process is training instead of starting it', async (t) => {
    const { store, ids, fake, supervisor } = await setup(1, 'complete');
    // A live process stands for the other trainer (a dead pid would read as interrupted at once).
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    t.after(() => other.kill());
    store.updateRun(ids[0]!, { status: 'running', pid: other.pid! });
    const notes: string[] = [];
    setTimeout(() => store.updateRun(ids[0]!, { status: 'completed', pid: null, epoch: 3 }), 100);
    const [run] = await trainRuns(store, supervisor, ids, {
      jobs: 1,
      pollMs: 5,
      onNote: (l) => notes.push(l),
    });
    assert.equal(run!.status, 'completed');
    assert.deepEqual(fake.started, []);
    assert.equal(notes.filter((l) => l.startsWith('waiting for run')).length, 1);
    store.close();
  });

  test('a run whose process dies is reported interrupted, not restarted in the same sitting', async () => {
    const { store, ids, fake, supervisor } = await setup(2, 'crash');
    const runs = await trainRuns(store, supervisor, ids, { jobs: 1, pollMs: 5 });
    assert.deepEqual(
      runs.map((r) => r.status),
      ['interrupted', 'interrupted'],
    );
    assert.deepEqual(fake.started, ids);
    store.close();
  });

  test('aborting stops the running ones (resumable) and starts nothing more', async () => {
    const { store, ids, fake, supervisor } = await setup(3, 'until-stopped');
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    const runs = await trainRuns(store, supervisor, ids, { jobs: 2, pollMs: 5, signal: abort.signal });
    assert.deepEqual(
      runs.map((r) => r.status),
      ['stopped', 'stopped', 'interrupted'],
    );
    assert.deepEqual(fake.started, ids.slice(0, 2));
    store.close();
  });
});
