/**
 * One BLOB for a list of named float32 tensors (a checkpoint's weights, or its optimizer state).
 *
 * Layout, all integers little-endian, every section 4-byte aligned so a reader could map the
 * data straight onto a Float32Array:
 *
 *   0   "GMVT"                 magic, so a wrong or truncated blob is caught at once
 *   4   u32 version            TENSOR_FORMAT_VERSION
 *   8   u32 headerBytes        length of the JSON header, a multiple of 4 (space padded)
 *   12  header                 UTF-8 JSON: [{ name, shape, offset }], offset in bytes from the data start
 *   12 + headerBytes  data     float32 little-endian, tensors back to back in header order
 *
 * A small JSON header rather than a fixed binary one: names and shapes vary in length,
 * it is readable in a hex dump, and the cost is nothing next to the megabytes of data.
 */
import type { StoredTensor } from '../../common/run.ts';
import { bytesToFloat32, float32ToBytes } from './blobs.ts';
import { StoreError } from './errors.ts';

export const TENSOR_FORMAT_VERSION = 1;
const MAGIC = Buffer.from('GMVT', 'latin1');
const PREAMBLE_BYTES = 12;

interface HeaderEntry {
  name: string;
  shape: number[];
  offset: number;
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function isValidShape(shape: unknown): shape is number[] {
  return Array.isArray(shape) && shape.every((d) => Number.isSafeInteger(d) && d >= 0);
}

/** Encodes tensors into one blob; throws StoreError when a tensor's data does not fit its shape. */
export function encodeTensors(tensors: readonly StoredTensor[]): Buffer {
  const header: HeaderEntry[] = [];
  const names = new Set<string>();
  let dataBytes = 0;
  for (const t of tensors) {
    if (names.has(t.name)) throw new StoreError(`duplicate tensor name "${t.name}"`);
    names.add(t.name);
    if (!isValidShape(t.shape)) throw new StoreError(`tensor "${t.name}" has an invalid shape`);
    const n = elementCount(t.shape);
    if (t.data.length !== n)
      throw new StoreError(
        `tensor "${t.name}" has ${t.data.length} values for shape [${t.shape.join(', ')}]`,
      );
    header.push({ name: t.name, shape: [...t.shape], offset: dataBytes });
    dataBytes += n * 4;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (4 - (json.length % 4)) % 4;
  if (pad > 0) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);

  const out = Buffer.alloc(PREAMBLE_BYTES + json.length + dataBytes);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(TENSOR_FORMAT_VERSION, 4);
  out.writeUInt32LE(json.length, 8);
  json.copy(out, PREAMBLE_BYTES);
  const dataStart = PREAMBLE_BYTES + json.length;
  tensors.forEach((t, i) => float32ToBytes(t.data).copy(out, dataStart + (header[i]?.offset ?? 0)));
  return out;
}

/**
 * Decodes a blob written by encodeTensors. Everything is checked before any data is trusted:
 * magic, version, header bounds and JSON, shapes, and that the tensors tile the data exactly.
 * A blob that fails any check raises StoreError('corrupt tensor blob: ...').
 */
export function decodeTensors(blob: Uint8Array): StoredTensor[] {
  const corrupt = (why: string): StoreError => new StoreError(`corrupt tensor blob: ${why}`);
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (buf.length < PREAMBLE_BYTES) throw corrupt(`only ${buf.length} bytes`);
  if (!buf.subarray(0, 4).equals(MAGIC)) throw corrupt('bad magic');
  const version = buf.readUInt32LE(4);
  if (version !== TENSOR_FORMAT_VERSION) throw corrupt(`unknown format version ${version}`);
  const headerBytes = buf.readUInt32LE(8);
  if (headerBytes % 4 !== 0 || PREAMBLE_BYTES + headerBytes > buf.length) throw corrupt('bad header length');

  let header: unknown;
  try {
    header = JSON.parse(buf.toString('utf8', PREAMBLE_BYTES, PREAMBLE_BYTES + headerBytes));
  } catch {
    throw corrupt('header is not JSON');
  }
  if (!Array.isArray(header)) throw corrupt('header is not a list');

  const dataStart = PREAMBLE_BYTES + headerBytes;
  const dataBytes = buf.length - dataStart;
  const names = new Set<string>();
  const tensors: StoredTensor[] = [];
  let expectedOffset = 0;
  for (const entry of header as unknown[]) {
    if (typeof entry !== 'object' || entry === null) throw corrupt('bad header entry');
    const { name, shape, offset } = entry as Record<string, unknown>;
    if (typeof name !== 'string' || names.has(name)) throw corrupt('bad or duplicate tensor name');
    names.add(name);
    if (!isValidShape(shape)) throw corrupt(`bad shape for "${name}"`);
    // Tensors are written back to back, so any other offset means the header was damaged.
    if (offset !== expectedOffset) throw corrupt(`bad offset for "${name}"`);
    const count = elementCount(shape);
    if (!Number.isSafeInteger(count) || expectedOffset + count * 4 > dataBytes)
      throw corrupt(`"${name}" runs past the end of the data`);
    tensors.push({ name, shape, data: bytesToFloat32(buf, dataStart + expectedOffset, count) });
    expectedOffset += count * 4;
  }
  if (expectedOffset !== dataBytes) throw corrupt(`${dataBytes - expectedOffset} trailing bytes`);
  return tensors;
}
