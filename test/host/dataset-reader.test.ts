/**
 * Dataset reads in an engine process: one process answers them in turn and keeps its decoded
 * dataset, survives a bad request, starts afresh after forget() and ends when idle.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { taskResult } from '../../src-main/common/worker-protocol.ts';
import { DatasetReader } from '../../src-main/host/dataset-reader.ts';
import { Store } from '../../src-main/host/store/index.ts';
import { forkLauncher, type WorkerHandle } from '../../src-main/host/supervisor.ts';
import { blobs } from '../helpers/blobs.ts';
import { tempDir } from '../helpers/temp.ts';

/** The real engine-process launcher, counting the processes it starts. */
function countingLauncher() {
  const started: WorkerHandle[] = [];
  const fork = forkLauncher();
  return {
    started,
    launch: () => {
      const worker = fork();
      started.push(worker);
      return worker;
    },
  };
}

const exited = (worker: WorkerHandle) => new Promise<void>((resolve) => worker.onExit(() => resolve()));

describe('DatasetReader', () => {
  test('answers previews and examples from one process, which outlives a bad request', async () => {
    const home = tempDir();
    const store = await Store.open(home);
    const data = blobs(90, 30);
    store.saveDataset(data);
    const { started, launch } = countingLauncher();
    const reader = new DatasetReader(launch, home);
    try {
      const preview = await reader.read({ kind: 'preview', dataset: 'blobs' });
      assert.deepEqual(preview.classCounts, [30, 30, 30]);
      assert.equal(preview.examples.length, 48);
      assert.notEqual(reader.pid, process.pid, 'decoded in another process');

      const example = await reader.read({ kind: 'example', dataset: 'blobs', split: 'test', index: 4 });
      assert.deepEqual(example.values, Array.from(data.test.x.subarray(8, 10)));
      assert.equal(example.label, data.test.y![4]);
      assert.deepEqual(example.shape, [2]);

      await assert.rejects(
        reader.read({ kind: 'example', dataset: 'blobs', split: 'train', index: 90 }),
        /blobs has no train example 90/,
      );
      await assert.rejects(reader.read({ kind: 'preview', dataset: 'nope' }), /no dataset named 'nope'/);
      const again = await reader.read({ kind: 'example', dataset: 'blobs', split: 'train', index: 0 });
      assert.equal(again.label, data.train.y![0]);
      assert.equal(started.length, 1, 'every read went to the same process');

      // After a delete the reader must not answer from the dataset it had decoded.
      store.deleteDataset('blobs');
      reader.forget();
      await exited(started[0]!);
      await assert.rejects(reader.read({ kind: 'preview', dataset: 'blobs' }), /no dataset named 'blobs'/);
      assert.equal(started.length, 2, 'a fresh process after forget()');
    } finally {
      reader.close();
      store.close();
    }
  });

  test('ends its process after a while without reads, and starts another on the next', async () => {
    const home = tempDir();
    const store = await Store.open(home);
    store.saveDataset(blobs(30, 9));
    const { started, launch } = countingLauncher();
    const reader = new DatasetReader(launch, home, { idleMs: 100 });
    try {
      await reader.read({ kind: 'preview', dataset: 'blobs' });
      await exited(started[0]!);
      assert.equal(reader.pid, undefined);
      await reader.read({ kind: 'preview', dataset: 'blobs' });
      assert.equal(started.length, 2);
    } finally {
      reader.close();
      store.close();
    }
  });

  test('a reply of another kind than the task is refused', () => {
    const reply = { kind: 'preview', result: { dataset: 'x' } } as never;
    assert.throws(
      () => taskResult({ kind: 'example', dataset: 'x', split: 'test', index: 0 }, reply),
      /answered as 'preview'/,
    );
  });
});
