/**
 * A real `gmvae train --backend webgpu` on SwiftShader (test/helpers/webgpu.ts): it trains and
 * checkpoints, a SIGKILL leaves it interrupted, `--resume` finishes it, and the device memory
 * stays the same from epoch to epoch: tensor count and device bytes equal from epoch 2 to 4, three
 * epochs whichever process trained them (epoch 1 grows Adam's slots and the backend's pools),
 * wherever the kill lands.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Store } from '../../src-main/host/store/index.ts';
import { blobsCsv } from '../helpers/blobs.ts';
import { gmvaeJson, startGmvae } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';
import { useSwiftShader } from '../helpers/webgpu.ts';

before(() => useSwiftShader());

const ARGS = ['--k', '3', '--hidden', '16', '--epochs', '4', '--batch-size', '50', '--lr', '1e-2'];

test('a webgpu run trains, is killed, resumes from its checkpoint and holds its memory steady', async () => {
  const home = tempDir();
  const csv = blobsCsv(300);
  await gmvaeJson(home, ['datasets', 'import', csv, '--name', 'blobs']);

  const child = startGmvae(home, [
    'train',
    '--dataset',
    'blobs',
    '--name',
    'gpu',
    '--backend',
    'webgpu',
    ...ARGS,
  ]);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const watcher = await Store.open(home);
  for (let i = 0; i < 2400; i++) {
    const run = watcher.getRun('gpu');
    if (run && run.epoch >= 1) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  await exited;
  watcher.close();

  const store = await Store.open(home, { staleGraceMs: 0 });
  const killed = store.getRun('gpu')!;
  assert.equal(killed.status, 'interrupted');
  assert.equal(killed.backend, 'webgpu');
  assert.match(killed.device ?? '', /WebGPU.*software adapter/);
  assert.ok(killed.epoch >= 1 && killed.epoch < 4, `killed in epoch ${killed.epoch}`);
  store.close();

  const resumed = await gmvaeJson<{ status: string; epochs: number; backend: string }>(home, [
    'train',
    '--resume',
    'gpu',
  ]);
  assert.deepEqual([resumed.status, resumed.epochs, resumed.backend], ['completed', 4, 'webgpu']);

  // Epochs 2 to 4, before and after the resume alike: a resumed process holds exactly what the
  // killed one did (no second copy of the restored weights or Adam slots), and no epoch adds.
  const after = await Store.open(home);
  const run = after.getRun('gpu')!;
  for (const name of ['memory/tensors', 'memory/gpu_bytes']) {
    const series = after.metrics(run.id, [name]).filter((m) => m.epoch >= 2);
    assert.deepEqual(
      series.map((m) => m.epoch),
      [2, 3, 4],
      `${name} recorded once per epoch`,
    );
    const values = series.map((m) => m.value);
    assert.ok(values[0]! > 0, `${name} measured`);
    assert.ok(
      values.every((v) => v === values[0]),
      `${name} in epochs 2-4 (killed after epoch ${killed.epoch}): ${values.join(', ')}`,
    );
  }
  assert.ok(after.latestMetrics(run.id)['test/accuracy_majority']! > 0.5, 'it learned something');
  after.close();
});
