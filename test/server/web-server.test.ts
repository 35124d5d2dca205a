/**
 * Web mode end to end, without a browser: the token gate, the WebSocket API (the same
 * WorkbenchService as in Electron), uploads feeding an import, and a run trained from it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WorkbenchService } from '../../src-main/host/workbench-service.ts';
import { Store } from '../../src-main/host/store/index.ts';
import { newToken } from '../../src-main/server/auth.ts';
import { UploadStore } from '../../src-main/server/uploads.ts';
import { startWebServer, type RunningWebServer } from '../../src-main/server/web-server.ts';
import { blobs } from '../helpers/blobs.ts';
import { tempDir } from '../helpers/temp.ts';
import { connect, nextEvent } from '../helpers/ws-client.ts';

describe('web mode', () => {
  let server: RunningWebServer;
  let service: WorkbenchService;
  let store: Store;
  let uploads: UploadStore;
  const base = () => server.url.split('?')[0]!;
  const token = () => new URL(server.url).searchParams.get('token')!;

  before(async () => {
    const home = tempDir();
    const renderer = tempDir();
    fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>GMVAE Workbench</title>');
    store = await Store.open(home);
    uploads = new UploadStore(path.join(tempDir(), 'uploads'));
    service = new WorkbenchService({
      store,
      home,
      mode: 'web',
      version: '0.0.0',
      resolveUploads: (g) => uploads.resolve(g),
    });
    server = await startWebServer({
      api: service,
      onEvent: (l) => service.onEvent(l),
      rendererDir: renderer,
      uploads,
      token: newToken(),
      host: '127.0.0.1',
      port: 0,
    });
  });

  after(async () => {
    await service.shutdown();
    await server.close();
    store.close();
  });

  test('rejects requests without the token; the tokened URL sets a cookie that works after', async () => {
    assert.equal((await fetch(base())).status, 401);
    assert.equal((await fetch(`${base()}?token=wrong`)).status, 401);
    const page = await fetch(server.url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /GMVAE Workbench/);
    const cookie = page.headers.get('set-cookie')!;
    assert.match(cookie, /HttpOnly/);
    assert.equal((await fetch(base(), { headers: { cookie: cookie.split(';')[0]! } })).status, 200);
    await assert.rejects(connect(base()), /401/);
    await assert.rejects(connect(server.url, { origin: 'http://evil.example' }), /401/);
  });

  test('serves the API over the WebSocket, with clear errors', async () => {
    const client = await connect(server.url);
    const datasets = await client.api.listDatasets();
    assert.deepEqual(datasets.map((d) => d.name).sort(), ['mnist', 'spiral']);
    assert.equal(datasets.find((d) => d.name === 'spiral')!.builtin, true);
    const info = await client.api.appInfo();
    assert.equal(info.mode, 'web');
    const backends = await client.api.backends();
    assert.equal(backends.find((b) => b.name === 'cpu')!.available, true);
    assert.deepEqual(
      backends.map((b) => b.name),
      ['tensorflow-gpu', 'tensorflow', 'blas', 'wasm', 'cpu'],
    );
    assert.deepEqual(
      backends.filter((b) => !b.trainsConv).map((b) => b.name),
      ['blas', 'wasm'],
    );
    const blas = backends.find((b) => b.name === 'blas')!;
    assert.match(blas.detail, blas.available ? /OpenBLAS|Accelerate/ : /addon/);
    await assert.rejects(client.api.getRun(999), /no run '999'/);
    await assert.rejects(client.api.importDataset({ paths: ['/etc/passwd'] }), /upload files instead/);
    const preview = await client.api.previewDataset('spiral');
    assert.equal(preview.examples.length, 48);
    assert.deepEqual(preview.classCounts, [2000, 2000, 2000, 2000, 2000]);
    client.close();
  });

  test('an uploaded CSV imports, trains a run and evaluates, with live events', async () => {
    const client = await connect(server.url);
    const data = blobs(300, 0);
    const csv = [
      'a,b,label',
      ...Array.from(
        { length: data.train.n },
        (_, i) => `${data.train.x[2 * i]},${data.train.x[2 * i + 1]},${data.train.y![i]}`,
      ),
    ];
    const upload = (group: string, file: string, body: string) =>
      fetch(`${base()}upload?token=${token()}&group=${group}&path=${encodeURIComponent(file)}`, {
        method: 'POST',
        body,
      });
    assert.equal((await upload('g1', '../escape.csv', 'x')).status, 400);
    assert.equal((await upload('g1', 'blobs.csv', csv.join('\n'))).status, 200);

    const finished = nextEvent(client, (e) => e.type === 'import-finished');
    const { job } = await client.api.importDataset({ uploads: ['g1'], name: 'uploaded' });
    const done = await finished;
    assert.deepEqual(done, { type: 'import-finished', job, dataset: 'uploaded', error: null });
    assert.ok(client.events.some((e) => e.type === 'import-progress' && e.job === job));

    const bad = nextEvent(client, (e) => e.type === 'import-finished');
    assert.equal((await upload('g2', 'broken.csv', 'a,b\n1\n')).status, 200);
    await client.api.importDataset({ uploads: ['g2'] });
    const failed = await bad;
    assert.match((failed as { error: string }).error, /broken\.csv.*row 2/);

    const completed = nextEvent(
      client,
      (e) => e.type === 'train' && e.event.type === 'status' && e.event.status === 'completed',
    );
    const run = await client.api.createRun({
      dataset: 'uploaded',
      name: 'web-run',
      overrides: { k: 3, hidden: 16, epochs: 2, batchSize: 40, backend: 'cpu' },
    });
    await completed;
    assert.ok(
      client.events.some((e) => e.type === 'train' && e.event.type === 'epoch' && e.event.runId === run.id),
    );
    const detail = await client.api.getRun(run.id);
    assert.equal(detail.status, 'completed');
    assert.equal(detail.backend, 'cpu');
    assert.equal(typeof detail.metrics.accuracy, 'number');
    assert.deepEqual(detail.artefacts.map((a) => a.kind).sort(), [
      'cluster-samples',
      'projection',
      'reconstructions',
    ]);
    const projection = (await client.api.artefact(run.id, 'projection', 'last')) as {
      n: number;
      pcaX: number[];
    };
    assert.equal(projection.pcaX.length, 2 * projection.n);
    const metrics = await client.api.evaluateCheckpoint(run.id, 'best');
    assert.equal(typeof metrics.nmi, 'number');
    const out = path.join(tempDir(), 'exported');
    const exported = await client.api.exportRun({ run: run.id, outDir: out });
    assert.ok(exported.files.includes('manifest.json'));
    await assert.rejects(client.api.deleteDataset('uploaded'), /run/);
    await client.api.deleteRun(run.id);
    await client.api.deleteDataset('uploaded');
    assert.ok(!(await client.api.listDatasets()).some((d) => d.name === 'uploaded'));
    client.close();
  });
});
