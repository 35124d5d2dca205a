/**
 * Web mode: the built renderer over HTTP and the WorkbenchApi over a WebSocket, from the same
 * WorkbenchService the Electron main process hosts. Loopback by default; every request needs
 * the token (see auth.ts).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { WEB_ROUTES } from '../common/api/bridge.ts';
import type {
  ApiRequestMessage,
  ServerMessage,
  WorkbenchApi,
  WorkbenchEvent,
} from '../common/api/contract.ts';
import { dispatch } from '../common/api/dispatch.ts';
import { isAuthorised, isSameOrigin, tokenCookie } from './auth.ts';
import type { UploadStore } from './uploads.ts';

export interface WebServerOptions {
  api: WorkbenchApi;
  onEvent: (listener: (event: WorkbenchEvent) => void) => () => void;
  rendererDir: string;
  uploads: UploadStore;
  token: string;
  host: string;
  port: number;
  maxUploadBytes?: number;
}

export interface RunningWebServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const SECURITY_HEADERS = {
  // The page's meta tag holds the full policy; frame-ancestors only works as a header.
  'Content-Security-Policy': "frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

function send(
  response: http.ServerResponse,
  status: number,
  body: string,
  type = 'text/plain; charset=utf-8',
): void {
  response.writeHead(status, { 'Content-Type': type, ...SECURITY_HEADERS });
  response.end(body);
}

function serveStatic(
  rendererDir: string,
  pathname: string,
  response: http.ServerResponse,
  extraHeaders = {},
): void {
  const relative = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
  const file = path.resolve(rendererDir, `.${relative}`);
  if (!file.startsWith(path.resolve(rendererDir) + path.sep)) return send(response, 403, 'forbidden');
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return send(response, 404, 'not found');
  response.writeHead(200, {
    'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Cache-Control': 'no-cache',
    ...SECURITY_HEADERS,
    ...extraHeaders,
  });
  fs.createReadStream(file).pipe(response);
}

export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const { api, token, rendererDir, uploads } = options;
  const maxUploadBytes = options.maxUploadBytes ?? 4 * 1024 ** 3;
  if (!fs.existsSync(path.join(rendererDir, 'index.html')))
    throw new Error(`${rendererDir}: the interface is not built; run \`npm run build\` first`);

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!isAuthorised(request, url, token))
      return send(
        response,
        401,
        'GMVAE Workbench: open the URL printed by `gmvae serve`; it carries the access token.\n',
      );
    if (url.pathname === WEB_ROUTES.upload && request.method === 'POST') {
      const group = url.searchParams.get('group') ?? '';
      const relative = url.searchParams.get('path') ?? '';
      uploads.save(group, relative, request, maxUploadBytes).then(
        () => send(response, 200, JSON.stringify({ ok: true }), 'application/json'),
        (error: Error) =>
          send(response, 400, JSON.stringify({ ok: false, error: error.message }), 'application/json'),
      );
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return send(response, 405, 'method not allowed');
    // A page load with the token in its URL gets the cookie the page's later requests use.
    const cookie = url.searchParams.has('token') ? { 'Set-Cookie': tokenCookie(token) } : {};
    serveStatic(rendererDir, url.pathname, response, cookie);
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== WEB_ROUTES.socket || !isAuthorised(request, url, token) || !isSameOrigin(request)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serveSocket(ws));
  });

  function serveSocket(ws: WebSocket): void {
    const post = (message: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const unsubscribe = options.onEvent((event) => post({ kind: 'event', event }));
    ws.on('close', unsubscribe);
    ws.on('message', (data) => {
      let message: ApiRequestMessage;
      try {
        message = JSON.parse(String(data)) as ApiRequestMessage;
      } catch {
        return ws.close(1003, 'not JSON');
      }
      if (message?.kind !== 'request' || typeof message.id !== 'number')
        return ws.close(1003, 'not a request');
      void dispatch(api, message.id, message.method, message.args).then(post);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/?token=${token}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
