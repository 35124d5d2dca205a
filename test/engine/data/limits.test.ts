/**
 * Small files that declare or inflate to huge ones are refused by name before the memory is
 * taken: a 1 MB gzip inflating to 1 GiB, a ~260 KB gzipped IDX declaring 16384x16384, a
 * ~140 KB PNG of 12000x12000. The bombs are built here, small, from repeated gzip members and
 * a streamed deflate. And datasets that cannot train are refused at import: no features, or
 * too few examples for a test split.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { test } from 'node:test';
import { createDeflate, crc32, gzipSync } from 'node:zlib';

import jpeg from 'jpeg-js';

import { importDataset } from '../../../src-main/engine/data/import/index.ts';
import { declaredImageSize } from '../../../src-main/engine/data/import/images.ts';
import { MAX_EXAMPLE_VALUES } from '../../../src-main/engine/data/import/limits.ts';
import { idxBytes, npyBytes, tempDir, writeFile } from './helpers.ts';

const MiB = 1 << 20;

/** A gzip file of `header` followed by `mib` MiB of zeros: one member per MiB, ~1 KB each. */
function gzipBomb(header: Uint8Array, mib: number): Buffer {
  const zeros = gzipSync(Buffer.alloc(MiB));
  return Buffer.concat([gzipSync(header), ...Array<Buffer>(mib).fill(zeros)]);
}

/** Import must fail with a message naming `file` and matching `pattern`, without a big peak in memory. */
async function assertRefusedSmall(paths: string[], file: string, pattern: RegExp): Promise<void> {
  const before = process.resourceUsage().maxRSS; // kB
  await assert.rejects(importDataset(paths), (err: Error) => {
    assert.ok(err.message.startsWith(`${file}: `), err.message);
    assert.match(err.message, pattern);
    return true;
  });
  const grewMiB = (process.resourceUsage().maxRSS - before) / 1024;
  assert.ok(grewMiB < 128, `peak memory grew by ${grewMiB.toFixed(0)} MiB`);
}

test('a 1 MB gzip that inflates to 1 GiB is refused once it passes its declared size', async () => {
  const dir = tempDir();
  // The header declares 10 images of 28x28; then come 1024 MiB of zeros.
  const header = idxBytes('ubyte', [10, 28, 28], []);
  const bomb = gzipBomb(header, 1024);
  assert.ok(bomb.length < 1.5 * MiB, `${bomb.length} bytes`);
  const path = writeFile(dir, 'bomb-idx3-ubyte.gz', bomb);
  await assertRefusedSmall(
    [path],
    'bomb-idx3-ubyte.gz',
    /file is too long: header says 10 images of 28x28 \(7856 bytes\) but it decompresses to more$/,
  );
});

test('a small gzipped IDX declaring a 16384x16384 image is refused before decompressing it', async () => {
  const dir = tempDir();
  const header = idxBytes('ubyte', [1, 16384, 16384], []);
  const bomb = gzipBomb(header, 256); // the 256 MiB it declares, so that it is a valid file
  assert.ok(bomb.length < 300 * 1024, `${bomb.length} bytes`);
  const path = writeFile(dir, 'huge-idx3-ubyte.gz', bomb);
  await assertRefusedSmall(
    [path],
    'huge-idx3-ubyte.gz',
    new RegExp(
      `examples of 16384x16384 have 268435456 values each; at most ${MAX_EXAMPLE_VALUES} are supported`,
    ),
  );
});

/** One PNG chunk: length, type, data, CRC of type and data. */
function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A valid black 8-bit gray PNG of width x height, its rows deflated as a stream (never held whole). */
async function blackPng(width: number, height: number): Promise<Buffer> {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // bit depth 8, gray, deflate, no filter method, no interlace
  const row = Buffer.alloc(width + 1); // filter byte 0, then the pixels
  const rows = Readable.from(
    (function* () {
      for (let y = 0; y < height; y++) yield row;
    })(),
  );
  const idat = await buffer(rows.pipe(createDeflate({ level: 9 })));
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

test('a 140 KB PNG of 12000x12000 is refused before decoding it', async () => {
  const dir = tempDir();
  const png = await blackPng(12000, 12000);
  assert.ok(png.length < 200 * 1024, `${png.length} bytes`);
  assert.deepEqual(declaredImageSize(png), { width: 12000, height: 12000 });
  writeFile(dir, 'big/a/huge.png', png);
  await assertRefusedSmall(
    [`${dir}/big`],
    'big/a/huge.png',
    new RegExp(`examples of 12000x12000 have 144000000 values each; at most ${MAX_EXAMPLE_VALUES}`),
  );
});

test('datasets whose examples have no values are refused at import, naming the file', async () => {
  const dir = tempDir();
  await assert.rejects(importDataset([writeFile(dir, 'empty-idx2-ubyte', idxBytes('ubyte', [5, 0], []))]), {
    message: 'empty-idx2-ubyte: examples have no values (each is 0); there is nothing to learn from',
  });
  await assert.rejects(importDataset([writeFile(dir, 'flat.npy', npyBytes('<f4', [4, 3, 0], []))]), {
    message: 'flat.npy: examples have no values (each is 3x0); there is nothing to learn from',
  });
});

test('a dataset too small for a test split is refused at import, naming the file', async () => {
  const dir = tempDir();
  for (const [name, rows] of [
    ['one.csv', ['1,2,0']],
    ['two.csv', ['1,2,0', '3,4,1']],
  ] as const) {
    await assert.rejects(importDataset([writeFile(dir, name, ['a,b,label', ...rows].join('\n'))]), {
      message: `${name}: has too few examples (${rows.length}) to hold out 0.2 of them for testing and keep the rest for training`,
    });
  }
  // Three examples leave one for testing.
  const three = await importDataset([writeFile(dir, 'three.csv', 'a,b,label\n1,2,0\n3,4,1\n5,6,0\n')]);
  assert.deepEqual([three.info.nTrain, three.info.nTest], [2, 1]);
});

test("a JPEG's declared size is read from its start-of-frame marker", () => {
  const encoded = jpeg.encode({ width: 7, height: 3, data: Buffer.alloc(7 * 3 * 4, 128) }, 90).data;
  assert.deepEqual(declaredImageSize(encoded), { width: 7, height: 3 });
  assert.equal(declaredImageSize(Buffer.from('not an image')), null);
});
