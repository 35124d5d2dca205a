import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricPoint } from '../../../src-main/common/run.ts';
import { StoreError } from '../../../src-main/host/store/index.ts';
import { openTempStore, testConfig } from './helpers.ts';

test('metrics: append, query in step/name order, filter, latest, deleteAfter', async (t) => {
  const store = await openTempStore(t);
  const run = store.createRun({ dataset: 'spiral', config: testConfig() });
  const other = store.createRun({ dataset: 'spiral', config: testConfig() });
  const p = (step: number, name: string, value: number, runId = run.id): MetricPoint => ({
    runId,
    step,
    epoch: Math.floor(step / 10),
    name,
    value,
    time: 1_700_000_000_000 + step,
  });
  // Deliberately out of order.
  store.appendMetrics([
    p(20, 'train/loss', 2),
    p(10, 'train/loss', 3),
    p(10, 'test/elbo', -5),
    p(5, 'x', 1, other.id),
  ]);
  store.appendMetrics([p(20, 'test/elbo', -4), p(30, 'train/loss', NaN)]);
  store.appendMetrics([]);

  const all = store.metrics(run.id);
  assert.deepEqual(
    all.map((m) => [m.step, m.name]),
    [
      [10, 'test/elbo'],
      [10, 'train/loss'],
      [20, 'test/elbo'],
      [20, 'train/loss'],
      [30, 'train/loss'],
    ],
  );
  assert.deepEqual(all[0], p(10, 'test/elbo', -5));
  assert.deepEqual(
    store.metrics(run.id, ['test/elbo']).map((m) => m.value),
    [-5, -4],
  );
  assert.deepEqual(store.metrics(run.id, []), []);
  assert.deepEqual(store.latestMetrics(run.id), { 'test/elbo': -4, 'train/loss': NaN });
  assert.deepEqual(store.latestMetrics(other.id), { x: 1 });
  assert.deepEqual(store.latestMetrics(999), {});
  // One step's values of the metrics asked for; none recorded there, none returned.
  assert.deepEqual(store.metricsAt(run.id, 10, ['test/elbo', 'train/loss', 'nope']), {
    'test/elbo': -5,
    'train/loss': 3,
  });
  assert.deepEqual(store.metricsAt(run.id, 20, ['test/elbo']), { 'test/elbo': -4 });
  assert.deepEqual(store.metricsAt(run.id, 15, ['test/elbo']), {});
  assert.deepEqual(
    store.metricsAt(run.id, 20),
    { 'test/elbo': -4, 'train/loss': 2 },
    'without names: all of them',
  );

  store.deleteMetricsAfter(run.id, 10);
  assert.deepEqual(
    store.metrics(run.id).map((m) => m.step),
    [10, 10],
  );
  assert.deepEqual(store.latestMetrics(run.id), { 'test/elbo': -5, 'train/loss': 3 });
  assert.equal(store.metrics(other.id).length, 1, 'other runs untouched');
  // Recorded twice at one step (a resumed run re-records): the later value.
  store.appendMetrics([p(10, 'test/elbo', -6)]);
  assert.deepEqual(store.metricsAt(run.id, 10, ['test/elbo']), { 'test/elbo': -6 });
});

test('a batch with a point for a missing run is refused as a whole', async (t) => {
  const store = await openTempStore(t);
  const run = store.createRun({ dataset: 'spiral', config: testConfig() });
  const ok = { runId: run.id, step: 1, epoch: 0, name: 'a', value: 1, time: 0 };
  assert.throws(() => store.appendMetrics([ok, { ...ok, runId: 999 }]), new StoreError('no run with id 999'));
  assert.deepEqual(store.metrics(run.id), []);
});
