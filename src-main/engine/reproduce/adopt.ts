/**
 * Which stored run stands for a planned one. A run trained earlier with exactly the planned
 * settings (same dataset, same resolved configuration, seed included) is the planned run,
 * whatever its name or however it was started (`gmvae train`, the app, an earlier sitting of
 * `gmvae reproduce`): so a reproduction picks up where it stopped and never trains twice. A
 * run with the same settings but fewer epochs is trained further where that equals the longer
 * run (a constant learning rate): a reproduction asked for more epochs continues the shorter one.
 */
import { CONFIG_KEYS, resolveConfig, type GmvaeConfig } from '../../common/config.ts';
import { isTraining, trainFurtherBlocker, type RunRecord, type RunStatus } from '../../common/run.ts';
import { datasetInfo } from '../../host/datasets.ts';
import { createRun } from '../../host/runs.ts';
import { StoreError, type Store } from '../../host/store/index.ts';
import type { PlannedRun } from './experiments.ts';

export const reproduceTag = (experiment: string): string => `reproduce:${experiment}`;

export function sameConfig(a: GmvaeConfig, b: GmvaeConfig): boolean {
  return CONFIG_KEYS.every((key) => a[key] === b[key]);
}

export function sameApartFromEpochs(a: GmvaeConfig, b: GmvaeConfig): boolean {
  return CONFIG_KEYS.every((key) => key === 'epochs' || a[key] === b[key]);
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

/**
 * Stored runs with `planned`'s settings but another number of epochs, the furthest along first:
 * what a report on a reproduction started with another `--epochs` would be looking for.
 */
export function findOtherLengths(store: Store, planned: PlannedRun): RunRecord[] {
  const info = datasetInfo(store, planned.dataset);
  const config = resolveConfig(info, planned.overrides);
  return store
    .listRuns()
    .filter(
      (run) =>
        run.dataset === info.name &&
        run.config.epochs !== config.epochs &&
        sameApartFromEpochs(run.config, config),
    )
    .sort((a, b) => b.epoch - a.epoch || a.id - b.id);
}

/**
 * A run of this experiment that `planned` can train further: its settings but fewer epochs, a
 * schedule that does not depend on the length, no trainer holding it, not part of a sweep, not
 * failed (it would fail again at the same step); the furthest along first. Only the
 * experiment's own runs: a run someone trained by hand keeps its length.
 */
export function findShorterRun(store: Store, planned: PlannedRun): RunRecord | null {
  const info = datasetInfo(store, planned.dataset);
  const config = resolveConfig(info, planned.overrides);
  const candidates = store
    .listRuns()
    .filter(
      (run) =>
        run.dataset === info.name &&
        run.tags.includes(reproduceTag(planned.experiment)) &&
        run.sweepId === null &&
        run.status !== 'failed' &&
        !isTraining(run.status) &&
        run.config.epochs < config.epochs &&
        sameApartFromEpochs(run.config, config) &&
        trainFurtherBlocker(run) === null,
    )
    .sort((a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status] || b.epoch - a.epoch || a.id - b.id);
  return candidates[0] ?? null;
}

/**
 * The stored run for `planned`: an existing one with its settings, or a shorter one raised to
 * its epochs (either tagged as part of the experiment), else a new one.
 */
export function adoptOrCreateRun(
  store: Store,
  planned: PlannedRun,
): { run: RunRecord; adopted: boolean; extendedFrom?: number } {
  const tag = reproduceTag(planned.experiment);
  const existing = findPlannedRun(store, planned);
  if (existing) {
    const run = existing.tags.includes(tag)
      ? existing
      : store.updateRun(existing.id, { tags: [...existing.tags, tag] });
    return { run, adopted: true };
  }
  const shorter = findShorterRun(store, planned);
  const extended = shorter && extendIfStillFree(store, shorter, planned);
  if (shorter && extended) {
    // The name it was given ("... (30 epochs)") would now mislead: it takes the plan's.
    const renamed = store.getRun(planned.name) ? {} : { name: planned.name };
    return { run: store.updateRun(extended.id, renamed), adopted: true, extendedFrom: shorter.config.epochs };
  }
  // A name can be taken by a run with other settings (an older default, another backend).
  let name = planned.name;
  for (let n = 2; store.getRun(name); n++) name = `${planned.name} #${n}`;
  const created = createRun(store, { dataset: planned.dataset, name, overrides: planned.overrides });
  return { run: store.updateRun(created.id, { tags: ['reproduce', tag] }), adopted: false };
}

/** `run` raised to the plan's epochs, or null if a trainer claimed it since the store was read. */
function extendIfStillFree(store: Store, run: RunRecord, planned: PlannedRun): RunRecord | null {
  const info = datasetInfo(store, planned.dataset);
  try {
    return store.extendRun(run.id, resolveConfig(info, planned.overrides).epochs);
  } catch (error) {
    if (error instanceof StoreError) return null;
    throw error;
  }
}
