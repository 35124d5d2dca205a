/**
 * The back end behind the interface: implements the WorkbenchApi contract over the store,
 * the datasets catalogue and the engine supervisor. Electron main and the web-mode server both
 * host one of these; neither adds logic of its own. Everything heavy (training, import,
 * evaluation, export, decoding a dataset for a preview) runs in engine processes, so this
 * object only reads the store and routes messages, and never loads TensorFlow.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type {
  BackendStatus,
  DatasetExample,
  DatasetPreview,
  DatasetSummary,
  ExampleRequest,
  ExportRequest,
  ExportSummary,
  ImportJob,
  ImportRequest,
  NewRunRequest,
  Presets,
  RunDetail,
  RunPatchRequest,
  RunProgress,
  RunSummary,
  WorkbenchApi,
  WorkbenchEvent,
} from '../common/api/contract.ts';
import type { SweepInfo } from '../common/sweep.ts';
import { AUTHORS_PRESETS } from '../common/authors-presets.ts';
import {
  MNIST_SHU_PRESET,
  MNIST_V1_PRESET,
  MNIST_V2_PRESET,
  SYNTHETIC_PRESET,
  defaultConfigFor,
} from '../common/config.ts';
import { isMnistLike } from '../common/dataset.ts';
import type { MetricSummary } from '../common/metric-names.ts';
import {
  isTraining,
  type ArtefactKind,
  type CheckpointKind,
  type MetricPoint,
  type RunRecord,
} from '../common/run.ts';
import type { BackendProbeReport, EngineTaskResult } from '../common/worker-protocol.ts';
import { probeBackends } from './backend-probe.ts';
import { DatasetReader } from './dataset-reader.ts';
import { datasetInfo, isBuiltin, listDatasets } from './datasets.ts';
import { RunWatch } from './run-watch.ts';
import {
  bestCheckpointScores,
  createRun,
  lastEpochPace,
  latestTestMetrics,
  requireRun,
  trainerSilence,
} from './runs.ts';
import { SlurmError } from './slurm.ts';
import { sweepStatus } from './sweeps.ts';
import type { Store } from './store/index.ts';
import { EngineSupervisor, forkLauncher, type RunningTask, type WorkerLauncher } from './supervisor.ts';

export interface WorkbenchServiceOptions {
  store: Store;
  home: string;
  mode: 'electron' | 'web';
  version: string;
  launcher?: WorkerLauncher;
  /** Web mode: turns upload group ids into the paths of the uploaded files. */
  resolveUploads?: (groups: string[]) => string[];
  /** Web mode: deletes upload groups once their import has ended, either way, or was given up. */
  releaseUploads?: (groups: string[]) => void;
  /** Web mode: a place under the home to write one export and zip it for the browser. */
  stageExport?: (runName: string, checkpoint: CheckpointKind) => ExportStaging;
  /** How often to look for other processes' writes to the store (run-watch.ts); 0: never. */
  watchMs?: number;
}

const WATCH_MS = 2000;
/**
 * How long deleting, resuming or training further a run waits for its trainer to exit once the
 * trainer has recorded its end or been told to stop.
 */
const TRAINER_EXIT_WAIT_MS = 10_000;

/** One export staged for download in web mode (see server/downloads.ts). */
export interface ExportStaging {
  /** A new folder to export into. */
  outDir: string;
  /** The zip to make of it. */
  archive: string;
  /** The zip's file name, as the browser saves it. */
  name: string;
  /** The URL path the browser downloads it from. */
  download: string;
  /** The zip is written: drop the folder, offer the zip. */
  finish(): void;
  /** The export failed: remove everything staged. */
  discard(): void;
}

export class ServiceError extends Error {
  override name = 'ServiceError';
}

export class WorkbenchService implements WorkbenchApi {
  readonly #options: WorkbenchServiceOptions;
  readonly #store: Store;
  readonly #supervisor: EngineSupervisor;
  readonly #listeners = new Set<(event: WorkbenchEvent) => void>();
  readonly #progress = new Map<number, RunProgress>();
  readonly #imports = new Map<string, RunningTask<EngineTaskResult<'import'>>>();
  /** Evaluations running, by `${runId}:${checkpoint}`. */
  readonly #evaluations = new Map<string, RunningTask<EngineTaskResult<'evaluate'>>>();
  readonly #reader: DatasetReader;
  #watchTimer: ReturnType<typeof setInterval> | null = null;
  #optionalBackends: Promise<BackendProbeReport | undefined> | null = null;

