/**
 * Web mode end to end, without a browser: the token gate, the WebSocket API (the same
 * WorkbenchService as in Electron), uploads feeding an import, a run trained from it, and its
 * export downloaded as a zip.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import type { RunningWebServer } from '../../src-main/server/web-server.ts';
import { blobs } from '../helpers/blobs.ts';
import { connect, nextEvent } from '../helpers/ws-client.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

describe('web mode', () => {
  let t: TestServer;
  let server: RunningWebServer;
  let home: string;
  const base = () => t.base;
  const token = () => t.token;

  before(async () => {
    t = await startTestServer();
    ({ server, home } = t);
  });

  after(async () => {
    await t.stop();
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
    await assert.rejects(connect(server.url, { origin: 'http://evil.example' }), /403/);
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
      ['tensorflow-gpu', 'tensorflow', 'blas', 'webgpu', 'wasm', 'cpu'],
    );
    // webgpu is listed with what an engine process found: here (no Vulkan driver named) no adapter.
    const webgpu = backends.find((b) => b.name === 'webgpu')!;
    assert.match(webgpu.detail, webgpu.available ? /WebGPU|adapter|swiftshader/i : /adapter|not installed/);
    assert.deepEqual(
      backends.filter((b) => !b.trainsConv).map((b) => b.name),
      ['wasm'],
    );
    const blas = backends.find((b) => b.name === 'blas')!;
    assert.match(blas.detail, blas.available ? /OpenBLAS|Accelerate/ : /addon/);
    await assert.rejects(client.api.getRun(999), /no run '999'/);
    await assert.rejects(client.api.importDataset({ paths: ['/etc/passwd'] }), /upload files instead/);
    // The page cannot name a folder to export to, and the refusal is the same whether the
    // folder exists, is outside the home, climbs with '..' or the run does not exist.
    const refusals = new Set<string>();
    for (const outDir of [path.join(home, 'x'), '/etc', '/etc/cron.d/x', '/no/such/folder/x', '../x', 'x']) {
      for (const run of [1, 999]) {
        const error = await client.api.exportRun({ run, outDir }).catch((e: Error) => e.message);
        refusals.add(String(error));
      }
    }
    assert.deepEqual(
      [...refusals],
      ['in web mode an export is downloaded by the browser; no folder on the server can be named'],
    );
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
    assert.throws(() => t.uploads.resolve(['g1']), /no upload/, 'the upload is deleted once imported');
    const info = (await client.api.listDatasets()).find((d) => d.name === 'uploaded')!;
    assert.equal(
      info.source,
      'uploaded: blobs.csv',
      'the dataset names what was dropped, not the deleted folder',
    );

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
    // Web mode exports to a download: a zip of the model files and the metric history.
    const exported = await client.api.exportRun({ run: run.id, checkpoint: 'best' });
    assert.equal(exported.out, 'web-run-best.zip');
    assert.ok(exported.files.includes('manifest.json'));
    const zip = await fetch(new URL(exported.download!, base()), { headers: { 'x-gmvae-token': token() } });
    assert.equal(zip.status, 200);
    assert.match(zip.headers.get('content-disposition')!, /attachment; filename="web-run-best\.zip"/);
    const entries = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    assert.deepEqual(Object.keys(entries).sort(), exported.files.map((f) => `web-run-best/${f}`).sort());
    for (const network of ['encoder', 'prior-network', 'decoder'])
      assert.ok(entries[`web-run-best/${network}/weights.bin`]!.length > 0, network);
    const history = strFromU8(entries['web-run-best/metrics.csv']!).trim().split('\n');
    assert.match(history[0]!, /^epoch,step,.*test\/accuracy.*train\/elbo/);
    assert.deepEqual(
      history.slice(1).map((l) => l.split(',')[0]),
      ['1', '2'],
      'one row per epoch',
    );
    // Nothing was written outside the home; the staging folder holds only the zip now.
    const staged = fs.readdirSync(path.join(home, 'web-exports'), { recursive: true }) as string[];
    assert.deepEqual(
      staged.filter((f) => f.endsWith('.zip')).map((f) => path.basename(f)),
      ['web-run-best.zip'],
    );
    await assert.rejects(client.api.deleteDataset('uploaded'), /run/);
    await client.api.deleteRun(run.id);
    await client.api.deleteDataset('uploaded');
    assert.ok(!(await client.api.listDatasets()).some((d) => d.name === 'uploaded'));
    client.close();
  });
});
