/** The renderer's pure logic: routes, token handling, sorting and filtering, smoothing, diffing, validation. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunSummary } from '../../src-main/common/api/contract.ts';
import { defaultConfigFor } from '../../src-main/common/config.ts';
import { formatSetting, SETTINGS } from '../../src-main/common/settings.ts';
import { ema, thin } from '../../src-renderer/src/charts/smoothing.ts';
import { projectionGroups, syntheticProjection } from '../../src-renderer/src/charts/projection.ts';
import { cellText, paramRows, visibleRows } from '../../src-renderer/src/compare/diff.ts';
import { runBrief } from '../../src-renderer/src/compare/run-brief.ts';
import { parseRoute, href } from '../../src-renderer/src/lib/routes.ts';
import { backoffMs, socketUrl, takeToken } from '../../src-renderer/src/lib/token.ts';
import { fmt, fmtPercent, plural } from '../../src-renderer/src/lib/format.ts';
import {
  backendToUse,
  fieldError,
  formErrors,
  fromForm,
  overrides,
  toForm,
} from '../../src-renderer/src/new-run/fields.ts';
import { clusterLabelMatrix, majorityByCluster } from '../../src-renderer/src/run/matrix.ts';
import { SeriesSet } from '../../src-renderer/src/run/series.ts';
import { filterRuns, nextSort, sortRuns } from '../../src-renderer/src/runs/table.ts';
import { runSummary, SPIRAL_INFO as spiral } from '../helpers/run-summary.ts';

function run(id: number, { k, ...patch }: Partial<RunSummary> & { k?: number } = {}): RunSummary {
  return runSummary(id, k ? { k } : {}, patch);
}

test('routes parse and print', () => {
  assert.deepEqual(parseRoute(''), { name: 'runs' });
  assert.deepEqual(parseRoute('#/runs/12'), { name: 'run', id: 12 });
  assert.deepEqual(parseRoute('#/compare?ids=1,2,2,x'), { name: 'compare', ids: [1, 2] });
  assert.deepEqual(parseRoute('#/new?from=3'), { name: 'new', from: 3, dataset: null, epochs: null });
  assert.deepEqual(parseRoute('#/datasets/my%20set'), { name: 'datasets', selected: 'my set' });
  assert.equal(parseRoute('#/nope').name, 'not-found');
  assert.deepEqual(parseRoute(href.newRun({ dataset: 'spiral' })), {
    name: 'new',
    from: null,
    dataset: 'spiral',
    epochs: null,
  });
  assert.deepEqual(parseRoute(href.newRun({ dataset: 'spiral', epochs: 20 })), {
    name: 'new',
    from: null,
    dataset: 'spiral',
    epochs: 20,
  });
  assert.deepEqual(parseRoute(href.compare([4, 5])), { name: 'compare', ids: [4, 5] });
});

test('the token is taken from the URL, kept, and removed from the address', () => {
  const store = new Map<string, string>();
  const storage = {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
  };
  const first = takeToken('http://127.0.0.1:8321/?token=abc#/runs/2', storage);
  assert.deepEqual(first, { token: 'abc', cleanedUrl: '/#/runs/2' });
  assert.deepEqual(takeToken('http://127.0.0.1:8321/#/runs', storage), { token: 'abc', cleanedUrl: null });
  assert.equal(socketUrl('https://h:1/x?token=a', '/api', 't'), 'wss://h:1/api?token=t');
  assert.equal(socketUrl('http://h:1/', '/api', null), 'ws://h:1/api');
  assert.ok(backoffMs(0, () => 0.5) === 500 && backoffMs(10, () => 0.5) === 10_000);
});

test('runs sort by any column with missing values last, and filter', () => {
  const runs = [
    run(1, { metrics: { accuracy: 0.5 }, k: 4 }),
    run(2, { k: 16 }),
    run(3, { metrics: { accuracy: 0.9 }, name: 'best', tags: ['sweep'], k: 8 }),
  ];
  assert.deepEqual(
    sortRuns(runs, { key: 'accuracy', direction: 'desc' }).map((r) => r.id),
    [3, 1, 2],
  );
  assert.deepEqual(
    sortRuns(runs, { key: 'accuracy', direction: 'asc' }).map((r) => r.id),
    [1, 3, 2],
  );
  assert.deepEqual(
    sortRuns(runs, { key: 'k', direction: 'asc' }).map((r) => r.id),
    [1, 3, 2],
  );
  assert.deepEqual(
    filterRuns(runs, { status: 'all', dataset: 'all', search: 'sweep' }).map((r) => r.id),
    [3],
  );
  assert.deepEqual(filterRuns(runs, { status: 'failed', dataset: 'all', search: '' }), []);
  assert.deepEqual(nextSort({ key: 'name', direction: 'asc' }, 'name'), { key: 'name', direction: 'desc' });
  assert.deepEqual(nextSort({ key: 'name', direction: 'asc' }, 'accuracy'), {
    key: 'accuracy',
    direction: 'desc',
  });
});

test('EMA smoothing is debiased and skips non-finite values', () => {
  const pts = [1, 1, 1, NaN, 1].map((y, x) => ({ x, y }));
  const out = ema(pts, 0.9);
  assert.ok(out.every((p, i) => (i === 3 ? Number.isNaN(p.y) : Math.abs(p.y - 1) < 1e-12)));
  assert.deepEqual(
    ema(
      [
        { x: 0, y: 0 },
        { x: 1, y: 10 },
      ],
      0,
    ).map((p) => p.y),
    [0, 10],
  );
  const long = Array.from({ length: 10_000 }, (_, x) => ({ x, y: x }));
  const thinned = thin(long, 1000);
  assert.ok(thinned.length <= 1001 && thinned[thinned.length - 1]!.x === 9999);
});

test('hyperparameter rows mark differences, with labels and values as the settings table writes them', () => {
  const a = run(1);
  const b = run(2, { k: 16 });
  const rows = paramRows([a, b], ['k', 'lr']);
  assert.deepEqual(
    visibleRows(rows, true).map((r) => r.key),
    ['k'],
  );
  assert.equal(visibleRows(rows, false).length, 4);
  const lr = rows.find((r) => r.key === 'lr')!;
  assert.equal(lr.label, 'Learning rate');
  assert.equal(cellText(lr, lr.values[0]!), '1e-3');
  // By default every setting has a row (between the dataset's and the backend used), none under its raw key.
  const all = paramRows([a, b]);
  assert.deepEqual(
    all.map((r) => r.key),
    ['dataset', ...SETTINGS.map((s) => s.key), 'backendUsed'],
  );
  assert.equal(all.find((r) => r.key === 'xDim')!.label, 'Dx');
  assert.ok(all.every((r) => r.label !== r.key));
  // A setting the run's formulation does not read has no value there: stored at the same λ and
  // consistency weight as a v2 run, a Shu run shows '—' for both.
  const same = { lambda: 0.5, cvWeight: 1, zPriorGradient: 'authors' } as const;
  const v2 = { ...run(3), config: { ...run(3).config, ...same, model: 'v2' as const } };
  const shu = { ...run(4), config: { ...run(4).config, ...same, model: 'shu' as const } };
  const byKey = new Map(paramRows([v2, shu], ['lambda', 'cvWeight']).map((r) => [r.key, r]));
  assert.deepEqual(byKey.get('lambda')!.values, [0.5, null]);
  assert.deepEqual(byKey.get('cvWeight')!.values, [1, null]);
  assert.equal(cellText(byKey.get('lambda')!, null), '—');
});

test('the new-run form validates like resolveConfig', () => {
  const values = toForm(defaultConfigFor(spiral));
  assert.deepEqual(formErrors(values, spiral), {});
  assert.match(fieldError('lr', { ...values, lr: '2' }, spiral)!, /between 0 and 1/);
  assert.match(fieldError('epochs', { ...values, epochs: '0' }, spiral)!, /≥ 1/);
  assert.equal(fieldError('seed', { ...values, seed: '0' }, spiral), null);
  assert.match(fieldError('k', { ...values, k: '2.5' }, spiral)!, /whole number/);
  assert.match(fieldError('likelihood', { ...values, likelihood: 'bernoulli' }, spiral)!, /\[0,1\]/);
  assert.match(fieldError('arch', { ...values, arch: 'conv' }, spiral)!, /28x28/);
  const config = fromForm({ ...values, epochs: '3', lr: '1e-4' });
  assert.deepEqual(overrides(config, defaultConfigFor(spiral)), { epochs: 3, lr: 1e-4 });
  const backends = [
    { name: 'webgpu' as const, available: true, detail: 'SwiftShader', trainsConv: true, auto: false },
    { name: 'tensorflow' as const, available: false, detail: 'missing', trainsConv: true, auto: true },
    { name: 'blas' as const, available: true, detail: 'OpenBLAS', trainsConv: false, auto: true },
    { name: 'wasm' as const, available: true, detail: 'wasm', trainsConv: false, auto: true },
    { name: 'cpu' as const, available: true, detail: 'js', trainsConv: true, auto: true },
  ];
  assert.equal(backendToUse('auto', 'mlp', backends).name, 'blas');
  assert.equal(backendToUse('auto', 'mlp', backends.slice(3)).name, 'wasm');
  // A software WebGPU adapter is never auto's choice, conv or not, but can be asked for.
  assert.equal(backendToUse('auto', 'conv', backends).name, 'cpu');
  assert.equal(backendToUse('webgpu', 'conv', backends).name, 'webgpu');
  assert.equal(backendToUse('tensorflow', 'mlp', backends).name, null);
});

test('cluster-by-label matrix and projection groups', () => {
  const m = clusterLabelMatrix([0, 0, 1, 2, 2, 2], [1, 1, 0, 0, 0, 1]);
  assert.deepEqual(m.counts, [
    [0, 2],
    [1, 0],
    [2, 1],
  ]);
  assert.deepEqual(
    m.majority.map((r) => r.label),
    [1, 0, 0],
  );
  assert.equal(m.max, 2);
  // The Clusters tab's "mostly": over every member, as the matrix counts.
  assert.deepEqual(majorityByCluster([0, 0, 1, 2, 2, 2], [1, 1, 0, 0, 0, 1]).get(2), {
    label: 0,
    purity: 2 / 3,
    size: 3,
  });
  const p = syntheticProjection(1000, 10);
  const groups = projectionGroups(p, 'pcaX', 'cluster');
  assert.equal(groups.length, 10);
  assert.equal(
    groups.reduce((s, g) => s + g.points.length, 0),
    1000,
  );
  assert.equal(
    projectionGroups(p, 'umapX', 'label').reduce((s, g) => s + g.points.length, 0),
    1000,
  );
});

test('metric series append in place and a resumed run replaces what it redoes', () => {
  const s = SeriesSet.from([
    { runId: 1, step: 50, epoch: 1, name: 'test/elbo', value: -3, time: 0 },
    { runId: 1, step: 10, epoch: 0, name: 'train/step_loss', value: 5, time: 0 },
  ]);
  s.push('test/elbo', 2, -2);
  s.push('test/elbo', 2, -1.5);
  assert.deepEqual(
    s.get('test/elbo').map((p) => p.y),
    [-3, -1.5],
  );
  s.push('test/elbo', 1, -2.5);
  assert.deepEqual(s.get('test/elbo'), [{ x: 1, y: -2.5 }]);
  assert.deepEqual(s.get('train/step_loss'), [{ x: 10, y: 5 }]);
});

test("the compare picker's line names λ only where the formulation reads it", () => {
  const v2 = runSummary(1, { model: 'v2', arch: 'mlp', k: 8, lambda: 0.5 });
  assert.equal(runBrief(v2), 'spiral · v2 · mlp · K 8 · λ 0.5');
  const v1 = runSummary(2, { model: 'v1', arch: 'mlp', k: 8, lambda: 0.5 });
  assert.equal(runBrief(v1), 'spiral · v1 · mlp · K 8');
});

test('formatting', () => {
  assert.equal(fmt(null), '—');
  assert.equal(fmt(NaN), 'NaN');
  assert.equal(fmtPercent(0.953), '95.3%');
  assert.equal(plural(1, 'epoch'), '1 epoch');
  assert.equal(plural('3', 'epoch'), '3 epochs');
  assert.equal(plural(0, 'run'), '0 runs');
  assert.equal(formatSetting('lr', 0.001), '1e-3');
  assert.equal(formatSetting('lr', 2.5e-4), '2.5e-4');
  assert.equal(formatSetting('lr', 0.5), '0.5');
  assert.equal(formatSetting('lambda', 0.001), '0.001', 'only settings with a formatter are rewritten');
  assert.equal(formatSetting('k', null), '—');
});

test('the runs table shows one sweep, or groups runs by sweep', () => {
  assert.deepEqual(parseRoute('#/sweeps'), { name: 'sweeps' });
  assert.deepEqual(parseRoute('#/runs?sweep=4'), { name: 'runs', sweep: 4 });
  assert.equal(href.runs({ sweep: 4 }), '#/runs?sweep=4');
  assert.equal(href.sweeps(), '#/sweeps');
  const runs = [run(1, { sweepId: 2 }), run(2), run(3, { sweepId: 1 }), run(4, { sweepId: 2 })];
  const all = { status: 'all', dataset: 'all', search: '' } as const;
  assert.deepEqual(
    filterRuns(runs, { ...all, sweep: 2 }).map((r) => r.id),
    [1, 4],
  );
  assert.deepEqual(
    filterRuns(runs, { ...all, sweep: 'all' }).map((r) => r.id),
    [1, 2, 3, 4],
  );
  assert.deepEqual(
    filterRuns(runs, { ...all, search: 'sweep:1' }).map((r) => r.id),
    [3],
  );
  // Sorting by sweep groups each sweep's runs; runs of no sweep come last.
  assert.deepEqual(
    sortRuns(runs, { key: 'sweep', direction: 'asc' }).map((r) => r.id),
    [3, 4, 1, 2],
  );
});
