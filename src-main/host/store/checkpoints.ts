/**
 * Checkpoints: per run at most a 'last' and a 'best', each replaced in place, weights and
 * optimizer state as tensor blobs (tensors.ts).
 */
import type Database from 'better-sqlite3';
import type { CheckpointData, CheckpointInfo, CheckpointKind } from '../../common/run.ts';
import { StoreError, isForeignKeyViolation } from './errors.ts';
import { decodeTensors, encodeTensors } from './tensors.ts';

interface CheckpointInfoRow {
  run_id: number;
  kind: CheckpointKind;
  epoch: number;
  step: number;
  batch_in_epoch: number;
  created_at: string;
  score: number | null;
}

interface CheckpointRow extends CheckpointInfoRow {
  train_seconds: number;
  weights: Buffer;
  optimizer: Buffer;
}

export interface EncodedCheckpoint {
  checkpoint: CheckpointData;
  weights: Buffer;
  optimizer: Buffer;
}

/** The small columns only; listing never touches the blobs (they sit last in the row). */
const INFO_COLUMNS = 'run_id, kind, epoch, step, batch_in_epoch, created_at, score';

const toInfo = (r: CheckpointInfoRow): CheckpointInfo => ({
  runId: r.run_id,
  kind: r.kind,
  epoch: r.epoch,
  step: r.step,
  batchInEpoch: r.batch_in_epoch,
  createdAt: r.created_at,
  score: r.score,
});

export class CheckpointTable {
  readonly #db: Database.Database;
  readonly #upsert: Database.Statement<unknown[]>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#upsert = db.prepare(
      `INSERT INTO checkpoints
         (run_id, kind, epoch, step, batch_in_epoch, created_at, score, train_seconds, weights, optimizer)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, kind) DO UPDATE SET
         epoch = excluded.epoch, step = excluded.step, batch_in_epoch = excluded.batch_in_epoch,
         created_at = excluded.created_at, score = excluded.score, train_seconds = excluded.train_seconds,
         weights = excluded.weights, optimizer = excluded.optimizer`,
    );
  }

  /**
   * Encodes the tensors. Separate from upsert so Store.commitCheckpoint can do this CPU work
   * before taking the write lock, which it then holds only for the inserts.
   */
  encode(checkpoint: CheckpointData): EncodedCheckpoint {
    return {
      checkpoint,
      weights: encodeTensors(checkpoint.weights),
      optimizer: encodeTensors(checkpoint.optimizer),
    };
  }

  /**
   * Writes the checkpoint as each of `kinds`, the same bytes for both (its own `kind` field is
   * not consulted). No transaction of its own: Store.commitCheckpoint wraps it together with the
   * metrics and the run update.
   */
  upsert({ checkpoint, weights, optimizer }: EncodedCheckpoint, kinds: readonly CheckpointKind[]): void {
    const createdAt = checkpoint.createdAt || new Date().toISOString();
    for (const kind of kinds) {
      try {
        this.#upsert.run(
          checkpoint.runId,
          kind,
          checkpoint.epoch,
          checkpoint.step,
          checkpoint.batchInEpoch,
          createdAt,
          checkpoint.score,
          checkpoint.trainSeconds,
          weights,
          optimizer,
        );
      } catch (err) {
        if (isForeignKeyViolation(err)) throw new StoreError(`no run with id ${checkpoint.runId}`);
        throw err;
      }
    }
  }

  load(runId: number, kind: CheckpointKind): CheckpointData | null {
    const row = this.#db
      .prepare<[number, CheckpointKind], CheckpointRow>(
        `SELECT ${INFO_COLUMNS}, train_seconds, weights, optimizer FROM checkpoints WHERE run_id = ? AND kind = ?`,
      )
      .get(runId, kind);
    if (!row) return null;
    return {
      ...toInfo(row),
      trainSeconds: row.train_seconds,
      weights: decodeTensors(row.weights),
      optimizer: decodeTensors(row.optimizer),
    };
  }

  /** 'best' before 'last'. */
  list(runId: number): CheckpointInfo[] {
    return this.#db
      .prepare<[number], CheckpointInfoRow>(
        `SELECT ${INFO_COLUMNS} FROM checkpoints WHERE run_id = ? ORDER BY kind`,
      )
      .all(runId)
      .map(toInfo);
  }
}
