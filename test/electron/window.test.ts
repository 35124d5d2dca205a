/** The main window's security settings and navigation rules, with a fake BrowserWindow. */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
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

test('navigation away from the app and new windows are blocked', () => {
  const window = make({ url: 'http://localhost:5173' });
  assert.equal(window.loaded, 'http://localhost:5173');
  const navigate = (url: string) => {
    let prevented = false;
    window.webContents.emit('will-navigate', { preventDefault: () => (prevented = true) }, url);
    return prevented;
  };
  assert.equal(navigate('https://example.com/phish'), true);
  assert.equal(navigate('http://localhost:5173/#/runs'), false);
  assert.deepEqual(window.webContents.openHandler!(), { action: 'deny' });
  let webviewBlocked = false;
  window.webContents.emit('will-attach-webview', { preventDefault: () => (webviewBlocked = true) });
  assert.equal(webviewBlocked, true);
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
});
