/**
 * The one contract between the interface and the back end: every request, its response, and
 * every event. Electron IPC and the web-mode WebSocket both carry exactly this; the proxy in
 * client.ts and the dispatcher in dispatch.ts are generic over it, so a method is declared
 * once, here, and nowhere is a channel name typed by hand.
 */
import type { BackendChoice, GmvaeConfig } from '../config.ts';
import type { DatasetInfo } from '../dataset.ts';
import type { MetricSummary } from '../metric-names.ts';
import type { ArtefactKind, CheckpointInfo, CheckpointKind, MetricPoint, RunRecord } from '../run.ts';
import type { SweepInfo } from '../sweep.ts';
import type { TrainEvent } from '../training-events.ts';

export interface DatasetSummary extends DatasetInfo {
  builtin: boolean;
  /** Runs that train or trained on it (an imported dataset with runs cannot be deleted). */
  runs: number;
}

export interface DatasetPreview {
  info: DatasetInfo;
  /** The first examples of the training split, values as stored (images in [0,1]). */
  examples: { index: number; label: number | null; values: number[] }[];
  /** Examples per label in the training split (empty without labels). */
  classCounts: number[];
  /** Per-feature mean and standard deviation over the training split (tables only; images: overall). */
  mean: number[];
  std: number[];
}

/** Live state of a run's training, while a process trains it: its latest progress event. */
export type RunProgress = Omit<Extract<TrainEvent, { type: 'progress' }>, 'type' | 'runId'>;

/**
 * A running run's pace from its last finished epoch, for the time left where no progress reports
 * reach this process (a run trained by `gmvae reproduce` in a terminal, a Slurm task).
 */
export interface RunPace {
  stepsPerEpoch: number;
  /** That epoch's wall time, its evaluation included, per step. */
  secondsPerStep: number;
}

/** A checkpoint's epoch and the test metrics recorded at it. */
export interface CheckpointScores {
  epoch: number;
  metrics: MetricSummary;
}

export interface RunSummary extends RunRecord {
  /** Latest test metrics (ELBO terms and clustering scores): the final epoch's once completed. */
  metrics: MetricSummary;
  /** The best checkpoint, chosen by test ELBO (never by a score), and its test metrics. */
  bestCheckpoint: CheckpointScores | null;
  progress: RunProgress | null;
  /** Set for a running run without progress reports once it has finished an epoch. */
  pace: RunPace | null;
  /**
   * A running run trained by another process: seconds since its trainer last wrote a heartbeat,
   * as of this answer (the trainer writes one every few seconds while it trains, none while it
   * evaluates). Long silence in training means that process is stopped or hung. Null for runs
   * this process trains, whose worker it watches itself, and for runs that are not running.
   */
  silentSeconds: number | null;
}

export interface RunDetail extends RunSummary {
  checkpoints: CheckpointInfo[];
  artefacts: { kind: ArtefactKind; checkpoint: CheckpointKind; epoch: number; createdAt: string }[];
}

export interface BackendStatus {
  name: Exclude<BackendChoice, 'auto'>;
  available: boolean;
  /** Why it is not available, or a description of the device it would use. */
  detail: string;
  /** Whether it can train the conv architecture ('auto' passes over it for conv runs). */
  trainsConv: boolean;
  /** Whether 'auto' may pick it: not a software WebGPU adapter, which is the CPU in disguise. */
  auto: boolean;
}

export interface Presets {
  /** The dataset's defaults (see common/config.ts defaultConfigFor). */
  defaults: GmvaeConfig;
  /** Named starting points: the paper's settings, and the authors' scripts for 28x28 images. */
  presets: { name: string; description: string; config: GmvaeConfig }[];
}

export interface NewRunRequest {
  dataset: string;
  name?: string;
  /** Settings that differ from the dataset's defaults. */
  overrides: Partial<GmvaeConfig>;
}

export interface RunPatchRequest {
  name?: string;
  notes?: string;
  tags?: string[];
}

