/**
 * Every schema migration, in order. Listed explicitly rather than globbed from the folder so a
 * bundler (electron-vite) sees the imports and packs them.
 *
 * To change the schema, add NNNN-what.ts exporting `up(db)` and append it here. Never edit or
 * reorder a migration that has shipped: databases record migrations by name and run each once.
 */
import type Database from 'better-sqlite3';
import * as m0001 from './0001-initial.ts';
import * as m0002 from './0002-sweeps.ts';
import * as m0003 from './0003-run-progress.ts';

export interface Migration {
  /** Recorded in schema_migrations; sorts in application order. */
  name: string;
  /** Runs inside a transaction that also records the name (see migrate.ts). */
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  { name: '0001-initial', up: m0001.up },
  { name: '0002-sweeps', up: m0002.up },
  { name: '0003-run-progress', up: m0003.up },
];
