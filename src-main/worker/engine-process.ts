/**
 * Entry point of an engine process. The first message says what to do: train one run (and
 * obey pause / resume / stop until it ends), or run one task (import, evaluate, export; 'stop'
 * cancels it). Then the process exits.
 *
 * Works under Node's child_process.fork (messages on `process`) and Electron's
 * utilityProcess.fork (messages on `process.parentPort`).
 */
import type { SupervisorMessage, WorkerMessage } from '../common/worker-protocol.ts';
import { loadDataset } from '../engine/data/catalog.ts';
import { Store } from '../engine/store/index.ts';
import { runTask } from '../engine/tasks.ts';
import { trainRun, type TrainControl } from '../engine/training/trainer.ts';

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

let paused = false;
const abort = new AbortController();
let wake: (() => void) | null = null;
const control: TrainControl = {
  stopRequested: () => abort.signal.aborted,
  pauseRequested: () => paused,
  waitForResume: () =>
    new Promise<void>((resolve) => {
      wake = resolve;
    }),
};

async function withStore(home: string, fn: (store: Store) => Promise<void>): Promise<void> {
  const store = await Store.open(home);
  try {
    await fn(store);
  } finally {
    store.close();
  }
}

async function train(home: string, runId: number): Promise<void> {
  await withStore(home, async (store) => {
    try {
      const run = await trainRun({
        store,
        runId,
        loadDataset: (name) => loadDataset(store, name),
        control,
        onEvent: (event) => send({ type: 'event', event }),
      });
      send({ type: 'finished', runId, status: run.status, error: run.error });
    } catch (error) {
      // The trainer has already recorded the failure on the run.
      send({ type: 'finished', runId, status: 'failed', error: message(error) });
    }
  });
}

// Forked detached (supervisor.ts), this process outlives a parent that is killed or crashes:
// with nobody left to steer it, it stops as if told to (a training run checkpoints and ends
// 'stopped'; a task is cancelled) rather than train on unattended.
if (!parentPort)
  process.on('disconnect', () => {
    abort.abort();
    paused = false;
    wake?.();
    wake = null;
  });

let started = false;
onMessage((msg) => {
  switch (msg.type) {
    case 'train':
    case 'task': {
      if (started) return;
      started = true;
      const job =
        msg.type === 'train'
          ? train(msg.home, msg.runId)
          : withStore(msg.home, async (store) => {
              try {
                const result = await runTask(msg.task, {
                  store,
                  signal: abort.signal,
                  onProgress: (fraction, text) => send({ type: 'task-progress', fraction, message: text }),
                });
                send({ type: 'task-done', ok: true, result });
              } catch (error) {
                send({ type: 'task-done', ok: false, error: message(error) });
              }
            });
      void job.finally(() => setImmediate(() => process.exit(0)));
      break;
    }
    case 'pause':
      paused = true;
      break;
    case 'resume':
    case 'stop':
      if (msg.type === 'stop') abort.abort();
      paused = false;
      wake?.();
      wake = null;
      break;
  }
});
