import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pcaProjection, umapProjection } from '../../../src-main/engine/evaluation/projection.ts';
import { createNormalRng } from '../../../src-main/common/random.ts';

const column = (coords: Float32Array, j: number): number[] =>
  Array.from({ length: coords.length / 2 }, (_, i) => coords[i * 2 + j]!);
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const variance = (xs: number[]): number => mean(xs.map((x) => (x - mean(xs)) ** 2));

describe('pcaProjection', () => {
  it('puts all the variance of points on a line in the first component', () => {
    // p_i = c + t_i v in 4-D: centred, the first coordinate is |v| (t_i - mean t) (sign fixed by
    // v's largest loading, 2, being positive) and the second is 0.
    const c = [1, -2, 3, 0.5];
    const v = [1, 2, -1, 0.5];
    const t = [-3, -1, 0, 0.5, 2, 4, 7];
    const points = Float32Array.from(t.flatMap((ti) => c.map((cj, j) => cj + ti * v[j]!)));
    const coords = pcaProjection(points, t.length, 4);
    const norm = Math.hypot(...v);
    const tMean = mean(t);
    t.forEach((ti, i) => {
      assert.ok(Math.abs(coords[i * 2]! - norm * (ti - tMean)) < 1e-4, `first coordinate of point ${i}`);
      assert.ok(Math.abs(coords[i * 2 + 1]!) < 1e-4, `second coordinate of point ${i}`);
    });
    assert.ok(Math.abs(variance(column(coords, 0)) - norm ** 2 * variance(t)) < 1e-3);
  });

  it('pads 1-D points with a zero second coordinate', () => {
    const coords = pcaProjection(Float32Array.from([1, 2, 6]), 3, 1);
    assert.deepEqual(Array.from(coords), [-2, 0, -1, 0, 3, 0]);
  });

  it('rotates centred 2-D points: distances kept, larger variance first', () => {
    const points = Float32Array.from([0, 0, 1, 1, 2, 2.5, 3, 2.8, 4, 4.1]);
    const coords = pcaProjection(points, 5, 2);
    for (let a = 0; a < 5; a++) {
      for (let b = a + 1; b < 5; b++) {
        const before = Math.hypot(points[a * 2]! - points[b * 2]!, points[a * 2 + 1]! - points[b * 2 + 1]!);
        const after = Math.hypot(coords[a * 2]! - coords[b * 2]!, coords[a * 2 + 1]! - coords[b * 2 + 1]!);
        assert.ok(Math.abs(before - after) < 1e-5);
      }
    }
    assert.ok(Math.abs(mean(column(coords, 0))) < 1e-6 && Math.abs(mean(column(coords, 1))) < 1e-6);
    assert.ok(variance(column(coords, 0)) > variance(column(coords, 1)));
  });

  it('gives zeros for a single point or coincident points', () => {
    assert.deepEqual(Array.from(pcaProjection(Float32Array.from([1, 2, 3]), 1, 3)), [0, 0]);
    assert.deepEqual(Array.from(pcaProjection(Float32Array.from([1, 2, 1, 2]), 2, 2)), [0, 0, 0, 0]);
  });

  it('rejects a wrong shape', () => {
    assert.throws(() => pcaProjection(new Float32Array(5), 2, 3), RangeError);
  });
});

/** Two Gaussian blobs in 5-D, unit spread, centres 20 apart; the first half is blob A. */
function twoBlobs(perBlob: number, seed: number): Float32Array {
  const normal = createNormalRng(seed);
  const dim = 5;
  const points = new Float32Array(2 * perBlob * dim);
  for (let i = 0; i < 2 * perBlob; i++) {
    const offset = i < perBlob ? 0 : 20;
    for (let j = 0; j < dim; j++) points[i * dim + j] = offset + normal();
  }
  return points;
}

describe('umapProjection', () => {
  const perBlob = 40;
  const points = twoBlobs(perBlob, 7);

  it('is reproducible for a seed', () => {
    const a = umapProjection(points, 2 * perBlob, 5, { seed: 3, nEpochs: 50 });
    const b = umapProjection(points, 2 * perBlob, 5, { seed: 3, nEpochs: 50 });
    assert.deepEqual(a, b);
    const c = umapProjection(points, 2 * perBlob, 5, { seed: 4, nEpochs: 50 });
    assert.notDeepEqual(a.coords, c.coords);
  });

  it('keeps two well separated blobs apart and reports progress', () => {
    const progress: number[] = [];
    const { indices, coords } = umapProjection(points, 2 * perBlob, 5, {
      seed: 1,
      nEpochs: 50,
      onProgress: (f) => progress.push(f),
    });
    assert.deepEqual(
      indices,
      Int32Array.from({ length: 2 * perBlob }, (_, i) => i),
    );
    assert.equal(coords.length, 2 * perBlob * 2);
    assert.ok(coords.every(Number.isFinite));
    assert.equal(progress.length, 50);
    assert.equal(progress.at(-1), 1);

    // Every point's nearest embedded neighbour comes from its own blob.
    const blob = (i: number): number => (i < perBlob ? 0 : 1);
    for (let i = 0; i < 2 * perBlob; i++) {
      let nearest = -1;
      let best = Infinity;
      for (let j = 0; j < 2 * perBlob; j++) {
        if (j === i) continue;
        const d = Math.hypot(coords[i * 2]! - coords[j * 2]!, coords[i * 2 + 1]! - coords[j * 2 + 1]!);
        if (d < best) {
          best = d;
          nearest = j;
        }
      }
      assert.equal(blob(nearest), blob(i), `point ${i}`);
    }
    // And the blobs' centres are further apart than either blob is wide.
    const centre = (b: number): [number, number] => {
      const members = [...Array(2 * perBlob).keys()].filter((i) => blob(i) === b);
      return [mean(members.map((i) => coords[i * 2]!)), mean(members.map((i) => coords[i * 2 + 1]!))];
    };
    const [ca, cb] = [centre(0), centre(1)];
    const gap = Math.hypot(ca[0] - cb[0], ca[1] - cb[1]);
    for (let i = 0; i < 2 * perBlob; i++) {
      const own = blob(i) === 0 ? ca : cb;
      assert.ok(Math.hypot(coords[i * 2]! - own[0], coords[i * 2 + 1]! - own[1]) < gap / 2);
    }
  });

  it('embeds a seeded, sorted subsample of at most maxPoints rows', () => {
    const options = { seed: 5, nEpochs: 20, maxPoints: 30 };
    const a = umapProjection(points, 2 * perBlob, 5, options);
    assert.equal(a.indices.length, 30);
    assert.equal(a.coords.length, 60);
    assert.equal(new Set(a.indices).size, 30);
    for (let i = 1; i < a.indices.length; i++) assert.ok(a.indices[i]! > a.indices[i - 1]!);
    assert.ok(a.indices.every((i) => i >= 0 && i < 2 * perBlob));
    assert.deepEqual(umapProjection(points, 2 * perBlob, 5, options), a);
  });

  it('handles sets smaller than the neighbourhood', () => {
    const few = umapProjection(points.subarray(0, 6 * 5), 6, 5, { seed: 1, nEpochs: 10 });
    assert.equal(few.coords.length, 12);
    assert.ok(few.coords.every(Number.isFinite));
    const two = umapProjection(points.subarray(0, 2 * 5), 2, 5, { seed: 1 });
    assert.equal(two.coords.length, 4);
  });
});
