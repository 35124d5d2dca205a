/**
 * The Clusters tab of an image dataset at the default window width: the cards fill the screen
 * (three to a row at 1440 px) and each card's thumbnails its width, the same size in every card.
 * The data: a small IDX dataset of bars imported with `gmvae datasets import`, one short run
 * trained by `gmvae train` into the server's home.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { gmvaeJson } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';
import { idxBytes } from '../engine/data/helpers.ts';
import { launch, newPage, screenshotThemes } from './helpers/browser.ts';
import { go } from './helpers/runs.ts';
import { serve, type Served } from './helpers/server.ts';

const SIDE = 12;
const COUNT = 400;

/** Four classes of 12 x 12 images: a bright row or column, at one of two places, with noise. */
function bars(): { images: number[]; labels: number[] } {
  const images: number[] = [];
  const labels: number[] = [];
  let state = 7;
  const noise = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 40;
  for (let n = 0; n < COUNT; n++) {
    const label = n % 4;
    const at = label % 2 === 0 ? 3 : 8;
    for (let r = 0; r < SIDE; r++)
      for (let c = 0; c < SIDE; c++)
        images.push(Math.round((label < 2 ? r === at : c === at) ? 255 - noise() : noise()));
    labels.push(label);
  }
  return { images, labels };
}

let served: Served;
let browser: Browser;
let page: Page;
let errors: string[];

before(async () => {
  served = await serve();
  browser = await launch();
  ({ page, errors } = await newPage(browser));
});

after(async () => {
  await browser?.close();
  await served?.stop();
});

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

test(
  'image clusters: three cards to a row at 1440 px, thumbnails as wide as their card',
  { timeout: 240_000 },
  async () => {
    const dir = tempDir();
    const { images, labels } = bars();
    const imageFile = path.join(dir, 'bars-images.idx');
    const labelFile = path.join(dir, 'bars-labels.idx');
    fs.writeFileSync(imageFile, idxBytes('ubyte', [COUNT, SIDE, SIDE], images));
    fs.writeFileSync(labelFile, idxBytes('ubyte', [COUNT], labels));
    await gmvaeJson(served.home, ['datasets', 'import', imageFile, labelFile, '--name', 'bars']);
    const trained = await gmvaeJson<{ run: number }>(served.home, [
      'train',
      ...['--dataset', 'bars', '--arch', 'mlp', '--k', '8', '--hidden', '32', '--epochs', '2'],
    ]);

    await page.goto(served.url);
    await go(page, `#/runs/${trained.run}`);
    await page.getByRole('tab', { name: 'Clusters' }).click();
    await page.getByRole('checkbox', { name: /Hide empty clusters/ }).uncheck();
    const cards = page.getByRole('region', { name: /^Cluster \d+$/ });
    await page.locator('section.cluster canvas').first().waitFor();
    assert.equal(await cards.count(), 8, 'a card per component');

    const boxes = (await Promise.all((await cards.all()).map((c) => c.boundingBox()))) as Box[];
    const firstRow = boxes.filter((b) => Math.abs(b.y - boxes[0]!.y) < 1);
    assert.equal(firstRow.length, 3, `three cards to a row: ${JSON.stringify(boxes.slice(0, 4))}`);
    const right = Math.max(...firstRow.map((b) => b.x + b.width));
    const main = (await page.locator('.clusters').boundingBox())!;
    assert.ok(
      main.x + main.width - right < 2,
      `the row reaches the right edge: ${right} of ${main.x + main.width}`,
    );

    // In every card, the samples strip's last thumbnail ends at the strip's right edge, and all
    // thumbnails have one width.
    const widths = new Set<number>();
    for (const card of await cards.all()) {
      const strip = card.getByLabel('Generated samples');
      const stripBox = (await strip.boundingBox())!;
      const thumbs = (await Promise.all(
        (await strip.locator('canvas').all()).map((c) => c.boundingBox()),
      )) as Box[];
      assert.ok(thumbs.length > 0, 'samples drawn');
      const last = thumbs.at(-1)!;
      assert.ok(
        Math.abs(stripBox.x + stripBox.width - (last.x + last.width)) < 2,
        `thumbnails fill the card: strip ends at ${stripBox.x + stripBox.width}, last thumbnail at ${last.x + last.width}`,
      );
      for (const t of thumbs) {
        widths.add(Math.round(t.width));
        assert.ok(Math.abs(t.width - t.height) < 1, `square images stay square: ${t.width} x ${t.height}`);
      }
    }
    assert.equal(widths.size, 1, `one thumbnail size: ${[...widths]}`);
    assert.ok([...widths][0]! >= 40, `thumbnails at least 40 px: ${[...widths]}`);
    await screenshotThemes(page, 'run-clusters-images');
    assert.deepEqual(errors, []);
  },
);
