/**
 * The service behind the interface keeps one store open for as long as it runs: a trainer
 * killed meanwhile in another process must show as interrupted the next time runs are listed
 * or opened, not 'running' until the service restarts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { SYNTHETIC_PRESET } from '../../../src-main/common/config.ts';
import { WorkbenchService } from '../../../src-main/host/workbench-service.ts';
import { Store } from '../../../src-main/host/store/index.ts';
import { tempDir } from '../../helpers/temp.ts';

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

test('a run whose trainer died while the service runs lists as interrupted', async (t) => {
  const home = tempDir();
  const store = await Store.open(home);
  const service = new WorkbenchService({
    store,
    home,
    mode: 'web',
    version: '0.0.0',
    resolveUploads: () => [],
    launcher: () => {
      throw new Error('no engine process in this test');
    },
  });
  t.after(async () => {
    await service.shutdown();
    store.close();
  });
  // Created after the store was opened, with a fresh heartbeat: only the dead pid tells.
  const config = { ...SYNTHETIC_PRESET, seed: 1, backend: 'cpu' as const };
  const run = store.createRun({ dataset: 'spiral', config, status: 'running', pid: await deadPid() });
  store.heartbeat(run.id);

  assert.equal((await service.getRun(run.id)).status, 'interrupted');
  const other = store.createRun({ dataset: 'spiral', config, status: 'running', pid: await deadPid() });
  const listed = await service.listRuns();
  assert.equal(listed.find((r) => r.id === other.id)?.status, 'interrupted');
});
