import type { Store } from '../../src-main/host/store/index.ts';

/**
 * A run's recorded metrics as comparable lines, without the wall-clock ones: what two runs
 * with the same seed must agree on exactly (e.g. one resumed after a kill and one uninterrupted).
 */
export function metricSeries(store: Store, run: number | string): string[] {
  return store
    .metrics(store.getRun(run)!.id)
    .filter((m) => m.name !== 'epoch_seconds')
    .map((m) => `${m.step}:${m.name}=${m.value}`);
}
