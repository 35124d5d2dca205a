/**
 * Training a reproduction's runs: each in its own engine process (as the desktop app trains),
 * `jobs` at a time. A run another process is training (an earlier `gmvae reproduce`, the app)
 * is waited for, not trained twice. Stopping (Ctrl-C) stops every process at its next step with
 * a checkpoint, so the next sitting resumes where this one ended.
 */
import type { RunRecord, RunStatus } from '../../common/run.ts';
import type { TrainEventListener } from '../../common/training-events.ts';
import { StoreError, type Store } from '../../host/store/index.ts';
import type { EngineSupervisor } from '../../host/supervisor.ts';

export interface ScheduleOptions {
  /** Runs training at once. */
  jobs: number;
  onEvent?: TrainEventListener;
  /** Lines for the user: which run starts, which is waited for. */
  onNote?: (line: string) => void;
  /** Aborting stops every run at its next step (status 'stopped', resumable). */
  signal?: AbortSignal;
  /** How often the store is looked at for runs trained elsewhere (ms). */
  pollMs?: number;
}

const HELD: readonly RunStatus[] = ['running', 'paused'];

/**
 * Trains every run of `runIds` that has not completed, and returns their records once each has
 * ended (or, after `signal` aborts, once the started ones have stopped). Each run starts at most
 * once per sitting: one that fails or dies again is reported, not retried in a loop.
 */
export async function trainRuns(
  store: Store,
  supervisor: EngineSupervisor,
  runIds: number[],
  options: ScheduleOptions,
): Promise<RunRecord[]> {
  const pollMs = options.pollMs ?? 2000;
  const note = options.onNote ?? (() => {});
  const startedHere = new Set<number>();
  const waitingFor = new Set<number>();
  const unsubscribe = options.onEvent ? supervisor.onEvent(options.onEvent) : () => {};
  let stopping = false;
  const onAbort = () => {
    stopping = true;
    for (const id of supervisor.active) supervisor.stop(id);
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      store.markStaleRunsInterrupted();
      const runs = runIds.map((id) => store.getRun(id)!);
      let pending = 0;
      for (const run of runs) {
        if (run.status === 'completed') continue;
        if (supervisor.active.includes(run.id)) {
          pending++;
          continue;
        }
        if (HELD.includes(run.status)) {
          if (stopping) continue;
          if (!waitingFor.has(run.id))
            note(`waiting for run ${run.id} '${run.name}' (training in process ${run.pid})`);
          waitingFor.add(run.id);
          pending++;
          continue;
        }
        // Stopped, interrupted or failed: resumable from the last checkpoint (a failure may have
        // been passing, such as a full disk).
        if (stopping || startedHere.has(run.id)) continue;
        pending++;
        if (supervisor.active.length < options.jobs) {
          note(
            run.epoch > 0
              ? `resuming run ${run.id} '${run.name}' at epoch ${run.epoch} of ${run.config.epochs}`
              : `starting run ${run.id} '${run.name}'`,
          );
          try {
            supervisor.start(run.id);
            startedHere.add(run.id);
          } catch (error) {
            // Another process claimed it since the store was read: wait for it like any held run.
            if (!(error instanceof StoreError)) throw error;
            note(`waiting for run ${run.id} '${run.name}' (${error.message})`);
          }
        }
      }
      if (pending === 0) return runIds.map((id) => store.getRun(id)!);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    unsubscribe();
  }
}
