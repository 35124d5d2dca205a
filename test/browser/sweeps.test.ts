/**
 * Sweeps in the browser (web mode): the Sweeps screen lists a sweep with each task's state and
 * run, and "Show runs" opens the runs table on that sweep's runs, with a Sweep column to sort
 * (group) by and a filter. The sweep is recorded in the store before serving; nothing trains.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { parseSweepDefinition } from '../../src-main/common/sweep.ts';
import { datasetInfo } from '../../src-main/host/datasets.ts';
import { Store } from '../../src-main/host/store/index.ts';
import { createSweep } from '../../src-main/host/sweeps.ts';
import { tempDir } from '../helpers/temp.ts';
import { launch, newPage, screenshotThemes } from './helpers/browser.ts';
import { serve, type Served } from './helpers/server.ts';

let served: Served;
let browser: Browser;
let page: Page;
let errors: string[];
let sweepId: number;

before(async () => {
  const home = tempDir('gmvae-ui-');
  const store = await Store.open(home);
  const definition = parseSweepDefinition(
    { name: 'grid', dataset: 'spiral', base: { epochs: 2 }, grid: { lambda: [0.5, 1] }, seeds: [1, 2] },
    'grid.json',
    (name) => datasetInfo(store, name),
  );
  const sweep = await createSweep(store, home, definition);
  sweepId = sweep.id;
  const [first] = store.sweepTasks(sweep.id);
  store.updateRun(first!.runId!, { status: 'completed', epoch: 2, startedAt: new Date().toISOString() });
  store.createRun({
    name: 'alone',
    dataset: 'spiral',
    config: store.getRun(first!.runId!)!.config,
    status: 'completed',
  });
  store.close();
  served = await serve(home);
  browser = await launch();
  ({ page, errors } = await newPage(browser));
});

after(async () => {
  await browser?.close();
  await served?.stop();
});

test('the Sweeps screen and the runs table by sweep', { timeout: 60_000 }, async () => {
  await page.goto(served.url);
  await page.getByRole('link', { name: 'Sweeps' }).click();
  await page.getByRole('heading', { name: 'Sweeps' }).waitFor();
  await page.getByText('1 done').waitFor();
  await page.getByText('3 queued').waitFor();
  await page.getByRole('button', { name: 'Tasks of grid', expanded: false }).click();
  const tasks = page.getByRole('table', { name: 'Tasks of grid' });
  await tasks.waitFor();
  assert.equal(await tasks.locator('tbody tr').count(), 4);
  assert.match(
    (await tasks.locator('tbody tr').first().textContent()) ?? '',
    /done.*2\/2.*lambda=0\.5 seed=1/,
  );
  await screenshotThemes(page, 'sweeps', true);

  await page.getByRole('link', { name: 'Show runs' }).click();
  await page.waitForURL(new RegExp(`#/runs\\?sweep=${sweepId}$`));
  const table = page.getByRole('table', { name: 'Runs' });
  await table.getByRole('link', { name: 'grid-s1-0' }).waitFor();
  assert.equal(await table.locator('tbody tr').count(), 4);
  assert.equal(await page.getByLabel('Filter by sweep').inputValue(), String(sweepId));
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await table.getByRole('link', { name: 'alone' }).waitFor();
  assert.equal(await table.locator('tbody tr').count(), 5);
  // Sorting by the Sweep column groups the sweep's runs; the run of no sweep comes last.
  await table.getByRole('button', { name: 'Sweep' }).click();
  const names = await table.locator('tbody td.name a').allTextContents();
  assert.equal(names.at(-1), 'alone');
  assert.deepEqual(names.slice(0, 4).sort(), ['grid-s1-0', 'grid-s1-1', 'grid-s1-2', 'grid-s1-3']);
  assert.deepEqual(errors, []);
});
