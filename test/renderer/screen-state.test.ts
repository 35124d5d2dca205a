/**
 * The screens' state classes beyond the form and the runs store (state.test.ts): the Run
 * screen's view, Compare's view, the datasets store with its imports and the sweeps store.
 * Compiled by Svelte as the app's build compiles them and driven through the real API client
 * over a fake transport to the real back end, whose engine processes the test plays.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ProjectionPayload } from '../../src-main/common/artefacts.ts';
import type { RunRecord } from '../../src-main/common/run.ts';
import { datasetInfo } from '../../src-main/host/datasets.ts';
import { createSweep } from '../../src-main/host/sweeps.ts';
import { parseSweepDefinition } from '../../src-main/common/sweep.ts';
import type {
  CompareView as CompareViewType,
  hasUmap as hasUmapType,
  metricSeries as metricSeriesType,
} from '../../src-renderer/src/compare/compare-view.svelte.ts';
import type { DatasetsStore as DatasetsStoreType } from '../../src-renderer/src/datasets/datasets-store.svelte.ts';
import type { RunView as RunViewType } from '../../src-renderer/src/run/run-view.svelte.ts';
import type { SweepsStore as SweepsStoreType } from '../../src-renderer/src/sweeps/sweeps-store.svelte.ts';
import { blobs } from '../helpers/blobs.ts';
import { serviceClient, type ServiceClient } from '../helpers/service-client.ts';
import { enableSvelteModules, settle, until } from '../helpers/svelte-modules.ts';
import { tempDir } from '../helpers/temp.ts';

enableSvelteModules();
const { RunView } = (await import('../../src-renderer/src/run/run-view.svelte.ts')) as {
  RunView: typeof RunViewType;
};
const { CompareView } = (await import('../../src-renderer/src/compare/compare-view.svelte.ts')) as {
  CompareView: typeof CompareViewType;
};
const { metricSeries, hasUmap } = (await import('../../src-renderer/src/compare/compare-view.svelte.ts')) as {
  metricSeries: typeof metricSeriesType;
  hasUmap: typeof hasUmapType;
};
const { DatasetsStore } = (await import('../../src-renderer/src/datasets/datasets-store.svelte.ts')) as {
  DatasetsStore: typeof DatasetsStoreType;
};
const { SweepsStore } = (await import('../../src-renderer/src/sweeps/sweeps-store.svelte.ts')) as {
  SweepsStore: typeof SweepsStoreType;
};

const PROJECTION: ProjectionPayload = {
  n: 1,
  cluster: [0],
  label: null,
  confidence: [1],
  pcaX: [0, 0],
  pcaW: null,
  umapX: { indices: [], coords: [] },
};

describe('screen state over the API client', () => {
  let back: ServiceClient;
  let first: RunRecord;
  let second: RunRecord;

  /** Stores one epoch's test metric for a run, as its trainer would. */
  const record = (run: RunRecord, epoch: number, value: number) =>
    back.store.appendMetrics([
      { runId: run.id, step: epoch * 10, epoch, name: 'test/elbo', value, time: Date.now() },
    ]);

  before(async () => {
    back = await serviceClient();
    first = await back.api.createRun({ dataset: 'spiral', name: 'first', overrides: { k: 3 } });
    second = await back.api.createRun({ dataset: 'spiral', name: 'second', overrides: { k: 4 } });
    record(first, 1, -3);
    record(second, 1, -4);
  });

  after(async () => {
    await back.close();
  });

  test("the Run screen's view: loads the run, follows its training events, refetches after a reconnect", async () => {
    back.store.saveArtefact({
      runId: first.id,
      kind: 'projection',
      checkpoint: 'last',
      epoch: 1,
      createdAt: new Date().toISOString(),
      payload: PROJECTION,
    });
    let reconnects = 0;
    const view = new RunView(first.id, { client: back, reconnects: () => reconnects });
    try {
      await until(() => view.detail !== null, 'the run to load');
      assert.equal(view.detail!.name, 'first');
      assert.deepEqual(view.series.get('test/elbo'), [{ x: 1, y: -3 }]);
      await until(() => view.dataset !== null, "the run's dataset");
      assert.equal(view.dataset!.name, 'spiral');
      await until(() => view.artefacts.projection !== null, "the last checkpoint's artefacts");
      assert.deepEqual(view.artefacts.projection, PROJECTION);
      assert.deepEqual(view.artefactCheckpoints, [{ kind: 'last', epoch: 1 }]);

      // Its own epochs and steps are appended in place; another run's are not.
      const worker = back.workers.find((w) =>
        w.received.some((m) => m.type === 'train' && m.runId === first.id),
      )!;
      const revision = view.revision;
      worker.emit({ type: 'epoch', runId: first.id, epoch: 2, seconds: 1, metrics: { 'test/elbo': -2 } });
      worker.emit({ type: 'epoch', runId: second.id, epoch: 2, seconds: 1, metrics: { 'test/elbo': -9 } });
      worker.emit({
        type: 'progress',
        runId: first.id,
        phase: 'training',
        epoch: 2,
        batch: 1,
        batches: 10,
        step: 21,
        loss: 5,
        examplesPerSecond: 100,
      });
      await settle();
      assert.equal(view.revision, revision + 1);
      assert.equal(view.detail!.epoch, 2);
      assert.deepEqual(view.series.get('test/elbo'), [
        { x: 1, y: -3 },
        { x: 2, y: -2 },
      ]);
      assert.deepEqual(view.series.get('train/step_loss'), [{ x: 21, y: 5 }]);

      // A status change refetches the record.
      back.store.updateRun(first.id, { notes: 'seen after the status event' });
      worker.emit({ type: 'status', runId: first.id, status: 'running', error: null });
      await until(() => view.detail!.notes === 'seen after the status event', 'the record to be refetched');

      // runs-changed refetches the record only; after a reconnect the metrics too (events were
      // missed): then the series are the stored points, the epoch that came as an event gone.
      record(first, 3, -1);
      const latest = () => view.series.get('test/elbo').at(-1)!.x;
      await back.api.updateRun(second.id, { name: 'second-renamed' });
      await settle(500);
      assert.equal(latest(), 2, 'no metrics refetch without a reconnect');
      reconnects++;
      await back.api.updateRun(second.id, { name: 'second' });
      await until(() => latest() === 3, 'the metrics missed while disconnected');
      assert.deepEqual(view.series.get('test/elbo'), [
        { x: 1, y: -3 },
        { x: 3, y: -1 },
      ]);
    } finally {
      view.dispose();
    }
  });

  test("Compare's view: both runs with their points, a missing run's error, live epochs", async () => {
    const view = new CompareView([first.id, second.id, 999], back);
    try {
      await until(() => !view.loading, 'the runs to load');
      assert.deepEqual(
        view.runs.map((r) => r.detail?.name ?? null),
        ['first', 'second', null],
      );
      assert.match(view.runs[2]!.error!, /999/);
      assert.deepEqual(
        view.runs[1]!.points.get('test/elbo')!.map((p) => p.value),
        [-4],
      );
      assert.deepEqual(view.runs[0]!.projection, PROJECTION, "the first run's stored projection");
      assert.equal(hasUmap(PROJECTION), false, 'no UMAP: Compare says so beside the PCA');
      assert.equal(hasUmap({ ...PROJECTION, umapX: { indices: [0], coords: [1, 2] } }), true);
      assert.equal(view.runs[1]!.projection, null);
      assert.deepEqual(view.metricNames(), ['test/elbo']);

      const revision = view.revision;
      const worker = back.workers.find((w) =>
        w.received.some((m) => m.type === 'train' && m.runId === second.id),
      )!;
      worker.emit({ type: 'epoch', runId: second.id, epoch: 2, seconds: 1, metrics: { 'test/nmi': 0.5 } });
      await settle();
      assert.equal(view.revision, revision + 1);
      assert.deepEqual(
        view.runs[1]!.points.get('test/nmi')!.map((p) => [p.epoch, p.value]),
        [[2, 0.5]],
      );
      assert.deepEqual(view.metricNames(), ['test/elbo', 'test/nmi']);

      // Test metrics, then train metrics, then the engine's own (all metrics' grid, the picker).
      worker.emit({
        type: 'epoch',
        runId: second.id,
        epoch: 3,
        seconds: 1,
        metrics: { epoch_seconds: 1, 'train/loss': 3, 'memory/tensors': 90, 'test/ari': 0.2 },
      });
      await settle();
      assert.deepEqual(view.metricNames(), [
        'test/ari',
        'test/elbo',
        'test/nmi',
        'train/loss',
        'epoch_seconds',
        'memory/tensors',
      ]);
      const run = view.runs[1]!;
      assert.deepEqual(metricSeries(run, 'test/nmi', 'epoch'), [{ x: 2, y: 0.5 }]);
      assert.deepEqual(metricSeries(run, 'test/nmi', 'step'), [
        { x: run.points.get('test/nmi')![0]!.step, y: 0.5 },
      ]);
      assert.deepEqual(metricSeries(run, 'test/nope', 'epoch'), []);
      const t0 = Math.min(...[...run.points.values()].map((l) => l[0]!.time));
      assert.deepEqual(metricSeries(run, 'test/ari', 'time'), [
        { x: (run.points.get('test/ari')![0]!.time - t0) / 1000, y: 0.2 },
      ]);
    } finally {
      view.dispose();
    }
  });

  test('the sweeps store lists the sweeps and names them', async () => {
    const store = new SweepsStore(back);
    await store.refresh();
    assert.equal(store.list.length, 0);
    const definition = parseSweepDefinition(
      { name: 'grid', dataset: 'spiral', base: { epochs: 2 }, grid: { lambda: [0.5, 1] } },
      'grid.json',
      (name) => datasetInfo(back.store, name),
    );
    const sweep = await createSweep(back.store, back.home, definition);
    const stop = store.watch();
    try {
      await until(() => store.list.length === 1, 'the sweep to be listed');
      assert.equal(store.list[0]!.tasks.length, 2);
      assert.equal(store.name(sweep.id), 'grid');
      assert.equal(store.name(sweep.id + 1), `sweep ${sweep.id + 1}`);
    } finally {
      stop();
    }
  });
});

