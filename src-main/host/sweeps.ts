/**
 * Sweeps (docs/sweeps.md): reading a definition, recording a sweep and its tasks, preparing a
 * Slurm sweep's folder and submitting it, and what a sweep's status is: for a Slurm sweep that
 * means asking squeue and collecting each task's run from the snapshot of its own store. Light
 * on purpose: the interface process polls sweepStatus, and must not load TensorFlow. Training
 * itself happens elsewhere: the local executor in the CLI's engine processes, a Slurm task in
 * `gmvae sweep task` on a compute node.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { resolveConfig } from '../common/config.ts';
import { isTraining, type RunStatus } from '../common/run.ts';
import {
  SWEEP_TASK_STATES,
  expandSweep,
  parseSweepDefinition,
  taskLabel,
  type SweepDefinition,
  type SweepExecutorKind,
  type SweepInfo,
  type SweepTaskInfo,
  type SweepTaskState,
} from '../common/sweep.ts';
import { SweepDefinitionError } from '../common/sweep.ts';
import { datasetInfo, isBuiltin } from './datasets.ts';
import { ACTIVE_SLURM_STATES, arrayTaskStates, batchScript, cancel, submitArray } from './slurm.ts';
import { isProcessAlive, Store, StoreError, type SweepRecord, type SweepTaskRecord } from './store/index.ts';

/** Inside a Slurm sweep's folder. */
export const SWEEP_SCRIPT = 'sweep.sh';
/** The copy of a task's store that the workbench reads (the task writes it, then renames it). */
export const TASK_SNAPSHOT = 'snapshot.sqlite';
export const taskFolder = (folder: string, index: number): string =>
  path.join(folder, 'tasks', String(index));

