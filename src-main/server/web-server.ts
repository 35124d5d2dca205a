/**
 * Web mode: the built renderer over HTTP and the WorkbenchApi over a WebSocket, from the same
 * WorkbenchService the Electron main process hosts. Loopback by default; every request needs
 * the token and must pass the origin rules of auth.ts.
 *
 * No request may end the process: every handler runs inside a guard that turns a throw into
 * an answer (400 or 500), and every socket, accepted or refused, has an 'error' listener (a
 * WebSocket emits 'error' for a malformed frame, and an unheard 'error' event is fatal).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { WEB_ROUTES } from '../common/api/bridge.ts';
import type {
  ApiRequestMessage,
  ServerMessage,
  WorkbenchApi,
  WorkbenchEvent,
} from '../common/api/contract.ts';
import { dispatch } from '../common/api/dispatch.ts';
import { isAllowedRead, isAuthorised, isSameOrigin, isServedHost, tokenCookie } from './auth.ts';
import type { DownloadStore } from './downloads.ts';
import { send, serveStatic, type Headers } from './static-files.ts';
import { UploadError, type UploadStore } from './uploads.ts';

export interface WebServerOptions {
  api: WorkbenchApi;
  onEvent: (listener: (event: WorkbenchEvent) => void) => () => void;
  rendererDir: string;
  uploads: UploadStore;
  /** Exports staged for the browser to download (see downloads.ts). */
  downloads?: DownloadStore;
  token: string;
  host: string;
  port: number;
  /** Where to report a request that failed inside the server (default: stderr). */
  log?: (message: string) => void;
  /** An upload that sends nothing for this long is cut off (default UPLOAD_IDLE_MS). */
  uploadIdleMs?: number;
}

export interface RunningWebServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * An upload may take as long as it needs (a gigabyte over a slow tunnel), but not stall: one
 * that sends nothing for this long is cut off and its partial file deleted. Node's own limit on
 * a whole request (5 minutes) is lifted for that reason; its limit on the headers stays.
 */
export const UPLOAD_IDLE_MS = 120_000;

/** The WebSocket's largest message; API requests are small. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * The page's meta tag holds the policy too; a header adds what only a header can
 * (frame-ancestors) and names the one WebSocket origin the page may reach: this server's.
 */