describe('the datasets store over the API client (Electron: dropped files are paths)', () => {
  let back: ServiceClient;
  let store: DatasetsStoreType<string>;
  const folder = tempDir();
  const dropped = path.join(folder, 'blobs.csv');
  fs.writeFileSync(dropped, 'x,y\n0,1\n');

  before(async () => {
    back = await serviceClient({ mode: 'electron' });
    store = new DatasetsStore({ client: back, files: { kind: 'paths', paths: async () => [dropped] } });
  });

  after(async () => {
    await back.close();
  });

  test('an import from the drop to the new dataset in the list, through the engine task', async () => {
    await store.refresh();
    assert.deepEqual(store.list.map((d) => d.name).sort(), ['mnist', 'spiral']);

    const drop = store.importDrop('a drop', { name: 'blobs' });
    await until(() => back.workers.length === 1, 'the import task to start');
    await drop;
    const worker = back.workers[0]!;
    // As IPC carries it: as JSON.
    assert.deepEqual(JSON.parse(JSON.stringify(worker.received[0])), {
      type: 'task',
      home: back.home,
      id: 0,
      task: { kind: 'import', paths: [dropped], name: 'blobs' },
      stay: false,
    });
    const item = store.imports[0]!;
    assert.equal(item.phase, 'importing');
    assert.equal(item.label, 'blobs.csv');

    worker.report({ type: 'task-progress', id: 0, fraction: 0.5, message: 'reading blobs.csv' });
    await until(() => item.fraction === 0.5, 'the progress to show');
    assert.equal(item.message, 'reading blobs.csv');

    // The engine stores the dataset and answers; the list follows datasets-changed.
    back.store.saveDataset(blobs(60, 30));
    worker.report({
      type: 'task-done',
      id: 0,
      ok: true,
      reply: { kind: 'import', result: { dataset: 'blobs' } },
    });
    await until(() => store.imports[0]!.phase === 'done', 'the import to finish');
    assert.equal(store.imports[0]!.dataset, 'blobs');
    assert.equal(store.lastImported, 'blobs');
    await until(() => store.list.some((d) => d.name === 'blobs'), 'the new dataset to be listed');

    store.dismiss(store.imports[0]!);
    assert.deepEqual(store.imports, []);
  });

  test("an import the engine refuses shows the engine's message", async () => {
    const before = back.workers.length;
    await store.importDrop('a drop', {});
    await until(() => back.workers.length === before + 1, 'the import task to start');
    back.workers
      .at(-1)!
      .report({ type: 'task-done', id: 0, ok: false, error: 'blobs.csv, row 2: 1 value, 2 expected' });
    await until(() => store.imports[0]!.phase === 'failed', 'the import to fail');
    assert.equal(store.imports[0]!.error, 'blobs.csv, row 2: 1 value, 2 expected');
  });

  test('a cancelled import says so until it ends, and ends cancelled when its busy process is killed', async () => {
    // The earlier tests' processes have answered; real ones then exit and free their slots.
    for (const done of back.workers) done.kill();
    const before = back.workers.length;
    await store.importDrop('a drop', {});
    await until(() => back.workers.length === before + 1, 'the import task to start');
    const worker = back.workers.at(-1)!;
    worker.exitOnStop = false; // busy reading a large file: it does not answer the stop at once
    const item = store.imports[0]!;
    await store.cancel(item);
    assert.equal(item.cancelling, true);
    worker.report({ type: 'task-progress', id: 0, fraction: 0.4, message: 'reading big.csv' });
    await until(() => item.fraction === 0.4, 'the progress to show');
    assert.equal(item.message, 'Cancelling…', 'progress does not hide the cancel');
    worker.kill(); // the supervisor's deadline: killed without an answer
    await until(() => item.phase !== 'importing', 'the import to end');
    assert.equal(item.phase, 'cancelled');
    assert.equal(item.error, null);
  });
});

test('the datasets store in web mode: a drop is uploaded first, and cancelling stops the upload', async () => {
  const back = await serviceClient();
  try {
    let signal: AbortSignal | null = null;
    const store = new DatasetsStore<string>({
      client: back,
      files: {
        kind: 'upload',
        read: async () => ({
          names: ['shapes/circle/1.png', 'shapes/square/1.png'],
          upload: (onProgress, abort) => {
            signal = abort;
            onProgress(0.25, 'shapes/circle/1.png');
            return new Promise<string>((_, reject) =>
              abort.addEventListener('abort', () => reject(new Error('aborted'))),
            );
          },
        }),
      },
    });
    const drop = store.importDrop('a drop', {});
    await until(() => signal !== null, 'the upload to start');
    const item = store.imports[0]!;
    assert.equal(item.phase, 'uploading');
    assert.equal(item.label, 'shapes (2 files)');
    assert.equal(item.fraction, 0.25);
    await store.cancel(item);
    await drop;
    assert.equal(signal!.aborted, true);
    assert.equal(store.imports[0]!.phase, 'cancelled');
    assert.equal(store.imports[0]!.error, null);
    assert.equal(back.calls.includes('importDataset'), false, 'nothing reached the back end');
  } finally {
    await back.close();
  }
});
