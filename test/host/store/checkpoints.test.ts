import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CheckpointData, MetricPoint, StoredTensor } from '../../../src-main/common/run.ts';
import type { Store } from '../../../src-main/host/store/index.ts';
import { StoreError } from '../../../src-main/host/store/index.ts';
import { bits, openTempStore, rawDb, testConfig } from './helpers.ts';

function tensors(prefix: string, seed: number): StoredTensor[] {
  const u = new Uint32Array(1000);
  let s = seed;
  for (let i = 0; i < u.length; i++) u[i] = s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
  const all = new Float32Array(u.buffer);
  return [
    { name: `${prefix}/kernel`, shape: [20, 40], data: all.subarray(0, 800) },
    { name: `${prefix}/bias`, shape: [200], data: all.subarray(800) },
  ];
}

function checkpoint(runId: number, step: number, score: number | null = null): CheckpointData {
  return {
    runId,
    kind: 'last',
    epoch: Math.floor(step / 100),
    step,
    batchInEpoch: step % 100,
    createdAt: new Date(1_700_000_000_000 + step).toISOString(),
    score,
    trainSeconds: step / 10,
    weights: tensors('w', step),
    optimizer: tensors('adam', step + 1),
  };
}

const metricsAt = (runId: number, step: number): MetricPoint[] => [
  { runId, step, epoch: Math.floor(step / 100), name: 'train/loss', value: 1 / step, time: step },
];

function assertSameTensors(actual: StoredTensor[], expected: StoredTensor[]): void {
  assert.deepEqual(
    actual.map((t) => [t.name, t.shape]),
    expected.map((t) => [t.name, t.shape]),
  );
  actual.forEach((t, i) => assert.deepEqual(bits(t.data), bits(expected[i]!.data)));
}

function commit(
  store: Store,
  runId: number,
  step: number,
  alsoBest: boolean,
  score: number | null = null,
): void {
  store.commitCheckpoint({
    checkpoint: checkpoint(runId, step, score),
    alsoBest,
    metrics: metricsAt(runId, step),
    run: { epoch: Math.floor(step / 100), step, trainSeconds: step / 10 },
  });
}

test('commitCheckpoint stores the checkpoint bit-exact, with its metrics and run update', async (t) => {
  const store = await openTempStore(t);
  const run = store.createRun({ dataset: 'spiral', config: testConfig() });
  assert.equal(store.loadCheckpoint(run.id, 'last'), null);
  assert.deepEqual(store.listCheckpoints(run.id), []);

  commit(store, run.id, 150, false);
  const loaded = store.loadCheckpoint(run.id, 'last');
  assert.ok(loaded);
  const { weights, optimizer, ...info } = loaded;
  const expected = checkpoint(run.id, 150);
  assert.deepEqual(info, {
    runId: run.id,
    kind: 'last',
    epoch: 1,
    step: 150,
    batchInEpoch: 50,
    createdAt: expected.createdAt,
    score: null,
    trainSeconds: 15,
  });
  assertSameTensors(weights, expected.weights);
  assertSameTensors(optimizer, expected.optimizer);
  assert.equal(store.loadCheckpoint(run.id, 'best'), null);
  assert.deepEqual(store.metrics(run.id), metricsAt(run.id, 150));
  const updated = store.getRun(run.id);
  assert.equal(updated?.step, 150);
  assert.equal(updated?.epoch, 1);
  assert.equal(updated?.trainSeconds, 15);
});

