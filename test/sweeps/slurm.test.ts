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
// Tasks long enough (about 20 s each here) that task 0, thawed after it was seen training, is
// still training when scancel reaches it a moment later.
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

/**
 * Polls until `probe` returns a value. On a timeout the error says what the polls saw (each
 * poll's time and result, by `seen`) and what the sweep's task logs hold, since a failure here
 * happens in processes Slurm started, whose output is gone with the test's temporary home.
 */
async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<{ value?: T; seen: string }>,
  logsFolder: () => string | undefined,
  intervalMs = 500,
): Promise<T> {
  const started = Date.now();
  const seen: string[] = [];
  for (;;) {
    const poll = await probe();
    if (poll.value !== undefined) return poll.value;
    seen.push(`${((Date.now() - started) / 1000).toFixed(1)} s: ${poll.seen}`);
    if (Date.now() - started > timeoutMs) {
      const folder = logsFolder();
      const logs = folder && fs.existsSync(folder) ? fs.readdirSync(folder).sort() : [];
      throw new Error(
        [
          `timed out after ${timeoutMs / 1000} s waiting for ${what}; the polls saw:`,
          ...seen.slice(-40),
          ...logs.map(
            (name) => `--- ${name}:\n${fs.readFileSync(path.join(folder!, name), 'utf8').slice(-4000)}`,
          ),
        ].join('\n'),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** One line per task of a status poll: state, epoch, Slurm job and state. */
const describe = (info: SweepInfo): string =>
  info.tasks.map((t) => `${t.index}:${t.state}@${t.epoch}(${t.slurmJob} ${t.slurmState})`).join(' ');

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

  // Task 0's run arrives in the user's store while it trains (a curve that grows). The task is
  // frozen (scontrol suspend: SIGSTOP) as soon as its log shows a finished epoch, so that the
  // status polls, each a fresh `gmvae` process that a loaded machine may take many seconds to
  // run, see it mid-run however fast it trains.
  const logs = () => path.join(submitted.folder!, 'logs');
  const task0Log = () =>
    fs
      .readdirSync(logs())
      .filter((name) => name.startsWith('task-0-'))
      .map((name) => fs.readFileSync(path.join(logs(), name), 'utf8'))
      .join('\n');
  await until(
    'task 0 to log its first epoch',
    180_000,
    async () => {
      const log = task0Log();
      return {
        value: /^epoch 1:/m.test(log) || undefined,
        seen: log.trim().split('\n').at(-1) ?? '(no log yet)',
      };
    },
    logs,
    200,
  );
  const suspend = spawnSync('scontrol', ['suspend', jobs[0]!], { encoding: 'utf8' });
  assert.equal(suspend.status, 0, `scontrol suspend ${jobs[0]}: ${suspend.stderr}`);
  const live = await until(
    'task 0 to show in the store as training',
    120_000,
    async () => {
      const info = await status();
      const task = info.tasks[0]!;
      const value = task.state === 'running' && task.epoch >= 1 && task.epoch < EPOCHS ? task : undefined;
      return { value, seen: describe(info) };
    },
    logs,
  );
  assert.equal(live.slurmState, 'SUSPENDED');
  const during = (await readRuns()).find((r) => r.id === live.runId)!;
  assert.equal(during.status, 'running');
  assert.equal(during.sweepId, submitted.id);
  assert.ok(during.elbo.length >= 1 && during.elbo.length < EPOCHS, `epochs so far: ${during.elbo}`);

  // Cancelled mid-run: SIGTERM, a checkpoint, and the run is interrupted (its store valid).
  // Resumed first, so that the trainer runs to take the signal.
  const thaw = spawnSync('scontrol', ['resume', jobs[0]!], { encoding: 'utf8' });
  assert.equal(thaw.status, 0, `scontrol resume ${jobs[0]}: ${thaw.stderr}`);
  const cancel = spawnSync('scancel', [live.slurmJob!], { encoding: 'utf8' });
  assert.equal(cancel.status, 0, cancel.stderr);
  const cancelled = await until(
    'task 0 to end interrupted',
    120_000,
    async () => {
      const info = await status();
      const task = info.tasks[0]!;
      return { value: task.state === 'interrupted' ? task : undefined, seen: describe(info) };
    },
    logs,
  );
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

  const done = await until(
    'every task to be done',
    300_000,
    async () => {
      const info = await status();
      if (info.state !== 'done' && info.state !== 'running') assert.fail(JSON.stringify(info));
      return { value: info.state === 'done' ? info : undefined, seen: describe(info) };
    },
    logs,
  );
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
