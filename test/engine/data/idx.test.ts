import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { permutation } from '../../../src-main/common/random.ts';
import { importDataset } from '../../../src-main/engine/data/import/index.ts';
import { readIdx } from '../../../src-main/engine/data/import/idx.ts';
import { assertImportError, idxBytes, rows, tempDir, writeFile } from './helpers.ts';

/** n 3x2 ubyte images where every pixel of image i is 10 * i + pixel index (identifies it). */
function images(n: number): number[] {
  return Array.from({ length: n * 6 }, (_, k) => 10 * Math.floor(k / 6) + (k % 6));
}

test('readIdx: decodes every dtype big-endian', () => {
  assert.deepEqual(Array.from(readIdx(idxBytes('ubyte', [3], [0, 7, 255]), 'a').data), [0, 7, 255]);
  assert.deepEqual(Array.from(readIdx(idxBytes('sbyte', [3], [-128, -1, 127]), 'a').data), [-128, -1, 127]);
  assert.deepEqual(Array.from(readIdx(idxBytes('short', [2], [-300, 1234]), 'a').data), [-300, 1234]);
  assert.deepEqual(
    Array.from(readIdx(idxBytes('int', [2], [-70000, 123456789]), 'a').data),
    [-70000, 123456789],
  );
  assert.deepEqual(Array.from(readIdx(idxBytes('float', [2], [0.5, -2.25]), 'a').data), [0.5, -2.25]);
  const d = readIdx(idxBytes('double', [1, 2], [Math.PI, -1e300]), 'a');
  assert.equal(d.dtype, 'double');
  assert.deepEqual(d.dims, [1, 2]);
  assert.deepEqual(Array.from(d.data), [Math.PI, -1e300]);
});

test('idx: images + labels, seeded split keeps every example with its label', async () => {
  const dir = tempDir();
  const n = 10;
  const img = writeFile(dir, 'digits-images.idx', idxBytes('ubyte', [n, 3, 2], images(n)));
  const lab = writeFile(dir, 'digits-labels.idx', idxBytes('ubyte', [n], [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]));
  const d = await importDataset([img, lab]);

  assert.equal(d.info.name, 'digits-images');
  assert.equal(d.info.kind, 'image');
  assert.deepEqual(d.info.shape, [3, 2, 1]);
  assert.equal(d.info.nTrain, 8);
  assert.equal(d.info.nTest, 2);
  assert.equal(d.info.numClasses, 3);
  assert.equal(d.info.labelNames, undefined);
  assert.deepEqual(d.info.split, { seed: 0, testFraction: 0.2 });
  assert.deepEqual(d.info.valueRange, [0, Math.fround(95 / 255)]);
  assert.equal(d.info.source, `${img}, ${lab}`);

  // The test examples are the first 2 of permutation(10, 0), in file order.
  const testIds = Array.from(permutation(n, 0).subarray(0, 2)).sort((a, b) => a - b);
  const ids = (x: Float32Array) => rows(x, 6).map((r) => Math.round(r[0]! * 255) / 10);
  assert.deepEqual(ids(d.test.x), testIds);
  assert.deepEqual(
    ids(d.train.x),
    [...Array(n).keys()].filter((i) => !testIds.includes(i)),
  );
  // Pixels are bytes / 255, labels follow their images.
  assert.deepEqual(
    rows(d.train.x, 6)[0],
    [0, 1, 2, 3, 4, 5].map((v) => Math.fround((10 * ids(d.train.x)[0]! + v) / 255)),
  );
  for (const [i, id] of ids(d.train.x).entries()) assert.equal(d.train.y![i], id % 3);
});

test('idx: gzipped files give the same dataset as raw ones', async () => {
  const dir = tempDir();
  const raw = idxBytes('ubyte', [5, 3, 2], images(5));
  const labels = idxBytes('ubyte', [5], [1, 1, 0, 0, 1]);
  const a = await importDataset([writeFile(dir, 'a.idx', raw), writeFile(dir, 'a-labels.idx', labels)]);
  const b = await importDataset([
    writeFile(dir, 'b.idx.gz', gzipSync(raw)),
    writeFile(dir, 'b-labels.idx.gz', gzipSync(labels)),
  ]);
  assert.equal(b.info.name, 'b');
  assert.deepEqual(b.train, a.train);
  assert.deepEqual(b.test, a.test);
});

