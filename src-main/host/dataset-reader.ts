/**
 * Reads datasets for the interface (the Datasets screen's preview, examples under the pointer)
 * in an engine process, so that the interface's process never decodes a dataset. One process
 * answers every read in turn and keeps the last dataset decoded: a pointer sweeping over a
 * projection asks for many examples of the same dataset, and MNIST takes a second to decode.
 * The process is started on the first read, and ended after a while without reads, so the
 * decoded dataset does not hold memory for the rest of the session.
 */
import {
  taskResult,
  type ReaderTaskKind,
  type EngineTaskOf,
  type EngineTaskReply,
  type EngineTaskResult,
} from '../common/worker-protocol.ts';
import type { WorkerHandle, WorkerLauncher } from './supervisor.ts';

interface Pending {
  resolve(reply: EngineTaskReply): void;
  reject(error: Error): void;
}

/** One reader process and the reads it has not answered yet. */
interface Reader {
  worker: WorkerHandle;
  pending: Map<number, Pending>;
  /** Retired readers answer what they were asked, then end; new reads go to a new one. */
  retired: boolean;
}

export interface DatasetReaderOptions {
  /** Milliseconds without reads after which the process ends (default five minutes). */
  idleMs?: number;
}

export class DatasetReader {
  readonly #launch: WorkerLauncher;
  readonly #home: string;
  readonly #idleMs: number;
  #current: Reader | null = null;
  #nextId = 1;
  #idleTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(launch: WorkerLauncher, home: string, options: DatasetReaderOptions = {}) {
    this.#launch = launch;
    this.#home = home;
    this.#idleMs = options.idleMs ?? 5 * 60_000;
  }

  /** The process's id while one is up (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.#current?.worker.pid;
  }

  read<T extends EngineTaskOf<ReaderTaskKind>>(task: T): Promise<EngineTaskResult<T['kind']>> {
    this.#cancelIdleTimer();
    const reader = this.#current ?? this.#start();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      reader.pending.set(id, {
        resolve: (reply) => {
          try {
            resolve(taskResult(task, reply));
          } catch (error) {
            reject(error as Error);
          }
        },
        reject,
      });
      reader.worker.send({ type: 'task', home: this.#home, id, task, stay: true });
    });
  }

  /**
   * Forgets the decoded dataset (after a dataset is deleted, its name may be imported again):
   * reads in flight are still answered, later ones go to a fresh process.
   */
  forget(): void {
    const reader = this.#current;
    if (!reader) return;
    this.#current = null;
    reader.retired = true;
    if (reader.pending.size === 0) reader.worker.kill();
  }

  /** Ends the process now; unanswered reads reject. */
  close(): void {
    this.#cancelIdleTimer();
    const reader = this.#current;
    this.#current = null;
    reader?.worker.kill();
  }

  #start(): Reader {
    const reader: Reader = { worker: this.#launch(), pending: new Map(), retired: false };
    this.#current = reader;
    reader.worker.onMessage((message) => {
      if (message.type !== 'task-done') return;
      const pending = reader.pending.get(message.id);
      if (!pending) return;
      reader.pending.delete(message.id);
      if (message.ok) pending.resolve(message.reply);
      else pending.reject(new Error(message.error));
      if (reader.pending.size > 0) return;
      if (reader.retired) reader.worker.kill();
      else this.#startIdleTimer();
    });
    reader.worker.onExit((code) => {
      if (this.#current === reader) this.#current = null;
      const error = new Error(`the dataset reader ended unexpectedly (exit code ${code})`);
      for (const pending of reader.pending.values()) pending.reject(error);
      reader.pending.clear();
    });
    return reader;
  }

  #startIdleTimer(): void {
    this.#cancelIdleTimer();
    this.#idleTimer = setTimeout(() => this.close(), this.#idleMs);
    this.#idleTimer.unref?.();
  }

  #cancelIdleTimer(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }
}
