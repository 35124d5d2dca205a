/**
 * Starts and supervises engine processes: one process per training run, so the process that
 * serves an interface never trains and several runs can train at once; and one per one-off
 * task (import, evaluate, export). Dataset reads have their own long-lived process
 * (dataset-reader.ts). Processes are created by an injected launcher: Node's
 * child_process.fork here and in web mode, Electron's utilityProcess in the app.
 */
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { TrainEvent, TrainEventListener } from '../common/training-events.ts';
import {
  taskResult,
  type EngineTask,
  type EngineTaskResult,
  type SupervisorMessage,
  type WorkerMessage,
} from '../common/worker-protocol.ts';
import type { Store } from './store/index.ts';

/** What the supervisor needs of a started process, whatever started it. */
export interface WorkerHandle {
  readonly pid: number | undefined;
  send(message: SupervisorMessage): void;
  onMessage(listener: (message: WorkerMessage) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

export type WorkerLauncher = () => WorkerHandle;

export const ENGINE_PROCESS_ENTRY = fileURLToPath(new URL('../worker/engine-process.ts', import.meta.url));

/**
 * Node's child_process.fork of the engine-process entry. Detached: each engine process leads
 * its own process group, so the Ctrl-C a terminal sends to the foreground group (`gmvae serve`,
 * `gmvae reproduce`) reaches only the command, which then stops its engine processes through
 * the supervisor (a checkpoint, status 'stopped') instead of having them die mid-step
 * ('interrupted'). An engine process whose parent is gone stops by itself (engine-process.ts).
 */
export function forkLauncher(entry = ENGINE_PROCESS_ENTRY): WorkerLauncher {
  return () => {
    const child = fork(entry, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // On Windows a detached child gets a console window of its own, and there is no process
      // group for Ctrl-C to reach anyway.
      detached: process.platform !== 'win32',
    });
    return {
      get pid() {
        return child.pid;
      },
      // A process that has just exited (its run done, its 'exit' not yet handled) has closed its
      // channel: the message is moot, and its exit handler reports the process. Without the
      // callback the failed write is an unhandled 'error' event that ends the host.
      send: (message) => {
        if (child.connected) child.send(message, () => undefined);
      },
      onMessage: (listener) => child.on('message', (m) => listener(m as WorkerMessage)),
      onExit: (listener) => child.on('exit', (code) => listener(code)),
      kill: () => child.kill('SIGKILL'),
    };
  };
}

/** Training's niceness unless told otherwise: why, in worker/priority.ts. */
export const DEFAULT_TRAINING_NICENESS = 10;

/**
 * The niceness training processes take: GMVAE_TRAINING_NICENESS (0 to 19; 0 keeps the default
 * priority) or DEFAULT_TRAINING_NICENESS.
 */
export function trainingNiceness(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.GMVAE_TRAINING_NICENESS?.trim();
  if (raw === undefined || raw === '') return DEFAULT_TRAINING_NICENESS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 19)
    throw new Error(`GMVAE_TRAINING_NICENESS must be a whole number from 0 to 19, not "${raw}"`);
  return value;
}

export class SupervisorError extends Error {
  override name = 'SupervisorError';
}

export interface RunningTask<T> {
  result: Promise<T>;
  cancel(): void;
}

/** A task waiting for a free slot (see runTask). */
interface QueuedTask {
  start(): void;
  reject(error: Error): void;
}

export interface SupervisorOptions {
  /** Task processes (imports, evaluations, exports) running at once; default: the CPU cores. */
  maxTasks?: number;
  /** Niceness of training processes (applied by the engine, worker/priority.ts); default: GMVAE_TRAINING_NICENESS, else 10. */
  trainingNiceness?: number;
}

/** A run's training process, its exit (resolved when the process has gone), and whether it was told to stop. */
interface Trainer {
  worker: WorkerHandle;
  exit: Promise<void>;
  stopping: boolean;
}

export class EngineSupervisor {
  /** Each live trainer. */
  readonly #trainers = new Map<number, Trainer>();
  readonly #tasks = new Set<WorkerHandle>();
  readonly #queue: QueuedTask[] = [];
  readonly #maxTasks: number;
  readonly #niceness: number;
  readonly #listeners = new Set<TrainEventListener>();
  readonly #store: Store;
  readonly #home: string;
  readonly #launch: WorkerLauncher;