test('idx: an MNIST-named train/test pair keeps its own split', async () => {
  const dir = tempDir();
  const paths = [
    writeFile(dir, 'train-images-idx3-ubyte', idxBytes('ubyte', [4, 3, 2], images(4))),
    writeFile(dir, 'train-labels-idx1-ubyte', idxBytes('ubyte', [4], [3, 1, 2, 1])),
    writeFile(dir, 't10k-images-idx3-ubyte.gz', gzipSync(idxBytes('ubyte', [2, 3, 2], images(2)))),
    writeFile(dir, 't10k-labels-idx1-ubyte.gz', gzipSync(idxBytes('ubyte', [2], [2, 3]))),
  ];
  // Order of the paths does not matter.
  const d = await importDataset([paths[3]!, paths[0]!, paths[2]!, paths[1]!], { name: 'mini' });
  assert.equal(d.info.name, 'mini');
  assert.equal(d.info.split, 'source');
  assert.equal(d.train.n, 4);
  assert.equal(d.test.n, 2);
  // Labels 1, 2, 3 are not 0..C-1: mapped over both splits, original values kept as names.
  assert.equal(d.info.numClasses, 3);
  assert.deepEqual(d.info.labelNames, ['1', '2', '3']);
  assert.deepEqual(Array.from(d.train.y!), [2, 0, 1, 0]);
  assert.deepEqual(Array.from(d.test.y!), [1, 2]);
  assert.equal(d.test.x[6], Math.fround(10 / 255));
});

test('idx: a folder of IDX files, as MNIST and Fashion-MNIST ship, imports as those files', async () => {
  const dir = tempDir();
  const folder = `${dir}/fashion`;
  writeFile(folder, 'train-images-idx3-ubyte.gz', gzipSync(idxBytes('ubyte', [4, 3, 2], images(4))));
  writeFile(folder, 'train-labels-idx1-ubyte.gz', gzipSync(idxBytes('ubyte', [4], [0, 1, 0, 1])));
  writeFile(folder, 't10k-images-idx3-ubyte.gz', gzipSync(idxBytes('ubyte', [2, 3, 2], images(2))));
  writeFile(folder, 't10k-labels-idx1-ubyte.gz', gzipSync(idxBytes('ubyte', [2], [1, 0])));
  writeFile(folder, 'README.md', 'not data');
  const d = await importDataset([folder]);
  assert.equal(d.info.name, 'fashion', 'named after the folder');
  assert.equal(d.info.split, 'source');
  assert.equal(d.train.n, 4);
  assert.equal(d.test.n, 2);
  assert.deepEqual(Array.from(d.test.y!), [1, 0]);
});

test('idx: float arrays become tables unless they are images in [0, 1]; 4-D keeps channels', async () => {
  const dir = tempDir();
  const table = await importDataset([
    writeFile(dir, 't.idx', idxBytes('float', [5, 2], [1, -2, 3, 4, 5, 6, 7, 8, 9, 10])),
  ]);
  assert.equal(table.info.kind, 'table');
  assert.deepEqual(table.info.shape, [2]);
  assert.deepEqual(table.info.valueRange, [-2, 10]);
  assert.equal(table.info.numClasses, 0);
  assert.equal(table.train.y, null);

  const unit = await importDataset([
    writeFile(dir, 'u.idx', idxBytes('double', [5, 2, 2], Array(20).fill(0.5))),
  ]);
  assert.equal(unit.info.kind, 'image');
  assert.deepEqual(unit.info.shape, [2, 2, 1]);

  const big = await importDataset([
    writeFile(dir, 'b.idx', idxBytes('short', [5, 2, 2], Array(20).fill(300))),
  ]);
  assert.equal(big.info.kind, 'table');
  assert.deepEqual(big.info.shape, [4]);

  const rgb = await importDataset([
    writeFile(dir, 'c.idx', idxBytes('ubyte', [5, 2, 2, 3], Array(60).fill(51))),
  ]);
  assert.equal(rgb.info.kind, 'image');
  assert.deepEqual(rgb.info.shape, [2, 2, 3]);
  assert.deepEqual(rgb.info.valueRange, [0.2, 0.2].map(Math.fround));
});

test('idx: a truncated file names the header and both sizes', async () => {
  const dir = tempDir();
  const full = idxBytes('ubyte', [60000, 28, 28], []);
  const bytes = new Uint8Array(1000);
  bytes.set(full.subarray(0, 16));
  await assertImportError(
    importDataset([writeFile(dir, 'train.idx', bytes)]),
    'train.idx',
    /^train\.idx: file is truncated: header says 60000 images of 28x28 \(47040016 bytes\) but the file has 1000 bytes$/,
  );
  // A gzipped one says the size is after decompressing.
  await assertImportError(
    importDataset([writeFile(dir, 'short.idx.gz', gzipSync(bytes))]),
    'short.idx.gz',
    'file is truncated',
    '1000 bytes after decompressing',
  );
  // So does a header cut short.
  await assertImportError(
    importDataset([writeFile(dir, 'head.idx', full.subarray(0, 10))]),
    'head.idx',
    'file is truncated: the header of 3 dimensions needs 16 bytes but the file has 10 bytes',
  );
});

test('idx: a file longer than its header says is an error', async () => {
  const dir = tempDir();
  const bytes = new Uint8Array([...idxBytes('ubyte', [2, 3, 2], images(2)), 0, 0]);
  await assertImportError(
    importDataset([writeFile(dir, 'long.idx', bytes)]),
    'long.idx',
    'file is too long: header says 2 images of 3x2 (28 bytes) but the file has 30 bytes',
  );
});

