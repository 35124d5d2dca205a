/**
 * The sweeps (docs/sweeps.md), as the Sweeps screen and the runs table read them. Asking the
 * back end also collects the runs of running Slurm sweeps, so while a screen shows sweeps
 * that run, the list is polled (`watch`) and the runs and their curves stay current. The
 * client is passed in (sweeps.svelte.ts passes the app's), so tests drive it over a fake transport.
 */
import type { ApiClient } from '../../../src-main/common/api/client.ts';
import type { SweepInfo } from '../../../src-main/common/sweep.ts';
import { ListStore } from '../lib/list-store.svelte.ts';

export const SWEEP_POLL_MS = 5000;

export class SweepsStore extends ListStore<SweepInfo> {
  #watchers = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(client: ApiClient) {
    super(() => client.api.listSweeps());
    // A run created or finished may be a local sweep's.
    client.onEvent((event) => {
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