/**
 * Files to import. In Electron: absolute paths from the drop (main accepts only paths the
 * preload reported as dropped; see electron/path-grants.ts). In web mode: ids of files uploaded
 * to the server first (see server/uploads.ts).
 */
export interface ImportRequest {
  paths?: string[];
  uploads?: string[];
  name?: string;
  labelColumn?: string;
}

export interface ImportJob {
  job: string;
}

export interface ExportRequest {
  run: number;
  /**
   * In the app: the folder the user chose in the system dialog (new or empty). In web mode:
   * omitted; the export is offered to the browser as a download instead, so a page can never
   * name a place on the server to write to.
   */
  outDir?: string;
  checkpoint?: CheckpointKind;
}

export interface ExportSummary {
  /** The folder written (app), or the zip's file name (web mode). */
  out: string;
  /** The exported files, relative to the folder (or to the zip's top folder). */
  files: string[];
  /** Web mode: the URL path to GET the zip from (see WEB_ROUTES.download). */
  download?: string;
}

export interface ExampleRequest {
  dataset: string;
  split: 'train' | 'test';
  index: number;
}

export interface DatasetExample {
  values: number[];
  label: number | null;
  shape: number[];
}

/** Everything the back end can be asked. Every method returns a promise; errors reject with a message. */
export interface WorkbenchApi {
  appInfo(): Promise<{ version: string; home: string; mode: 'electron' | 'web' }>;
  backends(): Promise<BackendStatus[]>;

  listDatasets(): Promise<DatasetSummary[]>;
  previewDataset(name: string): Promise<DatasetPreview>;
  importDataset(request: ImportRequest): Promise<ImportJob>;
  cancelImport(job: string): Promise<void>;
  /** Web mode: deletes an upload group that will not be imported (a drop cancelled or failed). */
  discardUpload(group: string): Promise<void>;
  deleteDataset(name: string): Promise<void>;
  example(request: ExampleRequest): Promise<DatasetExample>;

  presets(dataset: string): Promise<Presets>;
  listRuns(): Promise<RunSummary[]>;
  getRun(id: number): Promise<RunDetail>;
  createRun(request: NewRunRequest): Promise<RunRecord>;
  updateRun(id: number, patch: RunPatchRequest): Promise<RunRecord>;
  deleteRun(id: number): Promise<void>;
  pauseRun(id: number): Promise<void>;
  resumeRun(id: number): Promise<void>;
  /**
   * Raises a finished or stopped run's epochs to `epochs` and resumes it from its last
   * checkpoint; refused where that would not equal the longer run (a cosine schedule).
   */
  trainFurther(id: number, epochs: number): Promise<RunRecord>;
  stopRun(id: number): Promise<void>;
  metrics(id: number, names?: string[]): Promise<MetricPoint[]>;
  artefact(id: number, kind: ArtefactKind, checkpoint: CheckpointKind): Promise<unknown | null>;
  /** Reports its stages as 'evaluate-progress' events; rejects if cancelled. */
  evaluateCheckpoint(id: number, checkpoint: CheckpointKind): Promise<MetricSummary>;
  /** Cancels that evaluation if it is running (its artefacts stay as they were). */
  cancelEvaluation(id: number, checkpoint: CheckpointKind): Promise<void>;
  exportRun(request: ExportRequest): Promise<ExportSummary>;

  /**
   * Sweeps (docs/sweeps.md), newest first, each task's state. Asking also collects the runs of
   * running Slurm sweeps into the store (a 'runs-changed' event follows when any changed), so
   * polling this keeps their curves live.
   */
  listSweeps(): Promise<SweepInfo[]>;
  getSweep(id: number): Promise<SweepInfo>;
}

export type ApiMethod = keyof WorkbenchApi;

/** What one argument of an API method is, as JSON carries it; a trailing '?' marks it optional. */
type ArgKind<T> = [T] extends [number]
  ? 'number'
  : [T] extends [string]
    ? 'string'
    : [T] extends [string[]]
      ? 'string[]'
      : 'object';
