/**
 * runs.progress: the trainer's latest progress report (common/api/contract.ts, RunProgress) as
 * JSON, written with each heartbeat, so an interface in another process (the app watching a
 * terminal's `gmvae reproduce`) shows the epoch and batch a run is at. Cleared when a trainer
 * claims the run.
 */
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`ALTER TABLE runs ADD COLUMN progress TEXT CHECK (progress IS NULL OR json_valid(progress));`);
}
