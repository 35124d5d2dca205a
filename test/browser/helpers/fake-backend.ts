/**
 * A stand-in back end for the browser tests and UI work: the whole WorkbenchApi in memory, with
 * training simulated on timers (progress, epoch metrics, status, artefacts) so screens can be
 * exercised fast and deterministically. Served like `gmvae serve` (see fake-serve.ts). The real
 * server is preferred by the tests whenever `gmvae serve` exists.
 */
import fs from 'node:fs';
import path from 'node:path';
import type {
  DatasetPreview,
  DatasetSummary,
  RunDetail,
  RunSummary,
  WorkbenchApi,
  WorkbenchEvent,
} from '../../../src-main/common/api/contract.ts';
import type {
  ClusterSamplesPayload,
  ProjectionPayload,
  ReconstructionsPayload,
} from '../../../src-main/common/artefacts.ts';
import { defaultConfigFor, resolveConfig, type GmvaeConfig } from '../../../src-main/common/config.ts';
import type { DatasetInfo } from '../../../src-main/common/dataset.ts';
import type {
  ArtefactKind,
  CheckpointInfo,
  CheckpointKind,
  MetricPoint,
  RunRecord,
} from '../../../src-main/common/run.ts';

interface StoredDataset {
  info: DatasetInfo;
  builtin: boolean;
  examples: (i: number, split: 'train' | 'test') => { values: number[]; label: number | null };
}

interface FakeRun {
  record: RunRecord;
  metrics: MetricPoint[];
  checkpoints: CheckpointInfo[];
  artefacts: Map<string, { epoch: number; createdAt: string; payload: unknown }>;
  timer: ReturnType<typeof setInterval> | null;
  batch: number;
  progress: RunSummary['progress'];
}

const now = () => new Date().toISOString();

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

function spiralPoint(i: number, split: string): { values: number[]; label: number } {
  const r = rng(i * 7 + (split === 'test' ? 99991 : 1));
  const label = i % 5;
  const radius = 1 + label * 0.8;
  const t = r() * Math.PI * 1.2 + label;
  return {
    values: [radius * Math.cos(t) + (r() - 0.5) * 0.1, radius * Math.sin(t) + (r() - 0.5) * 0.1],
    label,
  };
}

function digitImage(i: number, label: number): number[] {
  const r = rng(i + 17);
  const out = new Array<number>(28 * 28).fill(0);
  const cx = 14 + (r() - 0.5) * 4;
  const cy = 14 + (r() - 0.5) * 4;
  const ring = 4 + (label % 5);
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      const d = Math.hypot(x - cx, (y - cy) * (label < 5 ? 1 : 0.6));
      out[y * 28 + x] = Math.max(0, 1 - Math.abs(d - ring) / 1.6);
    }
  return out.map((v) => Math.round(v * 100) / 100);
}

export class FakeBackend implements WorkbenchApi {
  readonly datasets = new Map<string, StoredDataset>();
  readonly runs = new Map<number, FakeRun>();
  readonly imports = new Map<string, { cancelled: boolean }>();
  readonly uploads = new Map<string, { path: string; bytes: Buffer }[]>();
  #nextRun = 1;
  #nextJob = 1;
  #listeners = new Set<(e: WorkbenchEvent) => void>();
  /** Simulated length of one epoch. */
  epochMs = Number(process.env.FAKE_EPOCH_MS ?? 1500);

  constructor() {
    this.datasets.set('spiral', {
      builtin: true,
      info: {
        name: 'spiral',
        kind: 'table',
        shape: [2],
        nTrain: 10000,
        nTest: 2000,
        valueRange: [-4.4, 4.4],
        numClasses: 5,
        source: 'builtin',
        split: 'source',
      },
      examples: (i, split) => spiralPoint(i, split),
    });
    this.datasets.set('mnist', {
      builtin: true,
      info: {
        name: 'mnist',
        kind: 'image',
        shape: [28, 28, 1],
        nTrain: 60000,
        nTest: 10000,
        valueRange: [0, 1],
        numClasses: 10,
        source: 'builtin',
        split: 'source',
      },
      examples: (i) => ({ values: digitImage(i, i % 10), label: i % 10 }),
    });
  }