  constructor(
    store: Store,
    home: string,
    launch: WorkerLauncher = forkLauncher(),
    options: SupervisorOptions = {},
  ) {
    this.#store = store;
    this.#home = home;
    this.#launch = launch;
    this.#maxTasks = Math.max(1, options.maxTasks ?? availableParallelism());
    this.#niceness = options.trainingNiceness ?? trainingNiceness();
  }

  /** Runs with a live training process in this supervisor. */
  get active(): number[] {
    return [...this.#trainers.keys()];
  }

  /**
   * Whether run `runId` has no training process here within `ms`: at once if it has none, else
   * when its process exits. A trainer records its end (stopped, completed) before it exits.
   */
  async exited(runId: number, ms: number): Promise<boolean> {
    const exit = this.#trainers.get(runId)?.exit;
    if (!exit) return true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    try {
      return await Promise.race([exit.then(() => true), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  onEvent(listener: TrainEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts training a new or resumable run in a fresh process. */
  start(runId: number): void {
    if (this.#trainers.has(runId)) throw new SupervisorError(`run ${runId} is already training`);
    const run = this.#store.getRun(runId);
    if (!run) throw new SupervisorError(`run ${runId} does not exist`);
    // Claimed atomically before the process starts, under this process's pid (the one a
    // launcher may not know yet); the trainer records its own pid when it begins. While this
    // process lives no other trainer can take the run, and if it dies the run reads as
    // interrupted.
    this.#store.claimRun(runId, process.pid);
    let worker: WorkerHandle;
    try {
      worker = this.#launch();
    } catch (error) {
      this.#store.updateRun(runId, { status: 'interrupted', pid: null });
      throw error;
    }
    let exited = () => {};
    this.#trainers.set(runId, {
      worker,
      exit: new Promise<void>((resolve) => (exited = resolve)),
      stopping: false,
    });
    let finished = false;
    worker.onMessage((message) => {
      if (message.type === 'event') this.#emit(message.event);
      else if (message.type === 'finished') finished = true;
    });
    worker.onExit(() => {
      this.#trainers.delete(runId);
      exited();
      if (finished) return;
      // Died without finishing (killed, crashed): the run is interrupted, resumable; unless
      // another trainer has claimed it since (its 'finished' message can come after its exit).
      const holders = worker.pid === undefined ? [process.pid] : [process.pid, worker.pid];
      if (this.#store.interruptRunIfHeldBy(runId, holders)) {
        this.#emit({
          type: 'status',
          runId,
          status: 'interrupted',
          error: 'the training process ended unexpectedly',
        });
      }
    });
    worker.send({ type: 'train', home: this.#home, runId, niceness: this.#niceness });
  }

  pause(runId: number): void {
    this.#trainer(runId).worker.send({ type: 'pause' });
  }

  /**
   * Resumes a paused run in its process, or continues a stopped or interrupted one in a new
   * process from its checkpoint. A process told to stop ends its run whatever it is sent next:
   * refused until it has exited (see `stopping`).
   */
  resume(runId: number): void {
    const trainer = this.#trainers.get(runId);
    if (!trainer) return this.start(runId);
    if (trainer.stopping)
      throw new SupervisorError(`run ${runId} is still stopping: resume it once it has stopped`);
    trainer.worker.send({ type: 'resume' });
  }

  stop(runId: number): void {
    const trainer = this.#trainer(runId);
    trainer.stopping = true;
    trainer.worker.send({ type: 'stop' });
  }

  /** Whether run `runId`'s process was told to stop and has not exited yet. */
  stopping(runId: number): boolean {
    return this.#trainers.get(runId)?.stopping ?? false;
  }

  /**
   * Runs a one-off task in its own process; cancel() asks it to stop, then kills it. At most
   * `maxTasks` task processes run at once (each loads TensorFlow: twelve imports dropped at once
   * took 1.7 GB); the others wait in order, and cancelling one that waits just removes it.
   */
  runTask<T extends EngineTask>(
    task: T,
    onProgress: (fraction: number, message: string) => void = () => {},
  ): RunningTask<EngineTaskResult<T['kind']>> {
    let running: RunningTask<EngineTaskResult<T['kind']>> | null = null;
    let waiting: QueuedTask | null = null;
    const result = new Promise<EngineTaskResult<T['kind']>>((resolve, reject) => {
      const start = () => {
        try {
          running = this.#startTask(task, onProgress);
        } catch (error) {
          // The launcher failed: this task fails, not the caller. No process started, so no exit
          // will free a slot for the next waiting task: start it now.
          reject(error as Error);
          if (this.#tasks.size < this.#maxTasks) this.#queue.shift()?.start();
          return;
        }
        running.result.then(resolve, reject);
      };
      if (this.#tasks.size < this.#maxTasks) return start();
      waiting = { start, reject };
      this.#queue.push(waiting);
      onProgress(0, 'waiting for other tasks to finish');
    });
    return {
      result,
      cancel: () => {
        if (running) return running.cancel();
        const index = waiting ? this.#queue.indexOf(waiting) : -1;
        if (index < 0) return;
        this.#queue.splice(index, 1);
        waiting!.reject(new Error('the task was cancelled before it started'));
      },
    };
  }

  #startTask<T extends EngineTask>(
    task: T,
    onProgress: (fraction: number, message: string) => void,
  ): RunningTask<EngineTaskResult<T['kind']>> {
    const worker = this.#launch();
    this.#tasks.add(worker);
    let settled = false;
    let cancelled = false;
    const result = new Promise<EngineTaskResult<T['kind']>>((resolve, reject) => {
      worker.onMessage((message) => {
        if (message.type === 'task-progress') onProgress(message.fraction, message.message);
        else if (message.type === 'task-done') {
          settled = true;
          if (!message.ok) reject(new Error(message.error));
          else {
            try {
              resolve(taskResult(task, message.reply));
            } catch (error) {
              reject(error as Error);
            }
          }
        }
      });
      worker.onExit((code) => {
        this.#tasks.delete(worker);
        // Killed after a cancel it did not answer in time: cancelled, as asked, not a crash.
        if (!settled)
          reject(
            new Error(
              cancelled
                ? 'the task was cancelled'
                : `the engine process ended unexpectedly (exit code ${code})`,
            ),
          );
        // A slot is free: the next waiting task starts.
        if (this.#tasks.size < this.#maxTasks) this.#queue.shift()?.start();
      });
    });
    worker.send({ type: 'task', home: this.#home, id: 0, task, stay: false });
    return {
      result,
      cancel: () => {
        cancelled = true;
        worker.send({ type: 'stop' });
        setTimeout(() => settled || worker.kill(), 2000).unref();
      },
    };
  }

  /**
   * Application quit: asks every training process to stop at its next step (writing a
   * checkpoint, status 'stopped'), waits up to `timeoutMs`, then kills what is left (those
   * runs show as interrupted). Either way they resume from their last checkpoint.
   */
  async shutdown(timeoutMs = 5000): Promise<void> {
    const workers = this.#workers();
    const exits = Promise.all(
      workers.map((worker) => new Promise<void>((resolve) => worker.onExit(() => resolve()))),
    );
    this.#dropQueue();
    for (const worker of workers) worker.send({ type: 'stop' });
    await Promise.race([exits, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    this.killAll();
    // The exit handlers mark killed runs interrupted in the store, which the caller closes next.
    await exits;
  }

  /** Ends every process at once: their runs show as interrupted, resumable. */
  killAll(): void {
    this.#dropQueue();
    for (const worker of this.#workers()) worker.kill();
  }

  /** Waiting tasks never start once the supervisor is shutting down. */
  #dropQueue(): void {
    for (const waiting of this.#queue.splice(0)) waiting.reject(new Error('the engine is shutting down'));
  }

  /** Every engine process: trainers and tasks. */
  #workers(): WorkerHandle[] {
    return [...Array.from(this.#trainers.values(), (t) => t.worker), ...this.#tasks];
  }

  #trainer(runId: number): Trainer {
    const trainer = this.#trainers.get(runId);
    if (!trainer) throw new SupervisorError(`run ${runId} is not training`);
    return trainer;
  }

  #emit(event: TrainEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}
