/** Runs started and awaited the way a user does it: the New run form, then the Run screen's badge. */
import type { Page } from 'playwright-core';
import type { Served } from './server.ts';

declare const location: { hash: string };

export const go = (page: Page, hash: string) => page.evaluate((h) => (location.hash = h), hash);

/** On the New run screen shown: names the run, fills `settings` (label: value), starts it; its id. */
export async function submitNewRun(
  page: Page,
  name: string,
  settings: Record<string, string>,
): Promise<number> {
  await page.getByLabel('Run name').fill(name);
  for (const [label, value] of Object.entries(settings))
    await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByRole('button', { name: 'Start run' }).click();
  await page.waitForURL(/#\/runs\/\d+$/);
  return Number(new URL(page.url()).hash.split('/').pop());
}

/** Opens the New run form on the spiral. */
export async function openNewSpiralRun(page: Page): Promise<void> {
  await go(page, '#/new?dataset=spiral');
  await page.getByLabel('Epochs', { exact: true }).waitFor();
}

/** Starts a small spiral run (2 epochs, 16 hidden units unless `settings` say otherwise); its id. */
export async function startSpiralRun(
  page: Page,
  name: string,
  settings: Record<string, string>,
): Promise<number> {
  await openNewSpiralRun(page);
  return submitNewRun(page, name, { Epochs: '2', 'Hidden units': '16', ...settings });
}

/** Opens run `id`'s screen and waits (up to 2 minutes) until its badge says completed. */
export async function waitForCompleted(page: Page, served: Served, id: number): Promise<void> {
  await go(page, `#/runs/${id}`);
  const badge = page.locator('header .badge');
  const deadline = Date.now() + 120_000;
  for (;;) {
    const text = ((await badge.textContent().catch(() => '')) ?? '').trim();
    if (text === 'completed') return;
    if (text === 'failed' || Date.now() > deadline)
      throw new Error(`run ${id} is '${text}'\n${served.log().slice(-1500)}`);
    await page.waitForTimeout(300);
  }
}
