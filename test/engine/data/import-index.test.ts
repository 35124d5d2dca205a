import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { defaultName, detectFormat, importDataset } from '../../../src-main/engine/data/import/index.ts';
import { assertImportError, idxBytes, npyBytes, pngBytes, tempDir, writeFile } from './helpers.ts';

test('detectFormat: by folder, magic bytes, then extension', async () => {
  const dir = tempDir();
  writeFile(
    dir,
    'imgs/a.png',
    pngBytes(2, 2, () => [0, 0, 0]),
  );
  assert.equal(await detectFormat([join(dir, 'imgs')]), 'images');
  assert.equal(await detectFormat([writeFile(dir, 'noext', idxBytes('ubyte', [1], [0]))]), 'idx');
  assert.equal(await detectFormat([writeFile(dir, 'z.gz', gzipSync(idxBytes('ubyte', [1], [0])))]), 'idx');
  assert.equal(await detectFormat([writeFile(dir, 'arr.bin', npyBytes('<f4', [1], [0]))]), 'npy');
  assert.equal(await detectFormat([writeFile(dir, 't.tsv', 'a\n1\n')]), 'csv');
  assert.equal(await detectFormat([writeFile(dir, 'damaged-idx3-ubyte', 'XYZW')]), 'idx');
});

test('importDataset: unknown format, single image, gzipped non-IDX, .npz', async () => {
  const dir = tempDir();
  await assertImportError(
    importDataset([writeFile(dir, 'data.bin', 'hello')]),
    'data.bin',
    'unknown format; supported are IDX files',
  );
  await assertImportError(
    importDataset([
      writeFile(
        dir,
        'one.png',
        pngBytes(2, 2, () => [0, 0, 0]),
      ),
    ]),
    'one.png',
    'single image files cannot be imported',
  );
  await assertImportError(
    importDataset([writeFile(dir, 'table.csv.gz', gzipSync('a,b\n1,2\n'))]),
    'table.csv.gz',
    'gzipped CSV files are not supported',
  );
  // A .npy file without NumPy's header is said to be that, not an unknown format whose list of
  // supported ones names .npy.
  for (const [file, bytes] of [
    ['x.npy', 'just text'],
    ['x.npy.gz', gzipSync('just text')],
  ] as const) {
    const error = await importDataset([writeFile(dir, file, bytes)]).then(
      () => assert.fail('imported'),
      (e: Error) => e,
    );
    assert.match(
      error.message,
      new RegExp(`^${file.replace(/\./g, '\\.')}: not a NumPy \\.npy file: .*header`),
    );
    assert.doesNotMatch(error.message, /unknown format|supported are/);
  }
  await assertImportError(
    importDataset([writeFile(dir, 'arrays.npz', 'PK\u0003\u0004')]),
    'arrays.npz',
    '.npz archives',
  );
  await assertImportError(
    importDataset([writeFile(dir, 'bad.gz', new Uint8Array([0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))]),
    'bad.gz',
    'cannot decompress gzip data',
  );
});

test('importDataset: missing paths, empty files, mixed formats, folders with files', async () => {
  const dir = tempDir();
  const missing = join(dir, 'gone.csv');
  await assertImportError(importDataset([missing]), missing, 'file not found');
  await assertImportError(importDataset([]), 'import', 'no files or folder given');
  await assertImportError(importDataset([writeFile(dir, 'zero.npy', '')]), 'zero.npy', 'file is empty');
  const csv = writeFile(dir, 'a.csv', 'x\n1\n');
  const npy = writeFile(dir, 'b.npy', npyBytes('<f4', [1], [0]));
  await assertImportError(
    importDataset([csv, npy]),
    'b.npy',
    'is npy but a.csv is csv; all files must have the same format',
  );
  writeFile(
    dir,
    'folder/x.png',
    pngBytes(2, 2, () => [0, 0, 0]),
  );
  await assertImportError(importDataset([join(dir, 'folder'), csv]), 'folder', 'must be imported on its own');
});

test('importDataset: options are checked; name defaults to the first base name', async () => {
  const dir = tempDir();
  const csv = writeFile(dir, 'my.data.csv', 'x,y\n1,0\n2,1\n3,0\n');
  await assert.rejects(importDataset([csv], { testFraction: 1 }), RangeError);
  await assert.rejects(importDataset([csv], { testFraction: -0.1 }), RangeError);
  await assert.rejects(importDataset([csv], { seed: 1.5 }), RangeError);
  assert.equal((await importDataset([csv])).info.name, 'my');
  assert.equal((await importDataset([csv], { name: 'renamed' })).info.name, 'renamed');
  assert.equal(defaultName('/a/b/train-images-idx3-ubyte.gz'), 'train-images-idx3-ubyte');
  assert.equal(defaultName('/a/b/digits/'), 'digits');
  assert.equal(defaultName('x.tar.gz'), 'x');
});

test('importDataset: a split that would leave no training examples is an error', async () => {
  const dir = tempDir();
  await assertImportError(
    importDataset([writeFile(dir, 'one.csv', 'x\n1\n')], { testFraction: 0.9 }),
    'one.csv',
    'has too few examples (1) to hold out 0.9 of them for testing',
  );
});
