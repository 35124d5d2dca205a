/**
 * One bad request must not take the server down: malformed WebSocket frames sent over a raw
 * socket after a real, tokened upgrade, and HTTP requests whose targets cannot be decoded. The
 * server runs in its own process, so a crash shows as a dead process (in the test process,
 * node:test would catch it); after each request it must still serve the page and the API.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { connect } from '../helpers/ws-client.ts';
import { frame, rawRequest, rawWebSocket, statusOf } from './helpers/raw-http.ts';
import { spawnTestServer, type ChildServer } from './helpers/server.ts';

describe('the server survives bad requests', () => {
  let s: ChildServer;

  // A fresh server per test, so one test's crash cannot fail the next.
  beforeEach(async () => {
    s = await spawnTestServer();
  });

  afterEach(async () => {
    await s.stop();
  });

  /** The process is alive, and the page and the API both still answer. */
  async function stillServes(): Promise<void> {
    assert.ok(s.alive(), `the server exited:\n${s.log()}`);
    assert.equal((await fetch(`${s.base}?token=${s.token}`)).status, 200);
    const client = await connect(`${s.base}?token=${s.token}`);
    assert.equal((await client.api.appInfo()).mode, 'web');
    client.close();
  }

  const BAD_FRAMES: [string, Buffer][] = [
    // 17 MiB declared, over the 16 MiB limit: refused from the header, before any payload.
    ['a frame over the size limit', frame(0x82, Buffer.alloc(0), { declaredLength: 17 * 1024 * 1024 })],
    ['invalid UTF-8 in a text frame', frame(0x81, Buffer.from([0xc3, 0x28, 0xff]))],
    ['an unmasked client frame', frame(0x81, Buffer.from('{}'), { masked: false })],
    ['a reserved opcode', frame(0x83, Buffer.from('x'))],
    ['RSV1 without an extension', frame(0xc1, Buffer.from('{}'))],
    ['a fragmented control frame', frame(0x09, Buffer.from('ping'))],
  ];

  for (const [name, bytes] of BAD_FRAMES) {
    test(`${name} closes that socket and nothing else`, async () => {
      const other = await connect(`${s.base}?token=${s.token}`);
      const raw = await rawWebSocket(s.port, s.token);
      raw.socket.write(bytes);
      const reply = await raw.closed;
      // The server answers with a close frame (opcode 8) before it hangs up.
      assert.equal(reply[0]! & 0x0f, 0x08, `a close frame, got ${reply.toString('hex')}`);
      await stillServes();
      // A socket opened before stays open and working.
      assert.equal((await other.api.appInfo()).mode, 'web');
      other.close();
    });
  }

  test('a path that is not valid percent-encoding is a 400, not a crash', async () => {
    for (const target of ['/%E0%A4%A', '/%', '/assets/%zz.js']) {
      const response = await rawRequest(
        s.port,
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\n` +
          `Cookie: gmvae_token_${s.port}=${s.token}\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(statusOf(response), 400, `${target}: ${response.split('\r\n')[0]}`);
    }
    await stillServes();
  });

  test('paths that name no file are 404s, whatever the file system says', async () => {
    for (const target of ['/index.html/x', `/${'a'.repeat(5000)}`, '/..%2f..%2fetc/passwd', '/%00'])
      assert.ok(
        [400, 403, 404].includes((await fetch(`${s.base}${target.slice(1)}?token=${s.token}`)).status),
        target.slice(0, 40),
      );
    assert.equal((await fetch(`${s.base}index.html/x?token=${s.token}`)).status, 404);
    await stillServes();
  });

  test('a request-target that is not a URL is a 400, not a crash', async () => {
    const response = await rawRequest(
      s.port,
      `GET http://[::1 HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nConnection: close\r\n\r\n`,
    );
    assert.equal(statusOf(response), 400, response.split('\r\n')[0]);
    await stillServes();
  });

  test('clients that hang up mid-upgrade or mid-upload do not matter', async () => {
    const raw = await rawWebSocket(s.port, s.token);
    raw.socket.destroy();
    const partial = await rawRequest(
      s.port,
      `POST /upload?token=${s.token}&group=g&path=a.csv HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\n` +
        'Content-Length: 100\r\n\r\nabc',
      300,
    );
    assert.equal(partial, '', 'no answer before the body is complete');
    await stillServes();
  });
});
