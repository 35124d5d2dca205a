/**
 * The training loop against a real store: what a run records, exact resumption from a
 * checkpoint (also mid-epoch), pause/stop control, and a non-finite loss keeping the last
 * good checkpoint.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveConfig } from '../../../src-main/common/config.ts';
import type { LoadedDataset } from '../../../src-main/common/dataset.ts';
import type { TrainEvent } from '../../../src-main/common/training-events.ts';
import { Store } from '../../../src-main/host/store/index.ts';
import { trainRun } from '../../../src-main/engine/training/trainer.ts';
import { blobs } from '../../helpers/blobs.ts';
import { metricSeries } from '../../helpers/metrics.ts';
import { tempDir } from '../../helpers/temp.ts';

const data = blobs();
const overrides = { k: 4, hidden: 64, epochs: 5, batchSize: 50, lr: 3e-3, backend: 'cpu', seed: 5 };

async function setup(extra: Record<string, unknown> = {}) {
  const store = await Store.open(tempDir(), { staleGraceMs: 0 });
  const config = resolveConfig(data.info, { ...overrides, ...extra });
  const run = store.createRun({ dataset: 'blobs', config, status: 'interrupted', pid: null });
  return { store, run };
}

const load =
  (d: LoadedDataset = data) =>
  async () =>
    d;
describe('trainRun', () => {
  test('records every ELBO term and clustering metric per epoch, checkpoints and artefacts', async () => {
    const { store, run } = await setup();
    const events: TrainEvent[] = [];
    const final = await trainRun({
      store,
      runId: run.id,
      loadDataset: load(),
      onEvent: (e) => events.push(e),
    });
    assert.equal(final.status, 'completed');
    assert.equal(final.epoch, overrides.epochs);
    assert.equal(final.step, overrides.epochs * 12); // 600 / 50 batches per epoch
    assert.equal(final.backend, 'cpu');
    assert.match(final.device!, /CPU/);
    const names = new Set(store.metrics(run.id).map((m) => m.name));
    for (const name of ['elbo', 'reconstruction', 'conditional_prior', 'w_prior', 'z_prior', 'loss'])
      assert.ok(names.has(`train/${name}`), `train/${name}`);
    for (const name of [
      'elbo',
      'z_prior',
      'accuracy',
      'accuracy_majority',
      'accuracy_hungarian',
      'nmi',
      'ari',
      'clusters_used',
    ])
      assert.ok(names.has(`test/${name}`), `test/${name}`);
    const elbo = store.metrics(run.id, ['test/elbo']);
    assert.deepEqual(
      elbo.map((m) => m.epoch),
      Array.from({ length: overrides.epochs }, (_, i) => i + 1),
    );
    const latest = store.latestMetrics(run.id);
    // ELBO = reconstruction - conditional prior - w-prior - z-prior, as recorded
    const sum =
      latest['test/reconstruction']! -
      latest['test/conditional_prior']! -
      latest['test/w_prior']! -
      latest['test/z_prior']!;
    assert.ok(Math.abs(sum - latest['test/elbo']!) < 1e-3);
    assert.ok(latest['test/accuracy_majority']! > 0.9, `blobs are easy: ${latest['test/accuracy_majority']}`);
    assert.deepEqual(
      store
        .listCheckpoints(run.id)
        .map((c) => c.kind)
        .sort(),
      ['best', 'last'],
    );
    assert.deepEqual(
      store
        .listArtefacts(run.id)
        .map((a) => a.kind)
        .sort(),
      ['cluster-samples', 'projection', 'reconstructions'],
    );
    assert.ok(events.some((e) => e.type === 'started'));
    assert.equal(events.filter((e) => e.type === 'epoch').length, overrides.epochs);
    // Between an epoch's last batch and its 'epoch' event the trainer says it evaluates the test
    // split (that epoch, all its batches done); after the last, that it computes the artefacts.
    const phases = events.flatMap((e) => {
      if (e.type === 'epoch') return [`epoch ${e.epoch}`];
      if (e.type === 'progress' && e.phase !== 'training')
        return [`${e.phase} ${e.epoch} ${e.batch}/${e.batches}`];
      return [];
    });
    assert.deepEqual(phases, [
      ...Array.from({ length: overrides.epochs }, (_, i) => [
        `evaluating ${i} 12/12`,
        `epoch ${i + 1}`,
      ]).flat(),
      `artefacts ${overrides.epochs - 1} 12/12`,
    ]);
    const evaluating = events.findIndex((e) => e.type === 'progress' && e.phase === 'evaluating');
    assert.ok(
      events.slice(0, evaluating).every((e) => e.type !== 'progress' || e.phase === 'training'),
      'batches report the training phase',
    );
    const completed = events.findIndex((e) => e.type === 'status' && e.status === 'completed');
    assert.ok(
      events.findIndex((e) => e.type === 'progress' && e.phase === 'artefacts') < completed,
      'the artefacts phase comes before completion',
    );
    // The store holds the last progress too, for interfaces in other processes.
    const { type: _type, runId: _runId, ...lastProgress } = events.findLast((e) => e.type === 'progress')!;
    assert.deepEqual(store.runProgress(run.id), lastProgress);
    assert.equal(store.runProgress(run.id)?.phase, 'artefacts');
    // Nothing accumulates from epoch to epoch (each checkpoint once leaked Adam's step counter).
    for (const name of ['memory/tensors', 'memory/bytes']) {
      const series = store.metrics(run.id, [name]).map((m) => m.value);
      assert.equal(series.length, overrides.epochs, name);
      assert.ok(
        series.every((v) => v === series[0]),
        `${name} per epoch: ${series.join(', ')}`,
      );
    }
    store.close();
  });

  // The cosine schedule's rate is a function of the step: a resumed run must continue it.
  for (const lrSchedule of ['constant', 'cosine'])
    test(`a run stopped mid-epoch and resumed gives exactly the uninterrupted results (${lrSchedule} rate)`, async () => {
      const straight = await setup({ lrSchedule });
      await trainRun({ store: straight.store, runId: straight.run.id, loadDataset: load() });

      const resumed = await setup({ lrSchedule });
      // Stop after 17 steps: epoch 2, batch 5 of 12.
      const stopped = await trainRun({
        store: resumed.store,
        runId: resumed.run.id,
        loadDataset: load(),
        maxSteps: 17,
      });
      assert.equal(stopped.status, 'stopped');
      assert.equal(stopped.step, 17);
      assert.equal(resumed.store.loadCheckpoint(resumed.run.id, 'last')!.batchInEpoch, 5);
      const final = await trainRun({ store: resumed.store, runId: resumed.run.id, loadDataset: load() });
      assert.equal(final.status, 'completed');
      assert.deepEqual(
        metricSeries(resumed.store, resumed.run.id),
        metricSeries(straight.store, straight.run.id),
      );
      const w1 = straight.store.loadCheckpoint(straight.run.id, 'last')!.weights;
      const w2 = resumed.store.loadCheckpoint(resumed.run.id, 'last')!.weights;
      w1.forEach((t, i) => assert.deepEqual(w2[i]!.data, t.data, t.name));
      straight.store.close();
      resumed.store.close();
    });

  test('a run whose trainer died before its first checkpoint restarts without repeating metrics', async () => {
    const straight = await setup();
    await trainRun({ store: straight.store, runId: straight.run.id, loadDataset: load() });

    const killed = await setup();
    // What a killed trainer leaves: step metrics of its first steps, no checkpoint.
    const time = Date.now();
    killed.store.appendMetrics(
      [1, 2, 3].map((step) => ({
        runId: killed.run.id,
        step,
        epoch: 0,
        name: 'train/step_loss',
        value: 9,
        time,
      })),
    );
    assert.equal(killed.store.loadCheckpoint(killed.run.id, 'last'), null);
    await trainRun({ store: killed.store, runId: killed.run.id, loadDataset: load() });
    assert.deepEqual(
      metricSeries(killed.store, killed.run.id),
      metricSeries(straight.store, straight.run.id),
    );
    straight.store.close();
    killed.store.close();
  });

  test('pause holds the run, resume continues it, stop ends it resumable', async () => {
    const { store, run } = await setup();
    let phase: 'run' | 'pause' | 'stop' = 'run';
    let resume: () => void = () => {};
    let steps = 0;
    const statuses: string[] = [];
    const final = await trainRun({
      store,
      runId: run.id,
      loadDataset: load(),
      control: {
        stopRequested: () => phase === 'stop',
        pauseRequested: () => phase === 'pause',
        waitForResume: () =>
          new Promise<void>((r) => {
            assert.equal(store.getRun(run.id)!.status, 'paused');
            resume = r;
            phase = 'stop';
            setImmediate(() => resume());
          }),
      },
      onEvent: (e) => {
        if (e.type === 'status') statuses.push(e.status);
        if (e.type === 'progress' || e.type === 'checkpoint') steps++;
        if (e.type === 'epoch' && phase === 'run') phase = 'pause';
      },
    });
    assert.deepEqual(statuses, ['paused', 'stopped']);
    assert.equal(final.status, 'stopped');
    assert.equal(final.epoch, 1);
    assert.equal(final.pid, null);
    assert.ok(steps > 0);
    store.close();
  });

  test('a non-finite loss fails the run with a clear error and keeps the last good checkpoint', async () => {
    const { store, run } = await setup();
    await trainRun({ store, runId: run.id, loadDataset: load(), maxSteps: 12 }); // one good epoch
    const good = store.loadCheckpoint(run.id, 'last')!;
    const poisoned = blobs();
    poisoned.train.x.fill(Number.POSITIVE_INFINITY);
    await assert.rejects(trainRun({ store, runId: run.id, loadDataset: load(poisoned) }), /loss became/);
    const failed = store.getRun(run.id)!;
    assert.equal(failed.status, 'failed');
    assert.match(failed.error!, /loss became (NaN|Infinity|-Infinity) at epoch 2, step 13/);
    const kept = store.loadCheckpoint(run.id, 'last')!;
    assert.equal(kept.step, good.step);
    assert.deepEqual(kept.weights[0]!.data, good.weights[0]!.data);
    store.close();
  });
});

describe('trainRun, resuming and failing to start', () => {
  test("a resumed 'auto' run stays on the backend it trained on, or says why not", async () => {
    const { store, run } = await setup({ backend: 'auto', epochs: 2 });
    await trainRun({ store, runId: run.id, loadDataset: load(), maxSteps: 3 });
    // As if the first sitting had run on the cpu backend: the resumed sitting keeps it.
    store.updateRun(run.id, { backend: 'cpu' });
    await trainRun({ store, runId: run.id, loadDataset: load(), maxSteps: 3 });
    assert.equal(store.getRun(run.id)!.backend, 'cpu');
    // A first backend that is gone: 'auto' picks again and the started event says so.
    store.updateRun(run.id, { backend: 'tensorflow-gpu' });
    const events: TrainEvent[] = [];
    await trainRun({
      store,
      runId: run.id,
      loadDataset: load(),
      maxSteps: 3,
      onEvent: (e) => events.push(e),
    });
    const started = events.find((e) => e.type === 'started')!;
    assert.ok(
      started.type === 'started' &&
        started.skipped[0]!.startsWith("tensorflow-gpu (this run's backend so far"),
    );
    assert.notEqual(store.getRun(run.id)!.backend, 'tensorflow-gpu');
    store.close();
  });

  test('an epoch resumed part-way counts its time before the stop in epoch_seconds', async () => {
    const { store, run } = await setup({ epochs: 1 });
    const startOf = (kind: 'last') => {
      const state = store.loadCheckpoint(run.id, kind)!.optimizer;
      const words = state.find((t) => t.name === 'trainer/epoch_start_seconds')!.data;
      return new Float64Array(words.slice().buffer)[0]!;
    };
    const stopped = await trainRun({ store, runId: run.id, loadDataset: load(), maxSteps: 5 });
    assert.equal(stopped.status, 'stopped');
    assert.ok(stopped.trainSeconds > 0);
    assert.equal(startOf('last'), 0, 'the stop checkpoint keeps when its epoch began');
    await trainRun({ store, runId: run.id, loadDataset: load() });
    // The epoch ran from 0 s to its end, which is where the next epoch begins: counting from the
    // resume instead would leave out the first sitting's seconds.
    const [seconds] = store.metrics(run.id, ['epoch_seconds']);
    assert.equal(seconds!.value, startOf('last'));
    assert.ok(seconds!.value > stopped.trainSeconds);
    store.close();
  });

  test('a dataset that cannot be loaded fails the run with the reason', async () => {
    const { store, run } = await setup();
    const missing = async () => {
      throw new Error("no dataset named 'blobs'");
    };
    await assert.rejects(trainRun({ store, runId: run.id, loadDataset: missing }), /no dataset/);
    const failed = store.getRun(run.id)!;
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error, "no dataset named 'blobs'");
    store.close();
  });
});