type ArgKinds<P extends readonly unknown[]> = {
  [I in keyof P]-?: undefined extends P[I] ? `${ArgKind<Exclude<P[I], undefined>>}?` : ArgKind<P[I]>;
};

/**
 * Every method with the kinds of its arguments, derived from the interface (a missing method, a
 * missing argument or one of another kind is a compile error), so that every transport can
 * refuse a malformed call in words before it reaches the implementation.
 */
export const API_ARGUMENTS: { readonly [M in ApiMethod]: ArgKinds<Parameters<WorkbenchApi[M]>> } = {
  appInfo: [],
  backends: [],
  listDatasets: [],
  previewDataset: ['string'],
  importDataset: ['object'],
  cancelImport: ['string'],
  discardUpload: ['string'],
  deleteDataset: ['string'],
  example: ['object'],
  presets: ['string'],
  listRuns: [],
  getRun: ['number'],
  createRun: ['object'],
  updateRun: ['number', 'object'],
  deleteRun: ['number'],
  pauseRun: ['number'],
  resumeRun: ['number'],
  trainFurther: ['number', 'number'],
  stopRun: ['number'],
  metrics: ['number', 'string[]?'],
  artefact: ['number', 'string', 'string'],
  evaluateCheckpoint: ['number', 'string'],
  cancelEvaluation: ['number', 'string'],
  exportRun: ['object'],
  listSweeps: [],
  getSweep: ['number'],
};

/** The method names, for transports to list. */
export const API_METHODS = Object.keys(API_ARGUMENTS) as ApiMethod[];

/** Each kind: how a value is checked, and how a message names it. */
const KINDS: Record<string, { fits: (value: unknown) => boolean; noun: string }> = {
  number: { fits: (v) => typeof v === 'number' && Number.isFinite(v), noun: 'a number' },
  string: { fits: (v) => typeof v === 'string', noun: 'a string' },
  'string[]': {
    fits: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
    noun: 'a list of strings',
  },
  object: { fits: (v) => typeof v === 'object' && v !== null && !Array.isArray(v), noun: 'an object' },
};

/** Why `args` cannot be the arguments of `method`, in words; null when they can. */
export function argumentsProblem(method: ApiMethod, args: readonly unknown[]): string | null {
  const kinds = API_ARGUMENTS[method] as readonly string[];
  if (args.length > kinds.length)
    return `${method} takes ${kinds.length} argument${kinds.length === 1 ? '' : 's'}, got ${args.length}`;
  for (const [i, kind] of kinds.entries()) {
    const optional = kind.endsWith('?');
    const value = args[i];
    if (optional && (value === undefined || value === null)) continue;
    const want = KINDS[optional ? kind.slice(0, -1) : kind]!;
    if (!want.fits(value)) return `argument ${i + 1} of ${method} must be ${want.noun}`;
  }
  return null;
}

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && (API_METHODS as readonly string[]).includes(name);
}

/** Events pushed from the back end to every connected interface. */
export type WorkbenchEvent =
  | { type: 'train'; event: TrainEvent }
  | { type: 'import-progress'; job: string; fraction: number; message: string }
  | { type: 'import-finished'; job: string; dataset: string | null; error: string | null }
  /** A stage of evaluating a checkpoint: the share of the work done (0..1) and what it does now. */
  | {
      type: 'evaluate-progress';
      runId: number;
      checkpoint: CheckpointKind;
      fraction: number;
      message: string;
    }
  | { type: 'runs-changed' }
  | { type: 'datasets-changed' };

/** The wire format shared by the IPC and WebSocket transports. */
export type ApiRequestMessage = { kind: 'request'; id: number; method: ApiMethod; args: unknown[] };
export type ApiResponseMessage =
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: string };
export type ApiEventMessage = { kind: 'event'; event: WorkbenchEvent };
export type ServerMessage = ApiResponseMessage | ApiEventMessage;
