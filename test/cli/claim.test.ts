/**
 * Who may train a run, with real `gmvae train` processes: of two resumes started together
 * exactly one trains (the run is claimed in one transaction), and a run whose trainer was
 * SIGKILLed resumes at once (a recorded pid that is gone means interrupted, no grace period).
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveConfig } from '../../src-main/common/config.ts';
import { DATABASE_FILE, Store } from '../../src-main/host/store/index.ts';
import { blobs } from '../helpers/blobs.ts';
import { gmvae, startGmvae, type CliResult } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const data = blobs(300, 60);
const SMALL = { k: 3, hidden: 16, batchSize: 50, lr: 3e-3, backend: 'cpu', seed: 4 };

/** A home with the blobs dataset and one run nobody trains yet, as after `train` was stopped. */
async function homeWithRun(epochs: number): Promise<{ home: string; name: string }> {
  const home = tempDir();
  const store = await Store.open(home);
  store.saveDataset(data);
  const config = resolveConfig(data.info, { ...SMALL, epochs });
  const run = store.createRun({ dataset: 'blobs', config, status: 'interrupted', pid: null });
  store.close();
  return { home, name: run.name };
}

/** Whether process `pid` has `file` open (Linux: its /proc fd links). */
function hasOpen(pid: number, file: string): boolean {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === file;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

test('two `train --resume` of the same run started together: one trains it, the other is refused', async () => {
  const { home, name } = await homeWithRun(2);
  // Hold the write lock while both start, so that both have read the run as resumable before
  // either can write: the race two users hitting Enter together can lose, made certain.
  const file = path.join(home, DATABASE_FILE);
  const blocker = new Database(file);
  blocker.exec('BEGIN IMMEDIATE');
  const runs = [
    startGmvae(home, ['train', '--resume', name, '--json']),
    startGmvae(home, ['train', '--resume', name, '--json']),
  ];
  const results = runs.map((child) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    return new Promise<CliResult>((resolve) =>
      child.on('close', (code) => resolve({ code, stdout, stderr })),
    );
  });
  // Where /proc exists (Linux), wait until both have the store open; the fixed wait after it
  // covers the rest. A child that exits early ends the wait too (the asserts then say why).
  const procfs = fs.existsSync('/proc/self/fd');
  while (
    procfs &&
    !runs.every((child) => hasOpen(child.pid!, file)) &&
    runs.every((child) => child.exitCode === null)
  )
    await sleep(25);
  await sleep(1500); // then each goes straight to its first write, and waits for the lock there
  blocker.exec('ROLLBACK');
  blocker.close();

  const [won, lost] = (await Promise.all(results)).sort((x, y) => (x.code ?? -1) - (y.code ?? -1));
  assert.equal(won!.code, 0, won!.stderr);
  assert.equal(JSON.parse(won!.stdout).status, 'completed');
  assert.notEqual(lost!.code, 0, 'the second resume must not train');
  assert.match(
    lost!.stderr,
    new RegExp(`run '${name}' (is running in process \\d+; stop it there first|has already completed)`),
  );

  const store = await Store.open(home);
  const metrics = store.metrics(store.getRun(name)!.id);
  const keys = new Set(metrics.map((m) => `${m.step}:${m.name}`));
  assert.equal(keys.size, metrics.length, 'no metric was recorded twice');
  store.close();
});

test('a run whose trainer was SIGKILLed resumes at once', async () => {
  const { home, name } = await homeWithRun(20);
  const child = startGmvae(home, ['train', '--resume', name]);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const watcher = await Store.open(home);
  // Kill it once it has recorded its pid and committed a checkpoint: its heartbeat is fresh.
  for (let i = 0; i < 1200; i++) {
    const run = watcher.getRun(name)!;
    if (run.pid === child.pid && run.epoch >= 1) break;
    await sleep(25);
  }
  child.kill('SIGKILL');
  await exited;
  const killed = watcher.getRun(name)!;
  assert.equal(killed.pid, child.pid, 'the dead trainer is still recorded');
  assert.ok(killed.epoch >= 1 && killed.epoch < 20, `killed in epoch ${killed.epoch}`);
  watcher.close();

  // No waiting for the heartbeat to go stale: the recorded process is gone.
  const shown = await gmvae(home, ['runs', 'show', name, '--json']);
  assert.equal(JSON.parse(shown.stdout).status, 'interrupted');
  const resumed = await gmvae(home, ['train', '--resume', name, '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(JSON.parse(resumed.stdout).status, 'completed');
});
