/**
 * Sweeps (docs/sweeps.md): a sweep, its tasks (one run each), and each run's sweep.
 * - sweeps.definition is the checked definition (common/sweep.ts) as JSON; folder is where a
 *   Slurm sweep keeps its batch script, logs and one store per task (null for local sweeps).
 * - sweep_tasks is keyed by (sweep, task index): the stable key that makes collecting a Slurm
 *   task's run idempotent. run_id is the run in this store (null until first collected);
 *   collected remembers which snapshot of the task's store was copied last.
 * - runs.sweep_id groups a sweep's runs; a deleted sweep leaves its runs, unlinked.
 */
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE sweeps (
      id          INTEGER PRIMARY KEY AUTOINCREMENT,
      name        TEXT NOT NULL,
      dataset     TEXT NOT NULL,
      executor    TEXT NOT NULL CHECK (executor IN ('local', 'slurm')),
      definition  TEXT NOT NULL CHECK (json_valid(definition)),
      folder      TEXT,
      state       TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'stopped')),
      pid         INTEGER,
      created_at  TEXT NOT NULL,
      updated_at  TEXT NOT NULL
    ) STRICT;
    CREATE INDEX sweeps_name ON sweeps (name);

    CREATE TABLE sweep_tasks (
      sweep_id     INTEGER NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
      task_index   INTEGER NOT NULL,
      overrides    TEXT NOT NULL CHECK (json_valid(overrides)),
      run_id       INTEGER REFERENCES runs (id) ON DELETE SET NULL,
      slurm_job    TEXT,
      slurm_state  TEXT,
      collected    TEXT,
      PRIMARY KEY (sweep_id, task_index)
    ) STRICT;
    CREATE UNIQUE INDEX sweep_tasks_run ON sweep_tasks (run_id) WHERE run_id IS NOT NULL;

    ALTER TABLE runs ADD COLUMN sweep_id INTEGER REFERENCES sweeps (id) ON DELETE SET NULL;
    CREATE INDEX runs_sweep ON runs (sweep_id);
  `);
}
