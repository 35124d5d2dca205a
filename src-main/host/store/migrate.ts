/**
 * Brings a database's schema up to date with umzug, keeping umzug's bookkeeping in the same
 * database (table schema_migrations) instead of a JSON file beside it.
 *
 * Each migration runs in one IMMEDIATE transaction together with the row that records it, so a
 * crash mid-migration leaves neither half a schema nor a recorded-but-unapplied migration. Taking
 * the write lock first also makes two processes that open the same fresh database at once safe:
 * the second waits (busy_timeout), then sees the name already recorded and skips.
 */
import type Database from 'better-sqlite3';
import { Umzug } from 'umzug';
import type { UmzugStorage } from 'umzug';
import { StoreError } from './errors.ts';
import type { Migration } from './migrations/index.ts';

/** Created by the storage itself: it has to exist before the first migration can be recorded. */
function ensureMigrationsTable(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name         TEXT PRIMARY KEY NOT NULL,
    executed_at  TEXT NOT NULL
  ) STRICT`);
}

/** Names of the migrations this database has recorded, in order. */
export function executedMigrations(db: Database.Database): string[] {
  ensureMigrationsTable(db);
  return db
    .prepare<[], { name: string }>('SELECT name FROM schema_migrations ORDER BY name')
    .all()
    .map((r) => r.name);
}

function sqliteStorage(db: Database.Database): UmzugStorage {
  const record = db.prepare('INSERT OR IGNORE INTO schema_migrations (name, executed_at) VALUES (?, ?)');
  return {
    executed: async () => executedMigrations(db),
    // The migration's own transaction already wrote the row; this keeps umzug's contract anyway.
    logMigration: async ({ name }) => void record.run(name, new Date().toISOString()),
    unlogMigration: async ({ name }) =>
      void db.prepare('DELETE FROM schema_migrations WHERE name = ?').run(name),
  };
}

/**
 * Applies the pending migrations in order and returns the names applied now.
 * Refuses a database that records a migration this code does not know: it was written by a
 * newer version of the app, and writing to it with an older schema in mind could damage it.
 */
export async function migrate(db: Database.Database, migrations: readonly Migration[]): Promise<string[]> {
  ensureMigrationsTable(db);
  const known = new Set(migrations.map((m) => m.name));
  const unknown = executedMigrations(db).filter((name) => !known.has(name));
  if (unknown.length > 0)
    throw new StoreError(
      `the database was written by a newer version of the app (unknown migrations: ${unknown.join(', ')})`,
    );

  const isRecorded = db.prepare<[string], { one: number }>(
    'SELECT 1 AS one FROM schema_migrations WHERE name = ?',
  );
  const record = db.prepare('INSERT INTO schema_migrations (name, executed_at) VALUES (?, ?)');
  const umzug = new Umzug({
    migrations: migrations.map((m) => ({
      name: m.name,
      up: async () => {
        db.transaction(() => {
          if (isRecorded.get(m.name)) return; // another process applied it since we looked
          m.up(db);
          record.run(m.name, new Date().toISOString());
        }).immediate();
      },
    })),
    storage: sqliteStorage(db),
    logger: undefined,
  });
  const applied = await umzug.up();
  return applied.map((m) => m.name);
}
