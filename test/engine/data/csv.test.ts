import assert from 'node:assert/strict';
import { test } from 'node:test';

import { importDataset } from '../../../src-main/engine/data/import/index.ts';
import { assertImportError, rows, tempDir, writeFile } from './helpers.ts';

test('csv: numeric features with a label column', async () => {
  const dir = tempDir();
  const path = writeFile(dir, 'data.csv', 'x1,x2,label\n1,2,0\n3,4.5,1\n-5,6e-1,0\n7,8,1\n9,10,1\n');
  const d = await importDataset([path], { testFraction: 0 });
  assert.equal(d.info.name, 'data');
  assert.equal(d.info.kind, 'table');
  assert.deepEqual(d.info.shape, [2]);
  assert.equal(d.info.nTrain, 5);
  assert.equal(d.info.nTest, 0);
  assert.equal(d.test.n, 0);
  assert.equal(d.info.numClasses, 2);
  assert.equal(d.info.labelNames, undefined);
  assert.deepEqual(d.info.valueRange, [-5, 10]);
  assert.deepEqual(rows(d.train.x, 2), [
    [1, 2],
    [3, 4.5],
    [-5, Math.fround(0.6)],
    [7, 8],
    [9, 10],
  ]);
  assert.deepEqual(Array.from(d.train.y!), [0, 1, 0, 1, 1]);
});

test('csv: string labels map to 0..C-1 in sorted order and keep their names', async () => {
  const dir = tempDir();
  // Class is the first column, quoted cells and spaces around values are fine.
  const text = 'Class,a,b\r\n"dog",1,1\r\ncat, 2 ,2\r\nbird,3,3\r\ndog,4,4\r\n\r\n';
  const d = await importDataset([writeFile(dir, 'animals.csv', text)], { testFraction: 0 });
  assert.deepEqual(d.info.labelNames, ['bird', 'cat', 'dog']);
  assert.equal(d.info.numClasses, 3);
  assert.deepEqual(Array.from(d.train.y!), [2, 1, 0, 2]);
  assert.deepEqual(rows(d.train.x, 2), [
    [1, 1],
    [2, 2],
    [3, 3],
    [4, 4],
  ]);
});

test('csv: the labelColumn option, case-insensitive; without a label column there are no labels', async () => {
  const dir = tempDir();
  const path = writeFile(dir, 'opt.csv', 'a,Target,b\n1,5,2\n3,7,4\n');
  const labelled = await importDataset([path], { labelColumn: 'target', testFraction: 0 });
  assert.deepEqual(labelled.info.shape, [2]);
  assert.deepEqual(Array.from(labelled.train.y!), [0, 1]);
  assert.deepEqual(labelled.info.labelNames, ['5', '7']);

  const unlabelled = await importDataset([path], { testFraction: 0 });
  assert.deepEqual(unlabelled.info.shape, [3]);
  assert.equal(unlabelled.train.y, null);
  assert.equal(unlabelled.info.numClasses, 0);
  assert.deepEqual(rows(unlabelled.train.x, 3), [
    [1, 5, 2],
    [3, 7, 4],
  ]);
});

test('csv: tab and semicolon separated files', async () => {
  const dir = tempDir();
  const tsv = await importDataset([writeFile(dir, 't.tsv', 'a\tb\ty\n1\t2\t0\n3\t4\t1\n')], {
    testFraction: 0,
  });
  assert.deepEqual(rows(tsv.train.x, 2), [
    [1, 2],
    [3, 4],
  ]);
  const semi = await importDataset([writeFile(dir, 's.csv', 'a;b\n1;2\n3;4\n')], { testFraction: 0 });
  assert.deepEqual(rows(semi.train.x, 2), [
    [1, 2],
    [3, 4],
  ]);
});

