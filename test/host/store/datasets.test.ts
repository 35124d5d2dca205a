import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LoadedDataset } from '../../../src-main/common/dataset.ts';
import { StoreError } from '../../../src-main/host/store/index.ts';
import { dequantiseUint8, quantiseUint8 } from '../../../src-main/host/store/datasets.ts';
import { bits, openTempStore, rawDb, testConfig } from './helpers.ts';

/** 8-bit images scaled to [0,1], as an image import produces. */
function imageDataset(name: string, withLabels: boolean): LoadedDataset {
  const shape = [4, 4, 1];
  const split = (n: number, offset: number) => ({
    n,
    x: Float32Array.from({ length: n * 16 }, (_, i) => ((i * 37 + offset) % 256) / 255),
    y: withLabels ? Int32Array.from({ length: n }, (_, i) => i % 3) : null,
  });
  return {
    info: {
      name,
      kind: 'image',
      shape,
      nTrain: 5,
      nTest: 2,
      valueRange: [0, 1],
      numClasses: withLabels ? 3 : 0,
      labelNames: withLabels ? ['a', 'b', 'c'] : undefined,
      source: '/somewhere/images',
      split: { seed: 3, testFraction: 0.25 },
    },
    train: split(5, 0),
    test: split(2, 11),
  };
}

/** Real-valued table data: must be kept as float32. */
function tableDataset(name: string, withLabels: boolean): LoadedDataset {
  const split = (n: number) => ({
    n,
    x: Float32Array.from({ length: n * 3 }, (_, i) => Math.sin(i) * 10),
    y: withLabels ? Int32Array.from({ length: n }, (_, i) => i % 2) : null,
  });
  return {
    info: {
      name,
      kind: 'table',
      shape: [3],
      nTrain: 6,
      nTest: 3,
      valueRange: [-10, 10],
      numClasses: withLabels ? 2 : 0,
      source: 'data.csv',
      split: 'source',
    },
    train: split(6),
    test: split(3),
  };
}

function assertSameData(actual: LoadedDataset | null, expected: LoadedDataset): void {
  assert.ok(actual);
  assert.deepEqual(actual.info, JSON.parse(JSON.stringify(expected.info)));
  for (const which of ['train', 'test'] as const) {
    assert.equal(actual[which].n, expected[which].n);
    assert.deepEqual(bits(actual[which].x), bits(expected[which].x), `${which}.x bits`);
    assert.deepEqual(actual[which].y, expected[which].y);
  }
}

test('k/255 data is stored as uint8 and comes back bit-exact, with and without labels', async (t) => {
  const store = await openTempStore(t);
  for (const withLabels of [true, false]) {
    const ds = imageDataset(`img-${withLabels}`, withLabels);
    store.saveDataset(ds);
    assertSameData(store.loadDataset(ds.info.name), ds);
    const row = rawDb(t, store.path)
      .prepare<[string], { x_format: string; train_x: Buffer; train_y: Buffer | null }>(
        'SELECT x_format, train_x, train_y FROM datasets WHERE name = ?',
      )
      .get(ds.info.name);
    assert.equal(row?.x_format, 'uint8');
    assert.equal(row?.train_x.length, 5 * 16, 'one byte per value');
    assert.equal(row?.train_y === null, !withLabels);
  }
});

test('other data is stored as float32 and comes back bit-exact, with and without labels', async (t) => {
  const store = await openTempStore(t);
  for (const withLabels of [true, false]) {
    const ds = tableDataset(`tab-${withLabels}`, withLabels);
    store.saveDataset(ds);
    assertSameData(store.loadDataset(ds.info.name), ds);
    const row = rawDb(t, store.path)
      .prepare<[string], { x_format: string; train_x: Buffer }>(
        'SELECT x_format, train_x FROM datasets WHERE name = ?',
      )
      .get(ds.info.name);
    assert.equal(row?.x_format, 'float32');
    assert.equal(row?.train_x.length, 6 * 3 * 4);
  }

  // Quantisable train but not test: the whole dataset stays float32, still exact.
  const mixed = imageDataset('mixed', true);
  mixed.test.x[0] = 0.5;
  store.saveDataset(mixed);
  assertSameData(store.loadDataset('mixed'), mixed);
});

test('uint8 quantisation accepts exactly the float32 values k/255', () => {
  const levels = Float32Array.from({ length: 256 }, (_, k) => k / 255);
  const codes = quantiseUint8(levels);
  assert.ok(codes);
  assert.deepEqual(bits(dequantiseUint8(codes)), bits(levels));
  for (const v of [0.5, -0, -1 / 255, 256 / 255, NaN, 1e-9])
    assert.equal(quantiseUint8(Float32Array.of(v)), null, String(v));
});

test('a duplicate dataset name is refused and the stored dataset is left unchanged', async (t) => {
  const store = await openTempStore(t);
  const first = imageDataset('digits', true);
  store.saveDataset(first);
  const second = tableDataset('digits', false);
  assert.throws(() => store.saveDataset(second), new StoreError('dataset "digits" already exists'));
  assertSameData(store.loadDataset('digits'), first);
  assert.equal(store.listDatasets().length, 1);
});

test('list, info, delete; delete refused while a run uses the dataset', async (t) => {
  const store = await openTempStore(t);
  store.saveDataset(tableDataset('b-table', true));
  store.saveDataset(imageDataset('a-images', false));
  assert.deepEqual(
    store.listDatasets().map((d) => d.name),
    ['a-images', 'b-table'],
  );
  assert.equal(store.getDatasetInfo('b-table')?.nTrain, 6);
  assert.equal(store.getDatasetInfo('nope'), null);
  assert.equal(store.loadDataset('nope'), null);

  const run = store.createRun({
    name: 'uses-table',
    dataset: 'b-table',
    config: testConfig(),
    status: 'completed',
  });
  assert.throws(() => store.deleteDataset('b-table'), /used by 1 run\(s\) \(uses-table\)/);
  assert.ok(store.getDatasetInfo('b-table'));
  store.deleteRun(run.id);
  store.deleteDataset('b-table');
  assert.equal(store.getDatasetInfo('b-table'), null);
  assert.throws(() => store.deleteDataset('b-table'), StoreError);
});

test('data that does not match its info is refused', async (t) => {
  const store = await openTempStore(t);
  const ds = tableDataset('bad', true);
  ds.train.x = ds.train.x.subarray(1);
  assert.throws(() => store.saveDataset(ds), StoreError);
  const ds2 = tableDataset('bad', true);
  ds2.test.y = Int32Array.of(1);
  assert.throws(() => store.saveDataset(ds2), StoreError);
  const ds3 = tableDataset('bad', true);
  ds3.info.nTrain = 7;
  assert.throws(() => store.saveDataset(ds3), StoreError);
  assert.deepEqual(store.listDatasets(), []);
});
