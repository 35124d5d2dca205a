/**
 * The store's file on disk: created whole or not at all, checked before anything writes to it,
 * and named in every error that says it is damaged.
 *
 * Why each rule:
 * - SQLite treats a 0-byte file as a new, empty database. A store file truncated to nothing (a
 *   failed copy, a full disk, a sync tool) would silently become a new store and the user's
 *   runs would seem to vanish. So a new store is built under a temporary name and linked into
 *   place (link never replaces an existing file), and a 0-byte file at the store's path is
 *   refused: this code never leaves one there.
 * - SQLite notices damage only when it reads the damaged page, which may be weeks later in the
 *   middle of a training run. PRAGMA quick_check on open reads every page's structure (not the
 *   indexes' agreement with their tables, which integrity_check adds at several times the cost).
 * - A database that is not a store (another program's SQLite file) is refused rather than
 *   migrated, which would add our tables to it.
 * - SQLite's own messages ("database disk image is malformed", "file is not a database") do not
 *   say which file; ours do.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import { StoreError, sqliteCode } from './errors.ts';

/** The table every store has had since its first migration (see migrate.ts). */
const MIGRATIONS_TABLE = 'schema_migrations';

/** better-sqlite3's codes for a file whose content is not a sound SQLite database. */
export function isDamage(err: unknown): boolean {
  const code = sqliteCode(err) ?? '';
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
}

const advice = 'restore it from a backup, or move it away to start a new, empty store';

/** `err` with the store file named when it reports damage; other errors unchanged. */
export function nameDamagedFile(err: unknown, path: string): unknown {
  if (!isDamage(err) || err instanceof StoreError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new StoreError(`the store ${path} is damaged (${reason}): ${advice}`);
}

/**
 * A new store at `path`, unless one appeared there meanwhile: written under a temporary name
 * first (its first page, in WAL mode), then hard-linked to `path`, which fails rather than
 * replace a file another process put there first.
 */
function createStoreFile(path: string): void {
  const temporary = `${path}.new-${process.pid}-${Date.now()}`;
  try {
    const db = new Database(temporary);
    try {
      db.pragma('journal_mode = WAL'); // writes the header page: the file is never empty again
    } finally {
      db.close();
    }
    fs.linkSync(temporary, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Another process created the store first; open theirs.
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

/**
 * Opens the store file at `path`, creating it if there is none. StoreError (naming the file)
 * if it is empty, not a database, damaged, or another program's database. Nothing is written
 * to an existing file before these checks pass.
 */
export function openStoreFile(path: string, timeoutMs: number): Database.Database {
  if (!fs.existsSync(path)) createStoreFile(path);
  const stat = fs.statSync(path);
  if (!stat.isFile()) throw new StoreError(`the store ${path} is not a file`);
  if (stat.size === 0)
    throw new StoreError(
      `the store ${path} is empty (0 bytes): its content was lost, or another program made it; ${advice}`,
    );
  // fileMustExist: if it is deleted in between, fail rather than quietly make an empty one.
  const db = new Database(path, { timeout: timeoutMs, fileMustExist: true });
  try {
    checkStoreFile(db, path);
    return db;
  } catch (err) {
    db.close();
    throw nameDamagedFile(err, path);
  }
}

/** quick_check, then: a database with tables but no migrations table is not a store. */
function checkStoreFile(db: Database.Database, path: string): void {
  // quick_check(1) stops at the first problem: enough to refuse, and it is the one we report.
  const problems = db.prepare('PRAGMA quick_check(1)').pluck().all() as string[];
  if (problems.join() !== 'ok')
    throw new StoreError(`the store ${path} is damaged (SQLite's check: ${problems.join('; ')}): ${advice}`);
  const tables = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table'`).pluck().all() as string[];
  if (tables.length > 0 && !tables.includes(MIGRATIONS_TABLE))
    throw new StoreError(
      `${path} is an SQLite database but not a GMVAE Workbench store (it has no ${MIGRATIONS_TABLE} table); ` +
        'it was left as it is: choose another home folder',
    );
}