/** Reads and checks a definition file (JSON, or YAML by its .yaml/.yml name); errors name the file and the field. */
export function readSweepDefinition(
  store: Store,
  file: string,
  executor?: SweepExecutorKind,
): SweepDefinition {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SweepDefinitionError(
      `${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  let raw: unknown;
  const yaml = /\.ya?ml$/i.test(file);
  try {
    raw = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    throw new SweepDefinitionError(`${file}: not valid ${yaml ? 'YAML' : 'JSON'}: ${message}`);
  }
  return parseSweepDefinition(raw, file, (name) => datasetInfo(store, name), executor);
}

/** A task's run name: the sweep's name, its id and the task's index ('spiral-lambda-s3-0'). */
export const taskRunName = (sweep: { id: number; name: string }, index: number): string =>
  `${sweep.name}-s${sweep.id}-${index}`;

/**
 * Records a sweep and its tasks. Local: every task's run is created now in this store,
 * linked to the sweep, to be trained by the caller. Slurm: the sweep's folder is prepared on
 * the shared filesystem, one store per task holding its run (and the dataset, when imported),
 * and the batch script written; submitSlurm then submits it.
 */
export async function createSweep(
  store: Store,
  home: string,
  definition: SweepDefinition,
): Promise<SweepRecord> {
  const tasks = expandSweep(definition);
  const info = datasetInfo(store, definition.dataset);
  const id = store.createSweep({ definition, folder: null, tasks });
  const sweep = store.getSweep(id)!;
  if (definition.executor.kind === 'local') {
    for (const task of tasks) {
      const run = store.createRun({
        name: taskRunName(sweep, task.index),
        dataset: info.name,
        config: resolveConfig(info, task.overrides),
        status: 'interrupted',
        pid: null,
        sweepId: id,
      });
      store.updateSweepTask(id, task.index, { runId: run.id });
    }
    return store.getSweep(id)!;
  }
  const folder = path.resolve(definition.executor.folder ?? path.join(home, 'sweeps', String(id)));
  await mkdir(path.join(folder, 'logs'), { recursive: true });
  const dataset = isBuiltin(info.name) ? null : store.loadDataset(info.name);
  for (const task of tasks) {
    const taskStore = await Store.open(taskFolder(folder, task.index));
    try {
      if (dataset && !taskStore.getDatasetInfo(info.name)) taskStore.saveDataset(dataset);
      if (taskStore.listRuns().length === 0)
        taskStore.createRun({
          name: taskRunName(sweep, task.index),
          dataset: info.name,
          config: resolveConfig(info, task.overrides),
          status: 'interrupted',
          pid: null,
        });
    } finally {
      taskStore.close();
    }
  }
  store.updateSweep(id, { folder });
  return store.getSweep(id)!;
}

/** Writes the batch script and submits `indices` as one job array; returns the job id. */
export async function submitSlurm(
  store: Store,
  sweep: SweepRecord,
  indices: number[],
  gmvae: string[],
): Promise<string> {
  if (!sweep.folder) throw new Error(`sweep ${sweep.id} has no folder`);
  const script = path.join(sweep.folder, SWEEP_SCRIPT);
  const executor = sweep.definition.executor;
  await writeFile(
    script,
    batchScript({ sweepId: sweep.id, name: sweep.name, folder: sweep.folder, executor, gmvae }),
    {
      mode: 0o755,
    },
  );
  const jobId = submitArray(script, indices, executor.throttle);
  for (const index of indices)
    store.updateSweepTask(sweep.id, index, { slurmJob: `${jobId}_${index}`, slurmState: 'PENDING' });
  store.updateSweep(sweep.id, { state: 'active' });
  return jobId;
}

export function requireSweep(store: Store, idOrName: string | number): SweepRecord {
  const sweep = store.getSweep(idOrName);
  if (!sweep) throw new Error(`no sweep '${idOrName}'`);
  return sweep;
}

function runTaskState(status: RunStatus, started: boolean): SweepTaskState {
  switch (status) {
    case 'completed':
      return 'done';
    case 'failed':
      return 'failed';
    case 'running':
    case 'paused':
      return 'running';
    case 'stopped':
      return 'stopped';
    case 'interrupted':
      return started ? 'interrupted' : 'queued';
  }
}

/** Copies a Slurm task's latest snapshot into the user's store (nothing if it has not changed). */
function collectTask(store: Store, sweep: SweepRecord, task: SweepTaskRecord, slurmActive: boolean): boolean {
  const file = path.join(taskFolder(sweep.folder!, task.index), TASK_SNAPSHOT);
  let version: string;
  try {
    const stat = statSync(file);
    version = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
  } catch {
    return false; // no snapshot yet: the task has not started training
  }
  // A task Slurm no longer runs cannot be training: a run its snapshot shows as running was
  // ended between checkpoints (SIGKILL, a node lost) and resumes from its last one.
  const collect = (status?: RunStatus) =>
    store.collectSweepTask(sweep.id, task.index, file, version, taskRunName(sweep, task.index), status);
  const { runId, copied } = collect();
  if (!slurmActive) {
    const run = store.getRun(runId)!;
    if (isTraining(run.status)) return collect('interrupted').copied || copied;
  }
  return copied;
}

/**
 * The sweep and each task's state. For a Slurm sweep (unless `collect` is false) this asks
 * squeue about its array tasks and collects every task's run that changed since the last
 * time, so calling it while the sweep runs keeps the user's store (and its charts) current.
 */
export function sweepStatus(
  store: Store,
  idOrName: string | number,
  options: { collect?: boolean } = {},
): SweepInfo {
  const sweep = requireSweep(store, idOrName);
  let tasks = store.sweepTasks(sweep.id);
  const slurm = sweep.executor === 'slurm';
  const driverAlive = sweep.pid !== null && isProcessAlive(sweep.pid);
  let collected = 0;
  // A task whose snapshot cannot be copied is reported on its row; the others are still collected.
  const problems = new Map<number, string>();
  if (slurm && options.collect !== false) {
    const jobs = [...new Set(tasks.flatMap((t) => (t.slurmJob ? [t.slurmJob.split('_')[0]!] : [])))];
    const states = arrayTaskStates(jobs);
    for (const task of tasks) {
      if (!task.slurmJob) continue;
      const state = states.get(task.slurmJob) ?? null;
      if (state !== task.slurmState)
        store.updateSweepTask(sweep.id, task.index, { slurmState: state ?? 'GONE' });
      try {
        if (collectTask(store, sweep, task, state !== null && ACTIVE_SLURM_STATES.has(state))) collected++;
      } catch (err) {
        if (!(err instanceof StoreError)) throw err;
        problems.set(task.index, err.message);
      }
    }
    tasks = store.sweepTasks(sweep.id);
  }
  const infos: SweepTaskInfo[] = tasks.map((task) => {
    const run = task.runId !== null ? store.getRun(task.runId) : null;
    let state: SweepTaskState;
    if (slurm && task.slurmState && ACTIVE_SLURM_STATES.has(task.slurmState))
      state = run?.status === 'completed' ? 'done' : task.slurmState === 'PENDING' ? 'queued' : 'running';
    else if (run) state = runTaskState(run.status, run.startedAt !== null || run.epoch > 0 || slurm);
    else state = slurm && task.slurmJob ? 'interrupted' : 'queued';
    // Ended by `sweep stop` rather than by a failure or a kill: say so.
    if (
      sweep.state === 'stopped' &&
      (state === 'interrupted' || (state === 'queued' && !slurm && !driverAlive))
    )
      state = 'stopped';
    return {
      index: task.index,
      label: taskLabel(sweep.definition, task.overrides),
      state,
      runId: run?.id ?? null,
      epoch: run?.epoch ?? 0,
      epochs: (run?.config.epochs ?? task.overrides.epochs ?? 0) as number,
      slurmJob: task.slurmJob,
      slurmState: task.slurmState,
      problem: problems.get(task.index) ?? null,
    };
  });
  const counts = Object.fromEntries(SWEEP_TASK_STATES.map((s) => [s, 0])) as Record<SweepTaskState, number>;
  for (const t of infos) counts[t.state]++;
  const active = counts.running + (slurm || driverAlive ? counts.queued : 0);
  const state: SweepInfo['state'] =
    active > 0
      ? 'running'
      : counts.done === infos.length
        ? 'done'
        : sweep.state === 'stopped'
          ? 'stopped'
          : counts.failed > 0 && counts.done + counts.failed === infos.length
            ? 'failed'
            : 'incomplete';
  return {
    id: sweep.id,
    name: sweep.name,
    dataset: sweep.dataset,
    executor: sweep.executor,
    state,
    createdAt: sweep.createdAt,
    folder: sweep.folder,
    counts,
    tasks: infos,
    definition: sweep.definition,
    collected,
  };
}

/** Every sweep, newest first; the running Slurm sweeps collected on the way. */
export function listSweeps(store: Store): SweepInfo[] {
  return store
    .listSweeps()
    .map((sweep) => sweepStatus(store, sweep.id, { collect: sweep.state === 'active' }));
}

/**
 * Stops a sweep: a Slurm sweep's unfinished array tasks are cancelled (each trainer gets
 * SIGTERM, checkpoints and ends); a local sweep's driving process gets SIGTERM and stops its
 * runs the same way. Resumable with `gmvae sweep resume`.
 */
export function stopSweep(store: Store, idOrName: string | number): SweepInfo {
  const sweep = requireSweep(store, idOrName);
  if (sweep.executor === 'slurm') {
    const status = sweepStatus(store, sweep.id);
    const live = status.tasks.filter(
      (t) => t.slurmJob && t.slurmState && ACTIVE_SLURM_STATES.has(t.slurmState),
    );
    cancel(live.map((t) => t.slurmJob!));
  } else if (sweep.pid !== null && isProcessAlive(sweep.pid)) process.kill(sweep.pid, 'SIGTERM');
  store.updateSweep(sweep.id, { state: 'stopped' });
  return sweepStatus(store, sweep.id, { collect: false });
}

/**
 * The tasks of a Slurm sweep that `sweep resume` submits again: not done, and not pending or
 * running in Slurm now (a task never submitted, say because sbatch failed, is among them).
 */
export function unfinishedTasks(info: SweepInfo): number[] {
  return info.tasks
    .filter((t) => t.state !== 'done' && !(t.slurmState && ACTIVE_SLURM_STATES.has(t.slurmState)))
    .map((t) => t.index);
}

/** Refuses to drive a local sweep that another `gmvae sweep run` or `resume` is driving. */
export function checkNotDriven(sweep: SweepRecord): void {
  if (sweep.pid !== null && sweep.pid !== process.pid && isProcessAlive(sweep.pid))
    throw new Error(`sweep '${sweep.name}' is training in process ${sweep.pid}; gmvae sweep stop ends it`);
}

/** The folder of a sweep's task and whether it exists (for messages and tests). */
export function taskStorePath(sweep: SweepRecord, index: number): string | null {
  if (!sweep.folder) return null;
  const folder = taskFolder(sweep.folder, index);
  return existsSync(folder) ? folder : null;
}