test('csv: seeded split is reproducible and follows testFraction', async () => {
  const dir = tempDir();
  const lines = ['v,label', ...Array.from({ length: 20 }, (_, i) => `${i},${i % 2}`)];
  const path = writeFile(dir, 'split.csv', lines.join('\n'));
  const a = await importDataset([path], { seed: 3, testFraction: 0.25 });
  const b = await importDataset([path], { seed: 3, testFraction: 0.25 });
  const c = await importDataset([path], { seed: 4, testFraction: 0.25 });
  assert.deepEqual(a.info.split, { seed: 3, testFraction: 0.25 });
  assert.equal(a.info.nTest, 5);
  assert.equal(a.info.nTrain, 15);
  assert.deepEqual(a.test.x, b.test.x);
  assert.notDeepEqual(a.test.x, c.test.x);
  // Every value appears once, each with its own label.
  const all = [...a.train.x, ...a.test.x].sort((p, q) => p - q);
  assert.deepEqual(all, [...Array(20).keys()]);
  for (const split of [a.train, a.test]) {
    for (let i = 0; i < split.n; i++) assert.equal(split.y![i], split.x[i]! % 2);
  }
});

test('csv: a train file and a test file keep their split', async () => {
  const dir = tempDir();
  const d = await importDataset([
    writeFile(dir, 'iris_train.csv', 'a,b,label\n1,2,setosa\n3,4,virginica\n'),
    writeFile(dir, 'iris_test.csv', 'a,b,label\n5,6,versicolor\n'),
  ]);
  assert.equal(d.info.split, 'source');
  assert.equal(d.info.nTrain, 2);
  assert.equal(d.info.nTest, 1);
  assert.deepEqual(d.info.labelNames, ['setosa', 'versicolor', 'virginica']);
  assert.deepEqual(Array.from(d.train.y!), [0, 2]);
  assert.deepEqual(Array.from(d.test.y!), [1]);
});

test('csv: a non-numeric cell names its row and column, by number', async () => {
  const dir = tempDir();
  const text = 'x1,x2,label\n1,2,0\n\n3,abc,1\n';
  await assertImportError(
    importDataset([writeFile(dir, 'data.csv', text)]),
    'data.csv',
    /^data\.csv: row 4, column 2: not a number$/,
  );
  await assertImportError(
    importDataset([writeFile(dir, 'gap.csv', 'a,b\n1,\n')]),
    'gap.csv',
    'row 2, column 2: the cell is empty',
  );
  await assertImportError(
    importDataset([writeFile(dir, 'species.csv', 'a,species\n1,setosa\n')]),
    'species.csv',
    'row 2, column 2: not a number; if column 2 holds the labels, choose it as the label column',
  );
  await assertImportError(
    importDataset([writeFile(dir, 'hex.csv', 'a,b\n1,0x1f\n')]),
    'hex.csv',
    'row 2, column 2: not a number',
  );
});

test('csv: NaN and Infinity cells are errors', async () => {
  const dir = tempDir();
  await assertImportError(
    importDataset([writeFile(dir, 'nan.csv', 'a,b\n1,2\n3,NaN\n')]),
    'nan.csv',
    'row 3, column 2: not a finite number (NaN and Infinity are not allowed)',
  );
  await assertImportError(
    importDataset([writeFile(dir, 'inf.csv', 'a,b\n-inf,2\n')]),
    'inf.csv',
    'row 2, column 1: not a finite number',
  );
  await assertImportError(
    importDataset([writeFile(dir, 'huge.csv', 'a,b\n1e39,2\n')]),
    'huge.csv',
    'row 2, column 1: too large for a 32-bit float',
  );
});

test('csv: ragged rows', async () => {
  const dir = tempDir();
  await assertImportError(
    importDataset([writeFile(dir, 'ragged.csv', 'a,b,c\n1,2,3\n4,5\n')]),
    'ragged.csv',
    'row 3 has 2 fields, expected 3',
  );
  await assertImportError(
    importDataset([writeFile(dir, 'wide.csv', 'a,b\n1,2,3\n')]),
    'wide.csv',
    'row 2 has 3 fields, expected 2',
  );
});

test('csv: empty file, blank file, header only, missing header', async () => {
  const dir = tempDir();
  await assertImportError(importDataset([writeFile(dir, 'empty.csv', '')]), 'empty.csv', 'file is empty');
  await assertImportError(importDataset([writeFile(dir, 'blank.csv', '\n\n')]), 'blank.csv', 'file is empty');
  await assertImportError(
    importDataset([writeFile(dir, 'header.csv', 'a,b,label\n')]),
    'header.csv',
    'has a header row but no data rows',
  );
  await assertImportError(
    importDataset([writeFile(dir, 'noheader.csv', '1,2\n3,4\n')]),
    'noheader.csv',
    'the first row must be a header',
  );
});

