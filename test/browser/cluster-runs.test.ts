/**
 * Runs of a Slurm sweep in the browser (web mode): they train on the cluster, so the runs table's
 * menu greys out Resume and Train further and says why on hover, and the Run screen offers
 * neither, naming `gmvae sweep resume` instead. The runs are recorded as collection would leave
 * them (an interrupted one and a completed one); nothing trains and no Slurm is needed.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { resolveConfig } from '../../src-main/common/config.ts';
import { ON_CLUSTER_REASON } from '../../src-main/common/run.ts';
import { parseSweepDefinition } from '../../src-main/common/sweep.ts';
import { SPIRAL_INFO, datasetInfo } from '../../src-main/host/datasets.ts';
import { Store } from '../../src-main/host/store/index.ts';
import { createSweep } from '../../src-main/host/sweeps.ts';
import { tempDir } from '../helpers/temp.ts';
import { launch, newPage, screenshotThemes } from './helpers/browser.ts';
import { go } from './helpers/runs.ts';
import { serve, type Served } from './helpers/server.ts';

let served: Served;
let browser: Browser;
let page: Page;
let errors: string[];
const ids: Record<'interrupted' | 'completed', number> = { interrupted: 0, completed: 0 };

before(async () => {
  const home = tempDir('gmvae-ui-');
  const store = await Store.open(home);
  const definition = parseSweepDefinition(
    {
      name: 'hpc',
      dataset: 'spiral',
      base: { epochs: 2 },
      grid: { lambda: [0.5, 1] },
      executor: { kind: 'slurm' },
    },
    'hpc.json',
    (name) => datasetInfo(store, name),
  );
  const sweep = await createSweep(store, home, definition);
  for (const status of ['interrupted', 'completed'] as const) {
    const run = store.createRun({
      name: `hpc-${status}`,
      dataset: 'spiral',
      config: resolveConfig(SPIRAL_INFO, { epochs: 2 }),
      status,
      sweepId: sweep.id,
    });
    store.updateRun(run.id, { epoch: status === 'completed' ? 2 : 1, startedAt: new Date().toISOString() });
    ids[status] = run.id;
  }
  store.close();
  served = await serve(home);
  browser = await launch();
  ({ page, errors } = await newPage(browser));
});

after(async () => {
  await browser?.close();
  await served?.stop();
});

test(
  'a Slurm run offers neither Resume nor Train further here, and says why',
  { timeout: 60_000 },
  async () => {
    await page.goto(served.url);
    const table = page.getByRole('table', { name: 'Runs' });
    await table.getByRole('link', { name: 'hpc-interrupted' }).waitFor();
    for (const name of ['hpc-interrupted', 'hpc-completed']) {
      await page.getByRole('button', { name: `Actions for ${name}` }).click();
      const menu = page.getByRole('menu', { name: `Actions for ${name}` });
      await menu.waitFor();
      const resume = menu.getByRole('menuitem', { name: /^Resume/ });
      const further = menu.getByRole('menuitem', { name: 'Train further…' });
      assert.equal(await resume.isDisabled(), true, `${name}: Resume is enabled`);
      assert.equal(await resume.getAttribute('title'), `This run cannot resume here: ${ON_CLUSTER_REASON}`);
      assert.equal(await further.isDisabled(), true, `${name}: Train further is enabled`);
      assert.equal(
        await further.getAttribute('title'),
        `This run cannot train further: ${ON_CLUSTER_REASON}`,
      );
      // What a run here can always do stays enabled.
      assert.equal(await menu.getByRole('menuitem', { name: 'Duplicate with changes…' }).isDisabled(), false);
      if (name === 'hpc-completed') await screenshotThemes(page, 'cluster-run-menu');
      await page.keyboard.press('Escape');
      await menu.waitFor({ state: 'detached' });
    }

    // The interrupted run's screen: the warning names the sweep command, with no Resume button.
    await go(page, `#/runs/${ids.interrupted}`);
    await page.getByText('This run was interrupted').waitFor();
    await page.getByText(`This run cannot resume here: ${ON_CLUSTER_REASON}`).waitFor();
    assert.equal(await page.getByRole('button', { name: /^Resume/ }).count(), 0);
    await page.getByRole('button', { name: 'Duplicate with changes' }).first().waitFor();
    await screenshotThemes(page, 'cluster-run-interrupted');

    // The completed run's screen: Train further is there, disabled, with the reason on hover.
    await go(page, `#/runs/${ids.completed}`);
    const further = page.getByRole('button', { name: 'Train further…' });
    await further.waitFor();
    assert.equal(await further.isDisabled(), true);
    assert.equal(await further.getAttribute('title'), `This run cannot train further: ${ON_CLUSTER_REASON}`);
    assert.equal(await page.getByRole('button', { name: /^Resume/ }).count(), 0);
    assert.deepEqual(errors, []);
  },
);
