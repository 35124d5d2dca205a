/**
 * A main-thread stall monitor installed in the page before its scripts: the gaps between
 * animation frames (the longest, and how many passed 50 and 100 ms), and the 'longtask' entries
 * (tasks over 50 ms: the longest and how many). Read with readStalls(page).
 */
import type { Locator, Page } from 'playwright-core';

// The page's globals, for the functions evaluated in it (this file is type-checked as Node code).
declare const window: Record<string, unknown>;
declare const performance: { now(): number };
declare function requestAnimationFrame(callback: (time: number) => void): number;
declare const MutationObserver: new (callback: () => void) => {
  observe(target: unknown, options: { attributes: boolean; attributeFilter: string[] }): void;
};
declare const PerformanceObserver: new (
  callback: (list: { getEntries(): { duration: number }[] }) => void,
) => {
  observe(options: { type: string; buffered?: boolean }): void;
};

export interface Stalls {
  maxFrameGapMs: number;
  /** When the longest gap began, in ms since the monitor was last reset. */
  maxFrameGapAtMs: number;
  /** Frame gaps over 50 ms, and over 100 ms. */
  gapsOver50: number;
  gapsOver100: number;
  longestTaskMs: number;
  longTasks: number;
  frames: number;
}

export async function installStallMonitor(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const state = {
      maxFrameGapMs: 0,
      maxFrameGapAtMs: 0,
      since: 0,
      gapsOver50: 0,
      gapsOver100: 0,
      longestTaskMs: 0,
      longTasks: 0,
      frames: 0,
      last: 0,
    };
    window.__stalls = state;
    const frame = (t: number) => {
      if (state.last) {
        const gap = t - state.last;
        if (gap > state.maxFrameGapMs) {
          state.maxFrameGapMs = gap;
          state.maxFrameGapAtMs = state.last - state.since;
        }
        if (gap > 50) state.gapsOver50++;
        if (gap > 100) state.gapsOver100++;
      }
      state.last = t;
      state.frames++;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          state.longTasks++;
          state.longestTaskMs = Math.max(state.longestTaskMs, e.duration);
        }
      }).observe({ type: 'longtask', buffered: false });
    } catch {
      // longtask is Chromium-only; the frame gaps still tell.
    }
  });
}

export async function resetStalls(page: Page): Promise<void> {
  await page.evaluate(() => {
    const s = window.__stalls as Record<string, number>;
    for (const key of Object.keys(s)) s[key] = 0;
    s.since = performance.now();
  });
}

export async function readStalls(page: Page): Promise<Stalls> {
  return page.evaluate(() => {
    const s = window.__stalls as Stalls;
    return {
      maxFrameGapMs: s.maxFrameGapMs,
      maxFrameGapAtMs: s.maxFrameGapAtMs,
      gapsOver50: s.gapsOver50,
      gapsOver100: s.gapsOver100,
      longestTaskMs: s.longestTaskMs,
      longTasks: s.longTasks,
      frames: s.frames,
    };
  });
}

/**
 * Records, in the page, every value a numeric attribute of the element takes from now on; the
 * returned function reads them (the first is the value now). Polling from the test instead
 * misses values when a loaded machine slows each round trip.
 */
export async function recordAttribute(element: Locator, name: string): Promise<() => Promise<number[]>> {
  const key = `__recorded_${name}`;
  await element.evaluate(
    (el, [attribute, slot]) => {
      const seen = [Number(el.getAttribute(attribute!) ?? 0)];
      window[slot!] = seen;
      new MutationObserver(() => {
        const n = Number(el.getAttribute(attribute!) ?? 0);
        if (seen[seen.length - 1] !== n) seen.push(n);
      }).observe(el, { attributes: true, attributeFilter: [attribute!] });
    },
    [name, key],
  );
  return () => element.page().evaluate((slot) => window[slot] as number[], key);
}
