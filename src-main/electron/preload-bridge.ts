/**
 * The object the preload exposes as `window.gmvae` (see common/api/bridge.ts). Built from
 * Electron's ipcRenderer and webUtils, passed in so it can be tested without Electron. Only
 * API method names from the contract pass; nothing else of ipcRenderer reaches the page.
 */
import type { IpcRenderer, IpcRendererEvent, WebUtils } from 'electron';
import { IPC_CHANNELS, type PreloadBridge } from '../common/api/bridge.ts';
import { isApiMethod, type ApiResponseMessage, type WorkbenchEvent } from '../common/api/contract.ts';

export function createPreloadBridge(
  ipcRenderer: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>,
  webUtils: Pick<WebUtils, 'getPathForFile'>,
): PreloadBridge {
  let nextId = 1;
  return {
    async call(method, args) {
      if (!isApiMethod(method)) throw new Error(`unknown method ${String(method)}`);
      const response = (await ipcRenderer.invoke(IPC_CHANNELS.request, {
        kind: 'request',
        id: nextId++,
        method,
        args: Array.isArray(args) ? args : [],
      })) as ApiResponseMessage;
      if (!response.ok) throw new Error(response.error);
      return response.result;
    },
    onEvent(listener) {
      const handler = (_event: IpcRendererEvent, event: WorkbenchEvent) => listener(event);
      ipcRenderer.on(IPC_CHANNELS.event, handler);
      return () => void ipcRenderer.removeListener(IPC_CHANNELS.event, handler);
    },
    async pathsForFiles(files) {
      // '' for a File a script made: only what the user dropped has a path.
      const paths = files.map((file) => webUtils.getPathForFile(file)).filter((p) => p !== '');
      await ipcRenderer.invoke(IPC_CHANNELS.grantDropped, paths);
      return paths;
    },
    chooseFolder: async () => (await ipcRenderer.invoke(IPC_CHANNELS.chooseFolder)) as string | null,
  };
}