  on(listener: (e: WorkbenchEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: WorkbenchEvent): void {
    for (const l of this.#listeners) l(event);
  }

  async appInfo() {
    return { version: '0.1.0-fake', home: '/tmp/fake', mode: 'web' as const };
  }

  async backends() {
    return [
      { name: 'tensorflow-gpu' as const, available: false, detail: 'tfjs-node-gpu is not installed' },
      { name: 'tensorflow' as const, available: false, detail: 'tfjs-node is not installed' },
      { name: 'wasm' as const, available: true, detail: 'WebAssembly, 2 threads, SIMD' },
      { name: 'cpu' as const, available: true, detail: 'plain JavaScript (slow)' },
    ];
  }

  #dataset(name: string): StoredDataset {
    const d = this.datasets.get(name);
    if (!d) throw new Error(`no dataset '${name}'`);
    return d;
  }

  async listDatasets(): Promise<DatasetSummary[]> {
    return [...this.datasets.values()].map((d) => ({
      ...d.info,
      builtin: d.builtin,
      runs: [...this.runs.values()].filter((r) => r.record.dataset === d.info.name).length,
    }));
  }

  async previewDataset(name: string): Promise<DatasetPreview> {
    const d = this.#dataset(name);
    const examples = Array.from({ length: 24 }, (_, i) => ({ index: i, ...d.examples(i, 'train') }));
    const dim = d.info.kind === 'image' ? 1 : d.info.shape[0]!;
    return {
      info: d.info,
      examples,
      classCounts: Array.from(
        { length: d.info.numClasses },
        (_, k) => Math.round(d.info.nTrain / d.info.numClasses) + k,
      ),
      mean: Array.from({ length: dim }, (_, i) => 0.1 * i),
      std: Array.from({ length: dim }, () => 1),
    };
  }

  async importDataset(request: {
    uploads?: string[];
    paths?: string[];
    name?: string;
    labelColumn?: string;
  }) {
    const job = `job-${this.#nextJob++}`;
    const state = { cancelled: false };
    this.imports.set(job, state);
    const files = (request.uploads ?? []).flatMap((g) => this.uploads.get(g) ?? []);
    setTimeout(async () => {
      for (let i = 1; i <= 4; i++) {
        await new Promise((r) => setTimeout(r, 150));
        if (state.cancelled) {
          this.emit({ type: 'import-finished', job, dataset: null, error: 'import cancelled' });
          return;
        }
        this.emit({
          type: 'import-progress',
          job,
          fraction: i / 4,
          message: `Reading ${files[0]?.path ?? 'files'}`,
        });
      }
      try {
        const name = this.#importCsv(files, request.name, request.labelColumn);
        this.emit({ type: 'import-finished', job, dataset: name, error: null });
        this.emit({ type: 'datasets-changed' });
      } catch (error) {
        this.emit({ type: 'import-finished', job, dataset: null, error: (error as Error).message });
      }
    }, 50);
    return { job };
  }

  #importCsv(files: { path: string; bytes: Buffer }[], name?: string, labelColumn?: string): string {
    if (files.length === 0) throw new Error('nothing to import');
    const file = files[0]!;
    if (!file.path.endsWith('.csv'))
      throw new Error(`${file.path}: unsupported format (expected CSV, NPY, IDX or images)`);
    const lines = file.bytes.toString('utf8').trim().split(/\r?\n/);
    const header = lines[0]!.split(',').map((s) => s.trim());
    const labelIndex = labelColumn ? header.indexOf(labelColumn) : header.indexOf('label');
    if (labelColumn && labelIndex < 0)
      throw new Error(`${file.path}: no column '${labelColumn}' in the header`);
    const rows = lines.slice(1).map((line, r) => {
      const cells = line.split(',');
      return cells.map((c, j) => {
        if (j === labelIndex) return Number(c);
        const v = Number(c);
        if (c.trim() === '' || Number.isNaN(v))
          throw new Error(`${file.path}, line ${r + 2}: '${c}' in column '${header[j]}' is not a number`);
        return v;
      });
    });
    const features = header.length - (labelIndex >= 0 ? 1 : 0);
    const datasetName = name || path.basename(file.path, '.csv');
    const values = rows.flatMap((r) => r.filter((_, j) => j !== labelIndex));
    const labels = labelIndex >= 0 ? rows.map((r) => r[labelIndex]!) : null;
    const nTest = Math.max(1, Math.round(rows.length * 0.2));
    this.datasets.set(datasetName, {
      builtin: false,
      info: {
        name: datasetName,
        kind: 'table',
        shape: [features],
        nTrain: rows.length - nTest,
        nTest,
        valueRange: [Math.min(...values), Math.max(...values)],
        numClasses: labels ? new Set(labels).size : 0,
        source: file.path,
        split: { seed: 1, testFraction: 0.2 },
      },
      examples: (i) => {
        const row = rows[i % rows.length]!;
        return {
          values: row.filter((_, j) => j !== labelIndex),
          label: labels ? labels[i % rows.length]! : null,
        };
      },
    });
    return datasetName;
  }

