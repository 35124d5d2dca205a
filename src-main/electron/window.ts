/**
 * The main window, locked down as Electron's security checklist asks: context isolation and
 * the sandbox on, no Node in the page, navigation and new windows blocked, a strict CSP.
 * Electron is passed in (not imported) so this runs and is tested under plain Node.
 */
import type { BrowserWindow, BrowserWindowConstructorOptions, Session } from 'electron';
import { isAppUrl, type RendererLocation } from './app-url.ts';

export interface WindowDeps {
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => BrowserWindow;
}

export interface WindowOptions {
  preloadPath: string;
  /** The renderer: a file path (built app) or an http URL (electron-vite dev server). */
  renderer: RendererLocation;
}

/**
 * The app talks to main over IPC only, so connect-src is 'self' (the dev server's hot reload);
 * no WebSocket or fetch to any other host.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export function secureWebPreferences(preloadPath: string): BrowserWindowConstructorOptions['webPreferences'] {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  };
}

/** Sends the CSP as a response header too, so it also covers the dev server's pages. */
export function enforceContentSecurityPolicy(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
}

export function createMainWindow(deps: WindowDeps, options: WindowOptions): BrowserWindow {
  const window = new deps.BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'GMVAE Workbench',
    webPreferences: secureWebPreferences(options.preloadPath),
  });
  const contents = window.webContents;
  // The page never navigates away from the app (not even to another file on the disk), and
  // never opens windows of its own.
  const stayInApp = (event: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url, options.renderer)) event.preventDefault();
  };
  contents.on('will-navigate', stayInApp);
  contents.on('will-redirect', stayInApp);
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  window.once('ready-to-show', () => window.show());
  if ('url' in options.renderer) void window.loadURL(options.renderer.url);
  else void window.loadFile(options.renderer.file);
  return window;
}
