/**
 * Serves the built renderer (out/renderer) with the FakeBackend, exactly as `gmvae serve --json`
 * is specified: prints one JSON line {url, port, token} and serves until killed.
 *   node test/browser/helpers/fake-serve.ts [--port N] [--seed]
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { dispatch } from '../../../src-main/common/api/dispatch.ts';
import type { ApiRequestMessage, ServerMessage } from '../../../src-main/common/api/contract.ts';
import { FakeBackend } from './fake-backend.ts';

const args = process.argv.slice(2);
const portArg = args.indexOf('--port');
const port = portArg >= 0 ? Number(args[portArg + 1]) : 0;
const root = path.resolve(import.meta.dirname, '../../../out/renderer');
const token = crypto.randomBytes(16).toString('hex');
const backend = new FakeBackend();

if (args.includes('--seed')) {
  backend.seedCompleted('spiral', { k: 8, lambda: 0.5 }, 'spiral-baseline', 12);
  backend.seedCompleted('spiral', { k: 10, lambda: 1 }, 'spiral-k10-lambda1', 12);
  backend.seedCompleted('mnist', { k: 16 }, 'mnist-k16', 6);
  backend.seedCompleted(
    'spiral',
    { k: 8, lr: 0.05 },
    'spiral-high-lr',
    3,
    'failed',
    'the loss became NaN at epoch 4, step 163; the last good checkpoint is kept. Try a lower learning rate.',
  );
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/upload' && req.method === 'POST') {
    if (url.searchParams.get('token') !== token) return void res.writeHead(401).end('bad token');
    const group = url.searchParams.get('group') ?? '';
    const file = url.searchParams.get('path') ?? '';
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const list = backend.uploads.get(group) ?? [];
      list.push({ path: file, bytes: Buffer.concat(chunks) });
      backend.uploads.set(group, list);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    return;
  }
  const rel = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
  const file = path.join(root, path.normalize(rel));
  if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory())
    return void res.writeHead(404).end('not found');
  res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});

const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname !== '/api' || url.searchParams.get('token') !== token) {
    socket.write('HTTP/1.1 401 Unauthorized\r\n\r\n');
    socket.destroy();
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    const send = (m: ServerMessage) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(m));
    const off = backend.on((event) => send({ kind: 'event', event }));
    ws.on('close', off);
    ws.on('message', async (data) => {
      const message = JSON.parse(String(data)) as ApiRequestMessage;
      send(await dispatch(backend, message.id, message.method, message.args));
    });
  });
});

server.listen(port, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(
    `${JSON.stringify({ url: `http://127.0.0.1:${address.port}/?token=${token}`, port: address.port, token })}\n`,
  );
});
