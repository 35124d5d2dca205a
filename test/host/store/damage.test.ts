/**
 * A damaged store file is refused by name, and never replaced or written: one truncated to 0
 * bytes, random bytes over pages in the middle, a truncated file, a file that is not a
 * database, another program's database, and damage that shows only on a later read.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DATABASE_FILE, Store, StoreError } from '../../../src-main/host/store/index.ts';
import { tempHome, testConfig } from './helpers.ts';

/** A closed store holding one run with enough metrics to span many pages; returns its file. */
async function filledStore(home: string): Promise<string> {
  const store = await Store.open(home);
  const run = store.createRun({ dataset: 'spiral', config: testConfig(), status: 'stopped' });
  const points = Array.from({ length: 4000 }, (_, i) => ({
    runId: run.id,
    step: i,
    epoch: 0,
    name: `train/m${i % 7}`,
    value: i / 3,
    time: 1_700_000_000_000 + i,
  }));
  store.appendMetrics(points);
  store.close(); // the last connection checkpoints the WAL into the file and removes it
  const file = path.join(home, DATABASE_FILE);
  assert.equal(fs.existsSync(`${file}-wal`), false);
  return file;
}

/** Opening fails with a StoreError that names the file, and leaves the file byte for byte as it was. */
async function assertRefused(home: string, pattern: RegExp): Promise<void> {
  const file = path.join(home, DATABASE_FILE);
  const before = fs.readFileSync(file);
  await assert.rejects(Store.open(home), (err: unknown) => {
    assert.ok(err instanceof StoreError, String(err));
    assert.ok(err.message.includes(file), `names the file: ${err.message}`);
    assert.match(err.message, pattern);
    return true;
  });
  assert.ok(fs.readFileSync(file).equals(before), 'the file is untouched');
}

test('a 0-byte store file is refused, not treated as a new store', async (t) => {
  const home = tempHome(t);
  fs.writeFileSync(path.join(home, DATABASE_FILE), '');
  await assertRefused(home, /is empty \(0 bytes\)/);
});

test('random bytes over pages in the middle are found on open', async (t) => {
  const home = tempHome(t);
  const file = await filledStore(home);
  const size = fs.statSync(file).size;
  const pageSize = 4096;
  const pages = size / pageSize;
  assert.ok(pages > 20, `${pages} pages`);
  // Seeded noise over three whole pages in the middle (b-tree pages of the metrics).
  let x = 12345;
  const noise = Buffer.alloc(3 * pageSize, 0).map(() => ((x = (x * 1103515245 + 12345) >>> 0), x >>> 24));
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, noise, 0, noise.length, Math.floor(pages / 2) * pageSize);
  fs.closeSync(fd);
  await assertRefused(home, /is damaged/);
});

test('a truncated store is refused by name', async (t) => {
  const home = tempHome(t);
  const file = await filledStore(home);
  fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2 / 4096) * 4096);
  await assertRefused(home, /is damaged/);
});

test("a file that is not a database, or is another program's database, is left alone", async (t) => {
  const home = tempHome(t);
  const file = path.join(home, DATABASE_FILE);
  fs.writeFileSync(file, "not a database, but somebody's notes\n".repeat(200));
  await assertRefused(home, /is damaged \(file is not a database\)/);

  fs.rmSync(file);
  const other = new Database(file);
  other.exec('CREATE TABLE contacts (name TEXT)');
  other.close();
  await assertRefused(home, /is an SQLite database but not a GMVAE Workbench store/);
});

test('damage met on a later read names the file', async (t) => {
  const home = tempHome(t);
  await filledStore(home);
  const store = await Store.open(home);
  t.after(() => store.close());
  const run = store.listRuns()[0]!;
  // Another connection points the metrics table at a page past the end of the file.
  const vandal = new Database(store.path);
  vandal.unsafeMode(true); // lets writable_schema edit the schema
  vandal.pragma('writable_schema = ON');
  vandal.prepare(`UPDATE sqlite_schema SET rootpage = 100000 WHERE name = 'metrics'`).run();
  // Bumped so that the store's connection reloads the schema on its next statement.
  vandal.pragma(`schema_version = ${Number(vandal.pragma('schema_version', { simple: true })) + 1}`);
  vandal.close();
  assert.throws(
    () => store.metrics(run.id),
    (err: unknown) =>
      err instanceof StoreError && err.message.includes(store.path) && /is damaged/.test(err.message),
  );
});

test('a missing store file is created, in WAL mode, with nothing left beside it', async (t) => {
  const home = tempHome(t);
  const store = await Store.open(home);
  store.close();
  assert.deepEqual(
    fs.readdirSync(home).filter((f) => !f.endsWith('-wal') && !f.endsWith('-shm')),
    [DATABASE_FILE],
  );
  assert.ok(fs.statSync(path.join(home, DATABASE_FILE)).size > 0);
});
