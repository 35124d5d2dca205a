/**
 * The stall benchmark (scripts/ui-stalls.ts) measures: two spiral runs train through the real
 * server while the Run and Compare screens (Compare with one metric, then with all) are watched, and each screen gets figures. How long
 * the stalls are is the benchmark's to print (`node scripts/ui-stalls.ts`), not a test's to judge.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describe, measureTrainingStalls } from '../../scripts/ui-stalls.ts';

test(
  'the stall benchmark records the longest task and frame gap on the Run and Compare screens',
  { timeout: 240_000 },
  async (t) => {
    const report = await measureTrainingStalls({ seconds: 2, epochs: 500 });
    for (const line of describe(report).split('\n')) t.diagnostic(line);
    assert.deepEqual(
      report.screens.map((s) => s.screen),
      ['run', 'compare', 'compare-all'],
    );
    for (const s of report.screens) {
      assert.ok(s.frames > 10, `${s.screen}: frames were counted (${s.frames})`);
      for (const figure of [s.maxFrameGapMs, s.longestTaskMs, s.gapsOver100, s.longTasks])
        assert.ok(Number.isFinite(figure) && figure >= 0, `${s.screen}: ${JSON.stringify(s)}`);
      assert.ok(s.maxFrameGapMs > 0, `${s.screen}: a frame gap was measured`);
      assert.equal(s.bothTraining, true, `${s.screen}: both runs were training while it was watched`);
    }
  },
);