test('idx: bad magic and unknown dtype', async () => {
  const dir = tempDir();
  const magic = idxBytes('ubyte', [2], [0, 1]);
  magic[1] = 0x05;
  await assertImportError(
    importDataset([writeFile(dir, 'magic.idx', magic)]),
    'magic.idx',
    'not an IDX file: it must start with two zero bytes, found 0x00 0x05',
  );
  const dtype = idxBytes('ubyte', [2], [0, 1]);
  dtype[2] = 0x07;
  await assertImportError(
    importDataset([writeFile(dir, 'dtype.idx', dtype)]),
    'dtype.idx',
    'unknown IDX data type 0x07',
  );
  assert.throws(
    () => readIdx(new Uint8Array([0, 0]), 'tiny'),
    /^DatasetImportError: tiny: not an IDX file: too short/,
  );
});

test('idx: label count must match the images', async () => {
  const dir = tempDir();
  await assertImportError(
    importDataset([
      writeFile(dir, 'x-images.idx', idxBytes('ubyte', [4, 3, 2], images(4))),
      writeFile(dir, 'x-labels.idx', idxBytes('ubyte', [3], [0, 1, 2])),
    ]),
    'x-labels.idx',
    'has 3 labels but x-images.idx has 4 examples',
  );
});

test('idx: train and test examples must have the same shape', async () => {
  const dir = tempDir();
  await assertImportError(
    importDataset([
      writeFile(dir, 'train-images.idx', idxBytes('ubyte', [2, 3, 2], images(2))),
      writeFile(dir, 'test-images.idx', idxBytes('ubyte', [2, 2, 3], images(2))),
    ]),
    'test-images.idx',
    'examples are 2x3 but in train-images.idx they are 3x2',
  );
});

test('idx: NaN and Infinity are errors naming the example', async () => {
  const dir = tempDir();
  await assertImportError(
    importDataset([writeFile(dir, 'nan.idx', idxBytes('float', [3, 2], [0, 1, 2, NaN, 4, 5]))]),
    'nan.idx',
    'value 1 of example 1 is NaN',
  );
  await assertImportError(
    importDataset([writeFile(dir, 'inf.idx', idxBytes('double', [3, 2], [0, 1, 2, 3, 4, Infinity]))]),
    'inf.idx',
    'value 1 of example 2 is Infinity',
  );
});

test('idx: files that cannot be paired, and labels that are not integers', async () => {
  const dir = tempDir();
  await assertImportError(
    importDataset([
      writeFile(dir, 'a.idx', idxBytes('ubyte', [2, 3, 2], images(2))),
      writeFile(dir, 'b.idx', idxBytes('ubyte', [2, 3, 2], images(2))),
    ]),
    'a.idx',
    'cannot tell which files belong together',
    'images files: a.idx, b.idx',
  );
  await assertImportError(
    importDataset([
      writeFile(dir, 'f.idx', idxBytes('ubyte', [2, 3, 2], images(2))),
      writeFile(dir, 'f-labels.idx', idxBytes('float', [2], [0.5, 1])),
    ]),
    'f-labels.idx',
    'label 0 is 0.5; labels must be integers',
  );
});

test('idx: a bad test label is reported in the test labels file', async () => {
  const dir = tempDir();
  await assertImportError(
    importDataset([
      writeFile(dir, 'train-images.idx', idxBytes('ubyte', [2, 3, 2], images(2))),
      writeFile(dir, 'train-labels.idx', idxBytes('int', [2], [0, 1])),
      writeFile(dir, 'test-images.idx', idxBytes('ubyte', [2, 3, 2], images(2))),
      writeFile(dir, 'test-labels.idx', idxBytes('double', [2], [1, 0.25])),
    ]),
    'test-labels.idx',
    'label 1 is 0.25; labels must be integers',
  );
});

test('idx: missing and empty files', async () => {
  const dir = tempDir();
  const missing = `${dir}/nope.idx`;
  await assertImportError(importDataset([missing]), missing, 'file not found');
  await assertImportError(
    importDataset([writeFile(dir, 'empty.idx', new Uint8Array(0))]),
    'empty.idx',
    'file is empty',
  );
});

test('idx: progress rises to 1; an aborted signal stops the import with an AbortError', async () => {
  const dir = tempDir();
  const paths = [
    writeFile(dir, 'p-images.idx', idxBytes('ubyte', [5, 3, 2], images(5))),
    writeFile(dir, 'p-labels.idx', idxBytes('ubyte', [5], [0, 1, 0, 1, 0])),
  ];
  const seen: number[] = [];
  await importDataset(paths, { onProgress: (f) => seen.push(f) });
  assert.ok(seen.length >= 3);
  assert.equal(seen.at(-1), 1);
  assert.ok(seen.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= seen[i - 1]!)));

  const before = new AbortController();
  before.abort();
  await assert.rejects(importDataset(paths, { signal: before.signal }), { name: 'AbortError' });

  // Cancelled while reading the first file.
  const during = new AbortController();
  await assert.rejects(importDataset(paths, { signal: during.signal, onProgress: () => during.abort() }), {
    name: 'AbortError',
  });
});
