/** Shared by the store tests: throwaway home directories and fixtures. */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { SYNTHETIC_PRESET } from '../../../src-main/common/config.ts';
import type { GmvaeConfig } from '../../../src-main/common/config.ts';
import { Store } from '../../../src-main/host/store/index.ts';
import type { StoreOptions } from '../../../src-main/host/store/index.ts';

/** A fresh directory, removed when the test ends. */
export function tempHome(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'gmvae-store-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A store in a fresh directory, closed when the test ends. */
export async function openTempStore(t: TestContext, options?: StoreOptions): Promise<Store> {
  const store = await Store.open(tempHome(t), options);
  t.after(() => store.close());
  return store;
}

export function testConfig(seed = 7): GmvaeConfig {
  return { ...SYNTHETIC_PRESET, seed, backend: 'cpu' };
}

/** A second, plain connection to the database file, to look behind the Store's back. */
export function rawDb(t: TestContext, path: string): Database.Database {
  const db = new Database(path);
  t.after(() => db.close());
  return db;
}

/** The pid of a process that has certainly exited (and been reaped, so not even a zombie). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    child.on('exit', () => resolve());
    child.on('error', reject);
  });
  if (child.pid === undefined) throw new Error('could not spawn a child');
  return child.pid;
}

/** Bit patterns of a Float32Array, so NaN payloads and -0 compare exactly. */
export const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);
