/**
 * The built renderer's files over HTTP. Every failure is an answer (400, 403, 404, 500), never
 * an exception: a path that is not valid percent-encoding, a file that vanishes or cannot be
 * read between the check and the read.
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream';

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

export type Headers = Record<string, string>;

export function send(
  response: http.ServerResponse,
  status: number,
  body: string,
  headers: Headers,
  type = 'text/plain; charset=utf-8',
): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { 'Content-Type': type, ...headers });
  response.end(body);
}

/** The file a URL path names inside `root`, or an HTTP status saying why there is none. */
export function resolveStatic(root: string, pathname: string): string | 400 | 403 | 404 {
  let relative: string;
  try {
    relative = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
  } catch {
    return 400;
  }
  if (relative.includes('\0')) return 400;
  const base = path.resolve(root);
  const file = path.resolve(base, `.${relative}`);
  if (!file.startsWith(base + path.sep)) return 403;
  try {
    return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ? file : 404;
  } catch {
    // ENOTDIR (/index.html/x), ENAMETOOLONG, EACCES: there is no file to serve either way.
    return 404;
  }
}

export function serveStatic(
  root: string,
  pathname: string,
  request: http.IncomingMessage,
  response: http.ServerResponse,
  headers: Headers,
): void {
  const file = resolveStatic(root, pathname);
  if (typeof file === 'number')
    return send(response, file, { 400: 'bad request', 403: 'forbidden', 404: 'not found' }[file], headers);
  const stream = fs.createReadStream(file);
  stream.once('open', () => {
    response.writeHead(200, {
      'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-cache',
      ...headers,
    });
    if (request.method === 'HEAD') {
      stream.destroy();
      response.end();
      return;
    }
    pipeline(stream, response, () => {});
  });
  // Before 'open' (the file went away, or may not be read): answer; after, the pipeline's
  // callback has it, and the connection is closed mid-body.
  stream.once('error', (error: NodeJS.ErrnoException) => {
    if (!response.headersSent)
      send(response, error.code === 'ENOENT' ? 404 : 500, 'cannot read file', headers);
  });
}
