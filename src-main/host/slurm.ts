/**
 * Talking to Slurm through its commands (sbatch, squeue, scancel), and the batch script a
 * sweep submits as one job array. No Slurm library: the commands are what every cluster has,
 * and what a user can run by hand to see the same thing (docs/sweeps.md).
 */
import { spawnSync } from 'node:child_process';
import type { SweepExecutor } from '../common/sweep.ts';

export class SlurmError extends Error {
  override name = 'SlurmError';
}

/** Runs one Slurm command; its stdout, or SlurmError with its stderr. */
function slurm(command: string, args: string[]): string {
  // Bounded: the interface process asks squeue while serving (a controller that does not answer
  // must not hold it for long).
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000 });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    throw new SlurmError(
      code === 'ENOENT'
        ? `${command} not found: the Slurm executor needs Slurm's commands on the PATH (scripts/slurm-local.sh starts a one-node test cluster)`
        : `${command}: ${result.error.message}`,
    );
  }
  if (result.status !== 0)
    throw new SlurmError(`${command} ${args.join(' ')}: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
}

/** Shell-quotes a word for the batch script. */
const quote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;

export interface BatchScriptInput {
  sweepId: number;
  name: string;
  folder: string;
  executor: SweepExecutor;
  /** The command that runs one task: e.g. [node, .../bin/gmvae.js]. */
  gmvae: string[];
}

/**
 * The job array's batch script. Each array task trains task $SLURM_ARRAY_TASK_ID in its own
 * store (folder/tasks/N), with as many BLAS threads as CPUs it was given. `exec`, so the
 * SIGTERM of scancel or a time limit reaches the trainer, which checkpoints and ends.
 */
export function batchScript(input: BatchScriptInput): string {
  const { executor, folder } = input;
  const lines = [
    '#!/bin/bash',
    `# GMVAE Workbench sweep ${input.sweepId} '${input.name}': written by gmvae sweep run; submitted as a job array.`,
    `#SBATCH --job-name=gmvae-${input.name}`,
    `#SBATCH --output=${folder}/logs/task-%a-job-%A.log`,
    `#SBATCH --cpus-per-task=${executor.cpusPerTask}`,
    ...(executor.partition ? [`#SBATCH --partition=${executor.partition}`] : []),
    ...(executor.time ? [`#SBATCH --time=${executor.time}`] : []),
    ...(executor.gres ? [`#SBATCH --gres=${executor.gres}`] : []),
    ...executor.sbatch.map((option) => `#SBATCH ${option}`),
    'set -eu',
    'export OPENBLAS_NUM_THREADS="${SLURM_CPUS_PER_TASK:-1}"',
    `exec ${input.gmvae.map(quote).join(' ')} sweep task --home ${quote(folder)}/tasks/"$SLURM_ARRAY_TASK_ID"`,
    '',
  ];
  return lines.join('\n');
}

/**
 * Submits the script as an array of `indices` (at most `throttle` at once); the job id. A
 * list, not a range, so that a resumed sweep resubmits just the tasks that did not finish.
 */
export function submitArray(script: string, indices: number[], throttle: number | null): string {
  const array = indices.join(',') + (throttle ? `%${throttle}` : '');
  const out = slurm('sbatch', ['--parsable', `--array=${array}`, script]).trim();
  const jobId = out.split(';')[0]!;
  if (!/^\d+$/.test(jobId)) throw new SlurmError(`sbatch answered '${out}', not a job id`);
  return jobId;
}

/**
 * The state of each array task of these jobs that Slurm still knows ('123_4' -> 'RUNNING'):
 * pending and running tasks, and finished ones for MinJobAge after they end. A job Slurm has
 * forgotten is simply absent.
 */
export function arrayTaskStates(jobIds: string[]): Map<string, string> {
  const states = new Map<string, string>();
  if (jobIds.length === 0) return states;
  let out: string;
  try {
    out = slurm('squeue', ['-h', '-r', '--states=all', '-o', '%i|%T', '-j', jobIds.join(',')]);
  } catch (error) {
    // squeue refuses a list naming a job it has forgotten: ask for each job alone.
    if (jobIds.length === 1) {
      if (/Invalid job id/i.test((error as Error).message)) return states;
      throw error;
    }
    for (const id of jobIds) for (const [k, v] of arrayTaskStates([id])) states.set(k, v);
    return states;
  }
  for (const line of out.split('\n')) {
    const [id, state] = line.trim().split('|');
    if (id && state) states.set(id, state);
  }
  return states;
}

/** Slurm states in which an array task may still train. */
export const ACTIVE_SLURM_STATES = new Set([
  'PENDING',
  'CONFIGURING',
  'RUNNING',
  'COMPLETING',
  'SUSPENDED',
  'REQUEUED',
  'RESIZING',
  'SIGNALING',
  'STAGE_OUT',
]);

/** Cancels array tasks ('123_4') or whole jobs ('123'): Slurm sends SIGTERM, then SIGKILL. */
export function cancel(jobs: string[]): void {
  if (jobs.length > 0) slurm('scancel', jobs);
}
