/**
 * A main-thread stall monitor installed in the page before its scripts: the longest gap between
 * animation frames, and the longest 'longtask' entry. Read with readStalls(page).
 */
import type { Page } from 'playwright-core';

// The page's globals, for the functions evaluated in it (this file is type-checked as Node code).
declare const window: Record<string, unknown>;
declare function requestAnimationFrame(callback: (time: number) => void): number;
declare const PerformanceObserver: new (
  callback: (list: { getEntries(): { duration: number }[] }) => void,
) => {
  observe(options: { type: string; buffered?: boolean }): void;
};

export interface Stalls {
  maxFrameGapMs: number;
  longestTaskMs: number;
  longTasks: number;
  frames: number;
}

export async function installStallMonitor(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const state = { maxFrameGapMs: 0, longestTaskMs: 0, longTasks: 0, frames: 0, last: 0 };
    window.__stalls = state;
    const frame = (t: number) => {
      if (state.last) state.maxFrameGapMs = Math.max(state.maxFrameGapMs, t - state.last);
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
    s.maxFrameGapMs = 0;
    s.longestTaskMs = 0;
    s.longTasks = 0;
    s.frames = 0;
    s.last = 0;
  });
}

export async function readStalls(page: Page): Promise<Stalls> {
  return page.evaluate(() => {
    const s = window.__stalls as Stalls;
    return {
      maxFrameGapMs: s.maxFrameGapMs,
      longestTaskMs: s.longestTaskMs,
      longTasks: s.longTasks,
      frames: s.frames,
    };
  });
}
