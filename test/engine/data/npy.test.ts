import assert from 'node:assert/strict';
import { test } from 'node:test';

import { dump } from 'npyjs';

import { BYTES_TO_UNIT } from '../../../src-main/common/dataset.ts';
import { importDataset } from '../../../src-main/engine/data/import/index.ts';
import { npyValues, readNpy } from '../../../src-main/engine/data/import/npy.ts';
import { assertImportError, npyBytes, rows, tempDir, writeFile } from './helpers.ts';

test('npy: float32 table with int64 labels', async () => {
  const dir = tempDir();
  const d = await importDataset(
    [
      writeFile(dir, 'x.npy', npyBytes('<f4', [4, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, -10, 11.5, 12])),
      writeFile(dir, 'y.npy', npyBytes('<i8', [4], [0, 1, 1, 0])),
    ],
    { testFraction: 0 },
  );
  assert.equal(d.info.name, 'x');
  assert.equal(d.info.kind, 'table');
  assert.deepEqual(d.info.shape, [3]);
  assert.equal(d.info.numClasses, 2);
  assert.deepEqual(d.info.valueRange, [-10, 12]);
  assert.deepEqual(rows(d.train.x, 3), [
    [1, 2, 3],
    [4, 5, 6],
    [7, 8, 9],
    [-10, 11.5, 12],
  ]);
  assert.deepEqual(Array.from(d.train.y!), [0, 1, 1, 0]);
});

test('npy: the labels file is found by its shape whatever the order; (n, 1) labels work', async () => {
  const dir = tempDir();
  const d = await importDataset(
    [
      writeFile(dir, 'labels.npy', npyBytes('<i4', [3, 1], [2, 0, 1])),
      writeFile(dir, 'data.npy', npyBytes('<f8', [3, 2], [0.25, 1e-3, 2, 3, 4, 5])),
    ],
    { testFraction: 0 },
  );
  assert.equal(d.info.name, 'labels'); // the default name follows the first path given
  assert.deepEqual(Array.from(d.train.y!), [2, 0, 1]);
  assert.deepEqual(rows(d.train.x, 2)[0], [0.25, Math.fround(1e-3)]);
});

test('npy: uint8 images are scaled to [0, 1]; uint8 tables are not', async () => {
  const dir = tempDir();
  const pixels = Array.from({ length: 5 * 4 * 4 }, (_, i) => i % 256);
  const img = await importDataset([writeFile(dir, 'img.npy', npyBytes('|u1', [5, 4, 4], pixels))], {
    testFraction: 0,
  });
  assert.equal(img.info.kind, 'image');
  assert.deepEqual(img.info.shape, [4, 4, 1]);
  assert.equal(img.train.x[17], Math.fround(17 / 255));
  assert.deepEqual(img.info.valueRange, [0, Math.fround(79 / 255)]);
  assert.deepEqual(img.info.preprocessing, [BYTES_TO_UNIT], 'recorded, for users of exported models');

  const rgb = await importDataset(
    [writeFile(dir, 'rgb.npy', npyBytes('|u1', [2, 2, 2, 3], Array(24).fill(255)))],
    { testFraction: 0 }, // two examples: too few to split
  );
  assert.equal(rgb.info.kind, 'image');
  assert.deepEqual(rgb.info.shape, [2, 2, 3]);

  const counts = await importDataset(
    [writeFile(dir, 'counts.npy', npyBytes('|u1', [3, 2], [0, 7, 200, 3, 4, 5]))],
    {
      testFraction: 0,
    },
  );
  assert.equal(counts.info.kind, 'table');
  assert.deepEqual(rows(counts.train.x, 2)[1], [200, 3]);
  assert.deepEqual(counts.info.preprocessing, []);
});

test('npy: float images in [0, 1] are images; channels-first arrays are transposed', async () => {
  const dir = tempDir();
  // [n=2, c=3, h=2, w=5]: value = (example*100 + channel*10 + pixel) / 1000.
  const values: number[] = [];
  for (let e = 0; e < 2; e++)
    for (let c = 0; c < 3; c++) for (let p = 0; p < 10; p++) values.push((e * 100 + c * 10 + p) / 1000);
  const d = await importDataset([writeFile(dir, 'chw.npy', npyBytes('<f4', [2, 3, 2, 5], values))], {
    testFraction: 0,
  });
  assert.equal(d.info.kind, 'image');
  assert.deepEqual(d.info.shape, [2, 5, 3]);
  // Example 1, pixel 4, channel 2 sits at ((1 * 10) + 4) * 3 + 2.
  assert.equal(d.train.x[(1 * 10 + 4) * 3 + 2], Math.fround(0.124));
  assert.deepEqual(d.info.preprocessing, ['channels-first [3, 2, 5] transposed to [2, 5, 3]']);

  const gray = await importDataset(
    [writeFile(dir, 'c1.npy', npyBytes('<f4', [2, 1, 2, 5], Array(20).fill(0.5)))],
    { testFraction: 0 }, // two examples: too few to split
  );
  assert.deepEqual(gray.info.shape, [2, 5, 1]);

  const wide = await importDataset(
    [writeFile(dir, 'wide.npy', npyBytes('<f4', [2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7]))],
    { testFraction: 0 },
  );
  assert.equal(wide.info.kind, 'table');
  assert.deepEqual(wide.info.shape, [4]);
});

