/**
 * Runs side by side: their details, metric points (kept live from epoch events) and artefacts.
 * The client is passed in (CompareScreen passes the app's), so tests drive it over a fake transport.
 */
import type { ApiClient } from '../../../src-main/common/api/client.ts';
import type { RunDetail } from '../../../src-main/common/api/contract.ts';
import type { ClusterSamplesPayload, ProjectionPayload } from '../../../src-main/common/artefacts.ts';
import type { MetricPoint } from '../../../src-main/common/run.ts';
import { errorText } from '../lib/format.ts';

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
  readonly #api: ApiClient['api'];
  #off: () => void;

  constructor(ids: number[], client: ApiClient) {
    this.#api = client.api;
    this.#off = client.onEvent((event) => {
      if (event.type !== 'train' || event.event.type !== 'epoch') return;
      const e = event.event;
      const run = this.runs.find((r) => r.id === e.runId);
      if (!run) return;
      const time = Date.now();
      const step = run.detail?.step ?? 0;
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
          const kinds = new Set(
            detail.artefacts.filter((a) => a.kind === 'projection').map((a) => a.checkpoint),
          );
          const checkpoint = kinds.has('last') ? 'last' : kinds.has('best') ? 'best' : null;
          if (checkpoint) {
            const [projection, samples] = await Promise.all([
              this.#api.artefact(id, 'projection', checkpoint),
              this.#api.artefact(id, 'cluster-samples', checkpoint),
            ]);
            out.projection = projection as ProjectionPayload | null;
            out.samples = samples as ClusterSamplesPayload | null;
          }
        } catch (error) {
          out.error = errorText(error);
        }
        return out;
      }),
    );
    this.loading = false;
    this.revision++;
  }

  metricNames(): string[] {
    const names = new Set<string>();
    for (const r of this.runs) for (const n of r.points.keys()) names.add(n);
    return [...names].sort();
  }
}

/** x of a point on the chosen axis; wall time in seconds since the run's first point. */
export function xOf(p: MetricPoint, axis: XAxis, t0: number): number {
  return axis === 'epoch' ? p.epoch : axis === 'step' ? p.step : (p.time - t0) / 1000;
}
