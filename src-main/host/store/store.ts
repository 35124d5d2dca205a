/**
 * The store: everything the workbench keeps, in one SQLite database per home directory
 * (homeDir/gmvae.sqlite). Used by the CLI, the trainer worker and the Electron main process,
 * possibly several at once on the same file.
 *
 * Connection settings, and why:
 * - journal_mode=WAL: readers (the UI charting metrics) never block the trainer's writes, and
 *   the trainer never blocks them.
 * - synchronous=NORMAL, for every commit including checkpoint commits. Under WAL this keeps
 *   every transaction atomic and the file uncorrupted after any crash, process kill or power
 *   loss; what it gives up is only durability of the last few commits on a power loss or OS
 *   crash (a killed process loses nothing: its commits are already in the OS). Losing the newest
 *   checkpoint there means resuming from the previous one, whose metrics were committed with
 *   it, so the run stays consistent. FULL would add an fsync per commit for no consistency gain.
 * - foreign_keys=ON: it is per connection in SQLite, and the ON DELETE CASCADEs depend on it.
 * - busy timeout (BUSY_TIMEOUT_MS): a second process waits for the write lock rather than failing at once.
 *   Transactions that write begin IMMEDIATE, so they take the lock up front and never hit the
 *   WAL "snapshot is stale" error a read-then-write deferred transaction can.
 * - journal_size_limit: a checkpoint commit can grow the WAL by the size of the model twice;
 *   once checkpointed, the file is truncated back to this instead of staying that large.
 */
import type Database from 'better-sqlite3';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunProgress } from '../../common/api/contract.ts';
import type { DatasetInfo, LoadedDataset } from '../../common/dataset.ts';
import type {
  ArtefactKind,
  ArtefactRecord,
  CheckpointData,
  CheckpointInfo,
  CheckpointKind,
  MetricPoint,
  RunRecord,
} from '../../common/run.ts';
import { ArtefactTable } from './artefacts.ts';
import { CheckpointTable } from './checkpoints.ts';
import { DatasetTable } from './datasets.ts';
import { MetricTable } from './metrics.ts';
import { nameDamagedFile, openStoreFile } from './file.ts';
import { executedMigrations, migrate } from './migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';
import type { Migration } from './migrations/index.ts';
import { RunTable } from './runs.ts';
import { SweepTable } from './sweeps.ts';
import type {
  CollectResult,
  CreateSweepInput,
  SweepPatch,
  SweepRecord,
  SweepTaskPatch,
  SweepTaskRecord,
} from './sweeps.ts';
import type { CreateRunInput, RunPatch, RunState } from './runs.ts';

export const DATABASE_FILE = 'gmvae.sqlite';
export const DEFAULT_STALE_GRACE_MS = 10_000;
export const BUSY_TIMEOUT_MS = 60_000;

export interface StoreOptions {
  /**
   * How long a 'running' or 'paused' run with no trainer pid recorded yet must have gone without
   * a heartbeat before it is marked 'interrupted' (a recorded pid that is gone counts at once).
   * Default DEFAULT_STALE_GRACE_MS; tests use 0.
   */
  staleGraceMs?: number;
  /** The migrations to apply, default MIGRATIONS. For tests of the migration machinery only. */
  migrations?: readonly Migration[];
  /**
   * One process only (locking_mode=EXCLUSIVE): WAL then keeps its index in this process's
   * memory instead of a shared -shm file, which is what a store on a network filesystem needs
   * (a Slurm sweep's task stores, docs/sweeps.md). No other process can open it meanwhile.
   */
  exclusive?: boolean;
}

export interface CommitCheckpointInput {
  /** Stored as 'last' whatever its `kind` says. */
  checkpoint: CheckpointData;
  /** Also store it as 'best'. */
  alsoBest: boolean;
  /** Metrics recorded since the previous checkpoint. */
  metrics: MetricPoint[];
  /** Applied to the checkpoint's run (usually epoch, step, trainSeconds). */
  run: RunPatch;
}

export interface SchemaStatus {
  /** Migrations recorded in this database, in order. */
  executed: string[];
  /** Known migrations not yet applied (empty after open). */
  pending: string[];
  /** The newest migration this code knows. */
  latest: string;
}

export class Store {
  /** Absolute or as-given path of the database file. */
  readonly path: string;
  readonly #db: Database.Database;
  readonly #migrations: readonly Migration[];
  readonly #staleGraceMs: number;
  readonly #datasets: DatasetTable;
  readonly #runs: RunTable;
  readonly #metrics: MetricTable;
  readonly #checkpoints: CheckpointTable;
  readonly #artefacts: ArtefactTable;
  readonly #sweeps: SweepTable;

  private constructor(db: Database.Database, path: string, options: StoreOptions) {
    this.#db = db;
    this.path = path;
    this.#migrations = options.migrations ?? MIGRATIONS;
    this.#staleGraceMs = options.staleGraceMs ?? DEFAULT_STALE_GRACE_MS;
    this.#datasets = new DatasetTable(db);
    this.#runs = new RunTable(db);
    this.#metrics = new MetricTable(db);
    this.#checkpoints = new CheckpointTable(db);
    this.#artefacts = new ArtefactTable(db);
    this.#sweeps = new SweepTable(db);
  }

