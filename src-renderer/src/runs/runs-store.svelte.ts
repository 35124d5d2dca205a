/**
 * Every run, kept current from the back end's events: progress (throttled to a few repaints a
 * second), epochs, status changes, and a refetch when the set of runs changes. The client is
 * passed in (runs.svelte.ts passes the app's), so tests drive it over a fake transport.
 */
import type { ApiClient } from '../../../src-main/common/api/client.ts';
import type { RunProgress, RunSummary } from '../../../src-main/common/api/contract.ts';
import { warnableSilence } from '../../../src-main/common/run.ts';
import type { TrainEvent } from '../../../src-main/common/training-events.ts';
import { ListStore } from '../lib/list-store.svelte.ts';

const PROGRESS_REPAINT_MS = 250;

export class RunsStore extends ListStore<RunSummary> {
  datasets = $derived([...new Set(this.list.map((r) => r.dataset))].sort());

  #pending = new Map<number, RunProgress>();
  #flushTimer: ReturnType<typeof setTimeout> | null = null;
  #refreshTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * Runs another process trains: this window's clock time of their trainer's last sign of life,
   * from the list's silentSeconds when it arrives (the server's clock on both ends, so no skew)
   * and from each progress event that moves them on.
   */
  readonly #lastSign: Map<number, number>;

  constructor(client: ApiClient) {
    const lastSign = new Map<number, number>();
    super(async () => {
      const list = await client.api.listRuns();
      const now = Date.now();
      lastSign.clear();
      for (const run of list)
        if (run.silentSeconds !== null) lastSign.set(run.id, now - run.silentSeconds * 1000);
      return list;
    });
    this.#lastSign = lastSign;
    client.onEvent((event) => {
      if (event.type === 'train') this.#train(event.event);
      else if (event.type === 'runs-changed') this.refreshSoon();
    });
  }

  byId(id: number): RunSummary | undefined {
    return this.list.find((r) => r.id === id);
  }

  /**
   * How long a run another process trains has been silent while training, in seconds, once it
   * is over SILENT_AFTER_SECONDS (its trainer writes a heartbeat every few seconds): its process
   * is stopped or hung. Null otherwise, and while it evaluates (no heartbeats then).
   */
  silentSeconds(run: RunSummary, now: number): number | null {
    const last = this.#lastSign.get(run.id);
    return warnableSilence(run.status, run.progress?.phase, last === undefined ? null : (now - last) / 1000);
  }

  refreshSoon(ms = 200): void {
    if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = null;
      void this.refresh();
    }, ms);
  }

  #train(event: TrainEvent): void {
    const run = this.byId(event.runId);
    if (!run) {
      this.refreshSoon();
      return;
    }
    switch (event.type) {
      case 'progress':
        if (this.#lastSign.has(event.runId)) this.#lastSign.set(event.runId, Date.now());
        this.#pending.set(event.runId, {
          phase: event.phase,
          epoch: event.epoch,
          batch: event.batch,
          batches: event.batches,
          step: event.step,
          loss: event.loss,
          examplesPerSecond: event.examplesPerSecond,
        });
        if (this.#flushTimer === null)
          this.#flushTimer = setTimeout(() => this.#flush(), PROGRESS_REPAINT_MS);
        break;
      case 'epoch': {
        run.epoch = event.epoch;
        const metrics = { ...run.metrics } as Record<string, number>;
        for (const [name, value] of Object.entries(event.metrics))
          if (name.startsWith('test/')) metrics[name.slice(5)] = value;
        run.metrics = metrics;
        break;
      }
      case 'started':
        run.status = 'running';
        run.backend = event.backend;
        run.device = event.device;
        run.error = null;
        break;
      case 'status':
        run.status = event.status;
        run.error = event.error;
        // A paused run keeps the epoch and batch it paused in; any other end clears them.
        if (event.status !== 'running' && event.status !== 'paused') {
          run.progress = null;
          this.#pending.delete(event.runId);
        }
        this.refreshSoon(400);
        break;
    }
  }

  #flush(): void {
    this.#flushTimer = null;
    for (const [id, progress] of this.#pending) {
      const run = this.byId(id);
      if (run && (run.status === 'running' || run.status === 'paused')) run.progress = progress;
    }
    this.#pending.clear();
  }
}