  async cancelImport(job: string) {
    const state = this.imports.get(job);
    if (!state) throw new Error(`no import job '${job}'`);
    state.cancelled = true;
  }

  async deleteDataset(name: string) {
    const d = this.#dataset(name);
    if (d.builtin) throw new Error(`'${name}' is built in and cannot be deleted`);
    if ([...this.runs.values()].some((r) => r.record.dataset === name))
      throw new Error(`'${name}' has runs; delete them first`);
    this.datasets.delete(name);
    this.emit({ type: 'datasets-changed' });
  }

  async example(request: { dataset: string; split: 'train' | 'test'; index: number }) {
    const d = this.#dataset(request.dataset);
    return { ...d.examples(request.index, request.split), shape: d.info.shape };
  }

  async presets(dataset: string) {
    const d = this.#dataset(dataset);
    const defaults = defaultConfigFor(d.info);
    return {
      defaults,
      presets: [
        {
          name: 'Synthetic (paper)',
          description: 'MLP 100, K 8, Dx = Dw = 2, batch 200, 500 epochs, Adam 1e-3',
          config: resolveConfig(this.datasets.get('spiral')!.info, {}),
        },
        {
          name: 'MNIST (paper)',
          description: 'MLP 500, K 16, Dx 200, Dw 150, Adam 1e-4, 100 epochs',
          config: {
            ...resolveConfig(this.datasets.get('mnist')!.info, {}),
            likelihood: d.info.valueRange[0] >= 0 && d.info.valueRange[1] <= 1 ? 'bernoulli' : 'gaussian',
          } as GmvaeConfig,
        },
      ],
    };
  }

