/**
 * Runs trained by other processes (a terminal's `gmvae train` or `gmvae reproduce`, another
 * window of the app) reach this process only through the store. The watcher notices their
 * commits (SQLite's data_version changes when another connection writes) and turns what changed
 * into the events this process's own trainers send: progress from the trainer's heartbeat, each
 * finished epoch with its metrics, status changes. So every interface shows them live.
 */
import type { RunProgress } from '../common/api/contract.ts';
import type { TrainEvent } from '../common/training-events.ts';
import type { RunState, Store } from './store/index.ts';

export interface RunWatchOptions {
  store: Store;
  /** Runs whose events this process already sends (its own trainers). */
  ownRuns: () => readonly number[];
  emit: (event: TrainEvent) => void;
  /** A run appeared, was deleted, or ended an epoch or a status: lists need refetching. */
  changed: () => void;
}

export class RunWatch {
  readonly #options: RunWatchOptions;
  #version: number | null = null;
  /** Each run as the last poll saw it. */
  #seen = new Map<number, RunState>();
  /** Runs this process trained at the last poll: what they write next is still its own. */
  #ownBefore = new Set<number>();

  constructor(options: RunWatchOptions) {
    this.#options = options;
  }

  /** Compares the store with the last poll's view; cheap when no other process wrote. */
  poll(): void {
    const { store, emit } = this.#options;
    const version = store.dataVersion();
    if (version === this.#version) return;
    const first = this.#version === null;
    this.#version = version;
    const own = new Set([...this.#options.ownRuns(), ...this.#ownBefore]);
    this.#ownBefore = new Set(this.#options.ownRuns());
    const states = store.runStates();
    let changed = states.length !== this.#seen.size;
    const seen = new Map<number, RunState>();
    for (const state of states) {
      seen.set(state.id, state);
      if (first || own.has(state.id)) continue;
      // A run new since the last poll: the lists' refetch shows it; the epochs it may already
      // have finished (a small run trains several in one poll's time) go out as events.
      const before = this.#seen.get(state.id) ?? { ...state, epoch: 0, progress: null };
      if (!this.#seen.has(state.id)) changed = true;
      if (state.epoch > before.epoch) {
        // Each epoch's metrics were committed with its checkpoint, at the step that ends it,
        // where its 'epoch_seconds' is.
        for (const end of store.metrics(state.id, ['epoch_seconds'])) {
          if (end.epoch <= before.epoch || end.epoch > state.epoch) continue;
          const metrics = store.metricsAt(state.id, end.step);
          emit({ type: 'epoch', runId: state.id, epoch: end.epoch, seconds: end.value, metrics });
        }
        changed = true;
      }
      if (state.status !== before.status) {
        emit({ type: 'status', runId: state.id, status: state.status, error: state.error });
        changed = true;
      }
      if (state.status === 'running' && state.progress !== null && state.progress !== before.progress)
        emit({ type: 'progress', runId: state.id, ...(JSON.parse(state.progress) as RunProgress) });
    }
    this.#seen = seen;
    if (changed && !first) this.#options.changed();
  }
}
