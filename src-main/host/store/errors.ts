/** Errors the store raises on purpose, so callers can tell them from bugs and native failures. */

/** A refused or impossible store operation; the message is fit to show a user. */
export class StoreError extends Error {
  override name = 'StoreError';
}

/** SQLite error codes arrive on better-sqlite3's SqliteError as `code`, e.g. 'SQLITE_CONSTRAINT_UNIQUE'. */
export function sqliteCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string')
    return err.code;
  return undefined;
}

/** A UNIQUE or PRIMARY KEY clash: the row already exists. */
export function isUniqueViolation(err: unknown): boolean {
  const code = sqliteCode(err);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** A FOREIGN KEY failure: in this schema always a run id that does not exist. */
export function isForeignKeyViolation(err: unknown): boolean {
  return sqliteCode(err) === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
