/** Debian's Chromium through playwright-core (no downloaded browsers here). */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const SCREENSHOTS = path.resolve(import.meta.dirname, '../../../test-results/screenshots');

export function chromiumPath(): string {
  for (const p of [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ])
    if (p && fs.existsSync(p)) return p;
  throw new Error('no Chromium found: apt-get install -y chromium, or set CHROMIUM_PATH');
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page that fails the test on any uncaught page error, and collects console errors. */
export async function newPage(
  browser: Browser,
  options: { colorScheme?: 'light' | 'dark'; width?: number; height?: number } = {},
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1440, height: options.height ?? 900 },
    colorScheme: options.colorScheme ?? 'light',
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}\n${e.stack ?? ''}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return { page, errors };
}

// The page's globals, for the functions evaluated in it (this file is type-checked as Node code).
declare function requestAnimationFrame(callback: () => void): number;
declare const document: {
  querySelector(selector: string): { scrollHeight: number; clientHeight: number } | null;
  documentElement: { dataset: Record<string, string | undefined> };
};

/** Waits `count` animation frames: after a theme change or a resize the charts redraw one per frame. */
export async function frames(page: Page, count = 20): Promise<void> {
  await page.evaluate(
    (n) =>
      new Promise<void>((done) => {
        let left = n;
        const next = () => (--left <= 0 ? done() : requestAnimationFrame(next));
        requestAnimationFrame(next);
      }),
    count,
  );
}

/**
 * Saves what the window shows as test-results/screenshots/NAME.png. `fullPage`: all of the
 * screen, which scrolls inside <main>: the window is made tall enough for a moment.
 */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  const viewport = page.viewportSize();
  const hidden = fullPage
    ? await page.evaluate(() => {
        const main = document.querySelector('main');
        return main ? main.scrollHeight - main.clientHeight : 0;
      })
    : 0;
  if (viewport && hidden > 0) {
    await page.setViewportSize({ width: viewport.width, height: Math.min(viewport.height + hidden, 8000) });
    await frames(page);
  }
  await page.screenshot({ path: file });
  if (viewport && hidden > 0) {
    await page.setViewportSize(viewport);
    await frames(page);
  }
  return file;
}

/**
 * NAME-light.png and NAME-dark.png of what is on screen, the page left in the theme it had. The
 * theme button gets a click event only (no pointer press), so an open menu or dialog stays open.
 */
export async function screenshotThemes(page: Page, name: string, fullPage = false): Promise<void> {
  const toggle = page.getByRole('button', { name: /Switch to (dark|light) theme/ });
  const theme = () => page.evaluate(() => document.documentElement.dataset.theme ?? 'light');
  const first = await theme();
  await frames(page);
  await screenshot(page, `${name}-${first}`, fullPage);
  await toggle.dispatchEvent('click');
  await frames(page);
  await screenshot(page, `${name}-${await theme()}`, fullPage);
  await toggle.dispatchEvent('click');
  await frames(page);
}
