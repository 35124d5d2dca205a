/**
 * Runs side by side: their records (reloaded after every epoch), metric points (kept live from
 * epoch events) and artefacts. The client is passed in (the screen passes the app's), so tests
 * drive it over a fake transport.
 */
import type { ApiClient } from '../../../src-main/common/api/client.ts';
import type { RunDetail, WorkbenchApi } from '../../../src-main/common/api/contract.ts';
import type { ClusterSamplesPayload, ProjectionPayload } from '../../../src-main/common/artefacts.ts';
import type { MetricPoint } from '../../../src-main/common/run.ts';
import { errorText } from '../lib/format.ts';
import { STEP_METRICS } from '../run/series.ts';

export interface ComparedRun {
  id: number;
  detail: RunDetail | null;
  error: string | null;
  /** Points per metric name, in step order. */
  points: Map<string, MetricPoint[]>;
  projection: ProjectionPayload | null;
  samples: ClusterSamplesPayload | null;
}

export type XAxis = 'epoch' | 'step' | 'time';

export class CompareView {
  runs = $state.raw<ComparedRun[]>([]);
  revision = $state(0);
  loading = $state(true);
  readonly #api: WorkbenchApi;
  #off: () => void;
  /** The step each run has reached, from its progress events (its record is reloaded only per epoch). */
  #steps = new Map<number, number>();
  #refreshTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(ids: number[], client: ApiClient) {
    this.#api = client.api;
    this.#off = client.onEvent((event) => {
      // Sent after every epoch: the records (status, epoch, final metrics, artefacts) changed.
      if (event.type === 'runs-changed') {
        // At most one refresh per 300 ms, and never postponed: runs with sub-second epochs send
        // this faster than that, and a debounce would never fire while they train.
        if (this.#refreshTimer) return;
        this.#refreshTimer = setTimeout(() => {
          this.#refreshTimer = null;
          void this.refresh();
        }, 300);
        return;
      }
      if (event.type !== 'train') return;
      if (event.event.type === 'progress') {
        this.#steps.set(event.event.runId, event.event.step);
        return;
      }
      if (event.event.type !== 'epoch') return;
      const e = event.event;
      const run = this.runs.find((r) => r.id === e.runId);
      if (!run) return;
      const time = Date.now();
      const step = this.#steps.get(e.runId) ?? run.detail?.step ?? 0;
      for (const [name, value] of Object.entries(e.metrics)) {
        let list = run.points.get(name);
        if (!list) run.points.set(name, (list = []));
        list.push({ runId: e.runId, step, epoch: e.epoch, name, value, time });
      }
      this.revision++;
    });
    void this.load(ids);
  }

  dispose(): void {
    this.#off();
    if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
  }

  /** New records for the runs; their artefacts again where new ones were computed. */
  async refresh(): Promise<void> {
    if (this.loading) return; // the load under way reads the new records
    const before = this.runs;
    const next = await Promise.all(
      before.map(async (run): Promise<ComparedRun> => {
        if (!run.detail) return run;
        try {
          const detail = await this.#api.getRun(run.id);
          const out = { ...run, detail };
          if (artefactStamp(detail) !== artefactStamp(run.detail))
            Object.assign(out, await artefactsOf(this.#api, detail));
          return out;
        } catch {
          return run; // the last record stays on screen; the connection banner says what is wrong
        }
      }),
    );
    // Points that arrived meanwhile are in the shared maps; a load started meanwhile wins.
    const same = next.length === this.runs.length && next.every((r, i) => r.id === this.runs[i]!.id);
    if (same && !this.loading) {
      this.runs = next;
      this.revision++;
    }
  }

  async load(ids: number[]): Promise<void> {
    this.loading = true;
    this.runs = await Promise.all(
      ids.map(async (id): Promise<ComparedRun> => {
        const out: ComparedRun = {
          id,
          detail: null,
          error: null,
          points: new Map(),
          projection: null,
          samples: null,
        };
        try {
          const [detail, points] = await Promise.all([this.#api.getRun(id), this.#api.metrics(id)]);
          out.detail = detail;
          for (const p of points) {
            let list = out.points.get(p.name);
            if (!list) out.points.set(p.name, (list = []));
            list.push(p);
          }
          Object.assign(out, await artefactsOf(this.#api, detail));
        } catch (error) {
          out.error = errorText(error);
        }
        return out;
      }),
    );
    this.loading = false;
    this.revision++;
  }

  /** Every metric any run recorded: test ones, then train ones, then the engine's (time, memory). */
  metricNames(): string[] {
    const names = new Set<string>();
    for (const r of this.runs) for (const n of r.points.keys()) names.add(n);
    const rank = (n: string) => (n.startsWith('test/') ? 0 : n.startsWith('train/') ? 1 : 2);
    return [...names].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  }
}

/** The checkpoint whose artefacts Compare shows: the last, else the best. */
function shownCheckpoint(detail: RunDetail): 'last' | 'best' | null {
  const kinds = new Set(detail.artefacts.filter((a) => a.kind === 'projection').map((a) => a.checkpoint));
  return kinds.has('last') ? 'last' : kinds.has('best') ? 'best' : null;
}

function artefactStamp(detail: RunDetail): string {
  const checkpoint = shownCheckpoint(detail);
  return detail.artefacts
    .filter((a) => a.checkpoint === checkpoint)
    .map((a) => `${a.kind}@${a.createdAt}`)
    .join(',');
}

async function artefactsOf(
  api: WorkbenchApi,
  detail: RunDetail,
): Promise<{ projection: ProjectionPayload | null; samples: ClusterSamplesPayload | null }> {
  const checkpoint = shownCheckpoint(detail);
  if (!checkpoint) return { projection: null, samples: null };
  const [projection, samples] = await Promise.all([
    api.artefact(detail.id, 'projection', checkpoint),
    api.artefact(detail.id, 'cluster-samples', checkpoint),
  ]);
  return {
    projection: projection as ProjectionPayload | null,
    samples: samples as ClusterSamplesPayload | null,
  };
}

/** x of a point on the chosen axis; wall time in seconds since the run's first point. */
export function xOf(p: MetricPoint, axis: XAxis, t0: number): number {
  return axis === 'epoch' ? p.epoch : axis === 'step' ? p.step : (p.time - t0) / 1000;
}

/**
 * A run's curve of metric `name` on the chosen x axis: per-step metrics go by step on the epoch
 * axis; wall time counts from the run's first recorded point of any metric.
 */
export function metricSeries(
  run: Pick<ComparedRun, 'points'>,
  name: string,
  axis: XAxis,
): { x: number; y: number }[] {
  const points = run.points.get(name) ?? [];
  const along = STEP_METRICS.has(name) && axis === 'epoch' ? 'step' : axis;
  let t0 = Infinity;
  if (along === 'time') for (const list of run.points.values()) t0 = Math.min(t0, list[0]?.time ?? Infinity);
  return points.map((p) => ({ x: xOf(p, along, t0), y: p.value }));
}

/** Whether a projection has a UMAP to draw (older or tiny artefacts may have none). */
export function hasUmap(projection: ProjectionPayload): boolean {
  return (projection.umapX?.indices.length ?? 0) > 0;
}
