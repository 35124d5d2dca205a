import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoredTensor } from '../../../src-main/common/run.ts';
import { StoreError, decodeTensors, encodeTensors } from '../../../src-main/host/store/index.ts';
import { bits } from './helpers.ts';

/** Random 32-bit patterns: NaNs with payloads, infinities, -0 and subnormals all turn up. */
function randomBits(n: number, seed: number): Float32Array {
  const u = new Uint32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) u[i] = s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
  return new Float32Array(u.buffer);
}

const sample: StoredTensor[] = [
  { name: 'encoder/dense/kernel', shape: [3, 5], data: randomBits(15, 1) },
  { name: 'scalar', shape: [], data: Float32Array.of(-0) },
  { name: 'empty', shape: [0, 4], data: new Float32Array(0) },
  { name: 'ünïcode ✓', shape: [7], data: randomBits(7, 2) },
];

test('tensors round-trip bit for bit', () => {
  const blob = encodeTensors(sample);
  const back = decodeTensors(blob);
  assert.equal(back.length, sample.length);
  back.forEach((t, i) => {
    const orig = sample[i]!;
    assert.equal(t.name, orig.name);
    assert.deepEqual(t.shape, orig.shape);
    assert.deepEqual(bits(t.data), bits(orig.data));
  });
  // Header padded so the data starts 4-byte aligned.
  assert.equal(blob.readUInt32LE(8) % 4, 0);
  assert.deepEqual(decodeTensors(encodeTensors([])), []);
});

test('decoding copes with a blob at an odd offset in a larger buffer', () => {
  const blob = encodeTensors(sample);
  const host = Buffer.alloc(blob.length + 1);
  blob.copy(host, 1);
  assert.deepEqual(bits(decodeTensors(host.subarray(1))[0]!.data), bits(sample[0]!.data));
});

test('encoding refuses data that does not fit the shape, and duplicate names', () => {
  assert.throws(() => encodeTensors([{ name: 'a', shape: [2, 2], data: new Float32Array(3) }]), StoreError);
  assert.throws(() => encodeTensors([{ name: 'a', shape: [-1], data: new Float32Array(0) }]), StoreError);
  const a = { name: 'a', shape: [1], data: new Float32Array(1) };
  assert.throws(() => encodeTensors([a, a]), StoreError);
});

test('corrupt blobs raise StoreError', () => {
  const good = encodeTensors(sample);
  const headerBytes = good.readUInt32LE(8);
  const corruptions: Record<string, (b: Buffer) => Buffer> = {
    empty: () => Buffer.alloc(0),
    'bad magic': (b) => (b.write('XXXX', 0), b),
    'unknown version': (b) => (b.writeUInt32LE(99, 4), b),
    'header length past the end': (b) => (b.writeUInt32LE(b.length, 8), b),
    'header not JSON': (b) => (b.write('{', 12), b),
    'truncated data': (b) => b.subarray(0, b.length - 4),
    'trailing bytes': (b) => Buffer.concat([b, Buffer.alloc(4)]),
    'header not a list': (b) => {
      const json = Buffer.from('{}'.padEnd(headerBytes, ' '));
      json.copy(b, 12);
      return b;
    },
  };
  for (const [what, damage] of Object.entries(corruptions)) {
    assert.throws(
      () => decodeTensors(damage(Buffer.from(good))),
      (err: unknown) => err instanceof StoreError && /corrupt/.test(err.message),
      what,
    );
  }
});