  /**
   * Creates homeDir if needed, opens (or creates) its database, applies pending migrations,
   * then marks runs whose trainer died as 'interrupted'.
   */
  static async open(homeDir: string, options: StoreOptions = {}): Promise<Store> {
    await mkdir(homeDir, { recursive: true });
    const path = join(homeDir, DATABASE_FILE);
    // Several trainers share the file, and committing a large model's checkpoint (weights and
    // Adam state: ~60 MB for the paper's MNIST model) holds the write lock for seconds on a busy
    // machine: writers wait up to BUSY_TIMEOUT_MS for it rather than fail. openStoreFile
    // refuses an empty, damaged or foreign file before anything below writes to it (file.ts).
    const db = openStoreFile(path, BUSY_TIMEOUT_MS);
    try {
      if (options.exclusive) db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
      await migrate(db, options.migrations ?? MIGRATIONS);
      const store = new Store(db, path, options);
      store.markStaleRunsInterrupted();
      return store;
    } catch (err) {
      db.close();
      throw nameDamagedFile(err, path);
    }
  }

  /** SQLite's own consistency check of the whole file: 'ok', or what is wrong. */
  integrityCheck(): string {
    return (this.#db.prepare('PRAGMA integrity_check').pluck().all() as string[]).join('; ');
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /**
   * SQLite's data_version: it changes when another connection (another process's trainer or
   * interface) commits to the file, and only then. Cheap enough to poll.
   */
  dataVersion(): number {
    return this.#db.pragma('data_version', { simple: true }) as number;
  }

  /** Which migrations this database has, and which it lacks. */
  schemaStatus(): SchemaStatus {
    const executed = executedMigrations(this.#db);
    const done = new Set(executed);
    return {
      executed,
      pending: this.#migrations.map((m) => m.name).filter((name) => !done.has(name)),
      latest: this.#migrations.at(-1)?.name ?? '',
    };
  }

  // ---- imported datasets (built-ins are not stored) ----

  /** One transaction; StoreError('dataset "x" already exists') if the name is taken. */
  saveDataset(ds: LoadedDataset): void {
    this.#datasets.save(ds);
  }
  listDatasets(): DatasetInfo[] {
    return this.#datasets.list();
  }
  getDatasetInfo(name: string): DatasetInfo | null {
    return this.#datasets.info(name);
  }
  loadDataset(name: string): LoadedDataset | null {
    return this.#datasets.load(name);
  }
  /** StoreError while any run references it, or if there is no such dataset. */
  deleteDataset(name: string): void {
    this.#datasets.delete(name);
  }

  // ---- runs ----

  /** Default name 'run-<id>', status 'running', seed from config.seed. StoreError on a taken name. */
  createRun(input: CreateRunInput): RunRecord {
    return this.#runs.create(input);
  }
  /** A number or a string of digits is an id; anything else a name. */
  getRun(idOrName: number | string): RunRecord | null {
    return this.#runs.get(idOrName);
  }
  /** Newest first. */
  listRuns(): RunRecord[] {
    return this.#runs.list();
  }
  /** Applies the defined fields of `patch`, stamps updatedAt, returns the updated run. */
  updateRun(id: number, patch: RunPatch): RunRecord {
    return this.#runs.update(id, patch);
  }
  /** Stamps the trainer's heartbeat, with its latest progress when given. */
  heartbeat(id: number, progress?: RunProgress): void {
    this.#runs.heartbeat(id, progress);
  }
  /** Every run's lifecycle fields and stored progress, for watching what other processes do. */
  runStates(): RunState[] {
    return this.#runs.states();
  }
  /** The progress the run's trainer last wrote with its heartbeat (null if none). */
  runProgress(id: number): RunProgress | null {
    return this.#runs.progress(id);
  }
  /** When the run's trainer last wrote a heartbeat (ISO time; null if none ever did). */
  runHeartbeatAt(id: number): string | null {
    return this.#runs.heartbeatAt(id);
  }
  /** Cascades to the run's metrics, checkpoints and artefacts. */
  deleteRun(id: number): void {
    this.#runs.delete(id);
  }
  /**
   * Atomically makes `pid` the run's trainer (status 'running'), or throws StoreError saying who
   * holds it; see RunTable.claim. Every trainer claims its run before training it.
   */
  claimRun(id: number, pid: number): RunRecord {
    return this.#runs.claim(id, pid, this.#staleGraceMs);
  }
  /** Raises the run's epochs so that resuming it trains further; see RunTable.extend. */
  extendRun(id: number, epochs: number): RunRecord {
    return this.#runs.extend(id, epochs);
  }
  /** See RunTable.interruptIfHeldBy. */
  interruptRunIfHeldBy(id: number, pids: readonly number[]): boolean {
    return this.#runs.interruptIfHeldBy(id, pids);
  }
  /** See RunTable.markStaleInterrupted; returns the ids marked. */
  markStaleRunsInterrupted(graceMs: number = this.#staleGraceMs): number[] {
    return this.#runs.markStaleInterrupted(graceMs);
  }

  // ---- metrics ----

  /** One transaction. */
  appendMetrics(points: MetricPoint[]): void {
    this.#metrics.append(points);
  }
  /** Ordered by step then name; `names` restricts to those metrics. */
  metrics(runId: number, names?: string[]): MetricPoint[] {
    return this.#metrics.query(runId, names);
  }
  /** The value at the highest step of each metric name (at or before `upToStep`, if given). */
  latestMetrics(runId: number, upToStep?: number): Record<string, number> {
    return this.#metrics.latest(runId, upToStep);
  }
  /** The values (of `names`, if given) at `step` exactly: what was recorded with a checkpoint there. */
  metricsAt(runId: number, step: number, names?: readonly string[]): Record<string, number> {
    return this.#metrics.at(runId, step, names);
  }
  /** Deletes the run's metrics with step > `step` (-1: all of them). */
  deleteMetricsAfter(runId: number, step: number): void {
    this.#metrics.deleteAfter(runId, step);
  }

  // ---- checkpoints ----

  /**
   * The crash-safety core: in ONE transaction, upsert the checkpoint as 'last' (and as 'best'
   * when alsoBest), append the metrics recorded since the previous checkpoint, and update the
   * run. A kill at any instant leaves the old state or the new, never a checkpoint without its
   * metrics or a run whose epoch/step disagree with its checkpoint. Encoding happens before the
   * write lock is taken.
   */
  commitCheckpoint(input: CommitCheckpointInput): void {
    const encoded = this.#checkpoints.encode(input.checkpoint);
    this.#db
      .transaction(() => {
        this.#checkpoints.upsert(encoded, input.alsoBest ? ['last', 'best'] : ['last']);
        this.#metrics.insertAll(input.metrics);
        this.#runs.update(input.checkpoint.runId, input.run);
      })
      .immediate();
  }
  loadCheckpoint(runId: number, kind: CheckpointKind): CheckpointData | null {
    return this.#checkpoints.load(runId, kind);
  }
  listCheckpoints(runId: number): CheckpointInfo[] {
    return this.#checkpoints.list(runId);
  }

  // ---- artefacts ----

  /** Replaces the artefact with the same (runId, kind, checkpoint). */
  saveArtefact(a: ArtefactRecord): void {
    this.#artefacts.save(a);
  }
  getArtefact(runId: number, kind: ArtefactKind, checkpoint: CheckpointKind): ArtefactRecord | null {
    return this.#artefacts.get(runId, kind, checkpoint);
  }
  listArtefacts(runId: number): Omit<ArtefactRecord, 'payload'>[] {
    return this.#artefacts.list(runId);
  }

  // ---- sweeps (docs/sweeps.md) ----

  /** The sweep and its tasks, in one transaction; returns the sweep's id. */
  createSweep(input: CreateSweepInput): number {
    return this.#sweeps.create(input);
  }
  /** By id, or the newest sweep of that name. */
  getSweep(idOrName: number | string): SweepRecord | null {
    return this.#sweeps.get(idOrName);
  }
  /** Newest first. */
  listSweeps(): SweepRecord[] {
    return this.#sweeps.list();
  }
  updateSweep(id: number, patch: SweepPatch): void {
    this.#sweeps.update(id, patch);
  }
  sweepTasks(sweepId: number): SweepTaskRecord[] {
    return this.#sweeps.tasks(sweepId);
  }
  updateSweepTask(sweepId: number, index: number, patch: SweepTaskPatch): void {
    this.#sweeps.updateTask(sweepId, index, patch);
  }
  /** See SweepTable.collect: idempotent per (sweep, task, snapshot version). */
  collectSweepTask(
    sweepId: number,
    index: number,
    snapshot: string,
    version: string,
    name: string,
    status?: string,
  ): CollectResult {
    return this.#sweeps.collect(sweepId, index, snapshot, version, name, status);
  }

  /**
   * A consistent copy of the whole store in one new file (`VACUUM INTO`, not in WAL mode), for
   * a reader on another host: the caller renames it into place, so a reader sees a whole copy.
   */
  snapshotTo(file: string): void {
    this.#db.prepare('VACUUM INTO ?').run(file);
  }
}

/*
 * Damage found after opening (a page that went bad while the store was open, or that
 * quick_check cannot see) surfaces as SQLite's "database disk image is malformed" from whichever
 * method read it. Every method of Store rethrows such an error naming the file; wrapping the
 * prototype once covers methods added later too.
 */
for (const key of Object.getOwnPropertyNames(Store.prototype)) {
  const descriptor = Object.getOwnPropertyDescriptor(Store.prototype, key);
  const method = descriptor?.value as unknown;
  if (key === 'constructor' || typeof method !== 'function') continue;
  Object.defineProperty(Store.prototype, key, {
    ...descriptor,
    value: function (this: Store, ...args: unknown[]): unknown {
      try {
        return (method as (...a: unknown[]) => unknown).apply(this, args);
      } catch (err) {
        throw nameDamagedFile(err, this.path);
      }
    },
  });
}
