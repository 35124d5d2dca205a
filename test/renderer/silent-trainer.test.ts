/**
 * A run another process trains whose process is stopped (Ctrl+Z, SIGSTOP) or hung stays
 * 'running' in the store (its pid is alive), and its last progress and speed would look current.
 * The list says how long its trainer has been silent (RunSummary.silentSeconds, from the store's
 * heartbeat), and the runs store turns that into a warning once it passes SILENT_AFTER_SECONDS
 * in training; the next progress report clears it. `gmvae runs list` says the same.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import type { RunProgress } from '../../src-main/common/api/contract.ts';
import { SILENT_AFTER_SECONDS } from '../../src-main/common/run.ts';
import { DATABASE_FILE, Store } from '../../src-main/host/store/index.ts';
import type { RunsStore as RunsStoreType } from '../../src-renderer/src/runs/runs-store.svelte.ts';
import { gmvae, gmvaeJson } from '../helpers/cli.ts';
import { serviceClient, type ServiceClient } from '../helpers/service-client.ts';
import { testConfig } from '../host/store/helpers.ts';
import { enableSvelteModules, settle, until } from '../helpers/svelte-modules.ts';

enableSvelteModules();
const { RunsStore } = (await import('../../src-renderer/src/runs/runs-store.svelte.ts')) as {
  RunsStore: typeof RunsStoreType;
};

const progress = (batch: number, phase: RunProgress['phase'] = 'training'): RunProgress => ({
  phase,
  epoch: 0,
  batch,
  batches: 100,
  step: batch,
  loss: 2,
  examplesPerSecond: 500,
});

let back: ServiceClient;
let there: Store;
let runs: RunsStoreType;

before(async () => {
  back = await serviceClient({ watchMs: 20 });
  there = await Store.open(back.home); // the other process's connection
  runs = new RunsStore(back);
});

after(async () => {
  there.close();
  await back.close();
});

/** The run's heartbeat and last update `seconds` ago, as a trainer that stopped then left them. */
function silenceFor(runId: number, seconds: number): void {
  const db = new Database(path.join(back.home, DATABASE_FILE));
  const at = new Date(Date.now() - seconds * 1000).toISOString();
  db.prepare('UPDATE runs SET heartbeat_at = ?, updated_at = ? WHERE id = ?').run(at, at, runId);
  db.close();
}

test('a silent trainer in another process: the list says for how long; its next report clears it', async () => {
  const { id } = there.createRun({
    dataset: 'spiral',
    config: testConfig(),
    status: 'interrupted',
    pid: null,
  });
  there.claimRun(id, process.pid); // alive, and not a worker of this service
  there.heartbeat(id, progress(3));
  silenceFor(id, 120);

  await runs.refresh();
  const run = runs.byId(id)!;
  assert.equal(run.status, 'running', 'its pid is alive: the store cannot call it interrupted');
  assert.ok(run.silentSeconds! >= 119 && run.silentSeconds! < 150, `silent ${run.silentSeconds} s`);
  const silent = runs.silentSeconds(run, Date.now());
  assert.ok(silent !== null && silent >= 119 && silent < 150, `warning after ${silent} s`);
  assert.ok(120 > SILENT_AFTER_SECONDS);

  // The same silence while it evaluates is normal: no heartbeats are written then.
  there.heartbeat(id, progress(100, 'evaluating'));
  silenceFor(id, 120);
  await runs.refresh();
  assert.equal(runs.silentSeconds(runs.byId(id)!, Date.now()), null);

  // Back in training and reporting: the progress event resets the clock at once.
  there.heartbeat(id, progress(3));
  silenceFor(id, 120);
  await runs.refresh();
  // The watcher sees the rewritten update time as an edit and the list refetches: let it, so
  // that what follows is the progress event's doing alone.
  await settle(500);
  assert.notEqual(runs.silentSeconds(runs.byId(id)!, Date.now()), null);
  there.heartbeat(id, progress(4));
  await until(() => runs.byId(id)?.progress?.batch === 4, 'the progress event');
  assert.equal(runs.silentSeconds(runs.byId(id)!, Date.now()), null);
  const later = Date.now() + (SILENT_AFTER_SECONDS + 5) * 1000;
  assert.ok(runs.silentSeconds(runs.byId(id)!, later)! > SILENT_AFTER_SECONDS, 'and counts again from there');
});

test('a run this process trains reports no silence: its worker is watched here', async () => {
  const { id } = await back.api.createRun({ dataset: 'spiral', name: 'trained-here', overrides: { k: 3 } });
  silenceFor(id, 600);
  await runs.refresh();
  const run = runs.byId(id)!;
  assert.equal(run.status, 'running');
  assert.equal(run.silentSeconds, null);
  assert.equal(runs.silentSeconds(run, Date.now() + 3_600_000), null);
});

test('gmvae runs list: a silent trainer\'s run reads "running, silent N min"', async () => {
  const { id } = there.createRun({
    dataset: 'spiral',
    config: testConfig(3),
    status: 'interrupted',
    pid: null,
  });
  there.claimRun(id, process.pid);
  there.heartbeat(id, progress(7));
  silenceFor(id, 180);
  const { code, stdout } = await gmvae(back.home, ['runs', 'list']);
  assert.equal(code, 0);
  const row = stdout.split('\n').find((line) => line.startsWith(`${id} `));
  assert.match(row ?? '', /running, silent 3 min/);
  const { runs: listed } = await gmvaeJson<{
    runs: { run: number; trainer_silent_seconds: number | null }[];
  }>(back.home, ['runs', 'list']);
  const silent = listed.find((r) => r.run === id)?.trainer_silent_seconds;
  assert.ok(silent !== null && silent !== undefined && silent >= 179 && silent < 240, `silent ${silent}`);
  assert.ok(listed.filter((r) => r.run !== id).every((r) => r.trainer_silent_seconds === null));
});
