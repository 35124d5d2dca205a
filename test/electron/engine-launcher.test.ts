/**
 * Engine processes as Electron's utilityProcess: the launcher adapts it to the supervisor's
 * WorkerHandle. The fake here is a real Node child process speaking through a parentPort shim,
 * so the real engine-process entry trains a real run under EngineSupervisor.
 */
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { UtilityProcess } from 'electron';
import { resolveConfig } from '../../src-main/common/config.ts';
import { utilityProcessLauncher } from '../../src-main/electron/engine-launcher.ts';
import { Store } from '../../src-main/host/store/index.ts';
import { ENGINE_PROCESS_ENTRY, EngineSupervisor } from '../../src-main/host/supervisor.ts';
import { blobs } from '../helpers/blobs.ts';
import { tempDir } from '../helpers/temp.ts';

const SHIM = fileURLToPath(new URL('./fixtures/parent-port-shim.ts', import.meta.url));

/** utilityProcess.fork, as Electron's API shapes it, over child_process.fork. */
const fakeUtilityProcess = {
  forked: [] as string[],
  fork(modulePath: string): UtilityProcess {
    this.forked.push(modulePath);
    const child = fork(SHIM, [modulePath], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const emitter = new EventEmitter();
    child.on('message', (m) => emitter.emit('message', m));
    child.on('exit', (code) => emitter.emit('exit', code ?? 0));
    return Object.assign(emitter, {
      pid: child.pid,
      postMessage: (m: unknown) => child.send(m as never),
      kill: () => child.kill('SIGKILL'),
    }) as unknown as UtilityProcess;
  },
};

test('a run trains to completion in a utilityProcess-launched engine process', async () => {
  const home = tempDir();
  const store = await Store.open(home);
  const data = blobs(200, 50);
  store.saveDataset(data);
  const config = resolveConfig(data.info, { k: 3, hidden: 16, epochs: 2, batchSize: 50, backend: 'cpu' });
  const run = store.createRun({ dataset: 'blobs', config, status: 'interrupted', pid: null });
  const supervisor = new EngineSupervisor(
    store,
    home,
    utilityProcessLauncher(fakeUtilityProcess, ENGINE_PROCESS_ENTRY),
  );
  const statuses: string[] = [];
  const done = new Promise<void>((resolve) =>
    supervisor.onEvent((e) => {
      if (e.type === 'status') statuses.push(e.status);
      if (e.type === 'status' && e.status === 'completed') resolve();
    }),
  );
  supervisor.start(run.id);
  await done;
  assert.deepEqual(fakeUtilityProcess.forked, [ENGINE_PROCESS_ENTRY]);
  assert.deepEqual(statuses, ['completed']);
  assert.equal(store.getRun(run.id)!.epoch, 2);
  store.close();
});