function securityHeaders(host: string | undefined): Headers {
  const socket = host ? ` ws://${host}` : '';
  return {
    'Content-Security-Policy':
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
      `connect-src 'self'${socket}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

const json = 'application/json';

/** The request's URL, or null when its target is not one (an absolute-form `http://[::1`). */
function requestUrl(request: http.IncomingMessage): URL | null {
  try {
    return new URL(request.url ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}

export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const { api, token, rendererDir, uploads, downloads } = options;
  const log = options.log ?? ((message: string) => process.stderr.write(`gmvae serve: ${message}\n`));
  if (!fs.existsSync(path.join(rendererDir, 'index.html')))
    throw new Error(`${rendererDir}: the interface is not built; run \`npm run build\` first`);
  // Known once listening; the cookie's name carries it.
  let port = 0;

  function handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    // Checked first: the Host is echoed into the CSP below only once it is known to be ours.
    if (!isServedHost(request, options.host))
      return send(response, 421, 'GMVAE Workbench: unknown Host\n', securityHeaders(undefined));
    const headers = securityHeaders(request.headers.host);
    const url = requestUrl(request);
    if (!url) return send(response, 400, 'bad request', headers);
    if (!isAuthorised(request, url, token, port))
      return send(
        response,
        401,
        'GMVAE Workbench: open the URL printed by `gmvae serve`; it carries the access token.\n',
        headers,
      );
    const reading = request.method === 'GET' || request.method === 'HEAD';
    if (reading ? !isAllowedRead(request) : !isSameOrigin(request))
      return send(response, 403, 'GMVAE Workbench: refused a request from another site\n', headers);
    if (url.pathname === WEB_ROUTES.upload && request.method === 'POST')
      return upload(request, url, response, headers);
    if (!reading) return send(response, 405, 'method not allowed', headers);
    if (url.pathname.startsWith(`${WEB_ROUTES.download}/`))
      return download(url.pathname.slice(WEB_ROUTES.download.length + 1), request, response, headers);
    // A page load with the token in its URL gets the cookie the page's later requests use.
    const cookie: Headers = url.searchParams.has('token') ? { 'Set-Cookie': tokenCookie(token, port) } : {};
    serveStatic(rendererDir, url.pathname, request, response, { ...headers, ...cookie });
  }

  function upload(
    request: http.IncomingMessage,
    url: URL,
    response: http.ServerResponse,
    headers: Headers,
  ): void {
    const group = url.searchParams.get('group') ?? '';
    const relative = url.searchParams.get('path') ?? '';
    request.setTimeout(options.uploadIdleMs ?? UPLOAD_IDLE_MS, () => request.destroy());
    const length = request.headers['content-length'];
    const answer = (status: number, body: object) => {
      // After a refusal the connection closes with the answer instead of waiting for the rest
      // of a body that will not be kept.
      if (status !== 200) response.setHeader('Connection', 'close');
      send(response, status, JSON.stringify(body), headers, json);
    };
    uploads.save(group, relative, request, length === undefined ? undefined : Number(length)).then(
      () => answer(200, { ok: true }),
      (error: unknown) => {
        const status = error instanceof UploadError ? error.status : 500;
        if (!(error instanceof UploadError)) log(`upload failed: ${String(error)}`);
        answer(status, { ok: false, error: error instanceof Error ? error.message : String(error) });
      },
    );
  }

  function download(
    id: string,
    request: http.IncomingMessage,
    response: http.ServerResponse,
    headers: Headers,
  ): void {
    const file = downloads?.file(id);
    if (!file)
      return send(response, 404, 'no such download (exports are kept for a while, then removed)', headers);
    response.writeHead(200, {
      ...headers,
      'Content-Type': 'application/zip',
      'Content-Length': String(file.bytes),
      'Content-Disposition': `attachment; filename="${file.name}"`,
      'Cache-Control': 'no-store',
    });
    if (request.method === 'HEAD') return void response.end();
    pipeline(fs.createReadStream(file.path), response, () => {});
  }

  const server = http.createServer((request, response) => {
    try {
      handle(request, response);
    } catch (error) {
      log(`${request.method} request failed: ${error instanceof Error ? error.message : String(error)}`);
      send(response, 500, 'internal error', securityHeaders(undefined));
    }
  });
  server.requestTimeout = 0; // see UPLOAD_IDLE_MS
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  sockets.on('error', (error) => log(`WebSocket server: ${error.message}`));
  server.on('upgrade', (request: http.IncomingMessage, socket: Socket, head: Buffer) => {
    // A refused or reset socket may error after we are done with it.
    socket.on('error', () => socket.destroy());
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    };
    try {
      const url = requestUrl(request);
      if (!url) return refuse('400 Bad Request');
      if (!isServedHost(request, options.host)) return refuse('421 Misdirected Request');
      if (url.pathname !== WEB_ROUTES.socket || !isAuthorised(request, url, token, port))
        return refuse('401 Unauthorized');
      if (!isSameOrigin(request)) return refuse('403 Forbidden');
      sockets.handleUpgrade(request, socket, head, (ws) => serveSocket(ws));
    } catch (error) {
      log(`WebSocket upgrade failed: ${error instanceof Error ? error.message : String(error)}`);
      refuse('400 Bad Request');
    }
  });

  function serveSocket(ws: WebSocket): void {
    // A malformed frame (too large, bad UTF-8, unmasked, reserved opcode or bits): ws has
    // already sent the close frame naming the problem and closes the connection itself; the
    // listener only keeps the event from being thrown.
    ws.on('error', () => {});
    const post = (message: ServerMessage) => {
      if (ws.readyState !== ws.OPEN) return;
      let text: string;
      try {
        text = JSON.stringify(message);
      } catch (error) {
        // A result that is not JSON (a BigInt, a cycle) still gets an answer.
        if (message.kind !== 'response') return log(`event not sent: ${String(error)}`);
        text = JSON.stringify({
          kind: 'response',
          id: message.id,
          ok: false,
          error: 'the reply could not be encoded',
        });
      }
      ws.send(text);
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
      dispatch(api, message.id, message.method, message.args)
        .then(post)
        .catch((error: unknown) => log(`reply failed: ${String(error)}`));
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Errors while listening (too many open files on accept): reported, never fatal.
  server.on('error', (error) => log(`server: ${error.message}`));
  port = (server.address() as AddressInfo).port;
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
