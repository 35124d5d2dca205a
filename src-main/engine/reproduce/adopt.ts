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

/** Preferred first: the best status (STATUS_RANK), then the furthest along, then the oldest. */
const byPreference = (a: RunRecord, b: RunRecord): number =>
  STATUS_RANK[a.status] - STATUS_RANK[b.status] || b.epoch - a.epoch || a.id - b.id;

export function findMatchingRun(store: Store, dataset: string, config: GmvaeConfig): RunRecord | null {
  const matches = store
    .listRuns()
    .filter((run) => run.dataset === dataset && sameConfig(run.config, config))
    .sort(byPreference);
  return matches[0] ?? null;
}

/** The stored name of the dataset `planned` trains on, and the configuration it resolves to. */
export function plannedSettings(store: Store, planned: PlannedRun): { dataset: string; config: GmvaeConfig } {
  const info = datasetInfo(store, planned.dataset);
  return { dataset: info.name, config: resolveConfig(info, planned.overrides) };
}

/** The stored run with `planned`'s settings, or null. */
export function findPlannedRun(store: Store, planned: PlannedRun): RunRecord | null {
  const { dataset, config } = plannedSettings(store, planned);
  return findMatchingRun(store, dataset, config);
}

/**
 * Stored runs with `planned`'s settings but another number of epochs, preferred first: those a
 * reproduction asked for more epochs may continue, and those a report asked for another length
 * names.
 */
export function findOtherLengths(store: Store, planned: PlannedRun): RunRecord[] {
  const { dataset, config } = plannedSettings(store, planned);
  return store
    .listRuns()
    .filter(
      (run) =>
        run.dataset === dataset &&
        run.config.epochs !== config.epochs &&
        sameApartFromEpochs(run.config, config),
    )
    .sort(byPreference);
}

/**
 * A run of this experiment that `planned` can train further: its settings but fewer epochs, a
 * schedule that does not depend on the length, no trainer holding it, not part of a sweep, not
 * failed (it would fail again at the same step); the preferred one. Only the
 * experiment's own runs: a run someone trained by hand keeps its length.
 */
export function findShorterRun(store: Store, planned: PlannedRun): RunRecord | null {
  const { epochs } = plannedSettings(store, planned).config;
  const shorter = findOtherLengths(store, planned).find(
    (run) =>
      run.config.epochs < epochs &&
      run.tags.includes(reproduceTag(planned.experiment)) &&
      run.sweepId === null &&
      run.status !== 'failed' &&
      !isTraining(run.status) &&
      trainFurtherBlocker(run) === null,
  );
  return shorter ?? null;
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
  try {
    return store.extendRun(run.id, plannedSettings(store, planned).config.epochs);
  } catch (error) {
    if (error instanceof StoreError) return null;
    throw error;
  }
}
