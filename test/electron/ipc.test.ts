/**
 * The API over Electron IPC: dispatch, sender checks (the app's own page only), paths only as
 * the user gave them, pushed events; and the preload bridge.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IPC_CHANNELS } from '../../src-main/common/api/bridge.ts';
import type { WorkbenchApi, WorkbenchEvent } from '../../src-main/common/api/contract.ts';
import { isTrustedSender, registerApiIpc } from '../../src-main/electron/ipc.ts';
import { createPreloadBridge } from '../../src-main/electron/preload-bridge.ts';

type Handler = (event: unknown, ...args: unknown[]) => Promise<unknown>;

const RENDERER = { file: '/app/renderer/index.html' };

function fakeMain() {
  const handlers = new Map<string, Handler>();
  const sent: unknown[] = [];
  const calls: unknown[] = [];
  let emit: (e: WorkbenchEvent) => void = () => {};
  const api = {
    listRuns: async () => [{ id: 1 }],
    getRun: async (id: number) => {
      throw new Error(`no run '${id}'`);
    },
    importDataset: async (request: unknown) => {
      calls.push(['importDataset', request]);
      return { job: 'j' };
    },
    exportRun: async (request: unknown) => {
      calls.push(['exportRun', request]);
      return { out: '/chosen', files: [] };
    },
  } as unknown as WorkbenchApi;
  const dispose = registerApiIpc(
    {
      ipcMain: {
        handle: (c: string, h: Handler) => handlers.set(c, h),
        removeHandler: (c: string) => handlers.delete(c),
      } as never,
      chooseFolder: async () => '/chosen',
    },
    api,
    (listener) => {
      emit = listener;
      return () => (emit = () => {});
    },
    () =>
      ({ isDestroyed: () => false, send: (channel: string, e: unknown) => sent.push([channel, e]) }) as never,
    RENDERER,
  );
  const trusted = { senderFrame: { url: 'file:///app/renderer/index.html#/runs', parent: null } };
  return { handlers, sent, calls, emit: (e: WorkbenchEvent) => emit(e), dispose, trusted };
}

describe('main-process IPC', () => {
  test('a trusted page calls the API through one channel', async () => {
    const main = fakeMain();
    const request = main.handlers.get(IPC_CHANNELS.request)!;
    assert.deepEqual(await request(main.trusted, { kind: 'request', id: 7, method: 'listRuns', args: [] }), {
      kind: 'response',
      id: 7,
      ok: true,
      result: [{ id: 1 }],
    });
    const failed = (await request(main.trusted, { kind: 'request', id: 8, method: 'getRun', args: [3] })) as {
      error: string;
    };
    assert.equal(failed.error, "no run '3'");
    const unknown = (await request(main.trusted, { kind: 'request', id: 9, method: 'rm -rf', args: [] })) as {
      ok: boolean;
    };
    assert.equal(unknown.ok, false);
    assert.equal(await main.handlers.get(IPC_CHANNELS.chooseFolder)!(main.trusted), '/chosen');
  });

  test('messages from other senders are refused', async () => {
    const main = fakeMain();
    const request = main.handlers.get(IPC_CHANNELS.request)!;
    const iframe = { senderFrame: { url: 'file:///app/renderer/index.html', parent: {} } };
    const web = { senderFrame: { url: 'https://example.com/', parent: null } };
    await assert.rejects(
      request(iframe, { kind: 'request', id: 1, method: 'listRuns', args: [] }),
      /untrusted/,
    );
    await assert.rejects(request(web, { kind: 'request', id: 1, method: 'listRuns', args: [] }), /untrusted/);
    await assert.rejects(main.handlers.get(IPC_CHANNELS.chooseFolder)!(web), /untrusted/);
    assert.equal(isTrustedSender(null, RENDERER), false);
    const dev = { url: 'http://localhost:5173/' };
    assert.equal(isTrustedSender({ url: 'http://localhost:5173/#/runs', parent: null }, dev), true);
    for (const url of [
      'http://localhost:5174/',
      'http://localhost:5173@evil.example/',
      'http://localhost:5173.evil.example/',
      'https://localhost:5173/',
    ])
      assert.equal(isTrustedSender({ url, parent: null }, dev), false, url);
  });

  test("only the app's own index.html is trusted, not any file: page", async () => {
    const main = fakeMain();
    const request = main.handlers.get(IPC_CHANNELS.request)!;
    for (const url of [
      'file:///tmp/downloaded.html',
      'file:///app/renderer/other.html',
      'file:///app/renderer/index.html/../../tmp/x.html',
      'file://server/app/renderer/index.html',
      'file:///app/renderer/index.html.evil',
    ]) {
      assert.equal(isTrustedSender({ url, parent: null }, RENDERER), false, url);
      await assert.rejects(
        request(
          { senderFrame: { url, parent: null } },
          { kind: 'request', id: 1, method: 'listRuns', args: [] },
        ),
        /untrusted/,
      );
    }
    assert.equal(
      isTrustedSender({ url: 'file:///app/renderer/index.html?x=1#/runs/3', parent: null }, RENDERER),
      true,
    );
  });

  test('main imports only dropped paths and exports only to the chosen folder', async () => {
    const main = fakeMain();
    const request = main.handlers.get(IPC_CHANNELS.request)!;
    const call = (method: string, arg: unknown) =>
      request(main.trusted, { kind: 'request', id: 5, method, args: [arg] }) as Promise<{
        ok: boolean;
        error?: string;
      }>;
    for (const paths of [['/home/me/.ssh/id_rsa'], ['/etc/passwd'], '/etc/passwd', [42]]) {
      const refused = await call('importDataset', { paths });
      assert.deepEqual(refused, {
        kind: 'response',
        id: 5,
        ok: false,
        error: 'only files and folders dropped on the window can be imported',
      });
    }
    for (const outDir of ['/etc/cron.d', '/home/me/exports', '/chosen/../etc'])
      assert.match((await call('exportRun', { run: 1, outDir })).error!, /Choose folder/);
    assert.deepEqual(main.calls, [], 'the API saw none of them');

    // The preload reports a drop; the dialog returns a folder: exactly those pass.
    await main.handlers.get(IPC_CHANNELS.grantDropped)!(main.trusted, ['/data/table.csv', '/data/images']);
    assert.equal(await main.handlers.get(IPC_CHANNELS.chooseFolder)!(main.trusted), '/chosen');
    assert.equal((await call('importDataset', { paths: ['/data/table.csv'] })).ok, true);
    assert.equal((await call('importDataset', { paths: ['/data/images'] })).ok, true);
    assert.equal((await call('importDataset', { paths: ['/data/images/../secret.csv'] })).ok, false);
    assert.equal((await call('exportRun', { run: 1, outDir: '/chosen' })).ok, true);
    assert.equal((await call('exportRun', { run: 1, outDir: '/chosen/sub' })).ok, false);
    assert.deepEqual(
      main.calls.map((c) => (c as [string])[0]),
      ['importDataset', 'importDataset', 'exportRun'],
    );
    // Another page cannot grant paths.
    await assert.rejects(
      main.handlers.get(IPC_CHANNELS.grantDropped)!(
        { senderFrame: { url: 'https://example.com/', parent: null } },
        ['/etc/passwd'],
      ),
      /untrusted/,
    );
    assert.equal((await call('importDataset', { paths: ['/etc/passwd'] })).ok, false);
  });

  test('events reach the window; disposing removes the handlers', () => {
    const main = fakeMain();
    main.emit({ type: 'runs-changed' });
    assert.deepEqual(main.sent, [[IPC_CHANNELS.event, { type: 'runs-changed' }]]);
    main.dispose();
    assert.equal(main.handlers.size, 0);
    main.emit({ type: 'runs-changed' });
    assert.equal(main.sent.length, 1);
  });
});

describe('preload bridge', () => {
  test('passes only contract methods, unwraps responses and errors, maps dropped files to paths', async () => {
    const invoked: unknown[] = [];
    const granted: unknown[] = [];
    const listeners: ((e: unknown, payload: unknown) => void)[] = [];
    const bridge = createPreloadBridge(
      {
        invoke: async (channel: string, message: { id: number; method: string }) => {
          if (channel === IPC_CHANNELS.chooseFolder) return null;
          if (channel === IPC_CHANNELS.grantDropped) return void granted.push(message);
          invoked.push([channel, message.method]);
          return message.method === 'listRuns'
            ? { kind: 'response', id: message.id, ok: true, result: [] }
            : { kind: 'response', id: message.id, ok: false, error: 'boom' };
        },
        on: (_c: string, l: (e: unknown, p: unknown) => void) => listeners.push(l),
        removeListener: () => listeners.pop(),
      } as never,
      { getPathForFile: (f: { name: string }) => (f.name === 'virtual' ? '' : `/data/${f.name}`) } as never,
    );
    assert.deepEqual(await bridge.call('listRuns', []), []);
    await assert.rejects(bridge.call('getRun', [1]), /boom/);
    await assert.rejects(bridge.call('eval' as never, []), /unknown method/);
    assert.deepEqual(invoked, [
      [IPC_CHANNELS.request, 'listRuns'],
      [IPC_CHANNELS.request, 'getRun'],
    ]);
    const seen: unknown[] = [];
    const off = bridge.onEvent((e) => seen.push(e));
    listeners[0]!({}, { type: 'datasets-changed' });
    off();
    assert.deepEqual(seen, [{ type: 'datasets-changed' }]);
    assert.equal(listeners.length, 0);
    assert.deepEqual(await bridge.pathsForFiles([{ name: 'a.csv' }, { name: 'virtual' }] as never), [
      '/data/a.csv',
    ]);
    assert.deepEqual(granted, [['/data/a.csv']], 'main is told the dropped paths before they are used');
    assert.equal(await bridge.chooseFolder(), null);
  });
});
