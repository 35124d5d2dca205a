/**
 * The workbench in a browser against the web-mode server: import by drop, train on the spiral
 * while the curves grow (and the main thread stays free), look at the projection and clusters,
 * compare two runs, export one (downloaded as a zip). Screenshots of every screen go to test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { BACKEND_ORDER } from '../../src-main/common/backends.ts';
import { SETTINGS } from '../../src-main/common/settings.ts';
import { tempDir } from '../helpers/temp.ts';
import { launch, newPage, screenshotThemes } from './helpers/browser.ts';
import { dropFiles } from './helpers/drop.ts';
import { installStallMonitor, readStalls, recordAttribute, resetStalls } from './helpers/monitor.ts';
import { go, openNewSpiralRun, submitNewRun } from './helpers/runs.ts';
import { serve, type Served } from './helpers/server.ts';

let served: Served;
let browser: Browser;
let page: Page;
let errors: string[];

before(async () => {
  served = await serve();
  browser = await launch();
  ({ page, errors } = await newPage(browser));
  await installStallMonitor(page);
});

after(async () => {
  await browser?.close();
  await served?.stop();
});

function blobsCsv(): string {
  const rows = ['x,y,label'];
  for (let i = 0; i < 240; i++) {
    const c = i % 3;
    rows.push(
      `${(c * 3 + Math.sin(i) * 0.5).toFixed(3)},${(c * -2 + Math.cos(i * 1.7) * 0.5).toFixed(3)},${c}`,
    );
  }
  return rows.join('\n');
}

/** Waits for a run's status badge in the header to read one of `statuses`. */
async function waitForStatus(statuses: string[], timeoutMs: number): Promise<string> {
  const badge = page.locator('header .badge');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = (await badge.textContent().catch(() => '')) ?? '';
    if (statuses.includes(text.trim())) return text.trim();
    if (Date.now() > deadline)
      throw new Error(`status stayed '${text}' (wanted ${statuses.join('/')})\n${served.log().slice(-1500)}`);
    await page.waitForTimeout(250);
  }
}

