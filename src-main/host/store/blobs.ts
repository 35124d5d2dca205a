/**
 * Typed arrays <-> little-endian bytes, the layout of every numeric BLOB in the database.
 *
 * Little-endian is fixed so a database copied between machines reads the same; on the
 * (little-endian) hosts we run on, writing is a zero-copy view and reading one memcpy.
 */
import { endianness } from 'node:os';
import { StoreError } from './errors.ts';

const HOST_IS_LE = endianness() === 'LE';

/** 4-byte values as little-endian bytes. On LE hosts the result shares memory with `a` (binding copies it). */
function fourByteView(a: Float32Array | Int32Array): Buffer {
  const view = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return HOST_IS_LE ? view : Buffer.from(view).swap32();
}

export const float32ToBytes = (a: Float32Array): Buffer => fourByteView(a);
export const int32ToBytes = (a: Int32Array): Buffer => fourByteView(a);

/**
 * Copies `count` 4-byte values starting at byte `offset` of `bytes`. Always a copy: blobs from
 * better-sqlite3 are Buffers whose offset need not be 4-aligned, and callers must own their arrays.
 */
function readFourByte(bytes: Uint8Array, offset: number, count: number): ArrayBuffer {
  if (!Number.isSafeInteger(count) || count < 0 || offset < 0 || offset + count * 4 > bytes.length)
    throw new StoreError(
      `corrupt blob: cannot read ${count} 4-byte values at ${offset} from ${bytes.length} bytes`,
    );
  const out = new ArrayBuffer(count * 4);
  const outBytes = new Uint8Array(out);
  outBytes.set(bytes.subarray(offset, offset + count * 4));
  if (!HOST_IS_LE) Buffer.from(out).swap32();
  return out;
}

export const bytesToFloat32 = (
  bytes: Uint8Array,
  offset = 0,
  count = (bytes.length - offset) / 4,
): Float32Array => new Float32Array(readFourByte(bytes, offset, count));

export const bytesToInt32 = (
  bytes: Uint8Array,
  offset = 0,
  count = (bytes.length - offset) / 4,
): Int32Array => new Int32Array(readFourByte(bytes, offset, count));
