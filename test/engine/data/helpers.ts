/**
 * Test helpers for the data layer: temp folders, and writers for the byte formats (IDX, NPY,
 * PNG) so that tests build exactly the files they need, including broken ones.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';

import { PNG } from 'pngjs';

import { DatasetImportError } from '../../../src-main/engine/data/import/errors.ts';

/** A fresh temp folder, removed when the test file finishes. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gmvae-data-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes bytes or text to dir/name (creating sub-folders) and returns the path. */
export function writeFile(dir: string, name: string, content: Uint8Array | string): string {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

const IDX_TYPES = {
  ubyte: { code: 0x08, size: 1 },
  sbyte: { code: 0x09, size: 1 },
  short: { code: 0x0b, size: 2 },
  int: { code: 0x0c, size: 4 },
  float: { code: 0x0d, size: 4 },
  double: { code: 0x0e, size: 8 },
} as const;

/** An IDX file: magic, dims (big-endian uint32), values big-endian. */
export function idxBytes(
  dtype: keyof typeof IDX_TYPES,
  dims: number[],
  values: ArrayLike<number>,
): Uint8Array {
  const { code, size } = IDX_TYPES[dtype];
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + values.length * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const at = header + i * size;
    if (dtype === 'ubyte') view.setUint8(at, v);
    else if (dtype === 'sbyte') view.setInt8(at, v);
    else if (dtype === 'short') view.setInt16(at, v, false);
    else if (dtype === 'int') view.setInt32(at, v, false);
    else if (dtype === 'float') view.setFloat32(at, v, false);
    else view.setFloat64(at, v, false);
  }
  return out;
}

/** A .npy file (format version 1 unless asked), header padded to 64 bytes like numpy does. */
export function npyBytes(
  descr: string,
  shape: number[],
  values: ArrayLike<number>,
  options: { fortran?: boolean; version?: 1 | 2 } = {},
): Uint8Array {
  const version = options.version ?? 1;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${options.fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const prefix = version === 1 ? 10 : 12;
  while ((prefix + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const size = Number(descr.slice(2));
  const little = descr[0] !== '>';
  const out = new Uint8Array(prefix + header.length + values.length * size);
  const view = new DataView(out.buffer);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), prefix);
  const base = prefix + header.length;
  const kind = descr.slice(1);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const at = base + i * size;
    if (kind === 'u1') view.setUint8(at, v);
    else if (kind === 'i4') view.setInt32(at, v, little);
    else if (kind === 'i8') view.setBigInt64(at, BigInt(v), little);
    else if (kind === 'f4') view.setFloat32(at, v, little);
    else if (kind === 'f8') view.setFloat64(at, v, little);
    else if (kind === 'c8') view.setFloat64(at, v, little);
    else throw new Error(`npyBytes: no writer for ${descr}`);
  }
  return out;
}

/** A PNG whose pixel (x, y) has the colour pixel(x, y) = [r, g, b] (alpha 255). */
export function pngBytes(width: number, height: number, pixel: (x: number, y: number) => number[]): Buffer {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y) as [number, number, number];
      png.data.set([r, g, b, 255], 4 * (y * width + x));
    }
  }
  return PNG.sync.write(png);
}

/**
 * Asserts that `promise` rejects with a DatasetImportError whose message starts with `file`
 * and matches every pattern.
 */
export async function assertImportError(
  promise: Promise<unknown>,
  file: string,
  ...patterns: (RegExp | string)[]
): Promise<DatasetImportError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof DatasetImportError, `expected a DatasetImportError, got ${String(caught)}`);
  assert.ok(
    caught.message.startsWith(`${file}: `),
    `message should start with "${file}: ", got: ${caught.message}`,
  );
  for (const p of patterns) {
    if (typeof p === 'string') assert.ok(caught.message.includes(p), `"${caught.message}" lacks "${p}"`);
    else assert.match(caught.message, p);
  }
  return caught;
}

/** Rows of a split as plain arrays, for comparing examples by value. */
export function rows(x: Float32Array, size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < x.length / size; i++) out.push(Array.from(x.subarray(i * size, (i + 1) * size)));
  return out;
}
