/**
 * Metric points: (run, step, epoch, name) -> value, appended as training goes and read back for
 * charts. SQLite stores NaN as NULL; it is read back as NaN so a diverged loss stays visible.
 */
import type Database from 'better-sqlite3';
import type { MetricPoint } from '../../common/run.ts';
import { StoreError, isForeignKeyViolation } from './errors.ts';

interface MetricRow {
  run_id: number;
  step: number;
  epoch: number;
  name: string;
  value: number | null;
  time: number;
}

const toPoint = (r: MetricRow): MetricPoint => ({
  runId: r.run_id,
  step: r.step,
  epoch: r.epoch,
  name: r.name,
  value: r.value ?? NaN,
  time: r.time,
});

export class MetricTable {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[number, number, number, string, number, number]>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#insert = db.prepare(
      'INSERT INTO metrics (run_id, step, epoch, name, value, time) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  /** Inserts without a transaction of its own: callers (append, commitCheckpoint) provide it. */
  insertAll(points: readonly MetricPoint[]): void {
    for (const p of points) {
      if (typeof p.name !== 'string' || p.name === '') throw new StoreError('a metric needs a name');
      if (!Number.isSafeInteger(p.step) || !Number.isSafeInteger(p.epoch))
        throw new StoreError(`metric "${p.name}": step and epoch must be integers`);
      if (!Number.isFinite(p.time))
        throw new StoreError(`metric "${p.name}": time must be Unix milliseconds`);
      try {
        this.#insert.run(p.runId, p.step, p.epoch, p.name, p.value, Math.round(p.time));
      } catch (err) {
        if (isForeignKeyViolation(err)) throw new StoreError(`no run with id ${p.runId}`);
        throw err;
      }
    }
  }

  /** All points in one transaction: a chart never sees half a batch, and it is far faster. */
  append(points: readonly MetricPoint[]): void {
    if (points.length > 0) this.#db.transaction(() => this.insertAll(points)).immediate();
  }

  /** Ordered by step, then name, then insertion. `names` restricts to those metrics. */
  query(runId: number, names?: readonly string[]): MetricPoint[] {
    const rows =
      names === undefined
        ? this.#db
            .prepare<[number], MetricRow>('SELECT * FROM metrics WHERE run_id = ? ORDER BY step, name, rowid')
            .all(runId)
        : this.#db
            .prepare<[number, string], MetricRow>(
              `SELECT * FROM metrics WHERE run_id = ? AND name IN (SELECT value FROM json_each(?))
               ORDER BY step, name, rowid`,
            )
            .all(runId, JSON.stringify(names));
    return rows.map(toPoint);
  }

  /**
   * The value at the highest step of each metric (the later insert on a tie), at or before
   * `upToStep` when given (what a checkpoint at that step had recorded). The inner query walks
   * the (run_id, name, step) index; each lookup then reads one row.
   */
  latest(runId: number, upToStep = Number.MAX_SAFE_INTEGER): Record<string, number> {
    const rows = this.#db
      .prepare<[number, number, number], { name: string; value: number | null }>(
        `SELECT n.name,
                (SELECT value FROM metrics m WHERE m.run_id = n.run_id AND m.name = n.name AND m.step <= ?
                 ORDER BY step DESC, rowid DESC LIMIT 1) AS value
         FROM (SELECT DISTINCT run_id, name FROM metrics WHERE run_id = ? AND step <= ?) AS n
         ORDER BY n.name`,
      )
      .all(upToStep, runId, upToStep);
    const out: Record<string, number> = {};
    for (const r of rows) out[r.name] = r.value ?? NaN;
    return out;
  }

  /** The value of each metric (of `names`, if given) recorded at exactly `step`; later inserts win. */
  at(runId: number, step: number, names?: readonly string[]): Record<string, number> {
    const rows =
      names === undefined
        ? this.#db
            .prepare<[number, number], { name: string; value: number | null }>(
              'SELECT name, value FROM metrics WHERE run_id = ? AND step = ? ORDER BY rowid',
            )
            .all(runId, step)
        : this.#db
            .prepare<[number, string, number], { name: string; value: number | null }>(
              `SELECT name, value FROM metrics
               WHERE run_id = ? AND name IN (SELECT value FROM json_each(?)) AND step = ?
               ORDER BY rowid`,
            )
            .all(runId, JSON.stringify(names), step);
    const out: Record<string, number> = {};
    for (const r of rows) out[r.name] = r.value ?? NaN;
    return out;
  }

  /** Drops points after `step` (exclusive): a resumed run re-records them from its checkpoint. */
  deleteAfter(runId: number, step: number): void {
    this.#db.prepare('DELETE FROM metrics WHERE run_id = ? AND step > ?').run(runId, step);
  }
}
