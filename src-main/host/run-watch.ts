/**
 * Runs trained by other processes (a terminal's `gmvae train` or `gmvae reproduce`, another
 * instance of the app or of `gmvae serve`) reach this process only through the store. The
 * watcher notices their commits (SQLite's data_version changes when another connection writes)
 * and turns what changed into the events this process's own trainers send: progress from the
 * trainer's heartbeat, each finished epoch with its metrics, status changes. So every interface
 * shows them live. It also marks runs whose trainer died as interrupted, since a dead trainer
 * commits nothing that would show it.
 */
import { isStepMetric } from '../common/metric-names.ts';
import type { TrainEvent } from '../common/training-events.ts';
import { parseProgress, type RunState, type Store } from './store/index.ts';

export interface RunWatchOptions {
  store: Store;
  /** Runs this process trains now: their trainers' events are live here. */
  ownRuns: () => readonly number[];
  emit: (event: TrainEvent) => void;
  /** A run appeared, went, or ended an epoch or a status: lists need refetching. */
  changed: () => void;
  /** Look for dead trainers every this many polls. */
  staleEvery?: number;
}

export class RunWatch {
  readonly #options: RunWatchOptions;
  #version: number | null = null;
  /** Each run as this process last knew it: from the store, or from its own trainers' events. */
  #seen = new Map<number, RunState>();
  #polls = 0;

  constructor(options: RunWatchOptions) {
    this.#options = options;
  }

  /**
   * An event of this process's own trainer: what it reports is known here, so a later poll
   * does not send it again when it finds the same change in the store.
   */
  observe(event: TrainEvent): void {
    const known = this.#seen.get(event.runId);
    const state: RunState = known ?? {
      id: event.runId,
      status: 'running',
      epoch: 0,
      step: 0,
      error: null,
      progress: null,
      record: '',
    };
    if (event.type === 'epoch') state.epoch = Math.max(state.epoch, event.epoch);
    else if (event.type === 'status') {
      state.status = event.status;
      state.error = event.error;
    } else if (event.type === 'started') state.status = 'running';
    this.#seen.set(event.runId, state);
  }

  /** Compares the store with what this process knows; cheap when no other process wrote. */
  poll(): void {
    const { store, changed } = this.#options;
    if (++this.#polls % (this.#options.staleEvery ?? 5) === 0) this.#interruptStale();
    const version = store.dataVersion();
    if (version === this.#version) return;
    const first = this.#version === null;
    this.#version = version;
    const own = new Set(this.#options.ownRuns());
    const states = store.runStates();
    let anyChange = states.length !== this.#seen.size;
    const seen = new Map<number, RunState>();
    for (const state of states) {
      const before = this.#seen.get(state.id);
      seen.set(state.id, state);
      // A run this process trains sends its own events (observe keeps them known here).
      if (first || own.has(state.id)) continue;
      if (!before) anyChange = true;
      // A run new since the last poll may have finished epochs already (a small run trains
      // several in one poll's time): compare it with a run at epoch 0.
      if (this.#compare(before ?? { ...state, epoch: 0, progress: null }, state)) anyChange = true;
    }
    this.#seen = seen;
    if (anyChange && !first) changed();
  }

  /** Sends what changed from `before` to `now`; whether lists need refetching. */
  #compare(before: RunState, now: RunState): boolean {
    const { store, emit } = this.#options;
    let listChanged = false;
    if (now.epoch > before.epoch) {
      // Each epoch's metrics were committed with its checkpoint, at the step that ends it, where
      // its 'epoch_seconds' is; the steps' own loss logged at that step is not the epoch's.
      for (const end of store.metrics(now.id, ['epoch_seconds'])) {
        if (end.epoch <= before.epoch || end.epoch > now.epoch) continue;
        const all = store.metricsAt(now.id, end.step);
        const metrics = Object.fromEntries(Object.entries(all).filter(([name]) => !isStepMetric(name)));
        emit({ type: 'epoch', runId: now.id, epoch: end.epoch, seconds: end.value, metrics });
      }
      listChanged = true;
    }
    if (now.status !== before.status) {
      emit({ type: 'status', runId: now.id, status: now.status, error: now.error });
      listChanged = true;
    }
    // Anything else of the record (its name, notes, tags, backend): the lists show it.
    if (now.record !== before.record) listChanged = true;
    if (now.status === 'running' && now.progress !== null && now.progress !== before.progress) {
      const progress = parseProgress(now.progress);
      if (progress) emit({ type: 'progress', runId: now.id, ...progress });
    }
    return listChanged;
  }

  /** Runs whose trainer is gone become 'interrupted' (this connection's write: no poll sees it). */
  #interruptStale(): void {
    const ids = this.#options.store.markStaleRunsInterrupted();
    for (const runId of ids) {
      const state = this.#seen.get(runId);
      if (state) state.status = 'interrupted';
      this.#options.emit({ type: 'status', runId, status: 'interrupted', error: null });
    }
    if (ids.length > 0) this.#options.changed();
  }
}
