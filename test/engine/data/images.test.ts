import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import jpeg from 'jpeg-js';

import { BYTES_TO_UNIT } from '../../../src-main/common/dataset.ts';
import { importDataset } from '../../../src-main/engine/data/import/index.ts';
import { assertImportError, pngBytes, rows, tempDir, writeFile } from './helpers.ts';

/** A gray 3x2 PNG whose pixels are base, base + 1, ... */
function grayPng(base: number): Buffer {
  return pngBytes(3, 2, (x, y) => Array(3).fill(base + y * 3 + x));
}

test('images: class sub-folders, grayscale, hidden and non-image files skipped', async () => {
  const dir = tempDir();
  const root = join(dir, 'pets');
  writeFile(root, 'dogs/d1.png', grayPng(100));
  writeFile(root, 'cats/c1.png', grayPng(10));
  writeFile(root, 'cats/c2.PNG', grayPng(20));
  writeFile(root, 'cats/nested/c3.png', grayPng(30));
  writeFile(root, 'cats/.DS_Store', 'junk');
  writeFile(root, 'cats/._c1.png', 'macOS resource fork');
  writeFile(root, 'dogs/notes.txt', 'not an image');
  symlinkSync(writeFile(dir, 'elsewhere/d2.png', grayPng(200)), join(root, 'dogs/d2.png'));
  writeFile(root, '.hidden/h.png', grayPng(0));
  writeFile(root, 'empty-class/readme.md', 'no images here');

  const fractions: number[] = [];
  const messages: string[] = [];
  const d = await importDataset([root], {
    testFraction: 0,
    onProgress: (f, m) => {
      fractions.push(f);
      messages.push(m);
    },
  });
  assert.equal(d.info.name, 'pets');
  assert.equal(d.info.kind, 'image');
  assert.deepEqual(d.info.shape, [2, 3, 1]);
  assert.equal(d.info.nTrain, 5);
  assert.deepEqual(d.info.labelNames, ['cats', 'dogs']);
  assert.equal(d.info.numClasses, 2);
  assert.deepEqual(Array.from(d.train.y!), [0, 0, 0, 1, 1]);
  const px = rows(d.train.x, 6).map((r) => r.map((v) => Math.round(v * 255)));
  assert.deepEqual(px, [
    [10, 11, 12, 13, 14, 15],
    [20, 21, 22, 23, 24, 25],
    [30, 31, 32, 33, 34, 35],
    [100, 101, 102, 103, 104, 105],
    [200, 201, 202, 203, 204, 205],
  ]);
  assert.deepEqual(d.info.valueRange, [Math.fround(10 / 255), Math.fround(205 / 255)]);
  assert.deepEqual(d.info.preprocessing, [
    'alpha channel, if any, ignored',
    'one channel kept (R = G = B in every pixel of every image)',
    BYTES_TO_UNIT,
  ]);
  // One progress report per file, rising to 1.
  for (const f of ['pets/cats/c1.png', 'pets/cats/c2.PNG', 'pets/cats/nested/c3.png', 'pets/dogs/d1.png']) {
    assert.ok(messages.includes(`decoding ${f}`), `no progress for ${f}`);
  }
  assert.equal(fractions.at(-1), 1);
  assert.ok(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!));
});

test('images: one coloured image makes the dataset RGB; gray images repeat their channel', async () => {
  const dir = tempDir();
  writeFile(dir, 'mix/a.png', grayPng(50));
  writeFile(
    dir,
    'mix/b.png',
    pngBytes(3, 2, (x) => [255, x * 100, 0]),
  );
  const d = await importDataset([join(dir, 'mix')], { testFraction: 0 });
  assert.deepEqual(d.info.shape, [2, 3, 3]);
  assert.equal(d.train.y, null);
  assert.equal(d.info.numClasses, 0);
  const px = rows(d.train.x, 18).map((r) => r.map((v) => Math.round(v * 255)));
  assert.deepEqual(px[0]!.slice(0, 6), [50, 50, 50, 51, 51, 51]);
  assert.deepEqual(px[1]!.slice(0, 9), [255, 0, 0, 255, 100, 0, 255, 200, 0]);
  assert.equal(d.info.preprocessing?.[1], 'grey images repeated over the 3 channels');
});

