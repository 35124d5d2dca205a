/**
 * The analysis tools on a few tiny spiral runs in a browser against the web-mode server: the
 * curves' zoom, log axis, smoothing and downloads. Screenshots go to test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { metricTitle } from '../../src-renderer/src/runs/columns.ts';
import { connect } from '../helpers/ws-client.ts';
import { launch, newPage, screenshotThemes } from './helpers/browser.ts';
import { go, startSpiralRun, waitForCompleted } from './helpers/runs.ts';
import { serve, type Served } from './helpers/server.ts';

declare const document: {
  activeElement: { getAttribute(name: string): string | null } | null;
  elementFromPoint(x: number, y: number): unknown;
};
declare function getComputedStyle(el: unknown): { backgroundColor: string };
interface ParsedNode {
  textContent: string | null;
  getAttribute(name: string): string | null;
}
declare const DOMParser: new () => {
  parseFromString(
    text: string,
    type: string,
  ): { querySelector(s: string): ParsedNode | null; querySelectorAll(s: string): Iterable<ParsedNode> };
};

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

async function xRange(canvas: Locator): Promise<[number, number]> {
  return [Number(await canvas.getAttribute('data-x-min')), Number(await canvas.getAttribute('data-x-max'))];
}

test('analysis: chart tools, experiment table, parallel coordinates', { timeout: 240_000 }, async (t) => {
  const runIds: number[] = [];

  await t.test('three small runs train', async () => {
    await page.goto(served.url);
    await page.getByRole('heading', { name: 'Runs', exact: true }).waitFor();
    // What shows only while a run trains is checked on a long run, stopped and deleted after:
    // the small runs take seconds, and a fast machine finishes one before a check reaches it.
    const live = await startSpiralRun(page, 'live', { Epochs: '500' });
    // Its own page, where starting it leads, says how long it has left before its speed and loss.
    await page
      .getByRole('region', { name: 'Summary' })
      .getByText(/^\d+(\.\d)? (s|min)( \d+ s)? left · [\d.]+k? ex\/s · loss -?\d/)
      .waitFor({ timeout: 30_000 });
    for (const [name, lambda, seed] of [
      ['lam-a', '0.5'],
      ['lam-b', '0.5', '7'],
      ['lam-c', '1'],
    ] as [string, string, string?][]) {
      const settings: Record<string, string> = { 'λ (min. information)': lambda };
      if (name === 'lam-c') settings.Epochs = '3';
      if (seed) settings.Seed = seed;
      runIds.push(await startSpiralRun(page, name, settings));
    }
    // So does the runs table.
    await go(page, '#/runs');
    await page
      .getByRole('row', { name: /\blive\b/ })
      .getByText(/\d+(\.\d)? (s|min) left$/)
      .waitFor({ timeout: 30_000 });
    await screenshotThemes(page, 'analysis-runs-training');
    const client = await connect(served.url);
    try {
      await client.api.stopRun(live);
      for (let tries = 0; (await client.api.getRun(live)).status === 'running'; tries++) {
        assert.ok(tries < 300, 'the long run stops within a minute');
        await page.waitForTimeout(200);
      }
      await client.api.deleteRun(live);
    } finally {
      client.close();
    }
    for (const id of runIds) await waitForCompleted(page, served, id);
  });

  await t.test('curves zoom (buttons and keys), reset, log y, smoothing and downloads', async () => {
    await go(page, `#/runs/${runIds[2]}`);
    const elbo = page.locator('canvas[aria-label^="ELBO"]');
    await page.waitForFunction(() => true);
    await elbo.waitFor();
    const whole = await xRange(elbo);
    assert.deepEqual(whole, [1, 3], 'three epochs');
    await page.getByRole('button', { name: /^Zoom in on ELBO/ }).click();
    const zoomed = await xRange(elbo);
    assert.ok(zoomed[1] - zoomed[0] < whole[1] - whole[0], `zoom narrows the x range: ${zoomed}`);
    await page.getByRole('button', { name: /^Reset zoom of ELBO/ }).click();
    assert.deepEqual(await xRange(elbo), whole, 'reset restores the range');
    // Dragging across the chart zooms to the dragged range.
    const area = (await elbo.boundingBox())!;
    await page.mouse.move(area.x + area.width * 0.45, area.y + area.height * 0.4);
    await page.mouse.down();
    await page.mouse.move(area.x + area.width * 0.7, area.y + area.height * 0.4, { steps: 5 });
    await page.mouse.up();
    const dragged = await xRange(elbo);
    assert.ok(dragged[0] > whole[0] && dragged[1] < whole[1], `a drag zooms in: ${dragged}`);
    await page.getByRole('button', { name: /^Reset zoom of ELBO/ }).click();
    // The keys on the focused chart.
    await page.getByRole('group', { name: /^ELBO .*\+ and − zoom/ }).focus();
    await page.keyboard.press('+');
    assert.ok((await xRange(elbo))[1] - (await xRange(elbo))[0] < 2, 'the + key zooms');
    await page.keyboard.press('0');
    assert.deepEqual(await xRange(elbo), whole, 'the 0 key resets');

    // An ELBO is negative: no log axis; the clusters used are counts, so they may have one.
    assert.equal(await page.getByRole('button', { name: /^Log scale for ELBO/ }).isDisabled(), true);
    const used = page.locator('canvas[aria-label^="Clusters used"]');
    await page.getByRole('button', { name: /^Log scale for Clusters used/ }).click();
    await page.locator('canvas[aria-label^="Clusters used"][data-log-y="true"]').waitFor();
    assert.equal(await used.getAttribute('data-points'), '3');

    await page.getByLabel('Smoothing (EMA weight)').fill('0.8');
    // The download menu by keyboard.
    await page.getByRole('button', { name: /^Download ELBO/ }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'PNG image' }).waitFor();
    const csvDownload = page.waitForEvent('download');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const csv = await csvDownload;
    assert.equal(csv.suggestedFilename(), 'elbo-nats-higher-is-better.csv');
    const text = fs.readFileSync((await csv.path())!, 'utf8');
    const lines = text.trim().split('\n');
    assert.equal(lines[0], 'epoch,train,train (smoothed 0.8),test,test (smoothed 0.8)');
    assert.equal(lines.length, 4, 'a row per epoch');
    const pngDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: /^Download ELBO/ }).click();
    await page.getByRole('menuitem', { name: 'PNG image' }).click();
    const png = await pngDownload;
    assert.equal(png.suggestedFilename(), 'elbo-nats-higher-is-better.png');
    const image = PNG.sync.read(fs.readFileSync((await png.path())!));
    const canvasSize = await elbo.evaluate((c) => [c.width, c.height]);
    assert.deepEqual([image.width, image.height], canvasSize, 'the PNG is the chart at its size');

    // SVG: the chart drawn again as vector paths, a line per series (and the faint raw lines).
    const svgDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: /^Download ELBO/ }).click();
    await page.getByRole('menuitem', { name: 'SVG image' }).click();
    const svg = await svgDownload;
    assert.equal(svg.suggestedFilename(), 'elbo-nats-higher-is-better.svg');
    const markup = fs.readFileSync((await svg.path())!, 'utf8');
    assert.match(markup, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const drawn = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return {
        error: doc.querySelector('parsererror')?.textContent ?? null,
        lines: [...doc.querySelectorAll('path[fill="none"]')].map((p) => ({
          stroke: p.getAttribute('stroke') ?? '',
          opacity: p.getAttribute('stroke-opacity'),
          segments: (p.getAttribute('d') ?? '').match(/L/g)?.length ?? 0,
        })),
        texts: [...doc.querySelectorAll('text')].map((t) => t.textContent ?? ''),
      };
    }, markup);
    assert.equal(drawn.error, null, 'the SVG parses');
    // Three epochs: a line through them has two segments. The smoothed lines in their colours,
    // the raw lines beneath in the same colour, faint.
    for (const [name, hex, rgb] of [
      ['train', '#4e79a7', 'rgb(78,121,167)'],
      ['test', '#f28e2b', 'rgb(242,142,43)'],
    ] as const) {
      const smoothed = drawn.lines.filter((l) => l.stroke === hex && l.segments >= 2);
      const raw = drawn.lines.filter((l) => l.stroke === rgb && l.opacity === '0.25' && l.segments >= 2);
      assert.equal(smoothed.length, 1, `one smoothed ${name} line: ${JSON.stringify(drawn.lines)}`);
      assert.equal(raw.length, 1, `one raw ${name} line`);
      assert.ok(drawn.texts.includes(name), `the legend names ${name}: ${drawn.texts.join(' | ')}`);
    }
    assert.ok(drawn.texts.includes('epoch'), 'the x axis title is text');
    // The tooltip lists both series at the hovered epoch.
    const box = (await elbo.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.55, box.y + box.height * 0.5);
    await page.waitForTimeout(150);
    await screenshotThemes(page, 'analysis-run-curves');
    await page.mouse.move(0, 0);
  });

  await t.test('the runs table: chosen columns, a filter on a column, groups with mean ± sd', async () => {
    await go(page, '#/runs');
    const table = page.getByRole('table', { name: 'Runs', exact: true });
    await table.getByRole('link', { name: 'lam-c' }).waitFor();
    await page.getByRole('button', { name: 'Columns ▾' }).click();
    const picker = page.getByRole('dialog', { name: 'Columns' });
    await picker.getByLabel('NMI').check();
    await picker.getByLabel('Dx', { exact: true }).check();
    await screenshotThemes(page, 'analysis-runs-columns');
    await picker.getByRole('button', { name: 'Done' }).click();
    await table.getByRole('columnheader', { name: 'NMI' }).waitFor();
    await table.getByRole('columnheader', { name: 'Dx' }).waitFor();
    // From the keyboard: Done gave the focus back to the button; Enter opens, Escape closes.
    await page.keyboard.press('Enter');
    await picker.waitFor();
    await page.keyboard.press('Escape');
    await picker.waitFor({ state: 'hidden' });

    await page.getByLabel('Filter column').selectOption({ label: 'λ' });
    await page.getByLabel('Filter value').fill('0.5');
    await page.getByRole('button', { name: 'Add filter' }).click();
    await page.getByRole('button', { name: 'Remove filter λ = 0.5' }).waitFor();
    assert.equal(await table.locator('tbody tr').count(), 2, 'lam-a and lam-b');
    await page.getByText('2 of 3 runs', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Remove filter λ = 0.5' }).click();
    assert.equal(await table.locator('tbody tr').count(), 3);
    await page.getByText('3 runs', { exact: true }).waitFor();

    await page.getByLabel('Group by').selectOption({ label: 'λ (min. information)' });
    const groups = page.getByRole('table', { name: 'Runs grouped by λ (min. information)' });
    const half = groups.getByRole('row', { name: /^0\.5 / });
    await half.waitFor();
    const accuracyOf = async (name: string) => {
      const text = await table.evaluate((el, runName) => {
        const heads = [...el.querySelectorAll('thead th')].map((th) => th.textContent?.trim() ?? '');
        const row = [...el.querySelectorAll('tbody tr')].find((tr) => tr.textContent?.includes(runName));
        return row?.children[heads.findIndex((h) => h.startsWith('Accuracy'))]?.textContent?.trim() ?? '';
      }, name);
      assert.match(text, /%$/, `${name}'s accuracy cell`);
      return Number(text.replace('%', ''));
    };
    const mean = ((await accuracyOf('lam-a')) + (await accuracyOf('lam-b'))) / 2;
    const cells = await half.getByRole('cell').allTextContents();
    assert.equal(cells[0], '2', 'two runs have λ 0.5');
    const shown = cells.find((c) => c.includes('%') && c.includes('±'));
    assert.ok(shown, `a mean ± sd cell: ${cells.join(' | ')}`);
    assert.ok(Math.abs(Number(shown.split('%')[0]) - mean) < 0.11, `group mean ${shown}, runs' mean ${mean}`);
    await screenshotThemes(page, 'analysis-runs-grouped');
    await page.getByLabel('Group by').selectOption({ label: 'none' });
  });

  await t.test('the key scores come before the settings: in view at 1440 pixels, unscrolled', async () => {
    const table = page.getByRole('table', { name: 'Runs', exact: true });
    const shown = (await table.locator('xpath=..').boundingBox())!;
    for (const name of ['Accuracy', 'ELBO']) {
      const box = (await table.getByRole('columnheader', { name, exact: true }).boundingBox())!;
      assert.ok(box.x + box.width <= shown.x + shown.width, `${name} is in view: ${JSON.stringify(box)}`);
    }
  });

  await t.test("with every column on, each run's actions stay in view and open", async () => {
    const table = page.getByRole('table', { name: 'Runs', exact: true });
    await page.getByRole('button', { name: 'Columns ▾' }).click();
    const picker = page.getByRole('dialog', { name: 'Columns' });
    const boxes = picker.getByRole('checkbox');
    const turnedOn: number[] = [];
    for (let i = 0; i < (await boxes.count()); i++)
      if (!(await boxes.nth(i).isChecked())) {
        await boxes.nth(i).check();
        turnedOn.push(i);
      }
    await picker.getByRole('button', { name: 'Done' }).click();
    const wrap = table.locator('xpath=..');
    const [scrollWidth, clientWidth] = await wrap.evaluate((el) => [el.scrollWidth, el.clientWidth]);
    assert.ok(
      scrollWidth > clientWidth + 200,
      `the table is wider than its box (${scrollWidth} > ${clientWidth})`,
    );
    const viewport = page.viewportSize()!;
    assert.deepEqual(viewport, { width: 1440, height: 900 });
    const shown = (await wrap.boundingBox())!;
    for (const name of ['lam-a', 'lam-b', 'lam-c']) {
      const button = page.getByRole('button', { name: `Actions for ${name}` });
      const box = (await button.boundingBox())!;
      assert.ok(
        box.x >= shown.x && box.x + box.width <= shown.x + shown.width && box.x + box.width <= viewport.width,
        `${name}'s actions are inside the table's box and the window: ${JSON.stringify(box)}`,
      );
      // Nothing covers the button: the point at its centre is the button itself.
      assert.equal(
        await button.evaluate((el) => {
          const r = el.getBoundingClientRect();
          return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === el;
        }),
        true,
        `${name}'s actions are not covered`,
      );
    }
    await screenshotThemes(page, 'analysis-runs-all-columns');
    // The menu opens in the window, not clipped by the table's scrolling box.
    await page.getByRole('button', { name: 'Actions for lam-a' }).click();
    const menu = page.getByRole('menu', { name: 'Actions for lam-a' });
    await menu.waitFor();
    const items = menu.getByRole('menuitem');
    for (let i = 0; i < (await items.count()); i++) {
      const box = (await items.nth(i).boundingBox())!;
      assert.ok(
        box.y >= 0 &&
          box.y + box.height <= viewport.height &&
          box.x >= 0 &&
          box.x + box.width <= viewport.width,
      );
      assert.equal(
        await items.nth(i).evaluate((el) => {
          const r = el.getBoundingClientRect();
          return el.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2));
        }),
        true,
        'a menu item is not clipped or covered',
      );
    }
    await screenshotThemes(page, 'analysis-runs-all-columns-menu');
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden' });

    await page.getByRole('button', { name: 'Columns ▾' }).click();
    for (const i of turnedOn) await boxes.nth(i).uncheck();
    await picker.getByRole('button', { name: 'Done' }).click();
  });

  await t.test('parallel coordinates draw one line per run', async () => {
    await page.getByRole('button', { name: 'Parallel coordinates' }).click();
    const plot = page.getByRole('group', { name: /^3 runs over / });
    await plot.waitFor();
    assert.match(
      (await plot.getAttribute('aria-label'))!,
      /λ \(min\. information\).*Epochs.*Seed.*Accuracy$/,
    );
    assert.equal(await plot.getByRole('link').count(), 3, 'a line per run, each reachable by keyboard');
    await page.getByLabel('Parallel coordinates metric').selectOption({ label: 'NMI' });
    await page.getByRole('group', { name: /NMI$/ }).waitFor();
    await plot.getByRole('link', { name: /^lam-b: NMI / }).focus();
    await page.locator('.parallel .detail strong', { hasText: 'lam-b' }).waitFor();
    await screenshotThemes(page, 'analysis-parallel');
  });

  await t.test('projection: the count follows the legend, the hover panel clears on leaving', async () => {
    await go(page, `#/runs/${runIds[2]}`);
    await page.getByRole('tab', { name: 'Latent space' }).click();
    const scatter = page.locator('.scatter');
    await scatter.waitFor({ timeout: 30_000 });
    const total = Number(await scatter.getAttribute('data-points'));
    assert.equal(Number(await scatter.getAttribute('data-shown')), total);
    const legend = page.getByRole('list', { name: /^Legend/ });
    const first = legend.getByRole('button').first();
    const firstCount = Number(
      ((await first.textContent()) ?? '').replace(/.*\(([\d,]+)\).*/s, '$1').replace(/,/g, ''),
    );
    await first.click();
    assert.equal(Number(await scatter.getAttribute('data-shown')), total - firstCount);
    await page.getByText(`${(total - firstCount).toLocaleString('en-US')} shown of`).waitFor();
    assert.match(
      (await scatter.locator('canvas').getAttribute('aria-label'))!,
      /x: PC 1 of x, y: PC 2 of x; arrow keys move between points, Escape clears$/,
    );
    const box = (await scatter.locator('canvas').boundingBox())!;
    let hovered = false;
    for (let y = 0.15; y < 0.9 && !hovered; y += 0.05)
      for (let x = 0.1; x < 0.9 && !hovered; x += 0.02) {
        await page.mouse.move(box.x + box.width * x, box.y + box.height * y);
        hovered = await page.getByText('test index').isVisible();
      }
    assert.ok(hovered, 'hovering the scatter shows an example');
    await screenshotThemes(page, 'analysis-latent');
    await page.mouse.move(box.x + box.width + 200, box.y - 40);
    await page.getByText('Hover a point to see the test example').waitFor();

    // 2-D data: each cluster's picture has the whole test set faintly beneath it.
    await page.getByRole('tab', { name: 'Clusters' }).click();
    await page
      .getByRole('region', { name: /^Cluster \d+$/ })
      .first()
      .waitFor();
    await page.getByText('grey: the test set').waitFor();
    assert.match((await page.locator('.cluster header').first().textContent()) ?? '', /mostly \d+ \(\d+%\)/);
    await screenshotThemes(page, 'analysis-clusters');
  });

  await t.test('compare keeps run colours and the selection; dialogs return focus', async () => {
    await go(page, '#/runs');
    const table = page.getByRole('table', { name: 'Runs', exact: true });
    await page.getByRole('button', { name: 'Actions for lam-a' }).click();
    await page.getByRole('menuitem', { name: 'Delete…' }).click();
    await page.getByRole('dialog', { name: 'Delete run “lam-a”?' }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForFunction(
      () => document.activeElement?.getAttribute('aria-label') === 'Actions for lam-a',
      undefined,
      { timeout: 2000 },
    );

    await table.getByLabel('Select lam-a for comparison').check();
    await table.getByLabel('Select lam-c for comparison').check();
    await page.getByRole('link', { name: 'Compare (2)' }).click();
    await page.getByRole('heading', { name: 'Compare runs' }).waitFor();
    const chip = (name: string) =>
      page
        .getByRole('link', { name })
        .locator('.sw')
        .evaluate((el) => getComputedStyle(el).backgroundColor);
    const lamC = await chip('lam-c');
    await page.getByRole('table', { name: 'Final metrics' }).waitFor();
    await screenshotThemes(page, 'analysis-compare', true);
    await page.getByRole('link', { name: 'Change selection' }).click();
    await table.getByLabel('Select lam-b for comparison').check();
    assert.equal(
      await table.getByLabel('Select lam-a for comparison').isChecked(),
      true,
      'the selection stays',
    );
    await page.getByRole('link', { name: 'Compare (3)' }).click();
    await page.getByRole('link', { name: 'lam-b' }).waitFor();
    assert.equal(await chip('lam-c'), lamC, 'lam-c keeps its colour when lam-b joins');
  });

  await t.test('compare: a small chart of every metric, PCA and UMAP side by side', async () => {
    // The three runs compared now, in the order of the address (the run ids).
    const names = ['lam-a', 'lam-b', 'lam-c'];
    const client = await connect(served.url);
    const recorded = new Set<string>();
    try {
      for (const id of runIds) for (const p of await client.api.metrics(id)) recorded.add(p.name);
    } finally {
      client.close();
    }
    assert.ok(recorded.size > 10, `the runs recorded many metrics: ${[...recorded].join(', ')}`);

    const shownGroup = page.getByRole('group', { name: 'Metrics shown' });
    await shownGroup.getByRole('button', { name: 'All metrics' }).click();
    assert.equal(
      await shownGroup.getByRole('button', { name: 'All metrics' }).getAttribute('aria-pressed'),
      'true',
    );
    assert.equal(await page.getByLabel('Metric', { exact: true }).count(), 0, 'no picker over the grid');
    const grid = page.getByRole('list', { name: 'All metrics' });
    assert.equal(await grid.getByRole('listitem').count(), recorded.size, 'one chart per metric');
    for (const name of recorded) {
      const title = metricTitle(name);
      const canvas = grid.getByRole('figure', { name: title, exact: true }).locator('canvas');
      await canvas.scrollIntoViewIfNeeded();
      await grid
        .getByRole('figure', { name: title, exact: true })
        .locator('canvas[data-series*="lam"]')
        .waitFor();
      assert.deepEqual(
        ((await canvas.getAttribute('data-series')) ?? '').split('\n').sort(),
        names,
        `${title}: one line per run`,
      );
      assert.ok(Number(await canvas.getAttribute('data-points')) > 0, `${title} has points`);
    }
    await page.getByRole('main').evaluate((main) => main.scrollTo(0, 0));
    await screenshotThemes(page, 'analysis-compare-all-metrics', true);

    // The axis and smoothing controls apply to the grid too.
    await page.getByRole('group', { name: 'X axis' }).getByRole('button', { name: 'Step' }).click();
    const accuracy = grid.getByRole('figure', { name: 'test · Accuracy', exact: true });
    await accuracy.locator('canvas[aria-label*=", step "]').waitFor();

    // A small chart's title (by keyboard here) shows that metric as the one large chart.
    await grid.getByRole('button', { name: 'Show test · Accuracy as one large chart' }).focus();
    await page.keyboard.press('Enter');
    assert.equal(
      await shownGroup.getByRole('button', { name: 'One metric' }).getAttribute('aria-pressed'),
      'true',
    );
    assert.equal(await page.getByLabel('Metric', { exact: true }).inputValue(), 'test/accuracy');
    assert.equal(await grid.count(), 0);
    await page.locator('canvas[aria-label^="test · Accuracy chart"]').waitFor();

    // Each run's latent space as PCA and as UMAP, each with its axes named.
    for (const run of names) {
      const artefacts = page.getByRole('region', { name: `Artefacts of ${run}` });
      for (const [method, axes] of [
        ['PCA of x', 'x: PC 1 of x, y: PC 2 of x'],
        ['UMAP of x', 'x: UMAP 1 of x, y: UMAP 2 of x'],
      ] as const) {
        const plot = artefacts.getByRole('figure', { name: `${method} of ${run}` });
        const scatter = plot.locator('.scatter');
        await scatter.waitFor();
        assert.ok(
          ((await scatter.locator('canvas').getAttribute('aria-label')) ?? '').endsWith(axes),
          `${run}: ${method} names its axes`,
        );
        assert.ok(Number(await scatter.getAttribute('data-shown')) > 0, `${run}: ${method} draws points`);
      }
    }
    await screenshotThemes(page, 'analysis-compare-projections', true);
  });

  await t.test('no page errors', () => {
    assert.deepEqual(
      errors.filter((e) => !/favicon|404/.test(e)),
      [],
    );
  });
});
