/**
 * The initial schema. Conventions, kept by every later migration:
 * - STRICT tables, so a wrongly typed value is an error instead of silently stored.
 * - Times are ISO-8601 UTC text ('2025-01-31T12:00:00.000Z'), readable in the sqlite shell and
 *   ordered as strings; only metrics.time is Unix milliseconds, as in MetricPoint.
 * - JSON columns carry a json_valid CHECK.
 * - Large BLOB columns come last in their table: SQLite decodes a row's columns in order and
 *   keeps big values on overflow pages, so a query that names only the small columns (listing
 *   datasets or checkpoints) never reads the megabytes behind them.
 * - Everything that belongs to a run references runs(id) ON DELETE CASCADE (needs
 *   PRAGMA foreign_keys=ON, which Store.open sets on every connection).
 */
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    -- Imported datasets (built-ins are generated in code and never stored). The full DatasetInfo
    -- lives in 'info'; x is stored per split as uint8 (k/255 values) or float32, see datasets.ts.
    CREATE TABLE datasets (
      name        TEXT PRIMARY KEY NOT NULL,
      kind        TEXT NOT NULL CHECK (kind IN ('image', 'table')),
      info        TEXT NOT NULL CHECK (json_valid(info)),
      created_at  TEXT NOT NULL,
      x_format    TEXT NOT NULL CHECK (x_format IN ('uint8', 'float32')),
      train_x     BLOB NOT NULL,
      train_y     BLOB,
      test_x      BLOB NOT NULL,
      test_y      BLOB
    ) STRICT;

    -- AUTOINCREMENT so an id is never reused after a delete: ids appear in logs, exports and the
    -- UI, and must not come to mean a different run. 'dataset' is a plain name, not a foreign key,
    -- because built-in datasets have no row.
    CREATE TABLE runs (
      id             INTEGER PRIMARY KEY AUTOINCREMENT,
      name           TEXT NOT NULL UNIQUE,
      dataset        TEXT NOT NULL,
      status         TEXT NOT NULL
                     CHECK (status IN ('running', 'paused', 'completed', 'stopped', 'failed', 'interrupted')),
      config         TEXT NOT NULL CHECK (json_valid(config)),
      backend        TEXT,
      device         TEXT,
      seed           INTEGER NOT NULL,
      epoch          INTEGER NOT NULL DEFAULT 0,
      step           INTEGER NOT NULL DEFAULT 0,
      created_at     TEXT NOT NULL,
      started_at     TEXT,
      finished_at    TEXT,
      updated_at     TEXT NOT NULL,
      heartbeat_at   TEXT,
      train_seconds  REAL NOT NULL DEFAULT 0,
      error          TEXT,
      notes          TEXT NOT NULL DEFAULT '',
      tags           TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
      pid            INTEGER
    ) STRICT;
    CREATE INDEX runs_dataset ON runs (dataset);
    CREATE INDEX runs_status ON runs (status);

    -- No key: a name may repeat at a step. value is nullable because SQLite stores NaN as NULL,
    -- and a diverged run's NaN loss is worth recording (read back as NaN).
    CREATE TABLE metrics (
      run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      step    INTEGER NOT NULL,
      epoch   INTEGER NOT NULL,
      name    TEXT NOT NULL,
      value   REAL,
      time    INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX metrics_run_name_step ON metrics (run_id, name, step);

    -- At most two per run, 'last' and 'best', each replaced in place. Kept as a rowid table:
    -- WITHOUT ROWID suits small rows, not multi-megabyte blobs.
    CREATE TABLE checkpoints (
      run_id          INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      kind            TEXT NOT NULL CHECK (kind IN ('last', 'best')),
      epoch           INTEGER NOT NULL,
      step            INTEGER NOT NULL,
      batch_in_epoch  INTEGER NOT NULL,
      created_at      TEXT NOT NULL,
      score           REAL,
      train_seconds   REAL NOT NULL,
      weights         BLOB NOT NULL,
      optimizer       BLOB NOT NULL,
      PRIMARY KEY (run_id, kind)
    ) STRICT;

    -- Derived results computed from a checkpoint. 'kind' is unchecked on purpose: new artefact
    -- kinds should not need a table rebuild (SQLite cannot alter a CHECK).
    CREATE TABLE artefacts (
      run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      kind        TEXT NOT NULL,
      checkpoint  TEXT NOT NULL CHECK (checkpoint IN ('last', 'best')),
      epoch       INTEGER NOT NULL,
      created_at  TEXT NOT NULL,
      payload     TEXT NOT NULL CHECK (json_valid(payload)),
      PRIMARY KEY (run_id, kind, checkpoint)
    ) STRICT;
  `);
}
