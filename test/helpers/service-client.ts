/**
 * The real back end (WorkbenchService over a Store in a temporary home) behind the real API
 * client, joined by a fake transport that does what IPC and the WebSocket do: every request
 * goes through `dispatch` with its arguments and result copied as JSON, and events flow back.
 * Engine processes are fakes the test drives (`workers`), so no TensorFlow trains and no task
 * runs: a test answers a task with `report`.
 */
import { createApiClient, type ApiClient } from '../../src-main/common/api/client.ts';
import type { ApiMethod } from '../../src-main/common/api/contract.ts';
import { dispatch } from '../../src-main/common/api/dispatch.ts';
import type { TrainEvent } from '../../src-main/common/training-events.ts';
import type { SupervisorMessage, WorkerMessage } from '../../src-main/common/worker-protocol.ts';
import { WorkbenchService } from '../../src-main/host/workbench-service.ts';
import { Store } from '../../src-main/host/store/index.ts';
import type { WorkerHandle } from '../../src-main/host/supervisor.ts';
import { tempDir } from './temp.ts';

/** An engine process that never trains: it records what it is told and says what the test says. */
export class FakeWorker implements WorkerHandle {
  readonly pid = undefined;
  readonly received: SupervisorMessage[] = [];
  /** Whether 'stop' ends the process at once; false: it exits when kill() is called. */
  exitOnStop = true;
  #onMessage: ((message: WorkerMessage) => void)[] = [];
  #onExit: ((code: number | null) => void)[] = [];

  send(message: SupervisorMessage): void {
    this.received.push(message);
    if (message.type === 'stop' && this.exitOnStop) this.kill();
  }
  onMessage(listener: (message: WorkerMessage) => void): void {
    this.#onMessage.push(listener);
  }
  onExit(listener: (code: number | null) => void): void {
    this.#onExit.push(listener);
  }
  kill(): void {
    for (const listener of this.#onExit.splice(0)) listener(null);
  }
  emit(event: TrainEvent): void {
    this.report({ type: 'event', event });
  }
  /** Sends a message as the engine process would (a task's progress, its answer). */
  report(message: WorkerMessage): void {
    for (const listener of this.#onMessage) listener(message);
  }
}

export interface ServiceClient extends ApiClient {
  home: string;
  store: Store;
  service: WorkbenchService;
  workers: FakeWorker[];
  /** Requests made, by method name. */
  calls: ApiMethod[];
  /** Makes the next requests of this method fail as a dropped connection would. */
  failNext(method: ApiMethod, times?: number): void;
  close(): Promise<void>;
}

/**
 * `mode`: 'electron' takes the paths of dropped files; 'web' (the default) only uploads.
 * `watchMs`: how often the service looks for other processes' writes (the default's 2 s).
 */
export async function serviceClient({
  mode = 'web',
  watchMs,
}: { mode?: 'electron' | 'web'; watchMs?: number } = {}): Promise<ServiceClient> {
  const home = tempDir();
  const store = await Store.open(home);
  const workers: FakeWorker[] = [];
  const service = new WorkbenchService({
    store,
    home,
    mode,
    version: '0.0.0',
    watchMs,
    launcher: () => {
      const worker = new FakeWorker();
      workers.push(worker);
      return worker;
    },
  });
  const calls: ApiMethod[] = [];
  const failures = new Map<ApiMethod, number>();
  let nextId = 1;
  const client = createApiClient({
    async call(method, args) {
      calls.push(method);
      const failing = failures.get(method) ?? 0;
      if (failing > 0) {
        failures.set(method, failing - 1);
        throw new Error('the connection to the back end was lost');
      }
      const response = await dispatch(service, nextId++, method, JSON.parse(JSON.stringify(args)));
      if (!response.ok) throw new Error(response.error);
      return JSON.parse(JSON.stringify(response.result));
    },
    subscribe: (listener) => service.onEvent((event) => listener(JSON.parse(JSON.stringify(event)))),
  });
  return {
    ...client,
    home,
    store,
    service,
    workers,
    calls,
    failNext: (method, times = 1) => void failures.set(method, times),
    close: async () => {
      await service.shutdown();
      store.close();
    },
  };
}