  constructor(options: WorkbenchServiceOptions) {
    this.#options = options;
    this.#store = options.store;
    const launcher = options.launcher ?? forkLauncher();
    this.#supervisor = new EngineSupervisor(options.store, options.home, launcher);
    this.#reader = new DatasetReader(launcher, options.home);
    const watch = new RunWatch({
      store: this.#store,
      ownRuns: () => this.#supervisor.active,
      emit: (event) => this.#emit({ type: 'train', event }),
      changed: () => this.#emit({ type: 'runs-changed' }),
    });
    this.#supervisor.onEvent((event) => {
      watch.observe(event);
      if (event.type === 'progress') {
        const { phase, epoch, batch, batches, step, loss, examplesPerSecond } = event;
        this.#progress.set(event.runId, { phase, epoch, batch, batches, step, loss, examplesPerSecond });
      }
      // A paused run keeps where it paused (the epoch and batch it is in); any other end clears it.
      if (event.type === 'status' && event.status !== 'running' && event.status !== 'paused')
        this.#progress.delete(event.runId);
      this.#emit({ type: 'train', event });
      if (event.type === 'status' || event.type === 'epoch' || event.type === 'started')
        this.#emit({ type: 'runs-changed' });
    });
    const watchMs = options.watchMs ?? WATCH_MS;
    if (watchMs > 0) {
      const poll = () => {
        try {
          watch.poll();
        } catch (error) {
          // A busy or damaged store shows in the next request's answer; the watch goes on.
          console.warn(
            `watching the store for other processes' runs: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      };
      poll();
      this.#watchTimer = setInterval(poll, watchMs);
      this.#watchTimer.unref();
    }
  }

  onEvent(listener: (event: WorkbenchEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Application quit: training processes stop (checkpointed); their runs resume later. */
  async shutdown(): Promise<void> {
    if (this.#watchTimer) clearInterval(this.#watchTimer);
    this.#reader.close();
    await this.#supervisor.shutdown();
  }

  async appInfo() {
    return { version: this.#options.version, home: this.#options.home, mode: this.#options.mode };
  }

  async backends(): Promise<BackendStatus[]> {
    // Installed packages and the adapter do not change while the app runs: ask the reader once.
    this.#optionalBackends ??= this.#reader.read({ kind: 'backend-probe' }).catch(() => undefined);
    return probeBackends(await this.#optionalBackends);
  }

  // ---- datasets ----

  async listDatasets(): Promise<DatasetSummary[]> {
    const runs = this.#store.listRuns();
    return listDatasets(this.#store).map((info) => ({
      ...info,
      builtin: isBuiltin(info.name),
      runs: runs.filter((r) => r.dataset === info.name).length,
    }));
  }

  async previewDataset(name: string): Promise<DatasetPreview> {
    datasetInfo(this.#store, name); // an unknown name fails here, without starting a process
    return this.#reader.read({ kind: 'preview', dataset: name });
  }

  async example(request: ExampleRequest): Promise<DatasetExample> {
    const { dataset, split, index } = request;
    datasetInfo(this.#store, dataset);
    return this.#reader.read({ kind: 'example', dataset, split, index });
  }

  async importDataset(request: ImportRequest): Promise<ImportJob> {
    const paths = this.#importPaths(request);
    const job = randomUUID();
    const task = this.#supervisor.runTask(
      {
        kind: 'import',
        paths,
        name: request.name || undefined,
        labelColumn: request.labelColumn || undefined,
        // Uploads lie in a temporary folder that is deleted once imported: name what was dropped.
        source: request.uploads?.length
          ? `uploaded: ${paths.map((p) => path.basename(p)).join(', ')}`
          : undefined,
      },
      (fraction, message) => this.#emit({ type: 'import-progress', job, fraction, message }),
    );
    this.#imports.set(job, task);
    task.result.then(
      ({ dataset }) => {
        this.#emit({ type: 'import-finished', job, dataset, error: null });
        this.#emit({ type: 'datasets-changed' });
      },
      (error: Error) => this.#emit({ type: 'import-finished', job, dataset: null, error: error.message }),
    );
    void task.result
      .catch(() => {})
      .finally(() => {
        this.#imports.delete(job);
        if (request.uploads?.length) this.#options.releaseUploads?.(request.uploads);
      });
    return { job };
  }

  async cancelImport(job: string): Promise<void> {
    this.#imports.get(job)?.cancel();
  }

  async discardUpload(group: string): Promise<void> {
    this.#options.releaseUploads?.([group]);
  }

  async deleteDataset(name: string): Promise<void> {
    if (isBuiltin(name)) throw new ServiceError(`'${name}' is built in and cannot be deleted`);
    this.#store.deleteDataset(name);
    this.#reader.forget();
    this.#emit({ type: 'datasets-changed' });
  }

  // ---- runs ----

  async presets(dataset: string): Promise<Presets> {
    const info = datasetInfo(this.#store, dataset);
    const defaults = defaultConfigFor(info);
    const keep = { seed: defaults.seed, backend: defaults.backend };
    return {
      defaults,
      presets: [
        {
          name: 'Dataset defaults',
          description: 'What the workbench picks for this dataset',
          config: defaults,
        },
        {
          name: 'Paper: synthetic',
          description: 'MLP 100, K 8, Dx = Dw = 2, Gaussian likelihood, batch 200, 500 epochs',
          config: { ...SYNTHETIC_PRESET, ...keep },
        },
        {
          name: 'Paper v2: MNIST on the MLP',
          description:
            "Minimum information, MLP 500, K 16, Dx 200, Dw 150, Adam 1e-4, batch 100, the authors' gradient",
          config: { ...MNIST_V2_PRESET, ...keep },
        },
        // The first version's recipe on the MLP, Shu's GMVAE (the best on the MLP) and the
        // authors' own scripts, for the images they were written for.
        ...(isMnistLike(info)
          ? [
              {
                name: 'Paper v1: MNIST on the MLP',
                description:
                  "First version (consistency 0.4), MLP 500, K 16, the authors' training: Adam restarted each step, lr 1e-4, batch 50, Torch init, summed loss",
                config: { ...MNIST_V1_PRESET, ...keep },
              },
              {
                name: "Shu's GMVAE: MNIST on the MLP",
                description:
                  'Categorical q(z|y), a Gaussian q(x|y,z) per cluster, MLP 500, K 16, Adam 1e-3, batch 100: the best formulation on the MLP',
                config: { ...MNIST_SHU_PRESET, ...keep },
              },
              ...AUTHORS_PRESETS.map((p) => ({
                name: p.name,
                description: p.description,
                config: { ...defaults, ...p.overrides, ...keep },
              })),
            ]
          : []),
      ],
    };
  }

  async listRuns(): Promise<RunSummary[]> {
    // This process keeps its store open for days: a trainer killed meanwhile (a `gmvae train`
    // in a terminal, say) shows as interrupted when the runs are next looked at, not 'running'.
    this.#store.markStaleRunsInterrupted();
    return this.#store.listRuns().map((run) => this.#summary(run));
  }

  async getRun(id: number): Promise<RunDetail> {
    this.#store.markStaleRunsInterrupted();
    const run = requireRun(this.#store, id);
    return {
      ...this.#summary(run),
      checkpoints: this.#store.listCheckpoints(run.id),
      artefacts: this.#store.listArtefacts(run.id).map(({ kind, checkpoint, epoch, createdAt }) => ({
        kind,
        checkpoint,
        epoch,
        createdAt,
      })),
    };
  }

  async createRun(request: NewRunRequest): Promise<RunRecord> {
    const run = createRun(this.#store, {
      dataset: request.dataset,
      name: request.name || undefined,
      overrides: { ...request.overrides },
    });
    this.#supervisor.start(run.id);
    this.#emit({ type: 'runs-changed' });
    return this.#store.getRun(run.id)!;
  }

  async updateRun(id: number, patch: RunPatchRequest): Promise<RunRecord> {
    const clean: RunPatchRequest = {};
    if (patch.name !== undefined) clean.name = patch.name.trim();
    if (patch.notes !== undefined) clean.notes = patch.notes;
    if (patch.tags !== undefined) clean.tags = [...new Set(patch.tags.map((t) => t.trim()).filter(Boolean))];
    const run = this.#store.updateRun(requireRun(this.#store, id).id, clean);
    this.#emit({ type: 'runs-changed' });
    return run;
  }

  async deleteRun(id: number): Promise<void> {
    // Stop then Delete waits for the stopping process rather than refusing.
    await this.#trainerGone(requireRun(this.#store, id).id);
    const run = requireRun(this.#store, id);
    if (this.#supervisor.active.includes(run.id) || isTraining(run.status))
      throw new ServiceError(`run '${run.name}' is training; stop it before deleting it`);
    this.#store.deleteRun(run.id);
    this.#emit({ type: 'runs-changed' });
  }

  async pauseRun(id: number): Promise<void> {
    this.#supervisor.pause(id);
  }

  async resumeRun(id: number): Promise<void> {
    const runId = requireRun(this.#store, id).id;
    await this.#trainerGone(runId);
    this.#supervisor.resume(runId);
    this.#emit({ type: 'runs-changed' });
  }

  async trainFurther(id: number, epochs: number): Promise<RunRecord> {
    const runId = requireRun(this.#store, id).id;
    await this.#trainerGone(runId);
    try {
      this.#store.extendRun(runId, epochs);
      this.#supervisor.resume(runId);
    } finally {
      this.#emit({ type: 'runs-changed' });
    }
    return this.#store.getRun(runId)!;
  }

  async stopRun(id: number): Promise<void> {
    this.#supervisor.stop(id);
  }

  async metrics(id: number, names?: string[]): Promise<MetricPoint[]> {
    return this.#store.metrics(requireRun(this.#store, id).id, names);
  }

  async artefact(id: number, kind: ArtefactKind, checkpoint: CheckpointKind): Promise<unknown | null> {
    return this.#store.getArtefact(requireRun(this.#store, id).id, kind, checkpoint)?.payload ?? null;
  }

  async evaluateCheckpoint(id: number, checkpoint: CheckpointKind): Promise<MetricSummary> {
    const run = requireRun(this.#store, id);
    const key = `${run.id}:${checkpoint}`;
    if (this.#evaluations.has(key))
      throw new ServiceError(`the ${checkpoint} checkpoint of '${run.name}' is being evaluated already`);
    const task = this.#supervisor.runTask(
      { kind: 'evaluate', runId: run.id, checkpoint },
      (fraction, message) =>
        this.#emit({ type: 'evaluate-progress', runId: run.id, checkpoint, fraction, message }),
    );
    let cancelled = false;
    this.#evaluations.set(key, {
      result: task.result,
      cancel: () => {
        cancelled = true;
        task.cancel();
      },
    });
    try {
      const metrics = await task.result;
      this.#emit({ type: 'runs-changed' });
      return metrics;
    } catch (error) {
      // Stopped between stages, or ended mid-stage: either way, cancelled as asked.
      if (cancelled) throw new ServiceError('the evaluation was cancelled');
      throw error;
    } finally {
      this.#evaluations.delete(key);
    }
  }

  async cancelEvaluation(id: number, checkpoint: CheckpointKind): Promise<void> {
    this.#evaluations.get(`${requireRun(this.#store, id).id}:${checkpoint}`)?.cancel();
  }

  async exportRun(request: ExportRequest): Promise<ExportSummary> {
    // Before anything else, so the answer is the same whatever the folder and the run.
    if (this.#options.mode === 'web' && request.outDir)
      throw new ServiceError(
        'in web mode an export is downloaded by the browser; no folder on the server can be named',
      );
    const run = requireRun(this.#store, request.run);
    const checkpoint = request.checkpoint ?? 'last';
    if (checkpoint !== 'last' && checkpoint !== 'best')
      throw new ServiceError(`checkpoint must be 'last' or 'best', not '${String(checkpoint)}'`);
    if (this.#options.mode === 'web') return this.#exportForDownload(run, checkpoint);
    const outDir = this.#checkedOutputFolder(request.outDir);
    return this.#supervisor.runTask({ kind: 'export', runId: run.id, outDir, checkpoint }).result;
  }

  // ---- sweeps ----

  async listSweeps(): Promise<SweepInfo[]> {
    const sweeps = this.#store.listSweeps().map((sweep) => this.#sweep(sweep.id, sweep.state === 'active'));
    if (sweeps.some((s) => s.collected > 0)) this.#emit({ type: 'runs-changed' });
    return sweeps;
  }

  async getSweep(id: number): Promise<SweepInfo> {
    const sweep = this.#sweep(id, true);
    if (sweep.collected > 0) this.#emit({ type: 'runs-changed' });
    return sweep;
  }

  /**
   * A sweep's status, collecting a Slurm sweep's runs. Where Slurm cannot be asked (its
   * commands missing on this machine, the controller down) the stored state is shown instead.
   */
  #sweep(id: number, collect: boolean): SweepInfo {
    try {
      return sweepStatus(this.#store, id, { collect });
    } catch (error) {
      if (!(error instanceof SlurmError)) throw error;
      return sweepStatus(this.#store, id, { collect: false });
    }
  }

  // ---- helpers ----

  /**
   * A run that has just completed or stopped, or was told to stop, may still have its trainer on
   * the way out, which would take a resume for itself and end: waits for it (for a while), so
   * that a new process continues the run.
   */
  async #trainerGone(runId: number): Promise<void> {
    if (this.#supervisor.stopping(runId) || !isTraining(requireRun(this.#store, runId).status))
      await this.#supervisor.exited(runId, TRAINER_EXIT_WAIT_MS);
  }

  #summary(run: RunRecord): RunSummary {
    // Headline numbers are the latest (at the end, the final) epoch's: never a peak over epochs.
    const metrics = latestTestMetrics(this.#store, run.id);
    // Another process's run reports its progress through the store, with its heartbeat; from
    // an older version, without it, only its epochs tell its pace.
    const running = run.status === 'running';
    const progress = this.#progress.get(run.id) ?? (running ? this.#store.runProgress(run.id) : null);
    const pace = running && !progress ? lastEpochPace(this.#store, run.id) : null;
    const bestCheckpoint = bestCheckpointScores(this.#store, run.id);
    return { ...run, metrics, bestCheckpoint, progress, pace, silentSeconds: this.#silentSeconds(run) };
  }

  /** RunSummary.silentSeconds: the trainer's silence, for runs another process trains. */
  #silentSeconds(run: RunRecord): number | null {
    return this.#supervisor.active.includes(run.id) ? null : trainerSilence(this.#store, run);
  }

  /**
   * Paths to import. In the app they come from a drop (absolute, existing files or folders:
   * checked here, never trusted). In web mode the browser cannot name server paths; it uploads.
   */
  #importPaths(request: ImportRequest): string[] {
    if (request.uploads?.length) {
      if (!this.#options.resolveUploads) throw new ServiceError('uploads are only accepted in web mode');
      return this.#options.resolveUploads(request.uploads);
    }
    if (this.#options.mode === 'web')
      throw new ServiceError('in web mode, drop or upload files instead of naming paths');
    const paths = request.paths ?? [];
    if (paths.length === 0) throw new ServiceError('nothing to import: drop files or a folder');
    for (const p of paths) {
      if (typeof p !== 'string' || !path.isAbsolute(p))
        throw new ServiceError(`not an absolute path: ${String(p)}`);
      if (!fs.existsSync(p)) throw new ServiceError(`${p}: no such file or folder`);
    }
    return paths;
  }

  /**
   * Web mode: the page names no folder (what it named would be a path on someone else's
   * machine, written with the server's rights, and an error would tell whether it exists); the
   * export is staged under the home, zipped, and downloaded by the browser.
   */
  async #exportForDownload(run: RunRecord, checkpoint: CheckpointKind): Promise<ExportSummary> {
    if (!this.#options.stageExport) throw new ServiceError('this server offers no downloads');
    const staging = this.#options.stageExport(run.name, checkpoint);
    try {
      const { files } = await this.#supervisor.runTask({
        kind: 'export',
        runId: run.id,
        outDir: staging.outDir,
        checkpoint,
        archive: staging.archive,
      }).result;
      staging.finish();
      return { out: staging.name, files, download: staging.download };
    } catch (error) {
      staging.discard();
      throw error;
    }
  }

  /** An export folder must be an absolute path whose parent exists; export-run refuses non-empty ones. */
  #checkedOutputFolder(outDir: string | undefined): string {
    if (typeof outDir !== 'string' || !path.isAbsolute(outDir))
      throw new ServiceError(`export folder must be an absolute path, not '${String(outDir)}'`);
    if (!fs.existsSync(path.dirname(outDir)))
      throw new ServiceError(`${path.dirname(outDir)}: no such folder`);
    return outDir;
  }

  #emit(event: WorkbenchEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}
