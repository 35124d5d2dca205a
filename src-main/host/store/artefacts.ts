/** Artefacts: JSON results derived from a run's checkpoint (projections, reconstructions, ...). */
import type Database from 'better-sqlite3';
import type { ArtefactKind, ArtefactRecord, CheckpointKind } from '../../common/run.ts';
import { StoreError, isForeignKeyViolation } from './errors.ts';

interface ArtefactInfoRow {
  run_id: number;
  kind: ArtefactKind;
  checkpoint: CheckpointKind;
  epoch: number;
  created_at: string;
}

const toInfo = (r: ArtefactInfoRow): Omit<ArtefactRecord, 'payload'> => ({
  runId: r.run_id,
  kind: r.kind,
  checkpoint: r.checkpoint,
  epoch: r.epoch,
  createdAt: r.created_at,
});

export class ArtefactTable {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  /** Replaces any artefact with the same (runId, kind, checkpoint): it is recomputed, not versioned. */
  save(a: ArtefactRecord): void {
    let payload: string | undefined;
    try {
      payload = JSON.stringify(a.payload);
    } catch (err) {
      throw new StoreError(
        `artefact "${a.kind}" payload is not JSON-serialisable: ${(err as Error).message}`,
      );
    }
    if (payload === undefined) throw new StoreError(`artefact "${a.kind}" has no payload`);
    try {
      this.#db
        .prepare(
          `INSERT OR REPLACE INTO artefacts (run_id, kind, checkpoint, epoch, created_at, payload)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(a.runId, a.kind, a.checkpoint, a.epoch, a.createdAt || new Date().toISOString(), payload);
    } catch (err) {
      if (isForeignKeyViolation(err)) throw new StoreError(`no run with id ${a.runId}`);
      throw err;
    }
  }

  get(runId: number, kind: ArtefactKind, checkpoint: CheckpointKind): ArtefactRecord | null {
    const row = this.#db
      .prepare<[number, string, string], ArtefactInfoRow & { payload: string }>(
        'SELECT * FROM artefacts WHERE run_id = ? AND kind = ? AND checkpoint = ?',
      )
      .get(runId, kind, checkpoint);
    return row ? { ...toInfo(row), payload: JSON.parse(row.payload) as unknown } : null;
  }

  /** Without payloads (they can be large), by kind then checkpoint. */
  list(runId: number): Omit<ArtefactRecord, 'payload'>[] {
    return this.#db
      .prepare<[number], ArtefactInfoRow>(
        'SELECT run_id, kind, checkpoint, epoch, created_at FROM artefacts WHERE run_id = ? ORDER BY kind, checkpoint',
      )
      .all(runId)
      .map(toInfo);
  }
}
