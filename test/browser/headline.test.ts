/**
 * What a finished run reports, and what a running one is doing, against the web-mode server: the
 * same final accuracy on every screen and in the CLI on the same home (the final epoch's value).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { gmvaeJson, startGmvae } from '../helpers/cli.ts';
import { connect } from '../helpers/ws-client.ts';
import { launch, newPage } from './helpers/browser.ts';
import { go, startSpiralRun, waitForCompleted } from './helpers/runs.ts';
import { serve, type Served } from './helpers/server.ts';

declare const document: { querySelector(s: string): { textContent: string | null } | null };

let served: Served;
let browser: Browser;
let page: Page;
let errors: string[];
/** An API client on the same server, listening from the start: the events every page gets. */
let client: Awaited<ReturnType<typeof connect>>;

before(async () => {
  served = await serve();
  browser = await launch();
  ({ page, errors } = await newPage(browser));
  client = await connect(`http://127.0.0.1:${served.port}/?token=${served.token}`);
});

after(async () => {
  client?.close();
  await browser?.close();
  await served?.stop();
});

/** The text of a cell of `table` in the row that names `rowName`, in the column headed `column…`. */
async function cellText(tableLabel: string, rowName: string, column: string): Promise<string> {
  const table = page.getByRole('table', { name: tableLabel, exact: true });
  await table.getByRole('link', { name: rowName }).waitFor();
  return table.evaluate(
    (el, [name, col]) => {
      const heads = [...el.querySelectorAll('thead th')].map((th) => th.textContent?.trim() ?? '');
      const row = [...el.querySelectorAll('tbody tr')].find((tr) => tr.textContent?.includes(name!));
      return row?.children[heads.findIndex((h) => h.startsWith(col!))]?.textContent?.trim() ?? '';
    },
    [rowName, column],
  );
}

