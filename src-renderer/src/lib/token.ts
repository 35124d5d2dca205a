/**
 * Web mode's access token: it arrives once in the page URL (`?token=...`, as printed by
 * `gmvae serve`), is kept in sessionStorage for reloads, and is removed from the address bar so
 * it does not end up in bookmarks or screenshots. Pure: the caller passes the URL and storage.
 */
export const TOKEN_KEY = 'gmvae.token';

export interface TokenResult {
  token: string | null;
  /** The URL without the token, for history.replaceState; null when nothing changed. */
  cleanedUrl: string | null;
}

export function takeToken(href: string, storage: Pick<Storage, 'getItem' | 'setItem'>): TokenResult {
  const url = new URL(href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    return { token: fromUrl, cleanedUrl: url.pathname + url.search + url.hash };
  }
  return { token: storage.getItem(TOKEN_KEY), cleanedUrl: null };
}

/** ws(s)://host/api?token=T for a page served over http(s)://host/. */
export function socketUrl(pageHref: string, path: string, token: string | null): string {
  const page = new URL(pageHref);
  const url = new URL(path, page);
  url.protocol = page.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  url.hash = '';
  if (token) url.searchParams.set('token', token);
  return url.toString();
}

/** Reconnection delay: 0.5 s doubling to 10 s, with a little jitter so tabs do not stampede. */
export function backoffMs(attempt: number, random = Math.random): number {
  const base = Math.min(10_000, 500 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.85 + 0.3 * random()));
}
