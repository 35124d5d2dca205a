import type { Store } from '../../src-main/host/store/index.ts';

/**
 * A run's recorded metrics as comparable lines, without the wall-clock and memory ones (a
 * resumed process holds fewer tensors than one that ran from the start): what two runs
 * with the same seed must agree on exactly (e.g. one resumed after a kill and one uninterrupted).
 */
export function metricSeries(store: Store, run: number | string): string[] {
  return store
    .metrics(store.getRun(run)!.id)
    .filter((m) => m.name !== 'epoch_seconds' && !m.name.startsWith('memory/'))
    .map((m) => `${m.step}:${m.name}=${m.value}`);
}
