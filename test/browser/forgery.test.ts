/**
 * Cross-port forgery through a real browser. The user has the workbench open (so Chromium
 * holds its cookie), then visits a page another program serves on another port of 127.0.0.1.
 * Cookies are per host, not per port, so Chromium attaches ours to what that page sends; the
 * server must still refuse it: a form POST and a fetch to /upload, a WebSocket to /api, and an
 * <img> whose path once crashed the server.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { connect } from '../helpers/ws-client.ts';
import { launch, newPage } from './helpers/browser.ts';
import { serve, type Served } from './helpers/server.ts';

let served: Served;
let browser: Browser;
let page: Page;
let attacker: http.Server;
let attackerOrigin: string;

/** The attacker's pages, each aimed at the workbench on `target` (http://127.0.0.1:PORT). */
function attackerPages(target: string): Record<string, string> {
  const upload = (group: string) => `${target}/upload?group=${group}&path=stolen.csv`;
  return {
    '/form': `<!doctype html><form id="f" method="POST" enctype="text/plain" action="${upload('form')}">
      <input name="a,b" value="1,2"></form><script>document.getElementById('f').submit()</script>`,
    '/fetch': `<!doctype html><script>
      fetch(${JSON.stringify(upload('fetch'))}, { method: 'POST', mode: 'no-cors', credentials: 'include', body: 'a,b\\n1,2\\n' })
        .then(() => (document.title = 'sent'), () => (document.title = 'failed'));
    </script>`,
    '/socket': `<!doctype html><script>
      const ws = new WebSocket(${JSON.stringify(`${target.replace('http', 'ws')}/api`)});
      ws.onopen = () => { document.title = 'open'; ws.send(JSON.stringify({ kind: 'request', id: 1, method: 'listRuns', args: [] })); };
      ws.onmessage = () => (document.title = 'answered');
      ws.onerror = () => (document.title = 'refused');
    </script>`,
    '/img': `<!doctype html><img src="${target}/%E0%A4%A" onerror="document.title='done'" onload="document.title='done'">`,
  };
}

before(async () => {
  served = await serve();
  const target = `http://127.0.0.1:${served.port}`;
  const pages = attackerPages(target);
  attacker = http.createServer((request, response) => {
    const body = pages[request.url ?? ''];
    response.writeHead(body ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  browser = await launch();
  ({ page } = await newPage(browser));
  // The user opens the workbench: Chromium now holds its cookie for 127.0.0.1.
  await page.goto(served.url);
  await page.getByRole('heading', { name: 'Runs', exact: true }).waitFor();
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => attacker?.close(resolve));
  await served?.stop();
});

test(
  'a page on another port cannot upload, open the API or crash the server',
  { timeout: 90_000 },
  async () => {
    const cookies = await page.context().cookies(`http://127.0.0.1:${served.port}/`);
    assert.deepEqual(
      cookies.map((c) => c.name),
      [`gmvae_token_${served.port}`],
      'the browser holds the cookie the forgeries would ride on',
    );

    // A form POST: the browser follows it to our answer.
    await page.goto(`${attackerOrigin}/form`);
    await page.waitForURL(/\/upload\?/);
    assert.match((await page.textContent('body')) ?? '', /refused a request from another site/);

    await page.goto(`${attackerOrigin}/fetch`);
    await page.waitForFunction(() => document.title !== '');

    await page.goto(`${attackerOrigin}/socket`);
    await page.waitForFunction(() => document.title === 'refused' || document.title === 'answered');
    assert.equal(await page.title(), 'refused');

    await page.goto(`${attackerOrigin}/img`);
    await page.waitForFunction(() => document.title === 'done');

    // The server is up and stored neither upload: importing either group finds nothing.
    const client = await connect(served.url);
    for (const group of ['form', 'fetch'])
      await assert.rejects(
        client.api.importDataset({ uploads: [group] }),
        new RegExp(`no upload '${group}'`),
      );
    client.close();
    // And the user's own page still works, the cookie still in place.
    await page.goto(`http://127.0.0.1:${served.port}/`);
    await page.getByRole('heading', { name: 'Runs', exact: true }).waitFor();
  },
);

// The page's document, for the functions evaluated in it (this file is type-checked as Node code).
declare const document: { title: string };
