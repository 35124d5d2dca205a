/**
 * Entry point of an engine process. The first message says what to do: train one run (and
 * obey pause / resume / stop until it ends), or run one task (import, evaluate, export; 'stop'
 * cancels it). Then the process exits. A dataset reader (host/dataset-reader.ts) instead sends
 * tasks marked `stay`: they are answered in turn, the last decoded dataset is kept for the
 * next, and the process stays up until its supervisor ends it.
 *
 * TensorFlow.js is imported only by training, evaluation and export, when first asked for, so
 * an import or a dataset reader starts without it.
 *
 * Works under Node's child_process.fork (messages on `process`) and Electron's
 * utilityProcess.fork (messages on `process.parentPort`).
 */
import type { LoadedDataset } from '../common/dataset.ts';
import type { EngineTask, SupervisorMessage, WorkerMessage } from '../common/worker-protocol.ts';
import { loadDataset } from '../engine/data/catalog.ts';
import { runTask } from '../engine/tasks.ts';
import { Store } from '../host/store/index.ts';
import { lowerOwnPriority } from './priority.ts';
import { Steering } from './steering.ts';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(message: WorkerMessage): void {
  if (parentPort) parentPort.postMessage(message);
  // The callback takes the error of a channel that closed meanwhile (the parent died): without
  // it the error is thrown as an 'error' event and ends the process in the middle of a step.
  else if (process.connected) process.send?.(message, () => {});
}

function onMessage(listener: (message: SupervisorMessage) => void): void {
  if (parentPort) parentPort.on('message', (e) => listener(e.data as SupervisorMessage));
  else process.on('message', (m) => listener(m as SupervisorMessage));
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

const steering = new Steering();

async function withStore(home: string, fn: (store: Store) => Promise<void>): Promise<void> {
  const store = await Store.open(home);
  try {
    await fn(store);
  } finally {
    store.close();
  }
}

async function train(home: string, runId: number): Promise<void> {
  const { trainRun } = await import('../engine/training/trainer.ts');
  await withStore(home, async (store) => {
    try {
      const run = await trainRun({
        store,
        runId,
        loadDataset: (name) => loadDataset(store, name),
        control: steering,
        onEvent: (event) => send({ type: 'event', event }),
      });
      send({ type: 'finished', runId, status: run.status, error: run.error });
    } catch (error) {
      // The trainer has already recorded the failure on the run.
      send({ type: 'finished', runId, status: 'failed', error: message(error) });
    }
  });
}

async function task(home: string, id: number, job: EngineTask): Promise<void> {
  await withStore(home, async (store) => {
    try {
      const reply = await runTask(job, {
        store,
        signal: steering.signal,
        onProgress: (fraction, text) => send({ type: 'task-progress', id, fraction, message: text }),
        loadDataset: (name) => loadDataset(store, name),
      });
      send({ type: 'task-done', id, ok: true, reply });
    } catch (error) {
      send({ type: 'task-done', id, ok: false, error: message(error) });
    }
  });
}

/**
 * A dataset reader's state: one store, opened once; the last decoded dataset (MNIST takes a
 * second to decode, and examples are asked for one at a time); the queue that answers tasks in
 * the order they came.
 */
interface ReaderState {
  store: Promise<Store>;
  last: LoadedDataset | null;
  queue: Promise<void>;
}

function read(state: ReaderState, id: number, job: EngineTask): void {
  state.queue = state.queue.then(async () => {
    try {
      const store = await state.store;
      const reply = await runTask(job, {
        store,
        signal: steering.signal,
        onProgress: () => {},
        loadDataset: async (name) => {
          if (state.last?.info.name !== name) {
            state.last = null; // let the previous dataset go before the next is decoded
            state.last = await loadDataset(store, name);
          }
          return state.last;
        },
      });
      send({ type: 'task-done', id, ok: true, reply });
    } catch (error) {
      send({ type: 'task-done', id, ok: false, error: message(error) });
    }
  });
}

/** What this process has become since its first message; later messages must fit it. */
let role: 'trainer' | 'task' | ReaderState | null = null;

// Forked detached (supervisor.ts), this process outlives a parent that is killed or crashes:
// with nobody left to steer it, it stops as if told to (a training run checkpoints and ends
// 'stopped'; a task is cancelled) rather than train on unattended.
if (!parentPort)
  process.on('disconnect', () => {
    if (role !== null && typeof role === 'object') process.exit(0); // a dataset reader has nothing to save
    steering.stop();
  });

onMessage((msg) => {
  switch (msg.type) {
    case 'train':
      if (role !== null) return;
      role = 'trainer';
      // Before TensorFlow and OpenBLAS start their threads, which then inherit the priority.
      lowerOwnPriority(msg.niceness);
      void train(msg.home, msg.runId).finally(() => setImmediate(() => process.exit(0)));
      break;
    case 'task':
      if (msg.stay) {
        role ??= { store: Store.open(msg.home), last: null, queue: Promise.resolve() };
        if (typeof role === 'object') read(role, msg.id, msg.task);
        return;
      }
      if (role !== null) return;
      role = 'task';
      void task(msg.home, msg.id, msg.task).finally(() => setImmediate(() => process.exit(0)));
      break;
    case 'pause':
      steering.pause();
      break;
    case 'resume':
      steering.resume();
      break;
    case 'stop':
      steering.stop();
      break;
  }
});
