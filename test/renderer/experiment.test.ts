/** The runs table as an experiment table: its columns, filters, groups and times. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ALL_COLUMNS,
  cellText,
  column,
  etaSeconds,
  elapsedSeconds,
  metricTitle,
} from '../../src-renderer/src/runs/columns.ts';
import { applyFilters, groupRuns, matchesFilter, meanSd } from '../../src-renderer/src/runs/experiment.ts';
import { heightOn, parallelAxes, parallelLines } from '../../src-renderer/src/runs/parallel.ts';
import { nextSort, sortRuns } from '../../src-renderer/src/runs/table.ts';
import { runSummary as run } from '../helpers/run-summary.ts';

const runs = [
  run(1, { lambda: 0.5, lr: 1e-3 }, { metrics: { accuracy: 0.6, elbo: -5 } }),
  run(2, { lambda: 0.5, lr: 1e-4 }, { metrics: { accuracy: 0.8, elbo: -4 } }),
  run(3, { lambda: 1, lr: 1e-3 }, { metrics: { accuracy: 0.9 } }),
  run(4, { lambda: 0.1 + 0.2 }, { status: 'failed' }),
];

test('every setting and every final metric can be a column, headed by the settings table', () => {
  assert.ok(ALL_COLUMNS.includes('xDim') && ALL_COLUMNS.includes('nmi') && ALL_COLUMNS.includes('eta'));
  assert.equal(column('xDim').label, 'Dx', "the settings table's label, not the key");
  assert.equal(column('lambda').label, 'λ');
  assert.equal(column('nmi').label, 'NMI');
  assert.equal(metricTitle('test/accuracy_hungarian'), 'test · Acc. Hungarian');
  assert.equal(metricTitle('train/step_loss'), 'train · Loss per step');
  assert.equal(metricTitle('test/new_thing'), 'test · new_thing');
  assert.equal(metricTitle('epoch_seconds'), 'Seconds per epoch');
  assert.equal(metricTitle('memory/bytes'), 'memory · Tensor bytes');
  assert.equal(cellText(runs[0]!, 'lr', 0), '1e-3');
  assert.equal(cellText(runs[1]!, 'accuracy', 0), '80.0%');
  assert.equal(cellText(runs[3]!, 'accuracy', 0), '—');
  assert.deepEqual(
    sortRuns(runs, { key: 'lr', direction: 'asc' }).map((r) => r.id),
    [2, 4, 3, 1],
    'ties keep the newest first',
  );
});

test("the best-ELBO checkpoint's accuracy is a column of its own, beside the final one", () => {
  const withBest = run(
    8,
    {},
    { metrics: { accuracy: 0.9 }, bestCheckpoint: { epoch: 2, metrics: { accuracy: 0.75 } } },
  );
  assert.ok(ALL_COLUMNS.includes('bestAccuracy'));
  assert.equal(column('bestAccuracy').label, 'Acc. best ELBO');
  assert.equal(cellText(withBest, 'accuracy', 0), '90.0%');
  assert.equal(cellText(withBest, 'bestAccuracy', 0), '75.0%');
  assert.equal(cellText(runs[0]!, 'bestAccuracy', 0), '—', 'none before its first checkpoint');
  assert.deepEqual(
    sortRuns([runs[0]!, withBest], { key: 'bestAccuracy', direction: 'desc' }).map((r) => r.id),
    [8, 1],
  );
  assert.deepEqual(
    nextSort({ key: 'name', direction: 'asc' }, 'bestAccuracy'),
    {
      key: 'bestAccuracy',
      direction: 'desc',
    },
    'a score: highest first, as the metrics',
  );
  const other = run(9, {}, { bestCheckpoint: { epoch: 3, metrics: { accuracy: 0.65 } } });
  const [group] = groupRuns([withBest, other], 'lambda', ['bestAccuracy']);
  assert.ok(Math.abs(group!.stats.bestAccuracy!.mean - 0.7) < 1e-12, 'groups average it');
});

test("a setting the run's formulation does not read has no value in the table (λ of v1 and Shu)", () => {
  const byModel = [run(5, { model: 'v2' }), run(6, { model: 'v1' }), run(7, { model: 'shu' })];
  assert.deepEqual(
    byModel.map((r) => cellText(r, 'lambda', 0)),
    ['0.5', '—', '—'],
  );
  assert.deepEqual(
    applyFilters(byModel, [{ column: 'lambda', op: '=', value: '0.5' }], 0).map((r) => r.id),
    [5],
  );
  assert.deepEqual(
    byModel.map((r) => cellText(r, 'k', 0)),
    ['8', '8', '8'],
    'settings every formulation reads keep their value',
  );
});

test('a filter on a column keeps the runs whose value matches', () => {
  const ids = (f: Parameters<typeof applyFilters>[1]) => applyFilters(runs, f, 0).map((r) => r.id);
  assert.deepEqual(ids([{ column: 'lambda', op: '=', value: '0.5' }]), [1, 2]);
  assert.deepEqual(ids([{ column: 'lambda', op: '=', value: '0.3' }]), [4], '0.1 + 0.2 equals 0.3');
  assert.deepEqual(ids([{ column: 'lr', op: '=', value: '1e-3' }]), [1, 3, 4]);
  assert.deepEqual(ids([{ column: 'accuracy', op: '>', value: '0.7' }]), [2, 3]);
  assert.deepEqual(ids([{ column: 'accuracy', op: '≥', value: '0.8' }]), [2, 3]);
  assert.deepEqual(
    ids([{ column: 'accuracy', op: '≠', value: '0.8' }]),
    [1, 3],
    'a missing value never matches',
  );
  assert.deepEqual(
    ids([
      { column: 'lambda', op: '=', value: '0.5' },
      { column: 'accuracy', op: '<', value: '0.7' },
    ]),
    [1],
    'filters combine',
  );
  assert.deepEqual(ids([{ column: 'optimizer', op: '=', value: 'ADAM' }]), [1, 2, 3, 4]);
  assert.equal(matchesFilter(runs[0]!, { column: 'backend', op: 'contains', value: 'cp' }, 0), true);
});

test('grouping by a setting gives each group mean ± sd of its final metrics', () => {
  const groups = groupRuns(runs, 'lambda', ['accuracy', 'elbo']);
  assert.deepEqual(
    groups.map((g) => [g.label, g.runs.map((r) => r.id)]),
    [
      ['0.30000000000000004', [4]],
      ['0.5', [1, 2]],
      ['1', [3]],
    ],
  );
  const half = groups[1]!;
  assert.ok(Math.abs(half.stats.accuracy!.mean - 0.7) < 1e-12);
  assert.ok(Math.abs(half.stats.accuracy!.sd! - Math.SQRT2 * 0.1) < 1e-12);
  assert.deepEqual(groups[2]!.stats.accuracy, { mean: 0.9, sd: null, n: 1 });
  assert.equal(groups[2]!.stats.elbo, null, 'no run of the group has it');
  assert.equal(meanSd([1, NaN, undefined, 3])!.n, 2);
});

test('a running run counts its time between epochs and estimates what is left', () => {
  const updatedAt = '2026-01-01T00:00:00.000Z';
  const live = run(
    5,
    { epochs: 10, batchSize: 100 },
    {
      status: 'running',
      updatedAt,
      trainSeconds: 30,
      progress: {
        phase: 'training',
        epoch: 8,
        batch: 5,
        batches: 10,
        step: 85,
        loss: 1,
        examplesPerSecond: 500,
      },
    },
  );
  const now = Date.parse(updatedAt) + 4000;
  assert.equal(elapsedSeconds(live, now), 34);
  // Epoch 9 of 10 half done, then epoch 10: 15 batches of 100 at 500 examples a second.
  assert.equal(etaSeconds(live), 3);
  assert.equal(cellText(live, 'eta', now), '3.0 s');
  assert.equal(etaSeconds(runs[0]!), null, 'a finished run has no ETA');
  assert.equal(elapsedSeconds(runs[0]!, now), 10);
});

test("a run trained by another process estimates what is left at its last epoch's pace", () => {
  const pace = { stepsPerEpoch: 1200, secondsPerStep: 0.5 };
  const foreign = run(6, { epochs: 3, batchSize: 50 }, { status: 'running', step: 1800, pace });
  // Epochs 2 and 3 of 3 at 1,200 steps each, 600 of them done: 1,800 steps at 0.5 s.
  assert.equal(etaSeconds(foreign), 900);
  assert.equal(etaSeconds({ ...foreign, status: 'interrupted' }), null);
  assert.equal(etaSeconds({ ...foreign, pace: null }), null, 'no pace before its first epoch ends');
  // Live progress that cannot give a speed (evaluating) is not overridden by an older pace.
  const evaluating = {
    phase: 'evaluating' as const,
    epoch: 1,
    batch: 0,
    batches: 0,
    step: 2400,
    loss: 1,
    examplesPerSecond: 0,
  };
  assert.equal(etaSeconds({ ...foreign, progress: evaluating }), null);
});

test('parallel coordinates: an axis per differing setting, then the metric; a line per run', () => {
  const axes = parallelAxes(runs.slice(0, 3), 'accuracy');
  assert.deepEqual(
    axes.map((a) => a.label),
    ['λ (min. information)', 'Learning rate', 'Accuracy'],
  );
  const lr = axes[1]!;
  assert.equal(lr.log, false, 'one decade stays linear');
  assert.deepEqual(
    lr.ticks.map((t) => t.text),
    ['1e-4', '1e-3'],
  );
  const lines = parallelLines(runs, axes);
  assert.equal(lines.length, runs.length);
  assert.deepEqual(lines[0]!.heights, [0, 1, 0], 'run 1: lowest λ, highest lr, lowest accuracy');
  assert.deepEqual(lines[2]!.heights, [1, 1, 1]);
  assert.equal(lines[3]!.metric, null, 'a run without the metric has no colour');
  const wide = parallelAxes([run(1, { lr: 1e-5 }), run(2, { lr: 1e-2 })], 'nmi')[0]!;
  assert.equal(wide.log, true, 'three decades: a log axis');
  assert.ok(Math.abs(heightOn(wide, 1e-3)! - 2 / 3) < 1e-12);
  const choice = parallelAxes(
    [run(1, { optimizer: 'adam' }), run(2, { optimizer: 'adam-reset' })],
    'nmi',
  )[0]!;
  assert.deepEqual(choice.categories, ['adam', 'adam-reset']);
  assert.equal(heightOn(choice, 'adam-reset'), 1);
});
