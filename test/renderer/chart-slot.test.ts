/** Chart redraws through the queue: a refresh never reaches a chart that a rebuild has destroyed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChartSlot, type Drawable } from '../../src-renderer/src/charts/chart-slot.ts';

// The queue draws one chart per animation frame; here frames run when the test says.
const frames: (() => void)[] = [];
(globalThis as { requestAnimationFrame?: (draw: () => void) => number }).requestAnimationFrame = (draw) =>
  frames.push(draw);
function flushFrames(): void {
  while (frames.length > 0) frames.shift()!();
}

/** Stands in for a Chart.js instance: like it, update() after destroy() throws. */
class FakeChart implements Drawable {
  static made = 0;
  readonly id = ++FakeChart.made;
  updates = 0;
  destroyed = false;
  update(): void {
    if (this.destroyed) throw new TypeError("Cannot read properties of null (reading 'ownerDocument')");
    this.updates++;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

test('a refresh queued before a rebuild does not update the destroyed chart', () => {
  const slot = new ChartSlot(() => new FakeChart());
  slot.rebuild();
  flushFrames();
  const first = slot.current!;
  // New points, then a theme change, then more points, all before the next frame.
  slot.refresh(() => {});
  slot.rebuild();
  slot.refresh(() => {});
  assert.doesNotThrow(flushFrames);
  assert.ok(first.destroyed);
  assert.notEqual(slot.current, first);
  assert.equal(first.updates, 0);
});

test('refreshes update the drawn chart in place, once per frame', () => {
  const slot = new ChartSlot(() => new FakeChart());
  slot.rebuild();
  flushFrames();
  const chart = slot.current!;
  let applied = 0;
  slot.refresh(() => applied++);
  slot.refresh(() => applied++);
  flushFrames();
  assert.equal(chart.updates, 1, 'the second request replaced the first');
  assert.equal(applied, 1);
  assert.equal(slot.current, chart);
});

test('destroying the slot drops its queued work and the chart', () => {
  const slot = new ChartSlot(() => new FakeChart());
  slot.rebuild();
  flushFrames();
  const chart = slot.current!;
  slot.refresh(() => {});
  slot.destroy();
  assert.doesNotThrow(flushFrames);
  assert.ok(chart.destroyed);
  assert.equal(slot.current, null);
  slot.rebuild();
  slot.destroy();
  flushFrames();
  assert.equal(slot.current, null, 'a build queued before destroy never runs');
});