test("'best' is a copy made on request; later 'last' commits leave it alone", async (t) => {
  const store = await openTempStore(t);
  const run = store.createRun({ dataset: 'spiral', config: testConfig() });
  commit(store, run.id, 100, true, -90);
  commit(store, run.id, 200, false);
  const best = store.loadCheckpoint(run.id, 'best');
  assert.equal(best?.kind, 'best');
  assert.equal(best?.step, 100);
  assert.equal(best?.score, -90);
  assertSameTensors(best?.weights ?? [], checkpoint(run.id, 100).weights);
  assert.equal(store.loadCheckpoint(run.id, 'last')?.step, 200);
  assert.deepEqual(
    store.listCheckpoints(run.id).map((c) => [c.kind, c.step]),
    [
      ['best', 100],
      ['last', 200],
    ],
  );
  commit(store, run.id, 300, true, -80);
  assert.equal(store.loadCheckpoint(run.id, 'best')?.step, 300);
  const rows = rawDb(t, store.path)
    .prepare<[number], { n: number }>('SELECT count(*) AS n FROM checkpoints WHERE run_id = ?')
    .get(run.id);
  assert.equal(rows?.n, 2, 'only last and best are kept');
});

test('a commit that fails part-way changes nothing', async (t) => {
  const store = await openTempStore(t);
  const run = store.createRun({ dataset: 'spiral', config: testConfig() });
  commit(store, run.id, 100, true);
  assert.throws(
    () =>
      store.commitCheckpoint({
        checkpoint: checkpoint(run.id, 200),
        alsoBest: true,
        metrics: metricsAt(run.id, 200),
        run: { step: 200, status: 'bogus' as never },
      }),
    StoreError,
  );
  assert.equal(store.loadCheckpoint(run.id, 'last')?.step, 100);
  assert.equal(store.loadCheckpoint(run.id, 'best')?.step, 100);
  assert.deepEqual(
    store.metrics(run.id).map((m) => m.step),
    [100],
  );
  assert.equal(store.getRun(run.id)?.step, 100);
  assert.throws(() => commit(store, 999, 1, false), new StoreError('no run with id 999'));
});

test('artefacts: save replaces the same (run, kind, checkpoint); list omits payloads', async (t) => {
  const store = await openTempStore(t);
  const run = store.createRun({ dataset: 'spiral', config: testConfig() });
  const base = { runId: run.id, kind: 'projection' as const, checkpoint: 'last' as const, createdAt: 'x' };
  store.saveArtefact({ ...base, epoch: 1, payload: { points: [[0, 1]] } });
  store.saveArtefact({ ...base, epoch: 2, payload: { points: [[2, 3]], note: 'é' } });
  store.saveArtefact({ ...base, checkpoint: 'best', epoch: 1, payload: [1, 2, 3] });
  assert.deepEqual(store.getArtefact(run.id, 'projection', 'last'), {
    ...base,
    epoch: 2,
    payload: { points: [[2, 3]], note: 'é' },
  });
  assert.equal(store.getArtefact(run.id, 'reconstructions', 'last'), null);
  assert.deepEqual(store.listArtefacts(run.id), [
    { ...base, checkpoint: 'best', epoch: 1 },
    { ...base, epoch: 2 },
  ]);
  assert.throws(() => store.saveArtefact({ ...base, epoch: 1, payload: undefined }), StoreError);
  assert.throws(() => store.saveArtefact({ ...base, runId: 999, epoch: 1, payload: 1 }), StoreError);
});

test('deleting a run cascades to its metrics, checkpoints and artefacts only', async (t) => {
  const store = await openTempStore(t);
  const doomed = store.createRun({ dataset: 'spiral', config: testConfig() });
  const kept = store.createRun({ dataset: 'spiral', config: testConfig() });
  for (const run of [doomed, kept]) {
    commit(store, run.id, 100, true);
    store.saveArtefact({
      runId: run.id,
      kind: 'reconstructions',
      checkpoint: 'best',
      epoch: 1,
      createdAt: 'x',
      payload: {},
    });
  }
  store.deleteRun(doomed.id);
  assert.equal(store.getRun(doomed.id), null);
  const db = rawDb(t, store.path);
  for (const table of ['metrics', 'checkpoints', 'artefacts']) {
    const count = (id: number) =>
      db.prepare<[number], { n: number }>(`SELECT count(*) AS n FROM ${table} WHERE run_id = ?`).get(id)?.n;
    assert.equal(count(doomed.id), 0, `${table} of the deleted run`);
    assert.ok((count(kept.id) ?? 0) > 0, `${table} of the other run`);
  }
});
