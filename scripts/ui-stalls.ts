/**
 * How long the interface's main thread stalls while two runs train: the real `gmvae serve` on a
 * fresh home, Debian's Chromium, two spiral runs started from the New run form, then the Run
 * screen of one and the Compare screen of both (its one large chart, then its small chart of
 * every metric) watched for a while each. Prints, per screen, the
 * longest gap between animation frames and the longest task (PerformanceObserver 'longtask').
 * A benchmark: it prints figures and asserts nothing, and no test runs it (its two runs hold
 * both cores for minutes). Needs `npm run build` first.
 *
 *   node scripts/ui-stalls.ts [--seconds 20] [--epochs 500] [--json]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { launch, newPage } from '../test/browser/helpers/browser.ts';
import {
  installStallMonitor,
  readStalls,
  resetStalls,
  type Stalls,
} from '../test/browser/helpers/monitor.ts';
import { go, openNewSpiralRun, submitNewRun } from '../test/browser/helpers/runs.ts';
import { serve } from '../test/browser/helpers/server.ts';

export interface ScreenStalls extends Stalls {
  screen: 'run' | 'compare' | 'compare-all';
  seconds: number;
  /** Whether both runs were still training when the window closed (else the figure is of less). */
  bothTraining: boolean;
}

export interface StallReport {
  screens: ScreenStalls[];
  cpus: number;
  /** The machine's 1-minute load average when the measurement ended. */
  load: number;
}

export interface StallOptions {
  /** How long each screen is watched. */
  seconds: number;
  /** Epochs per run: enough that both still train when the last window closes. */
  epochs: number;
  /** Progress lines (to stderr in the script). */
  log?: (line: string) => void;
}

async function startRun(page: Page, name: string, epochs: number, seed: number): Promise<number> {
  await openNewSpiralRun(page);
  return submitNewRun(page, name, { Epochs: String(epochs), Seed: String(seed) });
}

/** Watches the screen now shown for `seconds`, from a quiet start (its charts drawn). */
async function watch(page: Page, seconds: number): Promise<Stalls> {
  await page.waitForTimeout(1000);
  await resetStalls(page);
  await page.waitForTimeout(seconds * 1000);
  return readStalls(page);
}

export async function measureTrainingStalls(options: StallOptions): Promise<StallReport> {
  const log = options.log ?? (() => {});
  const served = await serve();
  const browser = await launch();
  try {
    const { page, errors } = await newPage(browser);
    await installStallMonitor(page);
    await page.goto(served.url);
    await page.getByRole('heading', { name: 'Runs', exact: true }).waitFor();
    const a = await startRun(page, 'stall-a', options.epochs, 1);
    const b = await startRun(page, 'stall-b', options.epochs, 2);
    log(`started runs ${a} and ${b} (spiral, ${options.epochs} epochs each)`);

    const screens: ScreenStalls[] = [];
    await go(page, `#/runs/${a}`);
    // From the first epoch on, both runs send epoch metrics as well as steps.
    await page.locator('canvas[aria-label^="ELBO"]:not([data-points="0"])').waitFor({ timeout: 120_000 });
    log(`watching the Run screen for ${options.seconds} s`);
    const run = await watch(page, options.seconds);
    const badge = ((await page.locator('header .badge').textContent()) ?? '').trim();
    screens.push({ screen: 'run', seconds: options.seconds, ...run, bothTraining: badge === 'running' });

    await go(page, `#/compare?ids=${a},${b}`);
    // Loading two training runs' histories takes long on a machine as busy as CI's.
    await page.getByRole('table', { name: 'Final metrics' }).waitFor({ timeout: 120_000 });
    log(`watching the Compare screen for ${options.seconds} s`);
    const compare = await watch(page, options.seconds);
    const bothRunning = async () =>
      (await page.getByRole('table', { name: 'Final metrics' }).locator('.badge').allTextContents()).filter(
        (s) => s.trim() === 'running',
      ).length === 2;
    screens.push({
      screen: 'compare',
      seconds: options.seconds,
      ...compare,
      bothTraining: await bothRunning(),
    });

    await page
      .getByRole('group', { name: 'Metrics shown' })
      .getByRole('button', { name: 'All metrics' })
      .click();
    await page.getByRole('list', { name: 'All metrics' }).locator('canvas').first().waitFor();
    log(`watching the Compare screen's small chart of every metric for ${options.seconds} s`);
    const all = await watch(page, options.seconds);
    screens.push({
      screen: 'compare-all',
      seconds: options.seconds,
      ...all,
      bothTraining: await bothRunning(),
    });
    const pageErrors = errors.filter((e) => !/favicon|404/.test(e));
    if (pageErrors.length) throw new Error(`the page reported errors:\n${pageErrors.join('\n')}`);
    return { screens, cpus: os.cpus().length, load: os.loadavg()[0]! };
  } finally {
    await browser.close();
    await served.stop();
  }
}

const SCREEN_NAMES: Record<ScreenStalls['screen'], string> = {
  run: 'Run screen',
  compare: 'Compare screen',
  'compare-all': 'Compare, all metrics',
};

export function describe(report: StallReport): string {
  const lines = [
    `Main-thread stalls while two spiral runs train (${report.cpus} CPU cores, 1-min load ${report.load.toFixed(1)}):`,
  ];
  for (const s of report.screens)
    lines.push(
      `  ${SCREEN_NAMES[s.screen].padEnd(20)} ${s.seconds} s: ` +
        `longest task ${s.longestTaskMs.toFixed(0)} ms (${s.longTasks} over 50 ms), ` +
        `longest frame gap ${s.maxFrameGapMs.toFixed(0)} ms at ${(s.maxFrameGapAtMs / 1000).toFixed(1)} s (${s.gapsOver100} over 100 ms, ${s.gapsOver50} over 50 ms, ${s.frames} frames)` +
        (s.bothTraining ? '' : ' [a run had finished: raise --epochs]'),
    );
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '20' },
      epochs: { type: 'string', default: '500' },
      json: { type: 'boolean', default: false },
    },
  });
  const report = await measureTrainingStalls({
    seconds: Number(values.seconds),
    epochs: Number(values.epochs),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${describe(report)}\n`);
}