  #summary(run: FakeRun): RunSummary {
    const latest: Record<string, number> = {};
    let best: number | null = null;
    for (const p of run.metrics) {
      if (p.name.startsWith('test/')) latest[p.name.slice(5)] = p.value;
      if (p.name === 'test/accuracy') best = Math.max(best ?? -Infinity, p.value);
    }
    return { ...run.record, metrics: latest, bestAccuracy: best, progress: run.progress };
  }

  #run(id: number): FakeRun {
    const run = this.runs.get(id);
    if (!run) throw new Error(`no run '${id}'`);
    return run;
  }

  async listRuns() {
    return [...this.runs.values()].map((r) => this.#summary(r));
  }

  async getRun(id: number): Promise<RunDetail> {
    const run = this.#run(id);
    return {
      ...this.#summary(run),
      checkpoints: run.checkpoints,
      artefacts: [...run.artefacts.entries()].map(([key, a]) => {
        const [kind, checkpoint] = key.split(':') as [ArtefactKind, CheckpointKind];
        return { kind, checkpoint, epoch: a.epoch, createdAt: a.createdAt };
      }),
    };
  }

  async createRun(request: { dataset: string; name?: string; overrides: Partial<GmvaeConfig> }) {
    const d = this.#dataset(request.dataset);
    const config = resolveConfig(d.info, request.overrides);
    const id = this.#nextRun++;
    const t = now();
    const record: RunRecord = {
      id,
      name: request.name || `${d.info.name}-${id}`,
      dataset: d.info.name,
      status: 'running',
      config,
      backend: null,
      device: null,
      seed: config.seed,
      epoch: 0,
      step: 0,
      createdAt: t,
      startedAt: t,
      finishedAt: null,
      updatedAt: t,
      trainSeconds: 0,
      error: null,
      notes: '',
      tags: [],
      pid: 4242,
    };
    const run: FakeRun = {
      record,
      metrics: [],
      checkpoints: [],
      artefacts: new Map(),
      timer: null,
      batch: 0,
      progress: null,
    };
    this.runs.set(id, run);
    this.emit({ type: 'runs-changed' });
    this.#start(run);
    return record;
  }

  /** Adds a finished run directly (for screenshots of a populated table). */
  seedCompleted(
    dataset: string,
    overrides: Partial<GmvaeConfig>,
    name: string,
    epochs: number,
    status: RunRecord['status'] = 'completed',
    error: string | null = null,
  ): number {
    const d = this.#dataset(dataset);
    const config = resolveConfig(d.info, { ...overrides, epochs: overrides.epochs ?? epochs });
    const id = this.#nextRun++;
    const t = new Date(Date.now() - 3600_000 * (10 - id)).toISOString();
    const run: FakeRun = {
      record: {
        id,
        name,
        dataset,
        status,
        config,
        backend: 'wasm',
        device: 'WebAssembly, 2 threads',
        seed: config.seed,
        epoch: epochs,
        step: epochs * 50,
        createdAt: t,
        startedAt: t,
        finishedAt: t,
        updatedAt: t,
        trainSeconds: epochs * 2,
        error,
        notes: '',
        tags: [],
        pid: null,
      },
      metrics: [],
      checkpoints: [],
      artefacts: new Map(),
      timer: null,
      batch: 0,
      progress: null,
    };
    this.runs.set(id, run);
    for (let e = 1; e <= epochs; e++) this.#epochMetrics(run, e, Date.parse(t) + e * 2000);
    this.#finishArtefacts(run, 'last');
    this.#finishArtefacts(run, 'best');
    return id;
  }

  #start(run: FakeRun): void {
    const batches = 50;
    const tickMs = 100;
    const perEpochTicks = Math.max(2, Math.round(this.epochMs / tickMs));
    let ticks = 0;
    run.record.status = 'running';
    run.record.backend = 'wasm';
    run.record.device = 'WebAssembly, 2 threads';
    this.emit({
      type: 'train',
      event: {
        type: 'started',
        runId: run.record.id,
        backend: 'wasm',
        device: 'WebAssembly, 2 threads',
        skipped: ['tensorflow-gpu: not installed', 'tensorflow: not installed'],
        resumedFrom: run.record.epoch ? { epoch: run.record.epoch, step: run.record.step } : null,
      },
    });
    this.emit({
      type: 'train',
      event: { type: 'status', runId: run.record.id, status: 'running', error: null },
    });
    run.timer = setInterval(() => {
      if (run.record.status !== 'running') return;
      ticks++;
      run.batch = Math.min(batches, Math.round((ticks / perEpochTicks) * batches));
      run.record.step++;
      const loss = 5 / (1 + run.record.epoch + run.batch / batches) + 0.3;
      const time = Date.now();
      run.metrics.push({
        runId: run.record.id,
        step: run.record.step,
        epoch: run.record.epoch,
        name: 'train/step_loss',
        value: loss,
        time,
      });
      run.metrics.push({
        runId: run.record.id,
        step: run.record.step,
        epoch: run.record.epoch,
        name: 'train/step_elbo',
        value: -loss,
        time,
      });
      run.progress = {
        epoch: run.record.epoch,
        batch: run.batch,
        batches,
        step: run.record.step,
        loss,
        examplesPerSecond: 2000 + 300 * Math.sin(ticks),
      };
      this.emit({ type: 'train', event: { type: 'progress', runId: run.record.id, ...run.progress } });
      if (ticks >= perEpochTicks) {
        ticks = 0;
        run.batch = 0;
        run.record.epoch++;
        const metrics = this.#epochMetrics(run, run.record.epoch, Date.now());
        this.emit({
          type: 'train',
          event: {
            type: 'epoch',
            runId: run.record.id,
            epoch: run.record.epoch,
            seconds: this.epochMs / 1000,
            metrics,
          },
        });
        this.emit({
          type: 'train',
          event: {
            type: 'checkpoint',
            runId: run.record.id,
            epoch: run.record.epoch,
            step: run.record.step,
            best: true,
          },
        });
        if (run.record.epoch >= run.record.config.epochs) {
          clearInterval(run.timer!);
          run.timer = null;
          this.#finishArtefacts(run, 'last');
          run.record.status = 'completed';
          run.record.finishedAt = now();
          run.progress = null;
          this.emit({
            type: 'train',
            event: { type: 'status', runId: run.record.id, status: 'completed', error: null },
          });
          this.emit({ type: 'runs-changed' });
        }
      }
    }, tickMs);
  }

  #epochMetrics(run: FakeRun, epoch: number, time: number): Record<string, number> {
    const r = rng(run.record.id * 1000 + epoch);
    const k = run.record.config.k;
    const decay = Math.exp(-epoch / 4);
    const m: Record<string, number> = {};
    for (const split of ['train', 'test']) {
      const off = split === 'test' ? 0.05 : 0;
      const rec = -(1.2 + 3 * decay + off + r() * 0.05);
      const cond = 0.4 + 1.5 * decay + r() * 0.02;
      const wp = 0.2 + 0.3 * (1 - decay);
      const zp = 0.6 * decay + 0.1;
      m[`${split}/reconstruction`] = rec;
      m[`${split}/conditional_prior`] = cond;
      m[`${split}/w_prior`] = wp;
      m[`${split}/z_prior`] = zp;
      m[`${split}/elbo`] = rec - cond - wp - zp;
    }
    m['train/loss'] = -m['train/elbo']! + 0.1;
    const acc = Math.min(0.97, 0.4 + 0.55 * (1 - decay) + r() * 0.02 + run.record.config.lambda * 0.02);
    m['test/accuracy'] = acc;
    m['test/accuracy_majority'] = acc - 0.01;
    m['test/accuracy_hungarian'] = acc - 0.03;
    m['test/nmi'] = acc - 0.08;
    m['test/ari'] = acc - 0.12;
    m['test/clusters_used'] = Math.min(k, 3 + epoch);
    m['epoch_seconds'] = this.epochMs / 1000;
    for (const [name, value] of Object.entries(m))
      run.metrics.push({ runId: run.record.id, step: epoch * 50, epoch, name, value, time });
    run.record.step = Math.max(run.record.step, epoch * 50);
    run.checkpoints = (['last', 'best'] as const).map((kind) => ({
      runId: run.record.id,
      kind,
      epoch,
      step: epoch * 50,
      batchInEpoch: 0,
      createdAt: now(),
      score: m['test/elbo']!,
    }));
    return m;
  }

  #finishArtefacts(run: FakeRun, checkpoint: CheckpointKind): void {
    const d = this.#dataset(run.record.dataset);
    const k = run.record.config.k;
    const n = Math.min(d.info.nTest, Number(process.env.FAKE_PROJECTION_POINTS ?? 2000));
    const r = rng(run.record.id + (checkpoint === 'best' ? 7 : 0));
    const cluster: number[] = [];
    const label: number[] = [];
    const confidence: number[] = [];
    const pcaX: number[] = [];
    const pcaW: number[] = [];
    for (let i = 0; i < n; i++) {
      const ex = d.examples(i, 'test');
      const lab = ex.label ?? 0;
      const c = (lab * 3 + (r() < 0.1 ? 1 : 0)) % k;
      cluster.push(c);
      label.push(lab);
      confidence.push(0.5 + r() * 0.5);
      const a = (2 * Math.PI * c) / k;
      if (d.info.kind === 'table' && d.info.shape[0] === 2)
        pcaX.push(ex.values[0]! + (r() - 0.5) * 0.3, ex.values[1]! + (r() - 0.5) * 0.3);
      else pcaX.push(3 * Math.cos(a) + (r() - 0.5) * 1.5, 3 * Math.sin(a) + (r() - 0.5) * 1.5);
      pcaW.push((r() - 0.5) * 2, (r() - 0.5) * 2);
    }
    const m = Math.min(n, 1500);
    const projection: ProjectionPayload = {
      n,
      cluster,
      label: d.info.numClasses ? label : null,
      confidence,
      pcaX,
      pcaW,
      umapX: {
        indices: Array.from({ length: m }, (_, i) => i),
        coords: Array.from({ length: m }, (_, i) => [
          5 * Math.cos((2 * Math.PI * cluster[i]!) / k) + r(),
          5 * Math.sin((2 * Math.PI * cluster[i]!) / k) + r(),
        ]).flat(),
      },
    };
    const indices = Array.from({ length: 12 }, (_, i) => i * 7);
    const reconstructions: ReconstructionsPayload = {
      shape: d.info.shape,
      indices,
      originals: indices.map((i) => d.examples(i, 'test').values),
      reconstructions: indices.map((i) =>
        d
          .examples(i, 'test')
          .values.map((v) =>
            d.info.kind === 'image' ? Math.min(1, v * 0.9 + 0.05 * r()) : v + (r() - 0.5) * 0.4,
          ),
      ),
    };
    const samples: ClusterSamplesPayload = {
      shape: d.info.shape,
      clusters: Array.from({ length: k }, (_, c) => {
        const members = cluster.map((cc, i) => (cc === c ? i : -1)).filter((i) => i >= 0);
        return {
          k: c,
          size: members.length,
          members: members.slice(0, 8).map((i) => ({
            index: i,
            confidence: confidence[i]!,
            label: d.info.numClasses ? label[i]! : null,
            values: d.examples(i, 'test').values,
          })),
          samples: Array.from({ length: 8 }, (_, s) => {
            const base = d.examples(members[s % Math.max(1, members.length)] ?? s, 'test').values;
            return base.map((v) => (d.info.kind === 'image' ? v : v + (r() - 0.5) * 0.5));
          }),
        };
      }),
    };
    const epoch = run.record.epoch;
    const createdAt = now();
    run.artefacts.set(`projection:${checkpoint}`, { epoch, createdAt, payload: projection });
    run.artefacts.set(`reconstructions:${checkpoint}`, { epoch, createdAt, payload: reconstructions });
    run.artefacts.set(`cluster-samples:${checkpoint}`, { epoch, createdAt, payload: samples });
  }

  async updateRun(id: number, patch: { name?: string; notes?: string; tags?: string[] }) {
    const run = this.#run(id);
    if (patch.name !== undefined) {
      if ([...this.runs.values()].some((r) => r !== run && r.record.name === patch.name))
        throw new Error(`a run named '${patch.name}' exists`);
      run.record.name = patch.name;
    }
    if (patch.notes !== undefined) run.record.notes = patch.notes;
    if (patch.tags !== undefined) run.record.tags = patch.tags;
    this.emit({ type: 'runs-changed' });
    return run.record;
  }

  async deleteRun(id: number) {
    const run = this.#run(id);
    if (run.timer) clearInterval(run.timer);
    this.runs.delete(id);
    this.emit({ type: 'runs-changed' });
  }

  #setStatus(run: FakeRun, status: RunRecord['status']) {
    run.record.status = status;
    if (status !== 'running' && status !== 'paused') run.progress = null;
    this.emit({ type: 'train', event: { type: 'status', runId: run.record.id, status, error: null } });
  }

  async pauseRun(id: number) {
    const run = this.#run(id);
    if (run.record.status !== 'running') throw new Error(`run '${run.record.name}' is not running`);
    this.#setStatus(run, 'paused');
  }

  async resumeRun(id: number) {
    const run = this.#run(id);
    if (run.record.status === 'paused') this.#setStatus(run, 'running');
    else if (['stopped', 'interrupted', 'failed'].includes(run.record.status)) {
      run.record.error = null;
      this.#start(run);
    } else throw new Error(`run '${run.record.name}' is ${run.record.status}`);
  }

  async stopRun(id: number) {
    const run = this.#run(id);
    if (run.timer) clearInterval(run.timer);
    run.timer = null;
    this.#setStatus(run, 'stopped');
  }

  async metrics(id: number, names?: string[]) {
    const run = this.#run(id);
    return names ? run.metrics.filter((p) => names.includes(p.name)) : run.metrics;
  }

  async artefact(id: number, kind: ArtefactKind, checkpoint: CheckpointKind) {
    return this.#run(id).artefacts.get(`${kind}:${checkpoint}`)?.payload ?? null;
  }

  async evaluateCheckpoint(id: number, checkpoint: CheckpointKind) {
    const run = this.#run(id);
    if (!run.checkpoints.some((c) => c.kind === checkpoint))
      throw new Error(`run '${run.record.name}' has no '${checkpoint}' checkpoint yet`);
    await new Promise((r) => setTimeout(r, 300));
    this.#finishArtefacts(run, checkpoint);
    const s = this.#summary(run);
    return s.metrics;
  }

  async exportRun(request: { run: number; outDir: string; checkpoint?: CheckpointKind }) {
    const run = this.#run(request.run);
    const out = path.resolve(request.outDir);
    fs.mkdirSync(out, { recursive: true });
    const files: string[] = [];
    const write = (name: string, text: string) => {
      const p = path.join(out, name);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, text);
      files.push(p);
    };
    write(
      'manifest.json',
      JSON.stringify({ run: run.record, checkpoint: request.checkpoint ?? 'last' }, null, 2),
    );
    write('encoder/model.json', '{}');
    write('decoder/model.json', '{}');
    write('prior/model.json', '{}');
    write('clusters.csv', 'index,cluster\n');
    return { out, files };
  }
}