test('headline numbers and run states', { timeout: 240_000 }, async (t) => {
  const ids: number[] = [];

  await t.test('the same final accuracy on every screen and in the CLI', async () => {
    await page.goto(served.url);
    await page.getByRole('heading', { name: 'Runs', exact: true }).waitFor();
    ids.push(await startSpiralRun(page, 'head-a', {}));
    ids.push(await startSpiralRun(page, 'head-b', { Seed: '7' }));
    for (const id of ids) await waitForCompleted(page, served, id);
    const [id] = ids as [number];

    // The final epoch's recorded test accuracy, from the back end's metric history.
    const history = (await client.api.metrics(id, ['test/accuracy'])).sort((a, b) => a.epoch - b.epoch);
    assert.equal(history.length, 2, 'a test accuracy per epoch');
    const final = history.at(-1)!;
    assert.equal(final.epoch, 2, 'the last point is the final epoch');
    const shown = `${(final.value * 100).toFixed(1)}%`;
    // And the best checkpoint's: the epoch of the highest test ELBO, whatever its accuracy.
    const elbos = await client.api.metrics(id, ['test/elbo']);
    const bestEpoch = elbos.reduce((a, b) => (b.value > a.value ? b : a)).epoch;
    const bestAccuracy = history.find((p) => p.epoch === bestEpoch)!.value;

    // The Run screen's header.
    await go(page, `#/runs/${id}`);
    const stat = page.getByRole('region', { name: 'Summary' }).locator('.stat', { hasText: 'Accuracy' });
    await stat.locator('.value').filter({ hasText: '%' }).waitFor();
    assert.equal((await stat.locator('.value').textContent())?.trim(), shown, 'the Run header');
    assert.match(
      (await stat.locator('.sub').first().textContent()) ?? '',
      /epoch 2\b/,
      'it says which epoch',
    );
    assert.equal(
      (await stat.locator('.sub.best').textContent())?.trim(),
      `best-ELBO ckpt, epoch ${bestEpoch}: ${(bestAccuracy * 100).toFixed(1)}%`,
      "and the best-ELBO checkpoint's",
    );

    // The runs table.
    await go(page, '#/runs');
    assert.equal(await cellText('Runs', 'head-a', 'Accuracy'), shown, 'the runs table');

    // Compare's final metrics.
    await go(page, `#/compare?ids=${ids.join(',')}`);
    const finalTable = page.getByRole('table', { name: 'Final metrics' });
    await finalTable.waitFor();
    const compared = (rowName: string) =>
      finalTable.evaluate((el, name) => {
        const heads = [...el.querySelectorAll('thead th')].map((th) => th.textContent?.trim() ?? '');
        const row = [...el.querySelectorAll('tbody tr')].find(
          (tr) => tr.querySelector('th')?.textContent?.trim() === name,
        );
        const col = heads.findIndex((h) => h.endsWith('head-a'));
        return col > 0 ? (row?.children[col]?.textContent?.trim() ?? '') : `no column: ${heads.join('|')}`;
      }, rowName);
    assert.equal(await compared('accuracy'), shown, "Compare's final metrics");
    assert.equal(
      await compared('accuracy, best-ELBO checkpoint'),
      `${(bestAccuracy * 100).toFixed(1)}%`,
      "Compare's best-ELBO checkpoint row",
    );

    // The CLI on the same home, while the server runs.
    interface Listed {
      run: number;
      metrics: { accuracy?: number };
      best_checkpoint: { epoch: number; metrics: { accuracy?: number } } | null;
    }
    const listed = await gmvaeJson<{ runs: Listed[] }>(served.home, ['runs', 'list']);
    const row = listed.runs.find((r) => r.run === id);
    assert.equal(row?.metrics.accuracy, final.value, 'gmvae runs list');
    assert.deepEqual(
      row?.best_checkpoint && [row.best_checkpoint.epoch, row.best_checkpoint.metrics.accuracy],
      [bestEpoch, bestAccuracy],
    );
    const showed = await gmvaeJson<Listed & { epochs: number }>(served.home, ['runs', 'show', String(id)]);
    assert.equal(showed.metrics.accuracy, final.value, 'gmvae runs show');
    assert.equal(showed.epochs, final.epoch);
    assert.equal(
      showed.best_checkpoint?.metrics.accuracy,
      bestAccuracy,
      "gmvae runs show: the best checkpoint's",
    );
  });

  await t.test('the engine says when it evaluates the test split, through the server', () => {
    // The trainer's phases as they reached a page: after each epoch's batches, evaluating the
    // test split, then the epoch; after the last, the projections and samples.
    for (const id of ids) {
      const seen = client.events.flatMap((e) => {
        if (e.type !== 'train' || e.event.runId !== id) return [];
        const ev = e.event;
        if (ev.type === 'epoch') return [`epoch ${ev.epoch}`];
        if (ev.type === 'progress' && ev.phase !== 'training') return [`${ev.phase} ${ev.epoch}`];
        if (ev.type === 'status') return [ev.status];
        return [];
      });
      assert.deepEqual(
        seen.filter((s) => s !== 'running'),
        ['evaluating 0', 'epoch 1', 'evaluating 1', 'epoch 2', 'artefacts 1', 'completed'],
        `run ${id}`,
      );
    }
  });

  await t.test('a run the CLI trains in another process shows live, without a reload', async () => {
    await go(page, '#/runs');
    await page.getByRole('table', { name: 'Runs', exact: true }).waitFor();
    const cli = startGmvae(served.home, [
      'train',
      '--dataset',
      'spiral',
      '--name',
      'from-cli',
      '--epochs',
      '3',
      '--hidden',
      '16',
      '--json',
    ]);
    let stdout = '';
    cli.stdout!.on('data', (d) => (stdout += d));
    const code = await new Promise((resolve) => cli.on('close', resolve));
    assert.equal(code, 0, 'gmvae train');
    const trained = JSON.parse(stdout.trim()) as { run: number; metrics: { accuracy: number } };
    const shown = `${(trained.metrics.accuracy * 100).toFixed(1)}%`;
    // The page only learns of it from the server's events: the row appears and completes.
    const table = page.getByRole('table', { name: 'Runs', exact: true });
    await table
      .getByRole('row', { name: /from-cli/ })
      .getByText('completed')
      .waitFor({ timeout: 20_000 });
    assert.equal(await cellText('Runs', 'from-cli', 'Accuracy'), shown, 'its final accuracy');
    // Its epochs reached every client as events.
    const epochs = client.events.flatMap((e) =>
      e.type === 'train' && e.event.type === 'epoch' && e.event.runId === trained.run ? [e.event.epoch] : [],
    );
    assert.deepEqual(epochs, [1, 2, 3], 'each epoch once, in order');
  });

  await t.test("the curves' tooltip lists every series at that x; the arrow keys pan", async () => {
    await go(page, `#/runs/${ids[0]}`);
    const elbo = page.locator('canvas[aria-label^="ELBO"]');
    await elbo.waitFor();
    const range = async (): Promise<[number, number]> => [
      Number(await elbo.getAttribute('data-x-min')),
      Number(await elbo.getAttribute('data-x-max')),
    ];
    assert.deepEqual(await range(), [1, 2]);
    const box = (await elbo.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.5);
    await page.locator('canvas[aria-label^="ELBO"][data-tooltip^="epoch"]').waitFor();
    const tip = (await elbo.getAttribute('data-tooltip'))!;
    assert.match(tip, /^epoch 2 \| train: -?[\d.]+(e[+-]\d+)? \| test: -?[\d.]+/, tip);
    await page.mouse.move(0, 0);
    await page.locator('canvas[aria-label^="ELBO"][data-tooltip=""]').waitFor();

    // Zoomed in (the keys on the focused chart), the arrows move the range without resizing it.
    await page.getByRole('group', { name: /^ELBO .*arrow keys pan/ }).focus();
    await page.keyboard.press('+');
    const zoomed = await range();
    assert.ok(zoomed[0] > 1 && zoomed[1] < 2, `zoomed: ${zoomed}`);
    await page.keyboard.press('ArrowRight');
    const right = await range();
    assert.ok(right[0] > zoomed[0] && right[1] > zoomed[1], `ArrowRight pans right: ${zoomed} -> ${right}`);
    assert.ok(Math.abs(right[1] - right[0] - (zoomed[1] - zoomed[0])) < 1e-6, 'the same width');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    const left = await range();
    assert.ok(left[0] < zoomed[0] && left[1] < zoomed[1], `ArrowLeft pans left: ${zoomed} -> ${left}`);
    await page.keyboard.press('0');
    assert.deepEqual(await range(), [1, 2]);
  });

  await t.test('projection points are reached with the keys: arrows move, Escape clears', async () => {
    await go(page, `#/runs/${ids[0]}`);
    await page.getByRole('tab', { name: 'Latent space' }).click();
    const plot = page.getByRole('application', {
      name: /^Latent projection.*arrow keys move between points/,
    });
    await plot.waitFor({ timeout: 30_000 });
    const panel = page.getByRole('complementary', { name: 'Hovered example' });
    const shownIndex = async () => Number(await panel.locator('dd').first().textContent());
    await plot.focus();
    await page.keyboard.press('ArrowRight');
    await panel.getByText('test index').waitFor();
    const first = await shownIndex();
    assert.equal(
      String(first),
      await plot.getAttribute('data-active'),
      'the panel shows the highlighted point',
    );
    assert.ok(first >= 0);
    await page.locator('.scatter .mark').waitFor();
    // Further keys move to other points (a run of them, whichever way there are points).
    const seen = new Set([first]);
    for (const key of ['ArrowRight', 'ArrowRight', 'ArrowUp', 'ArrowLeft', 'ArrowDown']) {
      await page.keyboard.press(key);
      await page.waitForFunction(
        (i) => document.querySelector('aside dd')?.textContent === i,
        await plot.getAttribute('data-active'),
      );
      seen.add(await shownIndex());
    }
    assert.ok(seen.size >= 3, `the keys moved between points: ${[...seen].join(', ')}`);
    await page.keyboard.press('Escape');
    await panel.getByText('Hover a point to see the test example').waitFor();
    assert.equal(await plot.getAttribute('data-active'), '');
    assert.equal(await page.locator('.scatter .mark').count(), 0);
  });

  await t.test('Evaluate shows its stage and time, from the engine through the server', async () => {
    await go(page, `#/runs/${ids[1]}`);
    await page.getByRole('tab', { name: 'Checkpoints' }).click();
    await page.getByRole('button', { name: 'Evaluate the last checkpoint' }).click();
    const running = page.getByRole('status', { name: 'Evaluating the last checkpoint' });
    await running.waitFor();
    await running.getByRole('progressbar').waitFor();
    await running.getByRole('button', { name: 'Cancel' }).waitFor();
    // A stage the engine reported, and the time so far (in one wait: the evaluation takes a
    // second or two, and the panel goes when it ends).
    await running
      .filter({ hasText: /\d+(\.\d)? s/ })
      .getByText(
        /^(metrics on the test set|clustering the test set|encoding the test set|projections: (UMAP|PCA)|reconstructions and cluster samples)…$/,
      )
      .waitFor();
    await page.getByRole('definition').first().waitFor({ timeout: 60_000 });
    await running.waitFor({ state: 'hidden' });
    const stages = client.events.flatMap((e) =>
      e.type === 'evaluate-progress' && e.runId === ids[1] ? [e.message] : [],
    );
    assert.deepEqual(stages, [
      'loading the checkpoint and the dataset',
      'metrics on the test set',
      'clustering the test set',
      'encoding the test set',
      'projections: UMAP',
      'projections: PCA',
      'reconstructions and cluster samples',
      'done',
    ]);
  });

  await t.test(
    'a completed run trains further from its screen, by the keyboard, to the epoch asked',
    async () => {
      const id = ids[1]!;
      await go(page, `#/runs/${id}`);
      await page.getByRole('button', { name: 'Train further…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Train “head-b” further' });
      const epochs = dialog.getByLabel(/Train to epoch/);
      assert.equal(await epochs.inputValue(), '4', 'twice its length to start with');
      await epochs.fill('2');
      await epochs.press('Enter');
      await dialog.getByRole('alert').getByText('Ask for a whole number of epochs above 2.').waitFor();
      await epochs.fill('3');
      await epochs.press('Enter');
      await dialog.waitFor({ state: 'hidden' });
      // The headline moves on to the new final epoch once it is trained (the badge alone reads
      // 'completed' before the trainer starts, too).
      const stat = page.getByRole('region', { name: 'Summary' }).locator('.stat', { hasText: 'Accuracy' });
      await stat
        .locator('.sub')
        .first()
        .filter({ hasText: /epoch 3\b/ })
        .waitFor({ timeout: 120_000 });
      await waitForCompleted(page, served, id);
      const history = await client.api.metrics(id, ['test/accuracy']);
      assert.deepEqual(history.map((p) => p.epoch).sort(), [1, 2, 3], 'one more epoch on the same curves');
    },
  );

  await t.test('no page errors', () => {
    assert.deepEqual(
      errors.filter((e) => !/favicon|404/.test(e)),
      [],
    );
  });
});
