/**
 * Uploads are bounded and leave nothing half-written: a file over the per-file limit, uploads
 * over the total, a client that hangs up, a disk that fills. Each is answered with a message
 * and its partial file is gone. Folders a crashed server left are removed at the next start,
 * and a crash removes its own on the way out.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { UPLOAD_FOLDER_PREFIX, UploadStore } from '../../src-main/server/uploads.ts';
import { tempDir } from '../helpers/temp.ts';
import { httpRequest } from './helpers/raw-http.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/** Every file under `dir`, relative. */
const filesIn = (dir: string) =>
  (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));

/**
 * POSTs a file in two chunks 50 ms apart, without a declared length, so the server only learns
 * its size while streaming. Resolves with the status and body of the answer.
 */
function chunkedUpload(
  t: TestServer,
  group: string,
  name: string,
  chunkBytes: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        port: t.server.port,
        host: '127.0.0.1',
        method: 'POST',
        path: `/upload?token=${t.token}&group=${group}&path=${name}`,
        headers: { 'Transfer-Encoding': 'chunked' },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    request.on('error', reject);
    request.write(Buffer.alloc(chunkBytes, 65));
    setTimeout(() => request.end(Buffer.alloc(chunkBytes, 66)), 50);
  });
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('upload limits', () => {
  let t: TestServer;
  const post = (group: string, name: string, body: Buffer, headers: Record<string, string> = {}) =>
    httpRequest(t.server.port, {
      method: 'POST',
      path: `/upload?token=${t.token}&group=${group}&path=${name}`,
      headers,
      body,
    });

  before(async () => {
    t = await startTestServer({ uploadLimits: { fileBytes: 1000, totalBytes: 2500 } });
  });

  after(async () => {
    await t.stop();
  });

  test('a file declared larger than the limit is refused before a byte is stored', async () => {
    const response = await post('big', 'big.csv', Buffer.alloc(2000, 65));
    assert.equal(response.status, 413);
    assert.deepEqual(JSON.parse(response.body), {
      ok: false,
      error: 'big.csv: larger than the 1000 bytes limit for one uploaded file',
    });
    assert.deepEqual(filesIn(t.uploads.root), []);
  });

  test('a file that turns out larger while streaming is refused and its partial deleted', async () => {
    const response = await chunkedUpload(t, 'chunked', 'c.csv', 600);
    assert.equal(response.status, 413);
    assert.match(JSON.parse(response.body).error, /c\.csv: larger than the 1000 bytes limit/);
    await until(() => filesIn(t.uploads.root).length === 0, 'the partial file is deleted');
    assert.equal(t.uploads.heldBytes, 0);
  });

  test('uploads beyond the total are refused until earlier ones are released', async () => {
    for (const name of ['1.csv', '2.csv'])
      assert.equal((await post('held', name, Buffer.alloc(900))).status, 200);
    const over = await post('more', '3.csv', Buffer.alloc(900));
    assert.equal(over.status, 413);
    assert.match(
      JSON.parse(over.body).error,
      /3\.csv: the server already holds 1.8 KiB of uploads, and at most 2.4 KiB may wait for import at once/,
    );
    assert.deepEqual(filesIn(t.uploads.root).sort(), ['held/1.csv', 'held/2.csv']);
    t.uploads.release(['held']);
    assert.equal((await post('more', '3.csv', Buffer.alloc(900))).status, 200);
    t.uploads.release(['more']);
    assert.equal(t.uploads.heldBytes, 0);
  });

  test('the same path twice in a drop is refused, and the file stored first stays whole', async () => {
    assert.equal((await post('twice', 'data.csv', Buffer.from('x,y\n1,2\n'))).status, 200);
    const again = await post('twice', 'data.csv', Buffer.from('zzz'));
    assert.equal(again.status, 409);
    assert.equal(JSON.parse(again.body).error, 'data.csv: uploaded twice in one drop');
    assert.equal(fs.readFileSync(path.join(t.uploads.root, 'twice', 'data.csv'), 'utf8'), 'x,y\n1,2\n');
    assert.equal(t.uploads.heldBytes, 8, 'only the first copy counts');
    // A name a folder of the drop already has: refused in words, without the server's paths.
    assert.equal((await post('twice', 'sub/a.csv', Buffer.from('1'))).status, 200);
    const clash = await post('twice', 'sub', Buffer.from('2'));
    assert.equal(clash.status, 409);
    assert.doesNotMatch(JSON.parse(clash.body).error, /\/tmp|gmvae-uploads/);
    t.uploads.release(['twice']);
    assert.equal(t.uploads.heldBytes, 0);
  });

  test('a drop given up is discarded through the API: its files go, and count no more', async () => {
    assert.equal((await post('gone', 'folder/one.csv', Buffer.alloc(300))).status, 200);
    assert.equal(t.uploads.heldBytes, 300);
    await t.service.discardUpload('gone');
    assert.deepEqual(filesIn(t.uploads.root), []);
    assert.equal(t.uploads.heldBytes, 0);
  });

  test('an upload the client abandons midway leaves no partial file', async () => {
    const socket = await new Promise<Socket>((resolve) => {
      const request = http.request({
        port: t.server.port,
        host: '127.0.0.1',
        method: 'POST',
        path: `/upload?token=${t.token}&group=gone&path=half.csv`,
        headers: { 'Content-Length': '900' },
      });
      request.on('error', () => {});
      request.on('socket', resolve);
      request.write(Buffer.alloc(400, 65));
    });
    await until(
      () => t.uploads.heldBytes === 400,
      `the first bytes arrive (${t.uploads.heldBytes} held, files ${filesIn(t.uploads.root)})`,
    );
    socket.destroy();
    await until(() => filesIn(t.uploads.root).length === 0, 'the partial file is deleted');
    assert.equal(t.uploads.heldBytes, 0);
  });
});

