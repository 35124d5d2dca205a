/**
 * Web mode's access token, as in Jupyter: a random token printed in a ready-to-open URL. The
 * first page load carries it in the query; the server answers with a same-site, HTTP-only
 * cookie so the page's own requests (scripts, the WebSocket, uploads) are accepted after that.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'gmvae_token';

export function newToken(): string {
  return randomBytes(24).toString('hex');
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(request: IncomingMessage): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === TOKEN_COOKIE) return value.join('=');
  }
  return null;
}

/** The token a request presents: query parameter, header or cookie. */
export function presentedToken(request: IncomingMessage, url: URL): string | null {
  return (
    url.searchParams.get('token') ??
    (request.headers['x-gmvae-token'] as string | undefined) ??
    cookieToken(request)
  );
}

export function isAuthorised(request: IncomingMessage, url: URL, token: string): boolean {
  const presented = presentedToken(request, url);
  return presented !== null && same(presented, token);
}

/**
 * A WebSocket may only be opened by our own page: browsers send cookies with cross-site
 * WebSocket requests, so the Origin must be this server's (absent for non-browser clients).
 */
export function isSameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}