test('the workbench end to end in web mode', { timeout: 170_000 }, async (t) => {
  let firstRun = 0;

  await t.test('opens on the runs screen; the token leaves the address bar', async () => {
    await page.goto(served.url);
    await page.getByRole('heading', { name: 'Runs', exact: true }).waitFor();
    assert.ok(!page.url().includes('token='), page.url());
    await page.getByRole('heading', { name: 'No runs yet' }).waitFor();
    await page.getByRole('link', { name: 'Start a run on spiral' }).waitFor();
    await screenshotThemes(page, 'runs-empty');
  });

  await t.test('imports a CSV dropped on the window, and names the file of a bad one', async () => {
    await go(page, '#/datasets');
    await page.getByRole('heading', { name: 'Datasets' }).waitFor();
    await dropFiles(page, [{ name: 'blobs.csv', text: blobsCsv() }]);
    await page
      .getByRole('status')
      .filter({ hasText: /Imported as/ })
      .waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: /^blobs/ }).waitFor();
    await page.getByRole('heading', { name: 'blobs', exact: true }).waitFor();
    await page.getByRole('table', { name: 'First examples' }).waitFor();
    await screenshotThemes(page, 'datasets');

    await dropFiles(page, [{ name: 'broken.csv', text: 'a,b\n1,2\n3,oops\n5,6\n' }]);
    const failure = page.getByRole('alert').filter({ hasText: 'Import failed' });
    await failure.waitFor({ timeout: 30_000 });
    assert.match((await failure.textContent()) ?? '', /broken\.csv/);
    await screenshotThemes(page, 'datasets-import-error');
  });

  await t.test('validates the new-run form inline', async () => {
    await go(page, '#/new?dataset=spiral');
    // One field per setting of the settings table, under its label.
    for (const spec of SETTINGS) await page.getByLabel(spec.label, { exact: true }).waitFor();
    // A setting the chosen formulation does not read says why.
    await page.getByLabel('Formulation', { exact: true }).selectOption('v1');
    await page.getByText('Not used: only the v2 objective has the minimum information constraint').waitFor();
    await page.getByLabel('Formulation', { exact: true }).selectOption('v2');
    await page.getByLabel('Learning rate').fill('2');
    await page.getByLabel('Epochs', { exact: true }).fill('0');
    await page.getByText('must be between 0 and 1').waitFor();
    await page.getByText('a whole number ≥ 1').waitFor();
    await page.getByText('Will train on').waitFor();
    await screenshotThemes(page, 'new-run-validation', true);
    // Starting with errors starts nothing: focus goes to the first invalid field.
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForFunction("document.activeElement && document.activeElement.id === 'field-epochs'");
    assert.match(page.url(), /#\/new/);
    await go(page, '#/runs');
  });

  await t.test('trains on the spiral: curves grow while the main thread stays free', async () => {
    await openNewSpiralRun(page);
    // Five epochs: enough that the chart's growth shows in steps even when CI's load delays frames.
    firstRun = await submitNewRun(page, 'spiral-a', { Epochs: '5' });
    const elbo = page.locator('canvas[aria-label^="ELBO"]');
    // Measure the steady state while it trains, from once the screen has mounted.
    await elbo.waitFor();
    // The page opened before the trainer chose its backend: the card shows the one chosen.
    const backendCard = page.locator('.stat').filter({ has: page.getByText('Backend', { exact: true }) });
    await backendCard
      .locator('.value')
      .filter({ hasText: new RegExp(`^(${BACKEND_ORDER.join('|')})$`) })
      .waitFor();
    await resetStalls(page);
    // Every value the chart's point count takes, recorded in the page as it changes.
    const pointCounts = await recordAttribute(elbo, 'data-points');
    const started = Date.now();
    for (;;) {
      const status = (
        (await page
          .locator('header .badge')
          .textContent()
          .catch(() => '')) ?? ''
      ).trim();
      if (status === 'completed' || status === 'failed') break;
      if (Date.now() - started > 90_000)
        throw new Error(`still ${status} after 90 s\n${served.log().slice(-1500)}`);
      await page.waitForTimeout(200);
    }
    const counts = await pointCounts();
    const stalls = await readStalls(page);
    const seconds = (Date.now() - started) / 1000;
    t.diagnostic(
      `training ${seconds.toFixed(1)} s: longest frame gap ${stalls.maxFrameGapMs.toFixed(0)} ms, longest task ${stalls.longestTaskMs.toFixed(0)} ms (${stalls.longTasks} long tasks, ${stalls.frames} frames)`,
    );
    console.log(
      `# stall while training: max frame gap ${stalls.maxFrameGapMs.toFixed(0)} ms, longest task ${stalls.longestTaskMs.toFixed(0)} ms, ${stalls.longTasks} long tasks`,
    );
    t.diagnostic(`ELBO chart point counts seen while training: ${counts.join(' -> ')}`);
    assert.equal(await waitForStatus(['completed'], 1000), 'completed');
    assert.ok(counts.length >= 3, `the chart should grow in steps while training, saw ${counts.join(', ')}`);
    assert.equal(counts[counts.length - 1], 10, 'train + test ELBO for 5 epochs');
    assert.ok(stalls.maxFrameGapMs < 1000, `the page froze for ${stalls.maxFrameGapMs} ms`);
    await page.locator('canvas[aria-label^="Loss per step"]').waitFor();
    await screenshotThemes(page, 'run-curves', true);
  });

  await t.test(
    'shows the projection (hover an example), clusters, reconstructions and checkpoints',
    async () => {
      await page.getByRole('tab', { name: 'Latent space' }).click();
      const scatter = page.locator('.scatter');
      await scatter.waitFor({ timeout: 30_000 });
      const n = Number(await scatter.getAttribute('data-points'));
      assert.ok(n > 0, 'projection has points');
      t.diagnostic(`projection: ${n} points drawn in ${await scatter.getAttribute('data-draw-ms')} ms`);
      await page.getByRole('table', { name: 'Cluster by label counts' }).waitFor();
      // Sweep the pointer over the plot until it lands on a point.
      const box = (await scatter.locator('canvas').boundingBox())!;
      let hovered = false;
      for (let y = 0.15; y < 0.9 && !hovered; y += 0.05)
        for (let x = 0.1; x < 0.75 && !hovered; x += 0.02) {
          await page.mouse.move(box.x + box.width * x, box.y + box.height * y);
          hovered = await page.getByText('test index').isVisible();
        }
      assert.ok(hovered, 'hovering the scatter shows an example');
      await page.locator('aside .values, aside canvas').first().waitFor();
      await page.getByRole('button', { name: 'UMAP of x' }).click();
      await page.getByRole('button', { name: 'Colour by true label' }).click();
      await screenshotThemes(page, 'run-latent');

      await page.getByRole('tab', { name: 'Clusters' }).click();
      await page
        .getByRole('region', { name: /^Cluster \d+$/ })
        .first()
        .waitFor();
      await screenshotThemes(page, 'run-clusters');
      assert.equal(
        await page.getByRole('group', { name: 'Clusters from' }).count(),
        0,
        'a v2 run has one cluster rule',
      );
      await page.getByRole('tab', { name: 'Reconstructions' }).click();
      await page.locator('canvas[aria-label^="Originals"], figure canvas').first().waitFor();
      await screenshotThemes(page, 'run-reconstructions');

      await page.getByRole('tab', { name: 'Checkpoints' }).click();
      await page.getByRole('button', { name: 'Evaluate the best checkpoint' }).click();
      await page.getByLabel('Evaluation of best').waitFor({ timeout: 60_000 });
      await screenshotThemes(page, 'run-checkpoints');
      await page.getByRole('tab', { name: 'Hyperparameters' }).click();
      await page.getByRole('table', { name: 'Hyperparameters' }).waitFor();
      await screenshotThemes(page, 'run-hyperparameters', true);
    },
  );

  await t.test('duplicates a run with changes and compares the two', async () => {
    await page.getByRole('button', { name: 'Duplicate with changes' }).click();
    await page.waitForURL(/#\/new\?from=/);
    await page.getByLabel('Start from').waitFor();
    assert.equal(
      await page.getByLabel('Epochs', { exact: true }).inputValue(),
      '5',
      'prefilled from the run',
    );
    await page.getByLabel('Formulation', { exact: true }).selectOption('v1');
    await submitNewRun(page, 'spiral-b', { 'K (clusters)': '4', Epochs: '2' });
    await waitForStatus(['completed'], 90_000);

    // v1 groups the test points by q(z|y) or by p(z|x,w), on the Latent and Clusters tabs alike.
    await page.getByRole('tab', { name: 'Clusters' }).click();
    const rules = page.getByRole('group', { name: 'Clusters from' });
    const sizes = async () => {
      await page
        .getByRole('region', { name: /^Cluster \d+$/ })
        .first()
        .waitFor();
      const counts = await page.locator('.cluster header .muted').allTextContents();
      return counts
        .filter((c) => c.includes('pts'))
        .map((c) => Number(c.replace(/,/g, '').replace(/[^\d].*$/, '')));
    };
    await page.getByRole('checkbox', { name: /Hide empty clusters/ }).uncheck();
    const assigned = await sizes();
    await rules.getByRole('button', { name: 'p(z|x,w)' }).click();
    assert.equal(await rules.getByRole('button', { name: 'p(z|x,w)' }).getAttribute('aria-pressed'), 'true');
    const bayes = await sizes();
    assert.equal(assigned.length, 4);
    assert.equal(
      bayes.reduce((a, b) => a + b, 0),
      assigned.reduce((a, b) => a + b, 0),
      'both rules place every test point',
    );
    await screenshotThemes(page, 'run-clusters-bayes');
    await page.getByRole('tab', { name: 'Latent space' }).click();
    assert.equal(
      await rules.getByRole('button', { name: 'p(z|x,w)' }).getAttribute('aria-pressed'),
      'true',
      'the rule holds across the tabs',
    );
    await page.getByRole('table', { name: 'Cluster by label counts' }).waitFor();
    await rules.getByRole('button', { name: 'q(z|y)' }).click();

    await go(page, '#/runs');
    const table = page.getByRole('table', { name: 'Runs' });
    await table.getByRole('link', { name: 'spiral-b' }).waitFor();
    await screenshotThemes(page, 'runs');
    await page.getByLabel('Select spiral-a for comparison').check();
    await page.getByLabel('Select spiral-b for comparison').check();
    await page.getByRole('link', { name: 'Compare (2)' }).click();
    await page.getByRole('heading', { name: 'Compare runs' }).waitFor();
    const params = page.getByRole('table', { name: 'Hyperparameters' });
    // Rows are named by the settings table's labels, not the config keys.
    await params.getByRole('rowheader', { name: 'K (clusters)', exact: true }).waitFor();
    assert.equal(
      await params.getByRole('rowheader', { name: 'Learning rate' }).count(),
      0,
      'differences only hides shared settings',
    );
    await page.getByLabel('Smoothing (EMA weight)').fill('0.6');
    await page.getByLabel('Metric', { exact: true }).selectOption('test/accuracy');
    await page.getByRole('table', { name: 'Final metrics' }).waitFor();
    await page.locator('.columns .scatter').nth(1).waitFor();
    const curvePoints = Number(
      await page.locator('canvas[aria-label^="test · Accuracy"]').getAttribute('data-points'),
    );
    assert.equal(curvePoints, 7, '5 + 2 epochs of test accuracy');
    await screenshotThemes(page, 'compare', true);
  });

  await t.test('exports a run as a zip the browser downloads, and lists the files', async () => {
    await go(page, '#/runs');
    await page.getByRole('button', { name: 'Actions for spiral-a' }).click();
    await page.getByRole('menuitem', { name: 'Export…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export “spiral-a”' });
    const downloaded = page.waitForEvent('download', { timeout: 60_000 });
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    const download = await downloaded;
    assert.equal(download.suggestedFilename(), 'spiral-a-best.zip');
    const zipPath = path.join(tempDir('gmvae-export-'), 'spiral-a-best.zip');
    await download.saveAs(zipPath);
    const entries = Object.keys(unzipSync(fs.readFileSync(zipPath)));
    const files = dialog.getByRole('list', { name: 'Exported files' });
    await files.waitFor();
    const listed = (await files.getByRole('listitem').allTextContents()).map((s) => s.trim());
    t.diagnostic(`exported: ${listed.join(', ')}`);
    assert.deepEqual(entries.sort(), listed.map((f) => `spiral-a-best/${f}`).sort());
    assert.ok(listed.includes('metrics.csv') && listed.includes('encoder/weights.bin'));
    await screenshotThemes(page, 'export-dialog');
    await dialog.getByRole('button', { name: 'Done' }).click();
  });

  await t.test('asks before deleting, naming the run; Escape closes the dialog', async () => {
    await page.getByRole('button', { name: 'Actions for spiral-b' }).click();
    await page.getByRole('menuitem', { name: 'Delete…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete run “spiral-b”?' });
    await dialog.waitFor();
    assert.match((await dialog.textContent()) ?? '', /spiral-b/);
    await screenshotThemes(page, 'delete-dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    // Keyboard: Enter on a focused row opens the run.
    await page.getByRole('row', { name: /spiral-a/ }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`#/runs/${firstRun}$`));
  });

  await t.test('deletes a dataset after asking, and keeps the keyboard focus in the page', async () => {
    await go(page, '#/datasets/blobs');
    await page.getByRole('heading', { name: 'blobs', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Delete dataset' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete dataset “blobs”?' });
    await dialog.getByRole('button', { name: 'Delete dataset' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('link', { name: /^blobs/ }).waitFor({ state: 'detached' });
    await page.waitForFunction("document.activeElement && document.activeElement.id === 'main'");
  });

  await t.test('no page errors', () => {
    assert.deepEqual(
      errors.filter((e) => !/favicon|404/.test(e)),
      [],
    );
  });
});
