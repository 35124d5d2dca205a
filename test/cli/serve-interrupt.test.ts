/**
 * Ctrl-C on `gmvae serve` in a terminal: the shell sends SIGINT to the whole foreground process
 * group. Only the server may receive it; it then stops its runs through the supervisor, so a
 * run training in an engine process ends 'stopped' with a checkpoint of the step it reached,
 * not 'interrupted' mid-step. The real command, in a process group of its own as a shell makes
 * a foreground job. (Needs the built interface, as `gmvae serve` does: `npm run build`.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Store } from '../../src-main/host/store/index.ts';
import { blobs } from '../helpers/blobs.ts';
import { GMVAE_BIN } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';
import { connect } from '../helpers/ws-client.ts';

test('Ctrl-C on gmvae serve stops its runs with a checkpoint: they end stopped', async () => {
  const home = tempDir();
  const seed = await Store.open(home);
  seed.saveDataset(blobs(300, 60));
  seed.close();

  const serve = spawn(process.execPath, [GMVAE_BIN, '--home', home, 'serve', '--port', '0', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  serve.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => serve.on('exit', resolve));
  const watcher = await Store.open(home);
  try {
    const [line] = (await once(createInterface({ input: serve.stdout! }), 'line')) as [string];
    const { url } = JSON.parse(line) as { url: string };
    const client = await connect(url);
    const run = await client.api.createRun({
      dataset: 'blobs',
      name: 'until-ctrl-c',
      overrides: { k: 3, hidden: 16, epochs: 500, batchSize: 50, backend: 'cpu' },
    });
    // Training in its engine process (which records its own pid), an epoch committed.
    for (let i = 0; ; i++) {
      const current = watcher.getRun(run.id)!;
      if (current.pid !== null && current.pid !== serve.pid && current.epoch >= 1) break;
      assert.ok(current.status !== 'failed', `the run failed: ${current.error}`);
      assert.ok(i < 2400 && serve.exitCode === null, `the run did not start training\n${stderr}`);
      await sleep(25);
    }
    client.close();

    process.kill(-serve.pid!, 'SIGINT');
    assert.equal(await exited, 0, stderr);
  } finally {
    // Only when the test failed with the group still alive: leave no training behind.
    if (serve.exitCode === null && serve.signalCode === null) process.kill(-serve.pid!, 'SIGKILL');
  }
  const after = watcher.getRun('until-ctrl-c')!;
  assert.equal(after.status, 'stopped', after.error ?? stderr);
  assert.equal(after.pid, null);
  assert.ok(after.epoch >= 1 && after.epoch < 500, `stopped in epoch ${after.epoch}`);
  assert.equal(watcher.loadCheckpoint(after.id, 'last')!.step, after.step, 'a checkpoint of the last step');
  watcher.close();
});
