/** The line charts' pure helpers: the tooltip's look-up, the log-axis check, the CSV download. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  allPositive,
  drawnSeries,
  faint,
  fileStem,
  nearestIndex,
  portableSvg,
  seriesCsv,
} from '../../src-renderer/src/charts/series-tools.ts';

const xy = (...xs: number[]) => xs.map((x) => ({ x, y: x * 10 }));

test('nearestIndex finds the point nearest an x in a sorted series', () => {
  const s = xy(0, 1, 2, 5, 9);
  assert.equal(nearestIndex(s, -3), 0);
  assert.equal(nearestIndex(s, 1.4), 1);
  assert.equal(nearestIndex(s, 3.6), 3);
  assert.equal(nearestIndex(s, 100), 4);
  assert.equal(nearestIndex([], 1), -1);
  assert.equal(nearestIndex(xy(7), 1), 0);
});

test('a log axis is offered only when every finite value is positive', () => {
  assert.equal(allPositive([{ data: xy(1, 2) }, { data: [{ x: 0, y: NaN }] }]), true);
  assert.equal(allPositive([{ data: xy(1) }, { data: [{ x: 0, y: -3 }] }]), false);
  assert.equal(allPositive([{ data: xy(0) }]), false, 'zero has no logarithm');
  assert.equal(allPositive([{ data: [] }]), false, 'nothing to draw');
});

test('seriesCsv writes one row per x, a column per series, blanks where a series has no point', () => {
  const csv = seriesCsv(
    [
      {
        label: 'train',
        data: [
          { x: 1, y: 0.5 },
          { x: 2, y: 0.25 },
        ],
      },
      {
        label: 'test, held out',
        data: [
          { x: 2, y: 0.75 },
          { x: 3, y: NaN },
        ],
      },
    ],
    'epoch',
  );
  assert.equal(csv, 'epoch,train,"test, held out"\n1,0.5,\n2,0.25,0.75\n3,,\n');
});

test('file names and faint colours', () => {
  assert.equal(fileStem('ELBO (nats, higher is better)'), 'elbo-nats-higher-is-better');
  assert.equal(fileStem('λ'), 'chart');
  assert.equal(faint('#4e79a7'), 'rgba(78, 121, 167, 0.25)');
  assert.equal(faint('red'), 'red');
});

test('smoothing draws each series twice: raw beneath, then its EMA thinned after smoothing', () => {
  const steps = Array.from({ length: 1000 }, (_, i) => ({ x: i, y: i % 2 }));
  const plain = drawnSeries([{ data: steps }], 0, 100);
  assert.deepEqual(
    plain.map((d) => [d.series, d.raw, d.data.length]),
    [[0, false, 101]],
  );
  const smooth = drawnSeries([{ data: steps }, { data: xy(1, 2) }], 0.9, 100);
  assert.deepEqual(
    smooth.map((d) => [d.series, d.raw]),
    [
      [0, true],
      [0, false],
      [1, true],
      [1, false],
    ],
  );
  // Smoothed over all 1000 points, then thinned: the alternating 0/1 averages out near 0.5.
  assert.ok(smooth[1]!.data.slice(10).every((p) => Math.abs(p.y - 0.5) < 0.1));
});

test('portableSvg writes #rrggbbaa as a colour and an opacity, and drops undefined decorations', () => {
  assert.equal(
    portableSvg(
      '<path fill="none" stroke="#00000014" d="M 0 0"/><text fill="#1a1e24" text-decoration="undefined">a</text>',
    ),
    '<path fill="none" stroke="#000000" stroke-opacity="0.078" d="M 0 0"/><text fill="#1a1e24">a</text>',
  );
  assert.equal(portableSvg('<rect fill="#FFFFFF80"/>'), '<rect fill="#FFFFFF" fill-opacity="0.502"/>');
});
