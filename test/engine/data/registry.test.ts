import assert from 'node:assert/strict';
import { test } from 'node:test';

import { loadBuiltin } from '../../../src-main/engine/data/registry.ts';
import {
  BUILTIN_DATASETS,
  MNIST_INFO,
  SPIRAL_INFO,
  builtinInfo,
  isBuiltin,
} from '../../../src-main/host/datasets.ts';

test('registry: lists spiral and mnist without loading them', () => {
  assert.deepEqual(
    BUILTIN_DATASETS.map((d) => d.name),
    ['spiral', 'mnist'],
  );
  assert.ok(isBuiltin('spiral'));
  assert.ok(isBuiltin('mnist'));
  assert.ok(!isBuiltin('fashion'));
  assert.equal(builtinInfo('mnist'), MNIST_INFO);
  assert.equal(builtinInfo('nope'), undefined);
});

test('registry: loads spiral, matching its static info', async () => {
  const d = await loadBuiltin('spiral');
  assert.deepEqual(d.info, SPIRAL_INFO);
  assert.equal(d.train.n, 10_000);
});

test('registry: an unknown name is an error listing the built-in names', async () => {
  await assert.rejects(loadBuiltin('cifar'), /unknown built-in dataset "cifar".*spiral, mnist/);
});

test('mnist: loads 60000 / 10000 images in [0, 1] with 10 classes', async () => {
  const fractions: number[] = [];
  const d = await loadBuiltin('mnist', { onProgress: (f) => fractions.push(f) });
  assert.deepEqual(d.info, MNIST_INFO);
  assert.equal(d.train.n, 60_000);
  assert.equal(d.test.n, 10_000);
  assert.equal(d.train.x.length, 60_000 * 784);
  assert.equal(d.test.x.length, 10_000 * 784);
  assert.equal(d.train.y!.length, 60_000);
  // The well-known first labels of each split.
  assert.deepEqual(Array.from(d.train.y!.subarray(0, 5)), [5, 0, 4, 1, 9]);
  assert.deepEqual(Array.from(d.test.y!.subarray(0, 5)), [7, 2, 1, 0, 4]);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of d.train.x) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  assert.deepEqual([lo, hi], [0, 1]);
  // Grey levels are kept, not binarised.
  assert.ok(d.train.x.some((v) => v > 0 && v < 1));
  assert.deepEqual(new Set(d.train.y).size, 10);
  assert.deepEqual(new Set(d.test.y).size, 10);
  assert.equal(fractions.at(-1), 1);
  assert.ok(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!));
});
