/**
 * One chart's life on the redraw queue: a rebuild (new theme, new set of series) and a refresh
 * (new points) share one queue key, so they cannot run out of order. A refresh queued for a
 * chart that a later rebuild replaces would otherwise call update() on a destroyed Chart.js
 * instance, whose canvas is already null (it throws reading `ownerDocument`).
 */
import { cancelRedraw, queueRedraw } from './redraw-queue.ts';

export interface Drawable {
  update(mode: 'none'): void;
  destroy(): void;
}

export class ChartSlot<C extends Drawable> {
  private chart: C | null = null;
  private buildPending = false;
  private readonly create: () => C | null;

  /** `create` draws a new chart from the current data; it returns null while there is no canvas. */
  constructor(create: () => C | null) {
    this.create = create;
  }

  get current(): C | null {
    return this.chart;
  }

  /** Queues a new chart in place of the old one; a queued refresh is dropped (the build reads current data). */
  rebuild(): void {
    this.buildPending = true;
    queueRedraw(this, () => {
      this.buildPending = false;
      this.chart?.destroy();
      this.chart = this.create();
    });
  }

  /** Queues `apply` on the chart drawn now; nothing when a rebuild is on its way or no chart exists. */
  refresh(apply: (chart: C) => void): void {
    if (this.buildPending || !this.chart) return;
    const target = this.chart;
    queueRedraw(this, () => {
      if (this.chart !== target) return;
      apply(target);
      target.update('none');
    });
  }

  destroy(): void {
    cancelRedraw(this);
    this.buildPending = false;
    this.chart?.destroy();
    this.chart = null;
  }
}
