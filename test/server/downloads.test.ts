/**
 * Staged exports stay inside the home: a web-exports folder that is a symlink out of it is
 * refused before anything is written or removed through it; downloads expire and are capped;
 * a run name becomes a file name with nothing but letters, digits, '.', '-' and '_'.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  DOWNLOADS_FOLDER,
  DownloadStore,
  MAX_DOWNLOADS,
  safeFileName,
} from '../../src-main/server/downloads.ts';
import { tempDir } from '../helpers/temp.ts';

test('a web-exports folder that leads outside the home is refused, untouched', () => {
  const home = tempDir();
  const outside = tempDir();
  const stale = path.join(outside, 'serve-1-abc');
  fs.mkdirSync(stale);
  fs.symlinkSync(outside, path.join(home, DOWNLOADS_FOLDER));
  assert.throws(() => DownloadStore.inHome(home), /leads outside/);
  assert.deepEqual(fs.readdirSync(outside), ['serve-1-abc'], 'nothing created or removed there');
});

test('a staged export is offered once finished, removed when discarded, expired or crowded out', async () => {
  const home = tempDir();
  const store = DownloadStore.inHome(home, 60_000);
  assert.ok(store.root.startsWith(path.join(home, DOWNLOADS_FOLDER) + path.sep));

  const failed = store.stage('run', 'last');
  fs.mkdirSync(failed.outDir);
  failed.discard();
  assert.deepEqual(fs.readdirSync(store.root), []);

  const finish = (name: string, into = store) => {
    const staged = into.stage(name, 'best');
    fs.mkdirSync(staged.outDir);
    fs.writeFileSync(path.join(staged.outDir, 'manifest.json'), '{}');
    fs.writeFileSync(staged.archive, 'zip bytes');
    staged.finish();
    return staged;
  };
  const first = finish('../../etc/passwd');
  assert.equal(first.name, 'etc_passwd-best.zip');
  const id = first.download.split('/').pop()!;
  assert.deepEqual(store.file(id), { path: first.archive, name: first.name, bytes: 9 });
  assert.equal(fs.existsSync(first.outDir), false, 'only the zip is kept');
  assert.equal(store.file('../../etc/passwd'), null);
  assert.equal(store.file('00000000-0000-4000-8000-000000000000'), null);

  for (let i = 0; i < MAX_DOWNLOADS; i++) finish(`run-${i}`);
  assert.equal(store.file(id), null, 'the oldest goes when more are staged');
  store.dispose();
  assert.equal(fs.existsSync(store.root), false);

  const brief = DownloadStore.inHome(home, 1000);
  const late = finish('late', brief);
  const lateId = late.download.split('/').pop()!;
  assert.notEqual(brief.file(lateId), null);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(brief.file(lateId), null, 'expired');
  assert.equal(fs.existsSync(late.archive), false);
  brief.dispose();
});

test('run names become safe file names', () => {
  assert.equal(safeFileName('spiral-a'), 'spiral-a');
  assert.equal(safeFileName('my run: K=8 / λ 0.5'), 'my_run_K_8_0.5');
  assert.equal(safeFileName('..'), 'run');
  assert.equal(safeFileName('"quoted"\r\nSet-Cookie: x'), 'quoted_Set-Cookie_x');
  assert.equal(safeFileName('x'.repeat(200)).length, 80);
});
