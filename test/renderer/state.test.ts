/**
 * The renderer's state classes (.svelte.ts), compiled by Svelte as the app's build compiles
 * them, driven through the real API client over a fake transport to the real back end.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DatasetSummary } from '../../src-main/common/api/contract.ts';
import { SETTINGS } from '../../src-main/common/settings.ts';
import type { ListStore as ListStoreType } from '../../src-renderer/src/lib/list-store.svelte.ts';
import type { CompareView as CompareViewType } from '../../src-renderer/src/compare/compare-view.svelte.ts';
import type { NewRunForm as NewRunFormType } from '../../src-renderer/src/new-run/new-run-form.svelte.ts';
import type { RunsStore as RunsStoreType } from '../../src-renderer/src/runs/runs-store.svelte.ts';
import { progressText } from '../../src-renderer/src/runs/progress-text.ts';
import { trainingNiceness } from '../../src-main/host/supervisor.ts';
import { serviceClient, type ServiceClient } from '../helpers/service-client.ts';
import { enableSvelteModules, settle, until } from '../helpers/svelte-modules.ts';

enableSvelteModules();
const { ListStore } = (await import('../../src-renderer/src/lib/list-store.svelte.ts')) as {
  ListStore: typeof ListStoreType;
};
const { RunsStore } = (await import('../../src-renderer/src/runs/runs-store.svelte.ts')) as {
  RunsStore: typeof RunsStoreType;
};
const { NewRunForm } = (await import('../../src-renderer/src/new-run/new-run-form.svelte.ts')) as {
  NewRunForm: typeof NewRunFormType;
};
const { CompareView } = (await import('../../src-renderer/src/compare/compare-view.svelte.ts')) as {
  CompareView: typeof CompareViewType;
};

describe('renderer state over the API client', () => {
  let back: ServiceClient;
  let datasets: ListStoreType<DatasetSummary>;
  let runs: RunsStoreType;

  before(async () => {
    back = await serviceClient();
    datasets = new ListStore(() => back.api.listDatasets());
    runs = new RunsStore(back);
  });

  after(async () => {
    await back.close();
  });

  test('a list store loads, keeps its list through a failed refresh, and refetches after a change mid-load', async () => {
    const list = new ListStore(() => back.api.listDatasets());
    assert.equal(list.loaded, false);
    await list.refresh();
    assert.deepEqual(list.list.map((d) => d.name).sort(), ['mnist', 'spiral']);
    assert.equal(list.loaded, true);
    assert.equal(list.error, null);

    back.failNext('listDatasets');
    await list.refresh();
    assert.equal(list.error, 'the connection to the back end was lost');
    assert.equal(list.list.length, 2, 'the last good list stays on screen');

    // Three refreshes while one is loading: one more load after it, shared by the later calls.
    const before = back.calls.filter((m) => m === 'listDatasets').length;
    await Promise.all([list.refresh(), list.refresh(), list.refresh()]);
    assert.equal(back.calls.filter((m) => m === 'listDatasets').length - before, 2);
    assert.equal(list.error, null);
  });

  test('the runs store follows runs-changed and training events', async () => {
    await runs.refresh();
    assert.deepEqual(runs.list, []);
    const created = await back.api.createRun({ dataset: 'spiral', name: 'events', overrides: { k: 3 } });
    // runs-changed, then the store's debounced refetch
    await until(() => runs.byId(created.id) !== undefined, 'the new run to be listed');
    assert.deepEqual(runs.datasets, ['spiral']);

    const worker = back.workers.at(-1)!;
    assert.deepEqual(worker.received[0], {
      type: 'train',
      home: back.home,
      runId: created.id,
      niceness: trainingNiceness(),
    });
    worker.emit({
      type: 'started',
      runId: created.id,
      backend: 'cpu',
      device: 'test',
      skipped: [],
      resumedFrom: null,
      warnings: [],
    });
    worker.emit({
      type: 'epoch',
      runId: created.id,
      epoch: 1,
      seconds: 1,
      metrics: { 'test/accuracy': 0.75, 'test/elbo': -2, 'train/elbo': -3 },
    });
    await settle();
    const live = runs.byId(created.id)!;
    assert.equal(live.status, 'running');
    assert.equal(live.backend, 'cpu');
    assert.equal(live.epoch, 1);
    assert.equal(live.metrics.elbo, -2, 'test metrics are kept under their short names');
    assert.equal(live.metrics.accuracy, 0.75, "the headline is the latest epoch's accuracy");
  });

  test('the New run form: defaults, checks as you type, inapplicable settings, presets, and a started run', async () => {
    const form = new NewRunForm({ api: back.api, datasets, runs });
    await form.load(null, 'spiral');
    assert.equal(form.loadError, null);
    assert.equal(form.dataset, 'spiral');
    assert.ok(form.values);
    // Every setting has a field, holding the dataset's default.
    for (const spec of SETTINGS)
      assert.equal(form.values[spec.key], String(form.presets!.defaults[spec.key]), spec.key);
    assert.equal(form.defaultText('lr'), '1e-3');
    assert.equal(form.errorCount, 0);
    assert.deepEqual(
      form.earlierRuns.map((r) => r.name),
      ['events'],
    );

    form.values.lr = '2';
    form.values.epochs = '0';
    assert.match(form.errors.lr!, /must be between 0 and 1/);
    assert.equal(form.shownError('lr'), null, 'not shown before the field is touched');
    assert.equal(form.changed('lr'), true);
    assert.equal(await form.submit(), null, 'nothing starts while a field is invalid');
    assert.equal(form.firstInvalid(), 'epochs', 'the first invalid field in the form order');
    assert.match(form.shownError('epochs')!, /a whole number ≥ 1/);

    form.values.lr = '3e-4';
    form.values.epochs = '2';
    form.values.model = 'v1';
    assert.equal(form.errorCount, 0);
    assert.match(form.notApplicable('lambda')!, /v2/);
    assert.equal(form.notApplicable('cvWeight'), null);
    form.values.model = 'v2';
    assert.match(form.notApplicable('cvWeight')!, /authors/);
    form.values.zPriorGradient = 'authors';
    assert.equal(form.notApplicable('cvWeight'), null);

    // A preset replaces every setting; the paper's MNIST preset is the third.
    await form.applyStart('preset:2');
    assert.equal(form.values.k, '16');
    await form.applyStart('defaults');
    form.values.k = '5';
    form.values.model = 'v1';
    form.name = 'from the form';
    const before = runs.list.length;
    const record = await form.submit();
    assert.ok(record, form.error ?? 'started');
    assert.equal(record.name, 'from the form');
    const stored = back.store.getRun(record.id)!.config;
    assert.equal(stored.k, 5);
    assert.equal(stored.model, 'v1');
    assert.equal(stored.lr, 1e-3);
    await until(() => runs.list.length === before + 1, 'the runs list to refetch after a start');

    // Duplicate: a form started from that run.
    const copy = new NewRunForm({ api: back.api, datasets, runs });
    await copy.load(record.id, null);
    assert.equal(copy.startFrom, `run:${record.id}`);
    assert.equal(copy.name, 'from the form-copy');
    assert.equal(copy.values!.k, '5');
    assert.equal(copy.changed('k'), true);

    // The empty state's first run: the dataset's defaults, fewer epochs.
    const short = new NewRunForm({ api: back.api, datasets, runs });
    await short.load(null, 'spiral', 20);
    assert.equal(short.values!.epochs, '20');
    assert.equal(short.values!.k, String(short.presets!.defaults.k));

    // A refusal by the back end is shown, not thrown.
    copy.dataset = 'no-such-dataset';
    assert.equal(await copy.submit(), null);
    assert.match(copy.error!, /no-such-dataset/);
    assert.equal(copy.busy, false);
  });

  test('the New run form says the backends are being checked until the back end lists them', async () => {
    let answer!: (b: Awaited<ReturnType<typeof back.api.backends>>) => void;
    let refuse!: (e: Error) => void;
    const pending = new NewRunForm({
      api: { ...back.api, backends: () => new Promise((resolve) => (answer = resolve)) },
      datasets,
      runs,
    });
    await pending.load(null, 'spiral');
    assert.equal(pending.backends, null);
    assert.equal(pending.backend, null, "no 'no backend is available' while the probe runs");
    answer([{ name: 'cpu', available: true, detail: 'plain JavaScript', trainsConv: true, auto: true }]);
    await until(() => pending.backend !== null, 'the backend to show once listed');
    assert.equal(pending.backend!.name, 'cpu', 'auto picks the one listed');

    const failed = new NewRunForm({
      api: { ...back.api, backends: () => new Promise((_, reject) => (refuse = reject)) },
      datasets,
      runs,
    });
    await failed.load(null, 'spiral');
    refuse(new Error('the engine process exited'));
    await until(() => failed.backendsError !== null, 'the error to show');
    assert.match(failed.backendsError!, /the engine process exited/);
  });

  test('what a live run is doing reaches the runs store: batches, evaluating the test split, paused in an epoch', async () => {
    const created = await back.api.createRun({ dataset: 'spiral', name: 'phases', overrides: { epochs: 2 } });
    await until(() => runs.byId(created.id) !== undefined, 'the new run to be listed');
    const worker = back.workers.at(-1)!;
    const id = created.id;
    const progress = (phase: 'training' | 'evaluating', epoch: number, batch: number) =>
      worker.emit({
        type: 'progress',
        runId: id,
        phase,
        epoch,
        batch,
        batches: 10,
        step: epoch * 10 + batch,
        loss: 1,
        examplesPerSecond: 100,
      });
    const text = () => progressText(runs.byId(id)!);
    back.store.updateRun(id, { status: 'running', pid: process.pid });
    worker.emit({
      type: 'started',
      runId: id,
      backend: 'cpu',
      device: 'test',
      skipped: [],
      resumedFrom: null,
      warnings: [],
    });
    progress('training', 0, 3);
    await until(() => text() === 'epoch 1/2 · batch 3/10', `batches: ${text()}`);
    // After the epoch's last batch, the test split is evaluated (the runs store and the service agree).
    progress('evaluating', 0, 10);
    await until(() => text() === 'epoch 1/2 · evaluating test split…', `evaluating: ${text()}`);
    assert.equal((await back.api.listRuns()).find((r) => r.id === id)!.progress?.phase, 'evaluating');

    // Paused in epoch 2: the same epoch as while it ran, and the batch it paused at, also after a refetch.
    worker.emit({ type: 'epoch', runId: id, epoch: 1, seconds: 1, metrics: { 'test/elbo': -2 } });
    progress('training', 1, 4);
    await until(() => text() === 'epoch 2/2 · batch 4/10', `epoch 2: ${text()}`);
    back.store.updateRun(id, { status: 'paused', epoch: 1 });
    worker.emit({ type: 'status', runId: id, status: 'paused', error: null });
    await until(() => runs.byId(id)!.status === 'paused', 'the pause');
    assert.equal(text(), 'paused in epoch 2/2 · batch 4/10');
    await runs.refresh();
    assert.equal(text(), 'paused in epoch 2/2 · batch 4/10', 'the back end keeps where it paused');

    back.store.updateRun(id, { status: 'stopped', pid: null });
    worker.emit({ type: 'status', runId: id, status: 'stopped', error: null });
    await until(() => runs.byId(id)!.status === 'stopped', 'the stop');
    assert.equal(runs.byId(id)!.progress, null, 'a stopped run has no progress');
    await runs.refresh();
    assert.equal(runs.byId(id)!.progress, null, 'nor in the back end');
  });

  test('Compare follows training: live points at the step reached, records reloaded after each epoch', async () => {
    const a = await back.api.createRun({ dataset: 'spiral', name: 'cmp-a', overrides: { k: 3 } });
    const b = await back.api.createRun({ dataset: 'spiral', name: 'cmp-b', overrides: { k: 3 } });
    const worker = back.workers.find((w) => w.received.some((m) => 'runId' in m && m.runId === a.id))!;
    const view = new CompareView([a.id, b.id], back);
    await until(() => !view.loading, 'the compared runs to load');
    assert.deepEqual(
      view.runs.map((r) => r.detail?.name),
      ['cmp-a', 'cmp-b'],
    );
    const revision = view.revision;

    // The trainer writes its record itself (a fake one here), then reports the epoch.
    worker.emit({
      type: 'progress',
      runId: a.id,
      phase: 'training',
      epoch: 1,
      batch: 50,
      batches: 50,
      step: 50,
      loss: 1,
      examplesPerSecond: 100,
    });
    back.store.updateRun(a.id, { status: 'running', epoch: 1, step: 50 });
    worker.emit({ type: 'epoch', runId: a.id, epoch: 1, seconds: 1, metrics: { 'test/elbo': -2 } });
    await until(() => view.revision > revision, 'the epoch to be drawn');
    const [point] = view.runs[0]!.points.get('test/elbo')!;
    assert.deepEqual(
      [point!.epoch, point!.step, point!.value],
      [1, 50, -2],
      'the point is at the step reached',
    );
    await until(() => view.runs[0]!.detail!.epoch === 1, 'the record to be reloaded after the epoch');
    assert.equal(view.runs[0]!.detail!.status, 'running');
    view.dispose();
  });
});
