/**
 * Sweeps and their tasks (migration 0002), and collecting a Slurm task's run: copying the run,
 * its metrics, checkpoints and artefacts from a snapshot of the task's own store into this one,
 * keyed by (sweep, task index) so that collecting twice gives one run.
 */
import type Database from 'better-sqlite3';
import type { SweepDefinition, SweepExecutorKind } from '../../common/sweep.ts';
import { StoreError } from './errors.ts';
import { isDamage } from './file.ts';

export interface SweepRecord {
  id: number;
  name: string;
  dataset: string;
  executor: SweepExecutorKind;
  definition: SweepDefinition;
  folder: string | null;
  /** 'stopped' once `gmvae sweep stop` ended it, until `sweep resume`. */
  state: 'active' | 'stopped';
  /** The process driving a local sweep (`gmvae sweep run`), while it runs. */
  pid: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface SweepTaskRecord {
  sweepId: number;
  index: number;
  overrides: Record<string, unknown>;
  runId: number | null;
  slurmJob: string | null;
  slurmState: string | null;
  collected: string | null;
}

interface SweepRow {
  id: number;
  name: string;
  dataset: string;
  executor: SweepExecutorKind;
  definition: string;
  folder: string | null;
  state: 'active' | 'stopped';
  pid: number | null;
  created_at: string;
  updated_at: string;
}

interface TaskRow {
  sweep_id: number;
  task_index: number;
  overrides: string;
  run_id: number | null;
  slurm_job: string | null;
  slurm_state: string | null;
  collected: string | null;
}

const toSweep = (r: SweepRow): SweepRecord => ({
  id: r.id,
  name: r.name,
  dataset: r.dataset,
  executor: r.executor,
  definition: JSON.parse(r.definition) as SweepDefinition,
  folder: r.folder,
  state: r.state,
  pid: r.pid,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toTask = (r: TaskRow): SweepTaskRecord => ({
  sweepId: r.sweep_id,
  index: r.task_index,
  overrides: JSON.parse(r.overrides) as Record<string, unknown>,
  runId: r.run_id,
  slurmJob: r.slurm_job,
  slurmState: r.slurm_state,
  collected: r.collected,
});

export interface CreateSweepInput {
  definition: SweepDefinition;
  folder: string | null;
  tasks: { index: number; overrides: Record<string, unknown> }[];
}

export type SweepPatch = Partial<Pick<SweepRecord, 'state' | 'pid' | 'folder'>>;
export type SweepTaskPatch = Partial<Pick<SweepTaskRecord, 'runId' | 'slurmJob' | 'slurmState'>>;

/** What a collection did: the run in this store, and whether anything was copied. */
export interface CollectResult {
  runId: number;
  copied: boolean;
}

/** The run columns copied from a task's store; pid is not (it names a process on another host). */
const COPIED = [
  'status',
  'config',
  'backend',
  'device',
  'seed',
  'epoch',
  'step',
  'created_at',
  'started_at',
  'finished_at',
  'heartbeat_at',
  'train_seconds',
  'error',
] as const;

const nowIso = (): string => new Date().toISOString();

/** `column = ?` for each field of the patch that is set, and the values, in order. */
function assignments<P extends object>(
  patch: P,
  columns: Record<keyof P, string>,
): { sets: string[]; values: unknown[] } {
  const sets: string[] = [];
  const values: unknown[] = [];
  for (const key of Object.keys(columns) as (keyof P)[]) {
    if (patch[key] === undefined) continue;
    sets.push(`${columns[key]} = ?`);
    values.push(patch[key]);
  }
  return { sets, values };
}

export class SweepTable {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  create(input: CreateSweepInput): number {
    const now = nowIso();
    return this.#db
      .transaction((): number => {
        const id = Number(
          this.#db
            .prepare(
              `INSERT INTO sweeps (name, dataset, executor, definition, folder, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              input.definition.name,
              input.definition.dataset,
              input.definition.executor.kind,
              JSON.stringify(input.definition),
              input.folder,
              now,
              now,
            ).lastInsertRowid,
        );
        const insert = this.#db.prepare(
          'INSERT INTO sweep_tasks (sweep_id, task_index, overrides) VALUES (?, ?, ?)',
        );
        for (const task of input.tasks) insert.run(id, task.index, JSON.stringify(task.overrides));
        return id;
      })
      .immediate();
  }

  /** By id (a number or a string of digits), else the newest sweep of that name. */
  get(idOrName: number | string): SweepRecord | null {
    const row =
      typeof idOrName === 'number' || /^\d+$/.test(idOrName)
        ? this.#db.prepare<[number], SweepRow>('SELECT * FROM sweeps WHERE id = ?').get(Number(idOrName))
        : this.#db
            .prepare<[string], SweepRow>('SELECT * FROM sweeps WHERE name = ? ORDER BY id DESC LIMIT 1')
            .get(idOrName);
    return row ? toSweep(row) : null;
  }

  /** Newest first. */
  list(): SweepRecord[] {
    return this.#db.prepare<[], SweepRow>('SELECT * FROM sweeps ORDER BY id DESC').all().map(toSweep);
  }

  update(id: number, patch: SweepPatch): void {
    const { sets, values } = assignments(patch, { state: 'state', pid: 'pid', folder: 'folder' });
    sets.push('updated_at = ?');
    values.push(nowIso(), id);
    if (this.#db.prepare(`UPDATE sweeps SET ${sets.join(', ')} WHERE id = ?`).run(...values).changes === 0)
      throw new StoreError(`no sweep with id ${id}`);
  }

  tasks(sweepId: number): SweepTaskRecord[] {
    return this.#db
      .prepare<[number], TaskRow>('SELECT * FROM sweep_tasks WHERE sweep_id = ? ORDER BY task_index')
      .all(sweepId)
      .map(toTask);
  }

  updateTask(sweepId: number, index: number, patch: SweepTaskPatch): void {
    const { sets, values } = assignments(patch, {
      runId: 'run_id',
      slurmJob: 'slurm_job',
      slurmState: 'slurm_state',
    });
    if (sets.length === 0) return;
    values.push(sweepId, index);
    const sql = `UPDATE sweep_tasks SET ${sets.join(', ')} WHERE sweep_id = ? AND task_index = ?`;
    if (this.#db.prepare(sql).run(...values).changes === 0)
      throw new StoreError(`sweep ${sweepId} has no task ${index}`);
  }

  /**
   * Copies the one run of the store file `snapshot` (a finished copy of a task's store, never a
   * store being written) into task (sweepId, index)'s run here, creating that run the first
   * time, in one transaction: the run row (its status replaced by `status` when given), then
   * all its metrics, checkpoints and artefacts, replacing what an earlier collection copied.
   * `version` identifies the snapshot; the same version again copies nothing.
   */
  collect(
    sweepId: number,
    index: number,
    snapshot: string,
    version: string,
    name: string,
    status?: string,
  ): CollectResult {
    const readTask = this.#db.prepare<[number, number], TaskRow>(
      'SELECT * FROM sweep_tasks WHERE sweep_id = ? AND task_index = ?',
    );
    const collectedVersion = `${version}|${status ?? ''}`;
    const unchanged = (task: TaskRow | undefined): CollectResult | null => {
      if (!task) throw new StoreError(`sweep ${sweepId} has no task ${index}`);
      return task.run_id !== null && task.collected === collectedVersion
        ? { runId: task.run_id, copied: false }
        : null;
    };
    // Looked at first without the write lock (the common case, polled), then again under it:
    // two processes collecting at once (the app and `gmvae sweep status`) copy it once.
    const before = unchanged(readTask.get(sweepId, index));
    if (before) return before;
    attachSnapshot(this.#db, snapshot);
    try {
      return this.#db
        .transaction((): CollectResult => {
          const task = readTask.get(sweepId, index)!;
          const done = unchanged(task);
          if (done) return done;
          const source = this.#db
            .prepare<[], { id: number }>('SELECT id FROM snap.runs ORDER BY id LIMIT 1')
            .get();
          if (!source) throw new StoreError(`${snapshot} holds no run`);
          let runId = task.run_id;
          if (runId === null) {
            let unique = name;
            const taken = this.#db.prepare('SELECT 1 FROM main.runs WHERE name = ?');
            for (let i = 2; taken.get(unique); i++) unique = `${name}-${i}`;
            const now = nowIso();
            runId = Number(
              this.#db
                .prepare(
                  `INSERT INTO main.runs (name, dataset, status, config, seed, created_at, updated_at, sweep_id)
                   SELECT ?, dataset, status, config, seed, created_at, ?, ? FROM snap.runs WHERE id = ?`,
                )
                .run(unique, now, sweepId, source.id).lastInsertRowid,
            );
          }
          this.#db
            .prepare(
              `UPDATE main.runs SET (${COPIED.join(', ')}, pid, updated_at) =
                 (SELECT ${COPIED.join(', ')}, NULL, ? FROM snap.runs WHERE id = ?) WHERE id = ?`,
            )
            .run(nowIso(), source.id, runId);
          if (status !== undefined)
            this.#db.prepare('UPDATE main.runs SET status = ? WHERE id = ?').run(status, runId);
          for (const [table, columns] of [
            ['metrics', 'step, epoch, name, value, time'],
            [
              'checkpoints',
              'kind, epoch, step, batch_in_epoch, created_at, score, train_seconds, weights, optimizer',
            ],
            ['artefacts', 'kind, checkpoint, epoch, created_at, payload'],
          ] as const) {
            this.#db.prepare(`DELETE FROM main.${table} WHERE run_id = ?`).run(runId);
            this.#db
              .prepare(
                `INSERT INTO main.${table} (run_id, ${columns})
                 SELECT ?, ${columns} FROM snap.${table} WHERE run_id = ? ORDER BY rowid`,
              )
              .run(runId, source.id);
          }
          this.#db
            .prepare('UPDATE sweep_tasks SET run_id = ?, collected = ? WHERE sweep_id = ? AND task_index = ?')
            .run(runId, collectedVersion, sweepId, index);
          return { runId, copied: true };
        })
        .immediate();
    } finally {
      this.#db.prepare('DETACH DATABASE snap').run();
    }
  }
}

/**
 * Attaches a task's snapshot as `snap`, checked whole first (quick_check), so that a snapshot
 * that is not a sound database (a copy cut short, a damaged disk on the cluster) is reported as
 * that file's problem: SQLite's own error would come out of this store's methods as damage to
 * the user's store. Nothing is copied from such a snapshot.
 */
function attachSnapshot(db: Database.Database, snapshot: string): void {
  const unreadable = (reason: string) =>
    new StoreError(`the task's snapshot ${snapshot} cannot be read (${reason}); nothing was copied from it`);
  const damage = (err: unknown) =>
    isDamage(err) ? unreadable(err instanceof Error ? err.message : String(err)) : err;
  try {
    db.prepare('ATTACH DATABASE ? AS snap').run(snapshot);
  } catch (err) {
    throw damage(err);
  }
  let problems: string[];
  try {
    problems = db.prepare('PRAGMA snap.quick_check(1)').pluck().all() as string[];
  } catch (err) {
    db.prepare('DETACH DATABASE snap').run();
    throw damage(err);
  }
  if (problems.join() !== 'ok') {
    db.prepare('DETACH DATABASE snap').run();
    throw unreadable(`SQLite's check: ${problems.join('; ')}`);
  }
}
