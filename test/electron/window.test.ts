/**
 * The main window's security settings and navigation rules (parsed URLs, the app's own
 * index.html only), with a fake BrowserWindow; and which dev-server URLs are accepted.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import { devServerUrl } from '../../src-main/electron/app-url.ts';
import {
  CONTENT_SECURITY_POLICY,
  createMainWindow,
  enforceContentSecurityPolicy,
} from '../../src-main/electron/window.ts';

class FakeWebContents extends EventEmitter {
  openHandler: (() => { action: string }) | null = null;
  setWindowOpenHandler(handler: () => { action: string }) {
    this.openHandler = handler;
  }
}

class FakeWindow extends EventEmitter {
  static last: FakeWindow;
  readonly webContents = new FakeWebContents();
  loaded: string | null = null;
  readonly options: BrowserWindowConstructorOptions;
  constructor(options: BrowserWindowConstructorOptions) {
    super();
    this.options = options;
    FakeWindow.last = this;
  }
  loadFile(file: string) {
    this.loaded = `file:${file}`;
    return Promise.resolve();
  }
  loadURL(url: string) {
    this.loaded = url;
    return Promise.resolve();
  }
  show() {}
}

const make = (renderer: { file: string } | { url: string }) => {
  createMainWindow(
    { BrowserWindow: FakeWindow as unknown as new (o: BrowserWindowConstructorOptions) => BrowserWindow },
    { preloadPath: '/app/preload/index.cjs', renderer },
  );
  return FakeWindow.last;
};

test('context isolation and the sandbox on, no Node in the page, the preload set', () => {
  const prefs = make({ file: '/app/renderer/index.html' }).options.webPreferences!;
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.sandbox, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.nodeIntegrationInWorker, false);
  assert.equal(prefs.webSecurity, true);
  assert.equal(prefs.webviewTag, false);
  assert.equal(prefs.preload, '/app/preload/index.cjs');
});

/** Whether the window blocks a navigation (or a redirect) to `url`. */
const blocks = (window: FakeWindow, url: string, event = 'will-navigate') => {
  let prevented = false;
  window.webContents.emit(event, { preventDefault: () => (prevented = true) }, url);
  return prevented;
};

test('navigation away from the app and new windows are blocked', () => {
  const window = make({ url: 'http://localhost:5173' });
  assert.equal(window.loaded, 'http://localhost:5173');
  const navigate = (url: string) => blocks(window, url);
  assert.equal(navigate('https://example.com/phish'), true);
  assert.equal(navigate('http://localhost:5173/#/runs'), false);
  // Prefixes of the dev server's address that are other hosts.
  assert.equal(navigate('http://localhost:5173@evil.example/'), true);
  assert.equal(navigate('http://localhost:5173.evil.example/'), true);
  assert.equal(navigate('file:///etc/passwd'), true);
  assert.equal(blocks(window, 'https://example.com/', 'will-redirect'), true);
  assert.deepEqual(window.webContents.openHandler!(), { action: 'deny' });
  let webviewBlocked = false;
  window.webContents.emit('will-attach-webview', { preventDefault: () => (webviewBlocked = true) });
  assert.equal(webviewBlocked, true);
});

test('the built app may show its own index.html, and no other file', () => {
  const window = make({ file: '/app/renderer/index.html' });
  assert.equal(blocks(window, 'file:///app/renderer/index.html#/runs/2'), false);
  for (const url of [
    'file:///etc/passwd',
    'file:///home/me/Downloads/page.html',
    'file:///app/renderer/other.html',
    'file://attacker-share/app/renderer/index.html',
    'http://localhost:5173/',
  ])
    assert.equal(blocks(window, url), true, url);
});

test('the dev server is used only when it is on this machine', () => {
  assert.equal(devServerUrl('http://localhost:5173'), 'http://localhost:5173/');
  assert.equal(devServerUrl('http://127.0.0.1:5173/'), 'http://127.0.0.1:5173/');
  for (const value of [
    undefined,
    '',
    'not a url',
    'https://evil.example/',
    'http://localhost:5173@evil.example/',
    'http://user:pw@localhost:5173/',
    'file:///tmp/index.html',
    'javascript:alert(1)',
  ])
    assert.equal(devServerUrl(value), null, String(value));
});

test('the built app loads its renderer from a file; the CSP header is added to every response', () => {
  assert.equal(make({ file: '/app/renderer/index.html' }).loaded, 'file:/app/renderer/index.html');
  let listener:
    ((d: { responseHeaders: Record<string, string[]> }, cb: (r: unknown) => void) => void) | null = null;
  enforceContentSecurityPolicy({
    webRequest: { onHeadersReceived: (l: typeof listener) => (listener = l) },
  } as never);
  let result: { responseHeaders: Record<string, string[]> } | null = null;
  listener!({ responseHeaders: { 'X-Other': ['1'] } }, (r) => (result = r as typeof result));
  assert.deepEqual(result!.responseHeaders['Content-Security-Policy'], [CONTENT_SECURITY_POLICY]);
  assert.match(CONTENT_SECURITY_POLICY, /script-src 'self'/);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-eval/);
  // No WebSocket (or fetch) to any other host: connect-src is the page's own origin only.
  assert.match(CONTENT_SECURITY_POLICY, /connect-src 'self';/);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /\bwss?:/);
});
