/**
 * Who may reach the server: the token is necessary but not enough. Cookies are per host, not
 * per port, so another page on 127.0.0.1 gets ours attached; these requests carry the valid
 * cookie and must still be refused: a Host that is not ours (DNS rebinding), a state-changing
 * request or a WebSocket from another origin, our files embedded by another site.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { connect } from '../helpers/ws-client.ts';
import { httpRequest, rawRequest, rawWebSocket, statusOf } from './helpers/raw-http.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

describe('web-mode access rules', () => {
  let t: TestServer;
  let port: number;
  let cookie: string;

  before(async () => {
    t = await startTestServer();
    port = t.server.port;
    cookie = `gmvae_token_${port}=${t.token}`;
  });

  after(async () => {
    await t.stop();
  });

  const get = (headers: Record<string, string>, path = '/') =>
    httpRequest(port, { path, headers: { Cookie: cookie, ...headers } });
  const upload = (headers: Record<string, string>, name = 'a.csv') =>
    httpRequest(port, {
      method: 'POST',
      path: `/upload?group=g1&path=${name}`,
      headers: { Cookie: cookie, 'Content-Type': 'application/octet-stream', ...headers },
      body: 'a,b\n1,2\n',
    });

  test("the cookie is named for the port; another name, or another port's, is no token", async () => {
    const page = await httpRequest(port, { path: `/?token=${t.token}` });
    assert.equal(page.status, 200);
    assert.match(
      String(page.headers['set-cookie']),
      new RegExp(`^gmvae_token_${port}=${t.token}; HttpOnly; SameSite=Strict`),
    );
    assert.equal((await get({})).status, 200);
    assert.equal(
      (await httpRequest(port, { path: '/', headers: { Cookie: `gmvae_token=${t.token}` } })).status,
      401,
    );
    assert.equal(
      (await httpRequest(port, { path: '/', headers: { Cookie: `gmvae_token_${port + 1}=${t.token}` } }))
        .status,
      401,
    );
  });

  test('a Host that is not this server is refused (DNS rebinding), with the token', async () => {
    for (const host of [`evil.example:${port}`, `127.0.0.1.evil.example:${port}`, 'localhost.evil:80', 'a@b'])
      assert.equal((await get({ Host: host })).status, 421, `Host: ${host}`);
    const noHost = await rawRequest(port, `GET / HTTP/1.0\r\nCookie: ${cookie}\r\n\r\n`);
    assert.equal(statusOf(noHost), 421, 'HTTP/1.0 without a Host');
    // Names a browser on this machine, or through an SSH tunnel on another port, uses.
    for (const host of [
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      '127.0.0.1:9000',
      `[::1]:${port}`,
      'LOCALHOST',
    ])
      assert.equal((await get({ Host: host })).status, 200, `Host: ${host}`);
    await assert.rejects(rawWebSocket(port, t.token, { Host: `evil.example:${port}` }), /421/);
  });

  test('an upload from another origin is refused though the cookie came with it', async () => {
    const refused = await upload({ Origin: `http://127.0.0.1:${port + 1}` });
    assert.equal(refused.status, 403);
    assert.match(refused.body, /another site/);
    const forged: Record<string, string>[] = [
      { Origin: 'null' },
      { Origin: `http://localhost:${port}` }, // same port, other host name: another origin
      { 'Sec-Fetch-Site': 'same-site' },
      { 'Sec-Fetch-Site': 'cross-site', Origin: `http://127.0.0.1:${port}` },
    ];
    for (const headers of forged) assert.equal((await upload(headers)).status, 403, JSON.stringify(headers));
    assert.throws(() => t.uploads.resolve(['g1']), /no upload/, 'nothing was stored');
    // Our own page (same origin), and programs holding the token (no Origin), may upload.
    assert.equal(
      (await upload({ Origin: `http://127.0.0.1:${port}`, 'Sec-Fetch-Site': 'same-origin' })).status,
      200,
    );
    assert.equal((await upload({}, 'b.csv')).status, 200);
  });

  test('other sites may link to the page but not embed its files', async () => {
    const embed = { 'Sec-Fetch-Site': 'same-site', 'Sec-Fetch-Mode': 'no-cors', 'Sec-Fetch-Dest': 'image' };
    assert.equal((await get(embed)).status, 403);
    assert.equal((await get({ ...embed, 'Sec-Fetch-Site': 'cross-site' }, '/%E0%A4%A')).status, 403);
    const link = {
      'Sec-Fetch-Site': 'cross-site',
      'Sec-Fetch-Mode': 'navigate',
      'Sec-Fetch-Dest': 'document',
    };
    assert.equal((await get(link)).status, 200);
    assert.equal((await get({ 'Sec-Fetch-Site': 'same-origin', 'Sec-Fetch-Mode': 'no-cors' })).status, 200);
  });

  test('the WebSocket opens only for this origin', async () => {
    await assert.rejects(
      connect(`${t.base}?token=${t.token}`, { origin: `http://127.0.0.1:${port + 1}` }),
      /403/,
    );
    await assert.rejects(connect(`${t.base}?token=${t.token}`, { origin: 'null' }), /403/);
    const own = await connect(`${t.base}?token=${t.token}`, { origin: `http://127.0.0.1:${port}` });
    assert.equal((await own.api.appInfo()).mode, 'web');
    own.close();
  });

  test('the page may open a WebSocket to this server only', async () => {
    const page = await get({});
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${port};`));
    assert.match(csp, /frame-ancestors 'none'/);
    // The renderer's own meta policy (Electron and web mode) allows no WebSocket to any host.
    const html = fs.readFileSync(new URL('../../src-renderer/index.html', import.meta.url), 'utf8');
    const connect = /connect-src([^;"]*)/.exec(html)![1]!.trim().split(/\s+/);
    assert.deepEqual(connect, ["'self'"]);
  });
});
