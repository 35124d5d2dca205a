/**
 * Which URLs are the app's own page, for the navigation rule (window.ts) and the IPC sender
 * check (ipc.ts). Always by parsed URL, never by string prefix: `http://localhost:5173@evil.example/`
 * starts with the dev server's address but is evil.example, and every file: URL starts with
 * `file://`.
 */
import { pathToFileURL } from 'node:url';

/** The renderer: the built index.html, or the electron-vite dev server's page. */
export type RendererLocation = { file: string } | { url: string };

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The dev server's URL from ELECTRON_RENDERER_URL, or null unless it is http(s) on this
 * machine: an environment variable must not turn the app into a browser for any site.
 */
export function devServerUrl(value: string | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    const ok = (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK.has(url.hostname);
    return ok && !url.username && !url.password ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * Whether `url` shows the app: the same origin as the dev server, or the built index.html
 * itself (any query or #route), not another file on the disk.
 */
export function isAppUrl(url: string, renderer: RendererLocation): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if ('url' in renderer) return URL.canParse(renderer.url) && parsed.origin === new URL(renderer.url).origin;
  const index = pathToFileURL(renderer.file);
  return parsed.protocol === 'file:' && parsed.host === '' && parsed.pathname === index.pathname;
}
