/**
 * The sweeps (docs/sweeps.md), as the Sweeps screen and the runs table read them. Asking the
 * back end also collects the runs of running Slurm sweeps, so while a screen shows sweeps
 * that run, the list is polled (`watch`) and the runs and their curves stay current.
 */
import type { SweepInfo } from '@common/sweep.ts';
import { api, onEvent } from '../lib/api.svelte.ts';
import { ListStore } from '../lib/list-store.svelte.ts';

export const SWEEP_POLL_MS = 5000;

class SweepsStore extends ListStore<SweepInfo> {
  #watchers = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    super(() => api.listSweeps());
    // A run created or finished may be a local sweep's.
    onEvent((event) => {
      if (event.type === 'runs-changed' && this.loaded && this.list.some((s) => s.state === 'running'))
        this.#schedule(500);
    });
  }

  /** The name of the sweep with this id, when loaded. */
  name(id: number): string {
    return this.list.find((s) => s.id === id)?.name ?? `sweep ${id}`;
  }

  /** Keeps the list fresh while the caller shows it; returns the function that stops that. */
  watch(): () => void {
    this.#watchers++;
    void this.refresh().then(() => this.#schedule(SWEEP_POLL_MS));
    return () => {
      this.#watchers--;
      if (this.#watchers === 0 && this.#timer) clearTimeout(this.#timer);
    };
  }

  #schedule(ms: number): void {
    if (this.#watchers === 0) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(async () => {
      this.#timer = null;
      await this.refresh();
      if (this.list.some((s) => s.state === 'running')) this.#schedule(SWEEP_POLL_MS);
    }, ms);
  }
}

export const sweeps = new SweepsStore();
