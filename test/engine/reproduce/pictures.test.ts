/**
 * The pictures a reproduction writes: image grids pixel by pixel, charts as SVG with one mark
 * per point, and both kinds drawn from a trained run's checkpoint.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { PNG } from 'pngjs';
import { resolveConfig } from '../../../src-main/common/config.ts';
import type { LoadedDataset } from '../../../src-main/common/dataset.ts';
import { drawCurves, drawRun } from '../../../src-main/engine/reproduce/draw.ts';
import {
  imageGridPng,
  renderSvg,
  scatterSpec,
  squareDomain,
} from '../../../src-main/engine/reproduce/pictures.ts';
import { Store } from '../../../src-main/host/store/index.ts';
import { trainRun } from '../../../src-main/engine/training/trainer.ts';
import { blobs } from '../../helpers/blobs.ts';
import { tempDir } from '../../helpers/temp.ts';

/** Marks drawn in the SVG's symbol layer (one path per point). */
function symbolCount(svg: string): number {
  const start = svg.indexOf('mark-symbol role-mark');
  assert.ok(start >= 0, 'the SVG has a symbol layer');
  const layer = svg.slice(start, svg.indexOf('</g>', start));
  return layer.split('<path').length - 1;
}

describe('imageGridPng', () => {
  test('one row per entry, values as grey (1 = black), a gap where asked, white elsewhere', () => {
    const black = new Float32Array(4).fill(1);
    const grey = new Float32Array(4).fill(0.5);
    // The second row's first cell is empty (a cluster with fewer members): white, not black.
    const file = imageGridPng(
      [
        [black, grey],
        [[], grey],
      ],
      { size: [2, 2], scale: 3, gapsBefore: [1] },
    );
    assert.equal(file[25], 0, 'written as 8-bit grey (IHDR colour type 0)');
    assert.equal(file[24], 8);
    const png = PNG.sync.read(file);
    // pad 2 + 2 images of 6 px + pad after each + a gap of half an image (3 px).
    assert.equal(png.width, 2 + 2 * (6 + 2) + 3);
    assert.equal(png.height, 2 + 2 * (6 + 2));
    const pixel = (x: number, y: number) => png.data[(y * png.width + x) * 4]!;
    assert.equal(pixel(2, 2), 0); // first image, black
    assert.equal(pixel(7, 7), 0);
    assert.equal(pixel(9, 2), 255); // the gap between the groups
    assert.equal(pixel(2 + 8 + 3, 2), 128); // second image, after the gap
    for (let y = 10; y < 16; y++)
      for (let x = 2; x < 8; x++) assert.equal(pixel(x, y), 255, `the empty cell at (${x}, ${y})`);
    assert.equal(pixel(2 + 8 + 3, 10), 128); // second row, second image
  });
});

describe('charts', () => {
  test('a scatter plot has one mark per point on equal axes', async () => {
    const points = [
      { x: 0, y: 0, group: 0 },
      { x: 10, y: 1, group: 1 },
      { x: 5, y: -2, group: 1 },
    ];
    assert.deepEqual(squareDomain(points), [-2.36, 10.36]);
    const svg = await renderSvg(scatterSpec(points, 2, 'three points', 'cluster'));
    assert.match(svg, /^<svg/);
    assert.match(svg, /three points/);
    assert.equal(symbolCount(svg), 3);
  });
});

const overrides = { k: 3, hidden: 16, epochs: 2, batchSize: 50, lr: 3e-3, backend: 'cpu', seed: 2 };

async function trained(data: LoadedDataset, extra: Record<string, unknown> = {}) {
  const store = await Store.open(tempDir());
  store.saveDataset(data);
  const run = store.createRun({
    dataset: data.info.name,
    config: resolveConfig(data.info, { ...overrides, ...extra }),
    status: 'interrupted',
    pid: null,
  });
  return { store, run: await trainRun({ store, runId: run.id, loadDataset: async () => data }) };
}

/** 6x6 images of a horizontal or a vertical bar. */
function bars(n: number): LoadedDataset {
  const make = (count: number) => {
    const x = new Float32Array(count * 36);
    const y = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      y[i] = i % 2;
      for (let j = 0; j < 6; j++) x[i * 36 + (y[i] ? j * 6 + (i % 6) : (i % 6) * 6 + j)] = 1;
    }
    return { x, y, n: count };
  };
  return {
    info: {
      name: 'bars',
      kind: 'image',
      shape: [6, 6, 1],
      nTrain: n,
      nTest: n / 2,
      valueRange: [0, 1],
      numClasses: 2,
      source: 'test',
      split: 'source',
    },
    train: make(n),
    test: make(n / 2),
  };
}

describe('drawRun and drawCurves', () => {
  test('2-D data: the test split by cluster, and samples from every component', async () => {
    const data = blobs();
    const { store, run } = await trained(data);
    const out = tempDir();
    const files = await drawRun(store, run, 'scatter-2d', out, 'blobs-seed2');
    assert.deepEqual(files, ['blobs-seed2-clusters.svg', 'blobs-seed2-samples.svg']);
    assert.equal(symbolCount(fs.readFileSync(path.join(out, files[0]!), 'utf8')), data.test.n);
    assert.equal(symbolCount(fs.readFileSync(path.join(out, files[1]!), 'utf8')), 3 * 150);
    const curves = await drawCurves(store, [{ label: 'run a', run }], 'curves', out);
    const svg = fs.readFileSync(path.join(out, curves[0]!), 'utf8');
    for (const title of ['accuracy (paper protocol)', 'clusters used', 'ELBO (nats)'])
      assert.ok(svg.includes(title), title);
    store.close();
  });

  test('images: a row per cluster with its members, its samples, and its samples at w = 0', async () => {
    const { store, run } = await trained(bars(120), { k: 2, likelihood: 'bernoulli' });
    const out = tempDir();
    const [file] = await drawRun(store, run, 'image-grid', out, 'bars');
    const png = PNG.sync.read(fs.readFileSync(path.join(out, file!)));
    assert.equal(png.height, 2 + 2 * (6 * 2 + 2));
    assert.ok(png.width > 24 * 12, `${png.width} px wide holds 8 members and twice 8 samples`);
    store.close();
  });
});
