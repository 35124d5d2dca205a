/**
 * Entry point of a training process. It trains exactly one run, told which by the first
 * message, and obeys pause / resume / stop until the run ends; then it exits.
 *
 * Works under Node's child_process.fork (messages on `process`) and Electron's
 * utilityProcess.fork (messages on `process.parentPort`).
 */
import type { SupervisorMessage, WorkerMessage } from '../common/worker-protocol.ts';
import { loadDataset } from '../engine/data/catalog.ts';
import { Store } from '../engine/store/index.ts';
import { trainRun, type TrainControl } from '../engine/training/trainer.ts';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(message: WorkerMessage): void {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
}

function onMessage(listener: (message: SupervisorMessage) => void): void {
  if (parentPort) parentPort.on('message', (e) => listener(e.data as SupervisorMessage));
  else process.on('message', (m) => listener(m as SupervisorMessage));
}

let paused = false;
let stopped = false;
let wake: (() => void) | null = null;
const control: TrainControl = {
  stopRequested: () => stopped,
  pauseRequested: () => paused,
  waitForResume: () =>
    new Promise<void>((resolve) => {
      wake = resolve;
    }),
};

async function train(home: string, runId: number): Promise<void> {
  const store = await Store.open(home);
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
    send({
      type: 'finished',
      runId,
      status: 'failed',
      error: error instanceof Error ? error.message : String(error),
    });
  } finally {
    store.close();
  }
}

let started = false;
onMessage((message) => {
  switch (message.type) {
    case 'train':
      if (started) return;
      started = true;
      void train(message.home, message.runId).finally(() => setImmediate(() => process.exit(0)));
      break;
    case 'pause':
      paused = true;
      break;
    case 'resume':
    case 'stop':
      if (message.type === 'stop') stopped = true;
      paused = false;
      wake?.();
      wake = null;
      break;
  }
});
