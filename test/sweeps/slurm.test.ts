/**
 * The Slurm executor against a real one-node cluster (scripts/slurm-local.sh starts it; when
 * it cannot, this test fails saying why: it is never skipped). A four-run spiral sweep goes
 * out as one job array, two tasks at a time; its runs arrive in the user's store while they
 * train; one task is cancelled mid-run with scancel and ends 'interrupted' with its store
 * valid; `sweep resume` resubmits just that task, which continues from its checkpoint; in the
 * end every run is completed, once, with each epoch's metrics once.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SweepInfo } from '../../src-main/common/sweep.ts';
import { Store } from '../../src-main/host/store/index.ts';
import { gmvaeJson } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const SCRIPT = fileURLToPath(new URL('../../scripts/slurm-local.sh', import.meta.url));
// Tasks long enough (about 25 s each here) that the mid-run windows the test waits for, task 0
// seen training and then cancelled before it ends, outlast a `gmvae sweep status` poll on a
// loaded machine: at 10 epochs of a hidden-8 network each task trained in a few seconds.
const EPOCHS = 40;

/** Starts the test cluster (idempotent), or fails the test with the script's own explanation. */
function ensureSlurm(): void {
  const result = spawnSync('bash', [SCRIPT], { encoding: 'utf8', timeout: 600_000 });
  if (result.status !== 0)
    assert.fail(
      `the Slurm tests need a running cluster, and scripts/slurm-local.sh could not start one ` +
        `(exit ${result.status}${result.error ? `, ${result.error.message}` : ''}):\n${result.stderr}${result.stdout}`,
    );
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

test('a Slurm sweep: live collection, a task cancelled mid-run, resumed, nothing lost or duplicated', async (t) => {
  ensureSlurm();
  const home = tempDir();
  const file = path.join(tempDir(), 'sweep.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      name: 'slurm-test',
      dataset: 'spiral',
      base: { epochs: EPOCHS, hidden: 64, k: 4 },
      grid: { lambda: [0.5, 1] },
      seeds: [1, 2],
      // The local executor's settings are ignored: --executor slurm picks the Slurm ones.
      executor: {
        kind: 'local',
        jobs: 1,
        partition: 'debug',
        throttle: 2,
        time: '00:10:00',
        sbatch: ['--mem=0'],
      },
    }),
  );
  const submitted = await gmvaeJson<SweepInfo>(home, ['sweep', 'run', file, '--executor', 'slurm']);
  const jobs = submitted.tasks.map((task) => task.slurmJob!);
  t.after(() => spawnSync('scancel', [...new Set(jobs.map((j) => j.split('_')[0]!))]));
  assert.equal(submitted.executor, 'slurm');
  assert.equal(jobs.length, 4);
  assert.ok(
    jobs.every((j) => /^\d+_\d$/.test(j)),
    jobs.join(' '),
  );
  const script = fs.readFileSync(path.join(submitted.folder!, 'sweep.sh'), 'utf8');
  assert.match(script, /^#SBATCH --partition=debug$/m);
  assert.match(script, /^#SBATCH --time=00:10:00$/m);
  assert.match(script, /^#SBATCH --mem=0$/m);
  assert.match(script, /sweep task --home/);

  const status = () => gmvaeJson<SweepInfo>(home, ['sweep', 'status', String(submitted.id)]);
  const readRuns = async () => {
    const store = await Store.open(home);
    try {
      return store
        .listRuns()
        .map((run) => ({ ...run, elbo: store.metrics(run.id, ['test/elbo']).map((m) => m.epoch) }));
    } finally {
      store.close();
    }
  };

  // Task 0's run arrives in the user's store while it trains (a curve that grows).
  const live = await until('task 0 to train an epoch', 180_000, async () => {
    const info = await status();
    const task = info.tasks[0]!;
    return task.state === 'running' && task.epoch >= 1 && task.epoch < EPOCHS - 2 ? task : undefined;
  });
  const during = (await readRuns()).find((r) => r.id === live.runId)!;
  assert.equal(during.status, 'running');
  assert.equal(during.sweepId, submitted.id);
  assert.ok(during.elbo.length >= 1 && during.elbo.length < EPOCHS, `epochs so far: ${during.elbo}`);

  // Cancelled mid-run: SIGTERM, a checkpoint, and the run is interrupted (its store valid).
  const cancel = spawnSync('scancel', [live.slurmJob!], { encoding: 'utf8' });
  assert.equal(cancel.status, 0, cancel.stderr);
  const cancelled = await until('task 0 to end interrupted', 120_000, async () => {
    const task = (await status()).tasks[0]!;
    return task.state === 'interrupted' ? task : undefined;
  });
  assert.ok(cancelled.epoch < EPOCHS, `cancelled at epoch ${cancelled.epoch}`);
  const taskStore = await Store.open(path.join(submitted.folder!, 'tasks', '0'));
  assert.equal(taskStore.integrityCheck(), 'ok');
  assert.equal(taskStore.listRuns()[0]!.status, 'interrupted');
  assert.ok(taskStore.loadCheckpoint(taskStore.listRuns()[0]!.id, 'last'));
  taskStore.close();
  assert.equal((await readRuns()).find((r) => r.id === live.runId)!.status, 'interrupted');

  // Resume resubmits only what did not finish; the rest of the array goes on.
  const resumed = await gmvaeJson<SweepInfo>(home, ['sweep', 'resume', String(submitted.id)]);
  const newJob = resumed.tasks[0]!.slurmJob!;
  assert.notEqual(newJob.split('_')[0], jobs[0]!.split('_')[0]);
  jobs.push(newJob);
  assert.deepEqual(
    resumed.tasks.slice(1).map((task) => task.slurmJob),
    jobs.slice(1, 4),
  );

  const done = await until('every task to be done', 300_000, async () => {
    const info = await status();
    return info.state === 'done'
      ? info
      : info.state === 'running'
        ? undefined
        : assert.fail(JSON.stringify(info));
  });
  assert.deepEqual(
    done.tasks.map((task) => [task.state, task.epoch]),
    Array.from({ length: 4 }, () => ['done', EPOCHS]),
  );
  // Collected again after the end: still four runs, each epoch's metrics once.
  await status();
  const runs = await readRuns();
  assert.equal(runs.length, 4);
  assert.deepEqual(new Set(runs.map((r) => r.id)), new Set(done.tasks.map((task) => task.runId)));
  for (const run of runs) {
    assert.equal(run.status, 'completed', run.name);
    assert.equal(run.epoch, EPOCHS, run.name);
    assert.deepEqual(
      run.elbo,
      Array.from({ length: EPOCHS }, (_, i) => i + 1),
      run.name,
    );
  }
  const log = fs
    .readdirSync(path.join(submitted.folder!, 'logs'))
    .filter((name) => name.startsWith('task-0-'))
    .map((name) => fs.readFileSync(path.join(submitted.folder!, 'logs', name), 'utf8'))
    .join('\n');
  assert.match(log, /resuming at epoch \d+, step \d+/);
});
