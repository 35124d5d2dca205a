/**
 * The Electron main process: a thin shell. It owns the window, the database and the engine
 * processes, and hosts the same WorkbenchService as web mode; everything it does beyond wiring
 * lives in modules that run and are tested under plain Node (window.ts, ipc.ts,
 * engine-launcher.ts, host/).
 */
import { BrowserWindow, app, dialog, ipcMain, session, utilityProcess } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkbenchService } from '../host/workbench-service.ts';
import { PRODUCT_NAME } from '../host/home.ts';
import { Store } from '../host/store/index.ts';
import { devServerUrl, type RendererLocation } from './app-url.ts';
import { utilityProcessLauncher } from './engine-launcher.ts';
import { registerApiIpc } from './ipc.ts';
import { createMainWindow, enforceContentSecurityPolicy } from './window.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
app.setName(PRODUCT_NAME);

let window: BrowserWindow | null = null;
let service: WorkbenchService | null = null;

async function start(): Promise<void> {
  // The CLI's default home is this same folder, so both see the same runs.
  const home = process.env.GMVAE_HOME ? path.resolve(process.env.GMVAE_HOME) : app.getPath('userData');
  const store = await Store.open(home);
  service = new WorkbenchService({
    store,
    home,
    mode: 'electron',
    version: app.getVersion(),
    // Built apart from this bundle (electron.vite.config.ts): only engine processes load TensorFlow.
    launcher: utilityProcessLauncher(utilityProcess, path.join(here, '../engine/engine-process.js')),
  });
  // The dev server only in development, and only on this machine (see app-url.ts).
  const devUrl = app.isPackaged ? null : devServerUrl(process.env.ELECTRON_RENDERER_URL);
  const renderer: RendererLocation = devUrl
    ? { url: devUrl }
    : { file: path.join(here, '../renderer/index.html') };
  enforceContentSecurityPolicy(session.defaultSession);
  registerApiIpc(
    {
      ipcMain,
      chooseFolder: async () => {
        const result = await dialog.showOpenDialog(window!, {
          properties: ['openDirectory', 'createDirectory'],
        });
        return result.canceled ? null : (result.filePaths[0] ?? null);
      },
    },
    service,
    (listener) => service!.onEvent(listener),
    () => window?.webContents ?? null,
    renderer,
  );
  window = createMainWindow(
    { BrowserWindow },
    { preloadPath: path.join(here, '../preload/index.cjs'), renderer },
  );
  window.on('closed', () => (window = null));
}

app.whenReady().then(start, (error: unknown) => {
  dialog.showErrorBox(
    PRODUCT_NAME,
    `Could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  app.quit();
});

app.on('window-all-closed', () => app.quit());

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !service) return;
  // Let training processes checkpoint before the app goes.
  event.preventDefault();
  quitting = true;
  void service.shutdown().finally(() => app.quit());
});