test('a slow upload takes as long as it needs; one that stalls is cut off and leaves nothing', async () => {
  const t = await startTestServer({ uploadIdleMs: 400 });
  /** A chunked upload the test writes by hand; `answer` is the status, 0 if cut off. */
  const open = (name: string) => {
    let answered: (status: number) => void = () => {};
    const answer = new Promise<number>((r) => (answered = r));
    const request = http.request(
      {
        port: t.server.port,
        host: '127.0.0.1',
        method: 'POST',
        path: `/upload?token=${t.token}&group=slow&path=${name}`,
        headers: { 'Transfer-Encoding': 'chunked' },
      },
      (res) => answered(res.statusCode!),
    );
    request.on('error', () => answered(0));
    return { request, answer };
  };
  try {
    // Ten chunks 150 ms apart: 1.5 s in all, never 400 ms without a byte.
    const slow = open('slow.csv');
    for (let i = 0; i < 10; i++) {
      slow.request.write(Buffer.alloc(10, 65));
      await new Promise((r) => setTimeout(r, 150));
    }
    slow.request.end();
    assert.equal(await slow.answer, 200);
    // One chunk, then nothing: stored as it arrives, then cut off.
    const stalled = open('stalled.csv');
    stalled.request.write(Buffer.alloc(10, 65));
    await until(() => t.uploads.heldBytes === 110, 'the first chunk to be stored');
    await until(() => t.uploads.heldBytes === 100, 'the stalled upload to be cut off');
    assert.equal(await stalled.answer, 0, 'the connection is closed');
    stalled.request.destroy();
    assert.deepEqual(filesIn(t.uploads.root), ['slow/slow.csv']);
  } finally {
    await t.stop();
  }
});

test('a full disk: the partial file is deleted and the answer says so', async () => {
  /** A disk that takes the first write and then has no space left. */
  const fullDisk = (file: string) => {
    const real = fs.createWriteStream(file, { flags: 'r+' });
    let writes = 0;
    return new Writable({
      write(chunk: Buffer, _encoding, done) {
        if (writes++ === 0) return void real.write(chunk, () => done());
        done(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
      },
      destroy(error, done) {
        real.destroy();
        done(error);
      },
    });
  };
  const uploads = new UploadStore(tempDir(), { createWriteStream: fullDisk });
  const t = await startTestServer({ uploads });
  try {
    const response = await chunkedUpload(t, 'disk', 'full.csv', 100);
    assert.equal(response.status, 507);
    assert.equal(
      JSON.parse(response.body).error,
      "full.csv: the server's disk is full; nothing of this file was kept",
    );
    assert.deepEqual(filesIn(uploads.root), []);
    assert.equal(uploads.heldBytes, 0);
  } finally {
    await t.stop();
  }
});

describe('scratch folders left behind', () => {
  const CRASH = fileURLToPath(new URL('./fixtures/crash-with-scratch.ts', import.meta.url));

  test('a server that crashes removes its upload and export folders on the way out', async () => {
    const tmp = tempDir();
    const home = tempDir();
    const child = spawn(process.execPath, [CRASH, tmp, home], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 1, 'died of the uncaught exception');
    const [uploads, downloads] = JSON.parse(stdout) as [string, string];
    assert.ok(uploads.startsWith(tmp) && downloads.startsWith(home));
    assert.equal(fs.existsSync(uploads), false);
    assert.equal(fs.existsSync(downloads), false);
  });

  test('the next start removes the folders of dead servers, and only those', () => {
    const tmp = tempDir();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const make = (name: string) => {
      const dir = path.join(tmp, name);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'data.bin'), Buffer.alloc(64));
      return dir;
    };
    const left = make(`${UPLOAD_FOLDER_PREFIX}${dead}-abc`);
    const live = make(`${UPLOAD_FOLDER_PREFIX}${process.ppid}-abc`);
    const oldUnnamed = make(`${UPLOAD_FOLDER_PREFIX}9f1c2e4a-0000-4000-8000-000000000000`);
    fs.utimesSync(oldUnnamed, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
    const newUnnamed = make(`${UPLOAD_FOLDER_PREFIX}aa1c2e4a-0000-4000-8000-000000000000`);
    const elsewhere = make('kept-target');
    fs.symlinkSync(elsewhere, path.join(tmp, `${UPLOAD_FOLDER_PREFIX}${dead}-link`));
    const other = make('not-ours');

    const store = UploadStore.temporary(tmp);
    assert.equal(fs.existsSync(left), false, "a dead server's folder goes");
    assert.equal(fs.existsSync(oldUnnamed), false, 'an old folder of the former naming goes');
    for (const kept of [live, newUnnamed, elsewhere, other])
      assert.deepEqual(fs.readdirSync(kept), ['data.bin'], `${path.basename(kept)} is kept`);
    assert.ok(fs.lstatSync(path.join(tmp, `${UPLOAD_FOLDER_PREFIX}${dead}-link`)).isSymbolicLink());
    assert.match(path.basename(store.root), new RegExp(`^${UPLOAD_FOLDER_PREFIX}${process.pid}-`));
    store.dispose();
  });
});