test('images: JPEG files decode (lossy, so approximately)', async () => {
  const dir = tempDir();
  const width = 8;
  const height = 8;
  const data = Buffer.alloc(width * height * 4);
  for (let p = 0; p < width * height; p++) data.set([p * 4, p * 4, p * 4, 255], 4 * p);
  writeFile(dir, 'jpg/one.jpg', jpeg.encode({ width, height, data }, 100).data);
  writeFile(
    dir,
    'jpg/two.png',
    pngBytes(width, height, (x, y) => Array(3).fill((y * width + x) * 4)),
  );
  const d = await importDataset([join(dir, 'jpg')], { testFraction: 0 });
  assert.equal(d.info.nTrain, 2);
  assert.deepEqual(d.info.shape.slice(0, 2), [8, 8]);
  const c = d.info.shape[2]!;
  const jpg = rows(d.train.x, 64 * c)[0]!;
  for (let p = 0; p < 64; p++) {
    assert.ok(Math.abs(jpg[p * c]! * 255 - p * 4) < 12, `pixel ${p}: ${jpg[p * c]! * 255} vs ${p * 4}`);
  }
});

test('images: class folders sort naturally (class2 before class10)', async () => {
  const dir = tempDir();
  for (const name of ['class10', 'class2', 'class1']) writeFile(dir, `nat/${name}/x.png`, grayPng(0));
  const d = await importDataset([join(dir, 'nat')], { testFraction: 0 });
  assert.deepEqual(d.info.labelNames, ['class1', 'class2', 'class10']);
});

test('images: a size mismatch names the file and both sizes', async () => {
  const dir = tempDir();
  writeFile(dir, 'sizes/a/first.png', grayPng(0));
  writeFile(
    dir,
    'sizes/b/second.png',
    pngBytes(4, 4, () => [0, 0, 0]),
  );
  await assertImportError(
    importDataset([join(dir, 'sizes')]),
    'sizes/b/second.png',
    'image is 4x4 but sizes/a/first.png is 3x2; all images must have the same size',
  );
});

test('images: a corrupt image is an error naming it', async () => {
  const dir = tempDir();
  writeFile(dir, 'bad/ok.png', grayPng(0));
  writeFile(dir, 'bad/broken.png', 'this is not a png');
  await assertImportError(
    importDataset([join(dir, 'bad')]),
    'bad/broken.png',
    'not a valid PNG or JPEG image',
  );

  const truncated = grayPng(0).subarray(0, 40);
  writeFile(dir, 'cut/x.png', truncated);
  await assertImportError(importDataset([join(dir, 'cut')]), 'cut/x.png', 'cannot decode image');

  writeFile(dir, 'zero/x.jpg', '');
  await assertImportError(importDataset([join(dir, 'zero')]), 'zero/x.jpg', 'file is empty');
});

test('images: empty folders and mixed layouts', async () => {
  const dir = tempDir();
  writeFile(dir, 'nothing/.DS_Store', 'junk');
  writeFile(dir, 'nothing/sub/readme.txt', 'text');
  await assertImportError(
    importDataset([join(dir, 'nothing')]),
    'nothing',
    'folder has no PNG or JPEG images',
  );

  writeFile(dir, 'both/loose.png', grayPng(0));
  writeFile(dir, 'both/cls/x.png', grayPng(0));
  await assertImportError(
    importDataset([join(dir, 'both')]),
    'both',
    'has both images (e.g. loose.png) and sub-folders (cls)',
  );
});

test('images: cancellation while decoding', async () => {
  const dir = tempDir();
  for (let i = 0; i < 5; i++) writeFile(dir, `many/${i}.png`, grayPng(i));
  const controller = new AbortController();
  await assert.rejects(
    importDataset([join(dir, 'many')], {
      signal: controller.signal,
      onProgress: (_f, m) => {
        if (m.includes('2.png')) controller.abort();
      },
    }),
    { name: 'AbortError' },
  );
});
