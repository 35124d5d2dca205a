import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MIGRATIONS, Store, StoreError } from '../../../src-main/host/store/index.ts';
import type { Migration } from '../../../src-main/host/store/index.ts';
import { rawDb, tempHome } from './helpers.ts';

const names = MIGRATIONS.map((m) => m.name);

test('a fresh database gets every migration, recorded once, and reports it is up to date', async (t) => {
  const home = tempHome(t);
  const store = await Store.open(home);
  assert.deepEqual(store.schemaStatus(), { executed: names, pending: [], latest: names.at(-1) });
  store.close();

  const db = rawDb(t, store.path);
  const before = db.prepare('SELECT name, executed_at FROM schema_migrations ORDER BY name').all();
  assert.equal(before.length, MIGRATIONS.length);

  // Reopening runs nothing again: the same rows, the same execution times.
  const again = await Store.open(home);
  assert.deepEqual(again.schemaStatus().pending, []);
  again.close();
  assert.deepEqual(db.prepare('SELECT name, executed_at FROM schema_migrations ORDER BY name').all(), before);

  const tables = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .all()
    .map((r) => r.name);
  for (const table of [
    'artefacts',
    'checkpoints',
    'datasets',
    'metrics',
    'runs',
    'schema_migrations',
    'sweeps',
    'sweep_tasks',
  ])
    assert.ok(tables.includes(table), `table ${table} exists`);
});

test('the database is in WAL mode', async (t) => {
  const home = tempHome(t);
  const store = await Store.open(home);
  t.after(() => store.close());
  const db = rawDb(t, store.path);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
});

test('a migration added later runs exactly once, on the next open', async (t) => {
  const home = tempHome(t);
  (await Store.open(home)).close();

  let calls = 0;
  const extra: Migration = {
    name: '9999-test-extra',
    up: (db) => {
      calls++;
      db.exec('CREATE TABLE extra (x INTEGER) STRICT');
    },
  };
  const migrations = [...MIGRATIONS, extra];
  for (let i = 0; i < 2; i++) {
    const store = await Store.open(home, { migrations });
    assert.deepEqual(store.schemaStatus(), {
      executed: [...names, extra.name],
      pending: [],
      latest: extra.name,
    });
    store.close();
  }
  assert.equal(calls, 1);

  // The app without that migration refuses the newer database instead of guessing.
  await assert.rejects(
    Store.open(home),
    (err: unknown) => err instanceof StoreError && /newer version/.test(err.message),
  );
});

test('a failing migration leaves no trace: not recorded, its partial changes rolled back', async (t) => {
  const home = tempHome(t);
  const broken: Migration = {
    name: '9999-test-broken',
    up: (db) => {
      db.exec('CREATE TABLE half_done (x INTEGER) STRICT');
      throw new Error('boom');
    },
  };
  await assert.rejects(Store.open(home, { migrations: [...MIGRATIONS, broken] }), /boom/);

  const store = await Store.open(home);
  t.after(() => store.close());
  assert.deepEqual(store.schemaStatus().executed, names);
  const db = rawDb(t, store.path);
  assert.equal(
    db.prepare<[], { n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half_done'").get()
      ?.n,
    0,
  );
});

test('two opens racing on a fresh database both succeed and migrate once', async (t) => {
  const home = tempHome(t);
  let calls = 0;
  const counted: Migration[] = MIGRATIONS.map((m) => ({ name: m.name, up: (db) => (calls++, m.up(db)) }));
  const stores = await Promise.all([
    Store.open(home, { migrations: counted }),
    Store.open(home, { migrations: counted }),
  ]);
  for (const s of stores) s.close();
  assert.equal(calls, MIGRATIONS.length);
});