test('csv: unknown label column, empty label, label-only file', async () => {
  const dir = tempDir();
  const path = writeFile(dir, 'cols.csv', 'a,b\n1,2\n');
  await assertImportError(
    importDataset([path], { labelColumn: 'target' }),
    'cols.csv',
    'label column "target" is not a column name in the header row (2 columns)',
  );
  await assertImportError(
    importDataset([writeFile(dir, 'nolabel.csv', 'a,label\n1,x\n2,\n')]),
    'nolabel.csv',
    'row 3, column 2: the label is empty',
  );
  await assertImportError(
    importDataset([writeFile(dir, 'only.csv', 'label\n1\n')]),
    'only.csv',
    'no feature columns',
  );
});

test('csv: train and test files must have the same columns', async () => {
  const dir = tempDir();
  await assertImportError(
    importDataset([writeFile(dir, 'train.csv', 'a,b\n1,2\n'), writeFile(dir, 'test.csv', 'a,c\n1,2\n')]),
    'test.csv',
    'its header row differs from that of train.csv (column 2)',
  );
});

test('csv: errors name positions, never what a file holds', async () => {
  const dir = tempDir();
  const secrets = 'API_KEY=sk-live-123456\nDB_PASSWORD=hunter2\n';
  const quoted = 'token,"sk-live-123456\n1,"2"x"\n';
  for (const [name, text, options] of [
    ['.env.txt', secrets, {}],
    ['keys.csv', secrets, { labelColumn: 'label' }],
    ['pair.csv', 'user;password\nbob;hunter2\n', {}],
    ['quoted.csv', quoted, {}],
    ['numbers.csv', '4111111111111111,123\n1,2\n', {}],
  ] as const) {
    const error = await importDataset([writeFile(dir, name, text)], options).then(
      () => assert.fail(`${name} imported`),
      (e: Error) => e.message,
    );
    assert.ok(error.startsWith(`${name}: `), error);
    for (const secret of ['API_KEY', 'sk-live', 'DB_PASSWORD', 'hunter2', 'bob', 'password', '4111', '123'])
      assert.ok(!error.includes(secret), `${name}: "${error}" shows ${secret}`);
  }
  await assertImportError(
    importDataset([writeFile(dir, 'q.csv', 'a,b\n1,"2\n')]),
    'q.csv',
    /^q\.csv: cannot parse CSV at line \d+: quote not closed$/,
  );
});

test('csv: a file of megabytes reports progress while it is read, and a cancel stops it part-way', async () => {
  const dir = tempDir();
  // About 3 MB: 120,000 rows of four numbers and a label.
  const lines = ['a,b,c,d,label'];
  for (let i = 0; i < 120_000; i++) lines.push(`${i * 0.5},${i % 7},${-i},${(i % 13) / 3},${i % 3}`);
  const path = writeFile(dir, 'big.csv', `${lines.join('\n')}\n`);
  const fractions: number[] = [];
  const d = await importDataset([path], { testFraction: 0, onProgress: (f) => fractions.push(f) });
  assert.equal(d.info.nTrain, 120_000);
  const reading = fractions.filter((f) => f > 0 && f < 0.9);
  assert.ok(new Set(reading).size >= 4, `progress moves while reading: ${fractions.join(', ')}`);

  // A cancel that comes while the text is parsed (on the first progress past the start) is
  // heard before the file's end: the signal is checked between slices, not only between files.
  const controller = new AbortController();
  let reportsAfterCancel = 0;
  await assert.rejects(
    importDataset([path], {
      signal: controller.signal,
      onProgress: (f) => {
        if (controller.signal.aborted) reportsAfterCancel++;
        else if (f > 0) controller.abort();
      },
    }),
    { name: 'AbortError' },
  );
  assert.equal(reportsAfterCancel, 0);
});