test('npy: big-endian, version 2 headers, and files written by npyjs', async () => {
  const be = readNpy(npyBytes('>f8', [2], [1.5, -3]), 'be.npy');
  assert.deepEqual(Array.from(npyValues(be, new Float64Array(2))), [1.5, -3]);
  const v2 = readNpy(npyBytes('<i4', [2, 2], [1, -2, 3, 4], { version: 2 }), 'v2.npy');
  assert.deepEqual(v2.shape, [2, 2]);
  assert.deepEqual(Array.from(npyValues(v2, new Float32Array(4))), [1, -2, 3, 4]);
  const other = readNpy(new Uint8Array(dump(new Float32Array([1, 2, 3, 4, 5, 6]), [3, 2])), 'npyjs.npy');
  assert.equal(other.dtype, 'f4');
  assert.deepEqual(other.shape, [3, 2]);
  assert.deepEqual(Array.from(npyValues(other, new Float32Array(6))), [1, 2, 3, 4, 5, 6]);
});

test('npy: Fortran order is rejected with advice', async () => {
  const dir = tempDir();
  await assertImportError(
    importDataset([writeFile(dir, 'f.npy', npyBytes('<f4', [2, 3], [1, 2, 3, 4, 5, 6], { fortran: true }))]),
    'f.npy',
    'Fortran order',
    'np.ascontiguousarray',
  );
});

test('npy: truncated and too long data, broken header, unsupported dtype', async () => {
  const dir = tempDir();
  const good = npyBytes('<f4', [3, 2], [1, 2, 3, 4, 5, 6]);
  await assertImportError(
    importDataset([writeFile(dir, 'cut.npy', good.subarray(0, good.length - 4))]),
    'cut.npy',
    'file is truncated: header says shape (3, 2) of <f4 (24 bytes of data) but the file has 20',
  );
  await assertImportError(
    importDataset([writeFile(dir, 'long.npy', new Uint8Array([...good, 0, 0, 0, 0]))]),
    'long.npy',
    'file is too long',
  );
  const broken = new Uint8Array(good);
  broken.set(new TextEncoder().encode('{"nope": 1}'), 10);
  await assertImportError(
    importDataset([writeFile(dir, 'broken.npy', broken)]),
    'broken.npy',
    'invalid or unsupported .npy header',
  );
  await assertImportError(
    importDataset([writeFile(dir, 'complex.npy', npyBytes('<c8', [1], [0]))]),
    'complex.npy',
    "unsupported dtype '<c8'",
  );
  await assertImportError(
    importDataset([writeFile(dir, 'head.npy', good.subarray(0, 40))]),
    'head.npy',
    `file is truncated: the .npy header needs ${good.length - 24} bytes but the file has 40`,
  );
});

test('npy: label count, label shape, NaN values, non-integer labels', async () => {
  const dir = tempDir();
  const x = writeFile(dir, 'x.npy', npyBytes('<f4', [3, 2], [1, 2, 3, 4, 5, 6]));
  await assertImportError(
    importDataset([x, writeFile(dir, 'y2.npy', npyBytes('<i8', [2], [0, 1]))]),
    'y2.npy',
    'has 2 labels but x.npy has 3 examples',
  );
  await assertImportError(
    importDataset([x, writeFile(dir, 'onehot.npy', npyBytes('<f4', [3, 2], [1, 0, 0, 1, 1, 0]))]),
    'onehot.npy',
    'labels must have shape (n,) or (n, 1), got (3, 2)',
  );
  await assertImportError(
    importDataset([x, writeFile(dir, 'half.npy', npyBytes('<f8', [3], [0, 1.5, 1]))]),
    'half.npy',
    'label 1 is 1.5; labels must be integers',
  );
  await assertImportError(
    importDataset([writeFile(dir, 'nan.npy', npyBytes('<f8', [2, 2], [0, 1, NaN, 2]))]),
    'nan.npy',
    'value 0 of example 1 is NaN',
  );
  await assertImportError(
    importDataset([writeFile(dir, 'big.npy', npyBytes('<f8', [2, 1], [0, 1e300]))]),
    'big.npy',
    'value 0 of example 1 is Infinity (or too large for float32)',
  );
});

test('npy: x_train / y_train / x_test / y_test keep their split', async () => {
  const dir = tempDir();
  const d = await importDataset([
    writeFile(dir, 'x_train.npy', npyBytes('<f4', [3, 2], [0, 0, 1, 1, 2, 2])),
    writeFile(dir, 'y_train.npy', npyBytes('<i8', [3], [0, 1, 0])),
    writeFile(dir, 'x_test.npy', npyBytes('<f4', [1, 2], [9, 9])),
    writeFile(dir, 'y_test.npy', npyBytes('<i8', [1], [1])),
  ]);
  assert.equal(d.info.split, 'source');
  assert.equal(d.train.n, 3);
  assert.equal(d.test.n, 1);
  assert.deepEqual(Array.from(d.test.x), [9, 9]);
  assert.deepEqual(Array.from(d.test.y!), [1]);

  await assertImportError(
    importDataset([
      writeFile(dir, 'a_train.npy', npyBytes('<f4', [1, 2], [0, 0])),
      writeFile(dir, 'a_test.npy', npyBytes('<f4', [1, 3], [0, 0, 0])),
    ]),
    'a_test.npy',
    'examples have shape (3) but in a_train.npy (2)',
  );
  await assertImportError(
    importDataset([
      writeFile(dir, 'b_train.npy', npyBytes('<f4', [1, 2], [0, 0])),
      writeFile(dir, 'by_train.npy', npyBytes('<i8', [1], [0])),
      writeFile(dir, 'b_test.npy', npyBytes('<f4', [1, 2], [0, 0])),
    ]),
    'b_test.npy',
    'has no labels but b_train.npy has',
  );
});
