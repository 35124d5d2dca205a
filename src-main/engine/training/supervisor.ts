/**
 * Starts and supervises training processes: one process per training run, so a UI thread never
 * trains and several runs can train at once. The process is created by an injected launcher
 * (Node's child_process.fork here and in web mode; Electron's utilityProcess in the app).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TrainEvent, TrainEventListener } from '../../common/training-events.ts';
import type { SupervisorMessage, WorkerMessage } from '../../common/worker-protocol.ts';
import type { Store } from '../store/index.ts';

/** What the supervisor needs of a started process, whatever started it. */
export interface WorkerHandle {
  readonly pid: number | undefined;
  send(message: SupervisorMessage): void;
  onMessage(listener: (message: WorkerMessage) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

export type WorkerLauncher = () => WorkerHandle;

export const TRAINING_PROCESS_ENTRY = fileURLToPath(
  new URL('../../worker/training-process.ts', import.meta.url),
);

/** Node's child_process.fork of the training-process entry. */
export function forkLauncher(entry = TRAINING_PROCESS_ENTRY): WorkerLauncher {
  return () => {
    const child = fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => child.send(message),
      onMessage: (listener) => child.on('message', (m) => listener(m as WorkerMessage)),
      onExit: (listener) => child.on('exit', (code) => listener(code)),
      kill: () => child.kill('SIGKILL'),
    };
  };
}

export class SupervisorError extends Error {
  override name = 'SupervisorError';
}

export class TrainingSupervisor {
  readonly #workers = new Map<number, WorkerHandle>();
  readonly #listeners = new Set<TrainEventListener>();
  readonly #store: Store;
  readonly #home: string;
  readonly #launch: WorkerLauncher;

  constructor(store: Store, home: string, launch: WorkerLauncher = forkLauncher()) {
    this.#store = store;
    this.#home = home;
    this.#launch = launch;
  }

  /** Runs with a live training process in this supervisor. */
  get active(): number[] {
    return [...this.#workers.keys()];
  }

  onEvent(listener: TrainEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts training a new or resumable run in a fresh process; resolves once it is launched. */
  start(runId: number): void {
    if (this.#workers.has(runId)) throw new SupervisorError(`run ${runId} is already training`);
    const run = this.#store.getRun(runId);
    if (!run) throw new SupervisorError(`run ${runId} does not exist`);
    if (run.status === 'completed') throw new SupervisorError(`run '${run.name}' has already completed`);
    if (run.status === 'running' || run.status === 'paused')
      throw new SupervisorError(`run '${run.name}' is being trained by process ${run.pid}`);
    const worker = this.#launch();
    this.#workers.set(runId, worker);
    let finished = false;
    worker.onMessage((message) => {
      if (message.type === 'event') this.#emit(message.event);
      else finished = true;
    });
    worker.onExit(() => {
      this.#workers.delete(runId);
      if (finished) return;
      // Died without finishing (killed, crashed): the run is interrupted, resumable.
      const current = this.#store.getRun(runId);
      if (current && (current.status === 'running' || current.status === 'paused')) {
        this.#store.updateRun(runId, { status: 'interrupted', pid: null });
        this.#emit({
          type: 'status',
          runId,
          status: 'interrupted',
          error: 'the training process ended unexpectedly',
        });
      }
    });
    worker.send({ type: 'train', home: this.#home, runId });
  }

  pause(runId: number): void {
    this.#worker(runId).send({ type: 'pause' });
  }

  resume(runId: number): void {
    const worker = this.#workers.get(runId);
    if (worker) worker.send({ type: 'resume' });
    else this.start(runId); // stopped or interrupted: a new process continues from the checkpoint
  }

  stop(runId: number): void {
    this.#worker(runId).send({ type: 'stop' });
  }

  /** Stops every process at once (application quit): their runs show as interrupted, resumable. */
  killAll(): void {
    for (const worker of this.#workers.values()) worker.kill();
  }

  #worker(runId: number): WorkerHandle {
    const worker = this.#workers.get(runId);
    if (!worker) throw new SupervisorError(`run ${runId} is not training`);
    return worker;
  }

  #emit(event: TrainEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}
