import assert from 'node:assert/strict';
import { test } from 'node:test';

import { loadSpiral, SPIRAL_NOISE_SD, spiralArc } from '../../../src-main/engine/data/spiral.ts';
import { SPIRAL_INFO } from '../../../src-main/host/datasets.ts';

test('spiral: same seed gives the same data, another seed other data', () => {
  const a = loadSpiral();
  const b = loadSpiral(0);
  assert.deepEqual(a.train.x, b.train.x);
  assert.deepEqual(a.test.x, b.test.x);
  assert.deepEqual(a.train.y, b.train.y);
  const c = loadSpiral(1);
  assert.notDeepEqual(c.train.x, a.train.x);
  // The test set is drawn from its own seed stream, not a copy of the first training points.
  assert.notDeepEqual(a.test.x, a.train.x.subarray(0, a.test.x.length));
});

test('spiral: shapes, info and balanced labels 0..4', () => {
  const d = loadSpiral();
  assert.equal(d.train.n, 10_000);
  assert.equal(d.test.n, 2_000);
  assert.equal(d.train.x.length, 20_000);
  assert.equal(d.test.x.length, 4_000);
  assert.deepEqual(d.info, SPIRAL_INFO);
  assert.equal(d.info.name, 'spiral');
  assert.equal(d.info.kind, 'table');
  assert.deepEqual(d.info.shape, [2]);
  assert.equal(d.info.numClasses, 5);
  assert.equal(d.info.split, 'source');
  for (const [split, perClass] of [
    [d.train, 2_000],
    [d.test, 400],
  ] as const) {
    const counts = [0, 0, 0, 0, 0];
    for (const label of split.y!) counts[label]!++;
    assert.deepEqual(counts, [perClass, perClass, perClass, perClass, perClass]);
  }
  const all = [...d.train.x, ...d.test.x];
  assert.deepEqual(d.info.valueRange, [Math.min(...all), Math.max(...all)]);
  assert.ok(d.info.valueRange[0] > -4 && d.info.valueRange[1] < 4);
});

test('spiral: every point lies near its own arc', () => {
  const d = loadSpiral();
  const tolerance = 5 * SPIRAL_NOISE_SD;
  for (const split of [d.train, d.test]) {
    for (let i = 0; i < split.n; i++) {
      const arc = spiralArc(split.y![i]!);
      const dx = split.x[2 * i]! - arc.cx;
      const dy = split.x[2 * i + 1]! - arc.cy;
      // On the circle...
      assert.ok(Math.abs(Math.hypot(dx, dy) - arc.radius) < tolerance, `point ${i} is off its circle`);
      // ...and within the half of it that the arc covers (angle measured from the arc's start).
      const along = (((Math.atan2(dy, dx) - arc.start) % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
      assert.ok(along < Math.PI + 0.3 || along > 2 * Math.PI - 0.3, `point ${i} is off its arc (${along})`);
    }
  }
});

test('spiral: the five noise-free arcs are far apart compared to the noise', () => {
  const points = (k: number) =>
    Array.from({ length: 101 }, (_, j) => {
      const arc = spiralArc(k);
      const a = arc.start + (Math.PI * j) / 100;
      return [arc.cx + arc.radius * Math.cos(a), arc.cy + arc.radius * Math.sin(a)] as const;
    });
  let closest = Infinity;
  for (let a = 0; a < 5; a++) {
    for (let b = a + 1; b < 5; b++) {
      for (const p of points(a))
        for (const q of points(b)) closest = Math.min(closest, Math.hypot(p[0] - q[0], p[1] - q[1]));
    }
  }
  assert.ok(closest > 20 * SPIRAL_NOISE_SD, `closest arcs are only ${closest} apart`);
});
