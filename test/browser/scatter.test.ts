/**
 * Drawing the latent projection: 10,000 points through the same component the Run screen uses
 * (test-only route #/_bench/scatter), timed in the page.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launch, newPage, screenshot } from './helpers/browser.ts';
import { serve, type Served } from './helpers/server.ts';

// The page's document, for the functions evaluated in it.
declare const document: {
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
};

let served: Served;
let browser: Browser;

before(async () => {
  served = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await served?.stop();
});

test('a 10,000-point projection draws quickly', async (t) => {
  const { page, errors } = await newPage(browser);
  await page.goto(served.url.replace('/?', '/?') + '#/_bench/scatter?n=10000');
  const scatter = page.locator('.scatter[data-points="10000"]');
  await scatter.waitFor();
  await page.waitForFunction(
    () => Number(document.querySelector('.scatter')?.getAttribute('data-draw-ms')) > 0,
  );
  const first = Number(await scatter.getAttribute('data-draw-ms'));
  // Redraws (another projection) after warm-up.
  const redraws: number[] = [];
  for (let i = 0; i < 4; i++) {
    const before = await scatter.getAttribute('data-draw-ms');
    await page.getByRole('button', { name: 'Redraw' }).click();
    await page.waitForFunction(
      (b) => document.querySelector('.scatter')?.getAttribute('data-draw-ms') !== b,
      before,
    );
    redraws.push(Number(await scatter.getAttribute('data-draw-ms')));
  }
  // Hover: nearest-point search over 10k points must stay interactive.
  const box = (await page.locator('.scatter canvas').boundingBox())!;
  const hoverStart = Date.now();
  for (let i = 0; i < 20; i++)
    await page.mouse.move(box.x + box.width * (0.2 + i * 0.03), box.y + box.height * 0.5);
  const hoverMs = (Date.now() - hoverStart) / 20;
  const median = [...redraws].sort((a, b) => a - b)[Math.floor(redraws.length / 2)]!;
  t.diagnostic(
    `scatter 10k points: first draw ${first.toFixed(1)} ms, redraw median ${median.toFixed(1)} ms (${redraws.map((r) => r.toFixed(0)).join(', ')}), hover ${hoverMs.toFixed(1)} ms per move`,
  );
  console.log(
    `# scatter 10k: first ${first.toFixed(1)} ms, redraw median ${median.toFixed(1)} ms, hover ${hoverMs.toFixed(1)} ms/move`,
  );
  await screenshot(page, 'scatter-10k');
  assert.ok(median < 500, `a 10k-point redraw took ${median} ms`);
  assert.deepEqual(
    errors.filter((e) => !/favicon/.test(e)),
    [],
  );
});
