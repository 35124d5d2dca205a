/**
 * Which stored run stands for a planned one. A run trained earlier with exactly the planned
 * settings (same dataset, same resolved configuration, seed included) is the planned run,
 * whatever its name or however it was started (`gmvae train`, the app, an earlier sitting of
 * `gmvae reproduce`): so a reproduction picks up where it stopped and never trains twice.
 */
import { CONFIG_KEYS, resolveConfig, type GmvaeConfig } from '../../common/config.ts';
import type { RunRecord, RunStatus } from '../../common/run.ts';
import { datasetInfo } from '../../host/datasets.ts';
import { createRun } from '../../host/runs.ts';
import type { Store } from '../../host/store/index.ts';
import type { PlannedRun } from './experiments.ts';

export const reproduceTag = (experiment: string): string => `reproduce:${experiment}`;

export function sameConfig(a: GmvaeConfig, b: GmvaeConfig): boolean {
  return CONFIG_KEYS.every((key) => a[key] === b[key]);
}

/** Preference among runs with the planned settings: the furthest along, a live one first. */
const STATUS_RANK: Record<RunStatus, number> = {
  completed: 0,
  running: 1,
  paused: 1,
  stopped: 2,
  interrupted: 2,
  failed: 3,
};

export function findMatchingRun(store: Store, dataset: string, config: GmvaeConfig): RunRecord | null {
  const matches = store
    .listRuns()
    .filter((run) => run.dataset === dataset && sameConfig(run.config, config))
    .sort((a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status] || b.epoch - a.epoch || a.id - b.id);
  return matches[0] ?? null;
}

/** The stored run with `planned`'s settings, or null. */
export function findPlannedRun(store: Store, planned: PlannedRun): RunRecord | null {
  const info = datasetInfo(store, planned.dataset);
  return findMatchingRun(store, info.name, resolveConfig(info, planned.overrides));
}

/** The stored run for `planned`: an existing one with its settings (tagged as part of the experiment), else a new one. */
export function adoptOrCreateRun(store: Store, planned: PlannedRun): { run: RunRecord; adopted: boolean } {
  const tag = reproduceTag(planned.experiment);
  const existing = findPlannedRun(store, planned);
  if (existing) {
    const run = existing.tags.includes(tag)
      ? existing
      : store.updateRun(existing.id, { tags: [...existing.tags, tag] });
    return { run, adopted: true };
  }
  // A name can be taken by a run with other settings (an older default, another backend).
  let name = planned.name;
  for (let n = 2; store.getRun(name); n++) name = `${planned.name} #${n}`;
  const created = createRun(store, { dataset: planned.dataset, name, overrides: planned.overrides });
  return { run: store.updateRun(created.id, { tags: ['reproduce', tag] }), adopted: false };
}
