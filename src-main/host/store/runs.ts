/**
 * The runs table: one row per training run, its lifecycle (status, pid, heartbeat) and what the
 * user attached to it (name, notes, tags).
 */
import type Database from 'better-sqlite3';
import type { RunProgress } from '../../common/api/contract.ts';
import { LEGACY_DEFAULTS, type GmvaeConfig } from '../../common/config.ts';
import {
  isTraining,
  ON_CLUSTER_REASON,
  trainFurtherBlocker,
  type RunRecord,
  type RunStatus,
} from '../../common/run.ts';
import { TRAIN_PHASES } from '../../common/training-events.ts';
import { StoreError, isUniqueViolation } from './errors.ts';

export const RUN_STATUSES: readonly RunStatus[] = [
  'running',
  'paused',
  'completed',
  'stopped',
  'failed',
  'interrupted',
];

export interface CreateRunInput {
  /** Defaults to 'run-<id>'. */
  name?: string;
  dataset: string;
  config: GmvaeConfig;
  /** Defaults to 'running'. */
  status?: RunStatus;
  pid?: number | null;
  /** The sweep the run belongs to. */
  sweepId?: number | null;
}

export type RunPatch = Partial<
  Pick<
    RunRecord,
    | 'name'
    | 'status'
    | 'backend'
    | 'device'
    | 'epoch'
    | 'step'
    | 'startedAt'
    | 'finishedAt'
    | 'trainSeconds'
    | 'error'
    | 'notes'
    | 'tags'
    | 'pid'
  >
>;

/** The column each patchable field lives in; also the whitelist of what updateRun may touch. */
const PATCH_COLUMNS = {
  name: 'name',
  status: 'status',
  backend: 'backend',
  device: 'device',
  epoch: 'epoch',
  step: 'step',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  trainSeconds: 'train_seconds',
  error: 'error',
  notes: 'notes',
  tags: 'tags',
  pid: 'pid',
} as const satisfies Record<keyof RunPatch, string>;

const PROGRESS_FIELDS = ['epoch', 'batch', 'batches', 'step', 'loss', 'examplesPerSecond'] as const;

/** A stored progress report, if it has the shape this version sends (another version may not). */
export function parseProgress(json: string): RunProgress | null {
  try {
    const value = JSON.parse(json) as Record<string, unknown>;
    if (!(TRAIN_PHASES as readonly unknown[]).includes(value.phase)) return null;
    if (!PROGRESS_FIELDS.every((key) => typeof value[key] === 'number')) return null;
    return value as unknown as RunProgress;
  } catch {
    return null;
  }
}

/** A run's lifecycle as another process wrote it (see Store.runStates). */
export interface RunState {
  id: number;
  status: RunStatus;
  epoch: number;
  step: number;
  error: string | null;
  /** The trainer's latest progress report, as stored (JSON); null before its first. */
  progress: string | null;
  /**
   * What the lists show of the record besides the above (name, notes, tags, backend, device)
   * and the time of its last change (heartbeats aside), in one string: any edit changes it.
   */
  record: string;
}

interface RunRow {
  id: number;
  name: string;
  dataset: string;
  status: RunStatus;
  config: string;
  backend: string | null;
  device: string | null;
  seed: number;
  epoch: number;
  step: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
  heartbeat_at: string | null;
  progress: string | null;
  train_seconds: number;
  error: string | null;
  notes: string;
  tags: string;
  pid: number | null;
  sweep_id: number | null;
  /** 1 for a run of a Slurm sweep (ON_CLUSTER), read with RUN_COLUMNS. */
  on_cluster: 0 | 1;
}

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    name: row.name,
    dataset: row.dataset,
    status: row.status,
    config: { ...LEGACY_DEFAULTS, ...(JSON.parse(row.config) as GmvaeConfig) },
    backend: row.backend,
    device: row.device,
    seed: row.seed,
    epoch: row.epoch,
    step: row.step,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
    trainSeconds: row.train_seconds,
    error: row.error,
    notes: row.notes,
    tags: JSON.parse(row.tags) as string[],
    pid: row.pid,
    sweepId: row.sweep_id,
    onCluster: row.on_cluster === 1,
  };
}

/**
 * Names are how users address runs (`gmvae show NAME`), and getRun reads an all-digit string as
 * an id, so such a name could never be looked up: refuse it, and blank or padded names too.
 */
function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.trim() === '' || name !== name.trim())
    throw new StoreError(
      `a run name must be non-empty text without surrounding spaces, got ${JSON.stringify(name)}`,
    );
  if (/^\d+$/.test(name))
    throw new StoreError(`a run name cannot be a number ("${name}"): numbers are run ids`);
}

