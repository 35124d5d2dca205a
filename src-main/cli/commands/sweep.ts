/**
 * gmvae sweep: many runs from one definition file (docs/sweeps.md), trained on this machine
 * (the local executor: engine processes, --jobs at a time, as `gmvae reproduce` trains) or on a
 * Slurm cluster (one job array; each array task runs `gmvae sweep task` against its own store in
 * the sweep's folder, and `sweep status` collects the runs into this store).
 *
 * Only `sweep task` and the local executor load engine code, and only when they run.
 */
import { renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { isTraining } from '../../common/run.ts';
import { SWEEP_EXECUTORS, type SweepExecutorKind, type SweepInfo } from '../../common/sweep.ts';
import { resolveHome } from '../../host/home.ts';
import { EngineSupervisor } from '../../host/supervisor.ts';
import {
  TASK_SNAPSHOT,
  checkNotDriven,
  createSweep,
  listSweeps,
  readSweepDefinition,
  requireSweep,
  stopSweep,
  submitSlurm,
  sweepStatus,
  unfinishedTasks,
} from '../../host/sweeps.ts';
import { Store, type SweepRecord } from '../../host/store/index.ts';
import { withStore, type GlobalOptions } from '../context.ts';
import { integer } from '../options.ts';
import { CliError, emitResult, note, table } from '../output.ts';
import { eventLine } from './train.ts';

/** How a compute node runs this same gmvae: this Node and this installation's entry. */
const GMVAE = [process.execPath, fileURLToPath(new URL('../../../bin/gmvae.js', import.meta.url))];

function statusText(info: SweepInfo): string {
  const counts = Object.entries(info.counts)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  return [
    `sweep ${info.id} '${info.name}' (${info.executor}, ${info.dataset}): ${info.state}; ${counts}`,
    table(
      ['task', 'state', 'run', 'epoch', 'slurm', 'settings'],
      info.tasks.map((t) => [
        t.index,
        t.state,
        t.runId ?? '-',
        `${t.epoch}/${t.epochs}`,
        t.slurmJob ? `${t.slurmJob} ${t.slurmState ?? ''}`.trim() : '-',
        t.label,
      ]),
    ),
    ...info.tasks.flatMap((t) => (t.problem ? [`task ${t.index}: ${t.problem}`] : [])),
  ].join('\n');
}

/**
 * The local executor: trains the sweep's unfinished runs in engine processes, `jobs` at a time,
 * the cores split between them. Ctrl-C, or `gmvae sweep stop` (SIGTERM), stops every run at
 * its next step with a checkpoint; `gmvae sweep resume` continues.
 */
async function trainLocally(store: Store, home: string, sweep: SweepRecord, jobs: number): Promise<void> {
  const { trainRuns } = await import('../../engine/reproduce/schedule.ts');
  if (!process.env.OPENBLAS_NUM_THREADS)
    process.env.OPENBLAS_NUM_THREADS = String(Math.max(1, Math.floor(os.availableParallelism() / jobs)));
  const runIds = store
    .sweepTasks(sweep.id)
    .flatMap((t) => (t.runId !== null ? [t.runId] : []))
    .filter((id) => store.getRun(id)?.status !== 'completed');
  const supervisor = new EngineSupervisor(store, home);
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) {
      supervisor.killAll();
      process.exit(130);
    }
    note('stopping every run at its next step; gmvae sweep resume continues');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  store.updateSweep(sweep.id, { pid: process.pid, state: 'active' });
  try {
    await trainRuns(store, supervisor, runIds, {
      jobs,
      signal: abort.signal,
      pollMs: 500,
      onNote: note,
      onEvent: (event) => {
        const line = eventLine(event, true);
        if (line !== null) note(line);
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await supervisor.shutdown();
    store.updateSweep(sweep.id, {
      pid: null,
      ...(abort.signal.aborted ? { state: 'stopped' as const } : {}),
    });
  }
}

/**
 * One Slurm array task: trains the run in the store at `home` (the task's folder), resuming
 * from its checkpoint, and after every checkpoint writes a snapshot of that store for the
 * workbench to collect. SIGTERM (scancel, the time limit) stops at the next step with a
 * checkpoint and leaves the run 'interrupted' for `gmvae sweep resume`.
 */
async function runTask(home: string): Promise<number> {
  const [{ trainRun }, { loadDataset }] = await Promise.all([
    import('../../engine/training/trainer.ts'),
    import('../../engine/data/catalog.ts'),
  ]);
  // Exclusive: no -shm file, so the task's store works on a network filesystem (docs/sweeps.md).
  const store = await Store.open(home, { exclusive: true });
  try {
    const run = store.listRuns().at(-1);
    if (!run) throw new CliError(`${home} holds no run: not a sweep task's folder`);
    const snapshot = () => {
      const tmp = path.join(home, `${TASK_SNAPSHOT}.tmp`);
      rmSync(tmp, { force: true });
      store.snapshotTo(tmp);
      renameSync(tmp, path.join(home, TASK_SNAPSHOT));
    };
    if (run.status === 'completed') {
      snapshot();
      return 0;
    }
    // Slurm runs one array task per index at a time: a run still marked as training was left
    // by a task that is gone (its pid belongs to another node, where it may even be reused).
    if (isTraining(run.status)) store.updateRun(run.id, { status: 'interrupted', pid: null });
    store.claimRun(run.id, process.pid);
    snapshot();
    let terminated = false;
    const onSignal = () => {
      terminated = true;
      note(`task ${home}: stopping at the next step with a checkpoint`);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    let final;
    try {
      final = await trainRun({
        store,
        runId: run.id,
        loadDataset: (name) => loadDataset(store, name),
        control: {
          stopRequested: () => terminated,
          pauseRequested: () => false,
          waitForResume: async () => {},
        },
        onEvent: (event) => {
          if (event.type === 'checkpoint') snapshot();
          const line = eventLine(event);
          if (line !== null) note(line);
        },
      });
    } catch (error) {
      // The trainer recorded the failure on the run: let the workbench see it ('failed').
      snapshot();
      throw error;
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
    if (terminated && final.status === 'stopped')
      final = store.updateRun(run.id, {
        status: 'interrupted',
        error: 'ended by Slurm (scancel or the time limit); gmvae sweep resume continues it',
      });
    snapshot();
    note(`task ${home}: run ${final.name} ${final.status} at epoch ${final.epoch}`);
    return final.status === 'completed' ? 0 : 1;
  } finally {
    store.close();
  }
}

export function registerSweepCommand(program: Command, globals: () => GlobalOptions): void {
  const sweep = program
    .command('sweep')
    .description('many runs from one definition file, on this machine or on a Slurm cluster');
  const executorOption = () =>
    new Option('--executor <kind>', "where the runs train (default: the definition's)").choices(
      SWEEP_EXECUTORS,
    );

  sweep
    .command('run')
    .description('start a sweep: local trains here until done; slurm submits a job array and returns')
    .argument('<file>', 'the sweep definition, JSON or YAML (see examples/spiral-lambda.json)')
    .addOption(executorOption())
    .option('--jobs <n>', "local: runs training at once (default: the definition's)", integer)
    .option('--json', 'print one JSON object')
    .action(async (file: string, opts: { executor?: SweepExecutorKind; jobs?: number }) => {
      const options = { ...globals(), ...opts };
      const home = resolveHome(options.home);
      await withStore(options, async (store) => {
        const definition = readSweepDefinition(store, file, opts.executor);
        if (opts.jobs !== undefined) {
          if (opts.jobs < 1) throw new CliError('--jobs must be at least 1');
          definition.executor.jobs = opts.jobs;
        }
        const record = await createSweep(store, home, definition);
        const count = store.sweepTasks(record.id).length;
        note(`sweep ${record.id} '${record.name}': ${count} runs on ${definition.executor.kind}`);
        if (definition.executor.kind === 'local')
          await trainLocally(store, home, record, definition.executor.jobs);
        else {
          const job = await submitSlurm(store, record, [...Array(count).keys()], GMVAE);
          note(`submitted job array ${job} (script and logs in ${record.folder})`);
        }
        const info = sweepStatus(store, record.id);
        emitResult(options, info, () => statusText(info));
      });
    });

  sweep
    .command('status')
    .description("a sweep's tasks; for a Slurm sweep this also collects its runs into the store")
    .argument('<sweep>', 'sweep id or name')
    .option('--json', 'print one JSON object')
    .action(async (id: string, opts) => {
      const options = { ...globals(), ...opts };
      await withStore(options, async (store) => {
        const info = sweepStatus(store, id);
        emitResult(options, info, () => statusText(info));
      });
    });

  sweep
    .command('stop')
    .description('stop a sweep: its runs checkpoint and end (gmvae sweep resume continues)')
    .argument('<sweep>', 'sweep id or name')
    .option('--json', 'print one JSON object')
    .action(async (id: string, opts) => {
      const options = { ...globals(), ...opts };
      await withStore(options, async (store) => {
        const info = stopSweep(store, id);
        emitResult(options, info, () => statusText(info));
      });
    });

  sweep
    .command('resume')
    .description('start again what did not finish, each run from its last checkpoint')
    .argument('<sweep>', 'sweep id or name')
    .option('--jobs <n>', "local: runs training at once (default: the definition's)", integer)
    .option('--json', 'print one JSON object')
    .action(async (id: string, opts: { jobs?: number }) => {
      const options = { ...globals(), ...opts };
      const home = resolveHome(options.home);
      await withStore(options, async (store) => {
        const record = requireSweep(store, id);
        if (record.executor === 'local') {
          checkNotDriven(record);
          await trainLocally(store, home, record, opts.jobs ?? record.definition.executor.jobs);
        } else {
          const indices = unfinishedTasks(sweepStatus(store, record.id));
          if (indices.length === 0) note('nothing to resume: every task is done, queued or running');
          else {
            const job = await submitSlurm(store, record, indices, GMVAE);
            note(`resubmitted tasks ${indices.join(', ')} as job array ${job}`);
          }
        }
        const info = sweepStatus(store, record.id);
        emitResult(options, info, () => statusText(info));
      });
    });

  sweep
    .command('list')
    .description('every sweep and how far it is')
    .option('--json', 'print one JSON object')
    .action(async (opts) => {
      const options = { ...globals(), ...opts };
      await withStore(options, async (store) => {
        const sweeps = listSweeps(store);
        emitResult(options, { sweeps }, () =>
          sweeps.length === 0
            ? 'no sweeps'
            : table(
                ['id', 'name', 'executor', 'dataset', 'state', 'done', 'runs'],
                sweeps.map((s) => [
                  s.id,
                  s.name,
                  s.executor,
                  s.dataset,
                  s.state,
                  s.counts.done,
                  s.tasks.length,
                ]),
              ),
        );
      });
    });

  // What each Slurm array task runs (the batch script calls it); not for people.
  sweep
    .command('task', { hidden: true })
    .description("train one Slurm array task's run in its own store (--home: the task's folder)")
    .action(async () => {
      const home = globals().home;
      if (!home) throw new CliError('sweep task needs --home TASK_FOLDER');
      process.exitCode = await runTask(path.resolve(home));
    });
}
