/**
 * One run on screen: its record, its metric series (updated in place from 'train' events, so
 * charts redraw without reloading), and its artefacts per checkpoint. The client is passed in
 * (RunScreen passes the app's), so tests drive it over a fake transport.
 */
import type { ApiClient } from '../../../src-main/common/api/client.ts';
import type { RunDetail } from '../../../src-main/common/api/contract.ts';
import type {
  ClusterSamplesPayload,
  ProjectionPayload,
  ReconstructionsPayload,
} from '../../../src-main/common/artefacts.ts';
import type { DatasetInfo } from '../../../src-main/common/dataset.ts';
import type { CheckpointKind } from '../../../src-main/common/run.ts';
import { errorText } from '../lib/format.ts';
import { SeriesSet } from './series.ts';

const STEP_REPAINT_MS = 500;

export interface Artefacts {
  projection: ProjectionPayload | null;
  reconstructions: ReconstructionsPayload | null;
  samples: ClusterSamplesPayload | null;
}

export interface RunViewDeps {
  client: ApiClient;
  /** Times the connection came back after a drop (the app's `connection.reconnects`). */
  reconnects: () => number;
}

export class RunView {
  readonly id: number;
  detail = $state<RunDetail | null>(null);
  dataset = $state<DatasetInfo | null>(null);
  error = $state<string | null>(null);
  /** Epoch series changed (bumped per epoch event). */
  revision = $state(0);
  /** Per-step series changed (bumped at most twice a second). */
  stepRevision = $state(0);
  series = new SeriesSet();

  artefactCheckpoint = $state<CheckpointKind>('last');
  artefacts = $state.raw<Artefacts>({ projection: null, reconstructions: null, samples: null });
  artefactsLoading = $state(false);
  artefactsError = $state<string | null>(null);

  readonly #api: ApiClient['api'];
  readonly #reconnectCount: () => number;
  #off: () => void;
  #stepTimer: ReturnType<typeof setTimeout> | null = null;
  #detailTimer: ReturnType<typeof setTimeout> | null = null;
  #artefactKey = '';
  #reconnects: number;
  #reloadMetrics = false;

  constructor(id: number, { client, reconnects }: RunViewDeps) {
    this.id = id;
    this.#api = client.api;
    this.#reconnectCount = reconnects;
    this.#reconnects = reconnects();
    this.#off = client.onEvent((event) => {
      if (event.type === 'runs-changed') {
        // Sent after every epoch: the record only. After a reconnect, the metrics too (events were missed).
        const missed = this.#reconnectCount() !== this.#reconnects;
        this.#reconnects = this.#reconnectCount();
        this.#reloadSoon(300, missed);
      }
      if (event.type !== 'train' || event.event.runId !== id) return;
      const e = event.event;
      if (e.type === 'epoch') {
        for (const [name, value] of Object.entries(e.metrics)) this.series.push(name, e.epoch, value);
        if (this.detail) this.detail.epoch = e.epoch;
        this.revision++;
      } else if (e.type === 'progress' && e.phase === 'training') {
        this.series.push('train/step_loss', e.step, e.loss);
        this.#stepTimer ??= setTimeout(() => {
          this.#stepTimer = null;
          this.stepRevision++;
        }, STEP_REPAINT_MS);
      } else if (e.type === 'status' || e.type === 'checkpoint' || e.type === 'started') {
        this.#reloadSoon(e.type === 'status' ? 100 : 600);
      }
    });
    void this.load();
  }

  dispose(): void {
    this.#off();
    if (this.#stepTimer) clearTimeout(this.#stepTimer);
    if (this.#detailTimer) clearTimeout(this.#detailTimer);
  }

  async load(): Promise<void> {
    try {
      const [detail, points] = await Promise.all([this.#api.getRun(this.id), this.#api.metrics(this.id)]);
      this.detail = detail;
      this.series = SeriesSet.from(points);
      this.revision++;
      this.stepRevision++;
      this.error = null;
      this.#pickArtefactCheckpoint();
      void this.loadArtefacts();
      void this.#api
        .listDatasets()
        .then((list) => (this.dataset = list.find((d) => d.name === detail.dataset) ?? null))
        .catch(() => {});
    } catch (error) {
      this.error = errorText(error);
    }
  }

  async reloadDetail(withMetrics = false): Promise<void> {
    try {
      if (withMetrics) {
        const [detail, points] = await Promise.all([this.#api.getRun(this.id), this.#api.metrics(this.id)]);
        this.detail = detail;
        this.series = SeriesSet.from(points);
        this.revision++;
        this.stepRevision++;
      } else this.detail = await this.#api.getRun(this.id);
      this.#pickArtefactCheckpoint();
      void this.loadArtefacts();
    } catch (error) {
      this.error = errorText(error);
    }
  }

  #reloadSoon(ms: number, withMetrics = false): void {
    if (this.#detailTimer) clearTimeout(this.#detailTimer);
    this.#reloadMetrics ||= withMetrics;
    this.#detailTimer = setTimeout(() => {
      this.#detailTimer = null;
      const metrics = this.#reloadMetrics;
      this.#reloadMetrics = false;
      void this.reloadDetail(metrics);
    }, ms);
  }

  /** Checkpoints that have artefacts, with the epoch they were computed at. */
  get artefactCheckpoints(): { kind: CheckpointKind; epoch: number }[] {
    const out: { kind: CheckpointKind; epoch: number }[] = [];
    for (const a of this.detail?.artefacts ?? [])
      if (a.kind === 'projection' && !out.some((o) => o.kind === a.checkpoint))
        out.push({ kind: a.checkpoint, epoch: a.epoch });
    return out.sort((a, b) => (a.kind === 'last' ? -1 : b.kind === 'last' ? 1 : 0));
  }

  #pickArtefactCheckpoint(): void {
    const available = this.artefactCheckpoints.map((c) => c.kind);
    if (available.length && !available.includes(this.artefactCheckpoint))
      this.artefactCheckpoint = available[0]!;
  }

  selectCheckpoint(kind: CheckpointKind): void {
    this.artefactCheckpoint = kind;
    void this.loadArtefacts();
  }

  async loadArtefacts(force = false): Promise<void> {
    const kind = this.artefactCheckpoint;
    const stamp = (this.detail?.artefacts ?? [])
      .filter((a) => a.checkpoint === kind)
      .map((a) => `${a.kind}@${a.createdAt}`)
      .join(',');
    const key = `${kind}|${stamp}`;
    if (!force && key === this.#artefactKey) return;
    this.#artefactKey = key;
    if (!stamp) {
      this.artefacts = { projection: null, reconstructions: null, samples: null };
      return;
    }
    this.artefactsLoading = true;
    try {
      const [projection, reconstructions, samples] = await Promise.all([
        this.#api.artefact(this.id, 'projection', kind),
        this.#api.artefact(this.id, 'reconstructions', kind),
        this.#api.artefact(this.id, 'cluster-samples', kind),
      ]);
      if (this.artefactCheckpoint !== kind) return;
      this.artefacts = {
        projection: projection as ProjectionPayload | null,
        reconstructions: reconstructions as ReconstructionsPayload | null,
        samples: samples as ClusterSamplesPayload | null,
      };
      this.artefactsError = null;
    } catch (error) {
      this.artefactsError = errorText(error);
    } finally {
      this.artefactsLoading = false;
    }
  }
}
