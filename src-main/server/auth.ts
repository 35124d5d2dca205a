/**
 * Web mode's access rules. The token, as in Jupyter: a random token printed in a ready-to-open
 * URL; the first page load carries it in the query and gets an HTTP-only, same-site cookie that
 * the page's own requests (scripts, the WebSocket, uploads) present after that.
 *
 * A cookie alone is not enough: cookies are per host, not per port, so a page on any other port
 * of 127.0.0.1 is "same-site" and the browser attaches ours to the requests that page makes.
 * Hence the request checks below: the Host must be one this server answers to (DNS rebinding),
 * state-changing requests and the WebSocket must come from our own origin, and a page elsewhere
 * may not even embed our files (Fetch Metadata).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import net from 'node:net';

export function newToken(): string {
  return randomBytes(24).toString('hex');
}

/**
 * The cookie's name carries the port, so two servers on one machine (or any other program on
 * another port of the same host) never overwrite each other's cookie.
 */
export function tokenCookieName(port: number): string {
  return `gmvae_token_${port}`;
}

export function tokenCookie(token: string, port: number): string {
  return `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(request: IncomingMessage, port: number): string | null {
  const name = tokenCookieName(port);
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return null;
}

/** The token a request presents: query parameter, header or this port's cookie. */
export function presentedToken(request: IncomingMessage, url: URL, port: number): string | null {
  const header = request.headers['x-gmvae-token'];
  return (
    url.searchParams.get('token') ??
    (typeof header === 'string' ? header : null) ??
    cookieToken(request, port)
  );
}

export function isAuthorised(request: IncomingMessage, url: URL, token: string, port: number): boolean {
  const presented = presentedToken(request, url, port);
  return presented !== null && same(presented, token);
}

/** The host name of a Host header (brackets of an IPv6 literal removed), or null if it is not one. */
function hostName(host: string | undefined): string | null {
  if (!host) return null;
  try {
    const url = new URL(`http://${host}`);
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return null;
    return url.hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return null;
  }
}

/**
 * Whether a Host header names this server. DNS rebinding points a name the attacker owns at
 * 127.0.0.1, so the browser sends that name: we accept only `localhost`, IP literals (which no
 * DNS answer can make up) and the name the server was told to listen on. The port is not
 * compared: an SSH tunnel (as the README suggests) serves us under another port.
 */
export function isServedHost(request: IncomingMessage, listenHost: string): boolean {
  const name = hostName(request.headers.host);
  if (name === null) return false;
  return name === 'localhost' || net.isIP(name) !== 0 || name === listenHost.toLowerCase();
}

/**
 * Whether a request comes from our own page (or from a program, which sends neither Origin
 * nor Fetch Metadata; it still needs the token). Browsers send Origin with every POST and with
 * every WebSocket handshake, so a form or script on another port is refused here.
 */
export function isSameOrigin(request: IncomingMessage): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === new URL(`http://${request.headers.host ?? ''}`).host;
  } catch {
    return false;
  }
}

/**
 * Fetch Metadata for reads: another site may navigate to us (a link the user follows), but
 * may not load our files into its page (an <img>, a <script>, a fetch).
 */
export function isAllowedRead(request: IncomingMessage): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site === undefined || site === 'same-origin' || site === 'none') return true;
  return request.headers['sec-fetch-mode'] === 'navigate' && request.headers['sec-fetch-dest'] === 'document';
}