function checkStatus(status: unknown): asserts status is RunStatus {
  if (!RUN_STATUSES.includes(status as RunStatus))
    throw new StoreError(
      `unknown run status ${JSON.stringify(status)}; expected one of ${RUN_STATUSES.join(', ')}`,
    );
}

function checkTags(tags: unknown): asserts tags is string[] {
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string'))
    throw new StoreError('tags must be a list of strings');
}

/**
 * Whether a process with this pid exists. Signal 0 only checks: ESRCH means no such process,
 * EPERM means it exists but belongs to someone else. (A recycled pid reads as alive; the
 * heartbeat grace cannot help there, so such a run stays 'running' until that process ends.)
 */
export function isProcessAlive(pid: number): boolean {
  // 0 and negative pids address process groups, never a single trainer.
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const nowIso = (): string => new Date().toISOString();

/**
 * A run of a Slurm sweep: it trains on the cluster, in a store of its own, and this row is a
 * copy that sweep collection keeps up to date (docs/sweeps.md). No process here trains it and
 * its status is the collector's to set, so it is neither claimed nor marked stale here.
 */
const ON_CLUSTER = `(sweep_id IS NOT NULL AND sweep_id IN (SELECT id FROM sweeps WHERE executor = 'slurm'))`;

/** A run's row as toRecord reads it. */
const RUN_COLUMNS = `*, ${ON_CLUSTER} AS on_cluster`;

/** No heartbeat or other write to the run (a checkpoint commit updates it) for `graceMs`. */
function isStale(row: Pick<RunRow, 'heartbeat_at' | 'updated_at'>, now: number, graceMs: number): boolean {
  const lastSign = Math.max(Date.parse(row.updated_at), Date.parse(row.heartbeat_at ?? row.updated_at));
  return !(now - lastSign < graceMs);
}

export class RunTable {
  readonly #db: Database.Database;
  readonly #byId: Database.Statement<[number], RunRow>;
  readonly #heartbeat: Database.Statement<[string, string | null, number]>;
  readonly #progress: Database.Statement<[number], Pick<RunRow, 'progress' | 'heartbeat_at'>>;
  /** Polled (the interface's watch of other processes): prepared once. */
  readonly #states: Database.Statement<[], RunState>;
  /** Polled (scheduler, every store opening): prepared once. */
  readonly #held: Database.Statement<[], Pick<RunRow, 'id' | 'pid' | 'heartbeat_at' | 'updated_at'>>;
  readonly #markInterrupted: Database.Statement<[string, number]>;
  readonly #claim: Database.Statement<[number, string, string, number]>;
  /** updateRun builds its SQL from the patch's keys; one prepared statement per key set. */
  readonly #updates = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.#db = db;
    this.#byId = db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`);
    this.#heartbeat = db.prepare(
      'UPDATE runs SET heartbeat_at = ?, progress = coalesce(?, progress) WHERE id = ?',
    );
    this.#progress = db.prepare('SELECT progress, heartbeat_at FROM runs WHERE id = ?');
    this.#states = db.prepare(
      `SELECT id, status, epoch, step, error, progress,
              json_array(name, notes, tags, backend, device, updated_at) AS record
       FROM runs ORDER BY id`,
    );
    this.#held = db.prepare(
      `SELECT id, pid, heartbeat_at, updated_at FROM runs WHERE status IN ('running', 'paused')
       AND NOT ${ON_CLUSTER} ORDER BY id`,
    );
    this.#markInterrupted = db.prepare(
      `UPDATE runs SET status = 'interrupted', pid = NULL, updated_at = ? WHERE id = ?`,
    );
    this.#claim = db.prepare(
      `UPDATE runs SET status = 'running', pid = ?, heartbeat_at = ?, progress = NULL, updated_at = ? WHERE id = ?`,
    );
  }

  create(input: CreateRunInput): RunRecord {
    if (input.name !== undefined) checkName(input.name);
    const status = input.status ?? 'running';
    checkStatus(status);
    if (typeof input.dataset !== 'string' || input.dataset === '')
      throw new StoreError('a run needs a dataset');
    const seed = input.config.seed;
    if (!Number.isSafeInteger(seed))
      throw new StoreError(`config.seed must be an integer, got ${String(seed)}`);

    const now = nowIso();
    const insert = this.#db.prepare<unknown[]>(
      `INSERT INTO runs (name, dataset, status, config, seed, created_at, updated_at, heartbeat_at, pid, sweep_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const create = this.#db.transaction((): number => {
      // Without a name, insert under a placeholder to learn the id, then rename to run-<id>.
      // The placeholder never outlives this transaction.
      const id = Number(
        insert.run(
          input.name ?? '\u0000unnamed',
          input.dataset,
          status,
          JSON.stringify(input.config),
          seed,
          now,
          now,
          // A fresh heartbeat gives the creator the grace period to record its pid.
          now,
          input.pid ?? null,
          input.sweepId ?? null,
        ).lastInsertRowid,
      );
      if (input.name === undefined) {
        // 'run-<id>' may already have been taken by hand; add a suffix until it is free.
        let name = `run-${id}`;
        for (let i = 2; this.get(name); i++) name = `run-${id}-${i}`;
        this.#db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(name, id);
      }
      return id;
    });
    try {
      return this.#mustGet(create.immediate());
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreError(`a run named "${input.name}" already exists`);
      throw err;
    }
  }

  /** By id (a number, or a string of digits) or by name. */
  get(idOrName: number | string): RunRecord | null {
    const row =
      typeof idOrName === 'number' || /^\d+$/.test(idOrName)
        ? this.#byId.get(Number(idOrName))
        : this.#db.prepare<[string], RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE name = ?`).get(idOrName);
    return row ? toRecord(row) : null;
  }

  /** Newest first (ids only grow, see the migration). */
  list(): RunRecord[] {
    return this.#db
      .prepare<[], RunRow>(`SELECT ${RUN_COLUMNS} FROM runs ORDER BY id DESC`)
      .all()
      .map(toRecord);
  }

  update(id: number, patch: RunPatch): RunRecord {
    const assignments: string[] = [];
    const values: unknown[] = [];
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      if (!Object.hasOwn(PATCH_COLUMNS, key)) throw new StoreError(`a run's "${key}" cannot be updated`);
      const field = key as keyof RunPatch;
      if (field === 'name') checkName(value);
      if (field === 'status') checkStatus(value);
      if (field === 'tags') checkTags(value);
      assignments.push(`${PATCH_COLUMNS[field]} = ?`);
      values.push(field === 'tags' ? JSON.stringify(value) : value);
    }
    assignments.push('updated_at = ?');
    values.push(nowIso(), id);

    const sql = `UPDATE runs SET ${assignments.join(', ')} WHERE id = ?`;
    let statement = this.#updates.get(sql);
    if (!statement) this.#updates.set(sql, (statement = this.#db.prepare(sql)));
    try {
      if (statement.run(...values).changes === 0) throw new StoreError(`no run with id ${id}`);
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreError(`a run named "${String(patch.name)}" already exists`);
      throw err;
    }
    return this.#mustGet(id);
  }

  /** The heartbeat time, and the trainer's latest progress when given: one indexed UPDATE. */
  heartbeat(id: number, progress?: RunProgress): void {
    const json = progress === undefined ? null : JSON.stringify(progress);
    if (this.#heartbeat.run(nowIso(), json, id).changes === 0) throw new StoreError(`no run with id ${id}`);
  }

  states(): RunState[] {
    return this.#states.all();
  }

  /** The progress its trainer last wrote with a heartbeat; null before the first, or none. */
  progress(id: number): RunProgress | null {
    const row = this.#progress.get(id);
    if (!row) throw new StoreError(`no run with id ${id}`);
    return row.progress === null ? null : parseProgress(row.progress);
  }

  /** When its trainer last wrote a heartbeat (ISO time); null if none ever did. */
  heartbeatAt(id: number): string | null {
    const row = this.#progress.get(id);
    if (!row) throw new StoreError(`no run with id ${id}`);
    return row.heartbeat_at;
  }

  /** Deletes the run; its metrics, checkpoints and artefacts go with it (ON DELETE CASCADE). */
  delete(id: number): void {
    if (this.#db.prepare('DELETE FROM runs WHERE id = ?').run(id).changes === 0)
      throw new StoreError(`no run with id ${id}`);
  }

  /**
   * Makes `pid` the run's trainer, if no other trainer holds it: in ONE IMMEDIATE transaction,
   * so of two processes claiming at once exactly one wins (the other reads the winner's row).
   * Refused (StoreError) for a completed run, a run whose recorded trainer is alive (the
   * caller's own pid included: a process trains a run once), and a run without a pid whose
   * creator is still within the grace period to record one. A run whose recorded trainer is
   * gone is taken over at once. Sets status 'running', the pid and a fresh heartbeat.
   */
  claim(id: number, pid: number, graceMs: number): RunRecord {
    if (!Number.isSafeInteger(pid) || pid <= 0)
      throw new StoreError(`a trainer's pid must be positive, got ${pid}`);
    return this.#db
      .transaction((): RunRecord => {
        const row = this.#byId.get(id);
        if (!row) throw new StoreError(`no run with id ${id}`);
        if (row.status === 'completed') throw new StoreError(`run '${row.name}' has already completed`);
        if (row.on_cluster)
          throw new StoreError(`run '${row.name}' cannot resume here: ${ON_CLUSTER_REASON}`);
        if (isTraining(row.status)) {
          if (row.pid !== null && isProcessAlive(row.pid))
            throw new StoreError(
              `run '${row.name}' is ${row.status} in process ${row.pid}; stop it there first`,
            );
          if (row.pid === null && !isStale(row, Date.now(), graceMs))
            throw new StoreError(`run '${row.name}' is being started by another process; try again shortly`);
        }
        const at = nowIso();
        this.#claim.run(pid, at, at, id);
        return toRecord(this.#byId.get(id)!);
      })
      .immediate();
  }

  /**
   * Raises a run's epochs to `epochs`, so that resuming it trains further from its last
   * checkpoint: a completed run becomes 'stopped' (resumable). Refused while a trainer holds the
   * run, for a run on a cluster, for fewer epochs than it has, and where training further is not
   * the same as the longer run (trainFurtherBlocker). One transaction, like claim.
   */
  extend(id: number, epochs: number): RunRecord {
    return this.#db
      .transaction((): RunRecord => {
        const row = this.#byId.get(id);
        if (!row) throw new StoreError(`no run with id ${id}`);
        const run = toRecord(row);
        const refuse = (why: string) => new StoreError(`run '${run.name}' cannot train further: ${why}`);
        if (!Number.isSafeInteger(epochs))
          throw refuse(`epochs must be a whole number, got ${JSON.stringify(epochs)}`);
        if (epochs <= run.config.epochs)
          throw refuse(`it is set to ${run.config.epochs} epochs already; ask for more than that`);
        const blocker = trainFurtherBlocker(run);
        if (blocker) throw refuse(blocker);
        this.#db
          .prepare(
            `UPDATE runs SET config = ?, finished_at = NULL, updated_at = ?,
               status = CASE status WHEN 'completed' THEN 'stopped' ELSE status END
             WHERE id = ?`,
          )
          .run(JSON.stringify({ ...run.config, epochs }), nowIso(), id);
        return this.#mustGet(id);
      })
      .immediate();
  }

  /**
   * Runs that claim a trainer ('running', 'paused') but whose trainer is gone: a recorded pid
   * that is not alive (at once: that process can never write again), or no pid and no heartbeat
   * or other update for `graceMs` (the grace covers a trainer that has created or claimed its
   * run but not yet recorded its pid). They become 'interrupted', pid cleared.
   * Done in one IMMEDIATE transaction so a trainer's concurrent update cannot be overwritten
   * with a decision made on stale data.
   */
  markStaleInterrupted(graceMs: number): number[] {
    const staleIds = (now: number): number[] =>
      this.#held
        .all()
        .filter((r) => (r.pid !== null ? !isProcessAlive(r.pid) : isStale(r, now, graceMs)))
        .map((r) => r.id);
    // Look first without the write lock: callers poll this, and a trainer committing a large
    // checkpoint holds that lock for seconds. Only stale runs are worth waiting for it.
    if (staleIds(Date.now()).length === 0) return [];
    return this.#db
      .transaction((): number[] => {
        const now = Date.now();
        const stale = staleIds(now);
        const at = new Date(now).toISOString();
        for (const id of stale) this.#markInterrupted.run(at, id);
        return stale;
      })
      .immediate();
  }

  /**
   * Marks run `id` interrupted if it still claims a trainer ('running', 'paused') held by one of
   * `pids` (or by no recorded process); true if it did. For a supervisor whose training process
   * died without recording its end: one statement, so a trainer that claimed the run meanwhile
   * (`gmvae train --resume` in a terminal) keeps it.
   */
  interruptIfHeldBy(id: number, pids: readonly number[]): boolean {
    const held = pids.map(() => '?').join(', ');
    const sql = `UPDATE runs SET status = 'interrupted', pid = NULL, updated_at = ?
                 WHERE id = ? AND status IN ('running', 'paused') AND (pid IS NULL OR pid IN (${held}))`;
    return this.#db.prepare(sql).run(nowIso(), id, ...pids).changes > 0;
  }

  #mustGet(id: number): RunRecord {
    const run = this.get(id);
    if (!run) throw new StoreError(`no run with id ${id}`);
    return run;
  }
}
