/**
 * Serves the WorkbenchApi over Electron IPC: one channel for every request (dispatched by the
 * same generic dispatcher as the WebSocket), one for pushed events. Every message's sender is
 * checked: only the app's own top-level page may call.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents, WebFrameMain } from 'electron';
import { IPC_CHANNELS } from '../common/api/bridge.ts';
import type { ApiRequestMessage, WorkbenchApi, WorkbenchEvent } from '../common/api/contract.ts';
import { dispatch } from '../common/api/dispatch.ts';

export interface IpcDeps {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  /** Shows a folder picker (Electron's dialog); null when cancelled. */
  chooseFolder: () => Promise<string | null>;
}

/** A sender is trusted when it is a top-level frame showing the app's renderer. */
export function isTrustedSender(
  frame: Pick<WebFrameMain, 'url' | 'parent'> | null,
  rendererOrigin: string,
): boolean {
  if (!frame || frame.parent) return false;
  try {
    const url = new URL(frame.url);
    if (rendererOrigin === 'file://') return url.protocol === 'file:';
    return url.origin === rendererOrigin;
  } catch {
    return false;
  }
}

export function registerApiIpc(
  deps: IpcDeps,
  api: WorkbenchApi,
  onEvent: (listener: (event: WorkbenchEvent) => void) => () => void,
  target: () => WebContents | null,
  rendererOrigin: string,
): () => void {
  const check = (event: IpcMainInvokeEvent) => {
    if (!isTrustedSender(event.senderFrame, rendererOrigin)) throw new Error('IPC from an untrusted sender');
  };
  deps.ipcMain.handle(IPC_CHANNELS.request, async (event, message: ApiRequestMessage) => {
    check(event);
    return dispatch(api, message?.id ?? 0, message?.method, message?.args);
  });
  deps.ipcMain.handle(IPC_CHANNELS.chooseFolder, async (event) => {
    check(event);
    return deps.chooseFolder();
  });
  const unsubscribe = onEvent((event) => {
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(IPC_CHANNELS.event, event);
  });
  return () => {
    unsubscribe();
    deps.ipcMain.removeHandler(IPC_CHANNELS.request);
    deps.ipcMain.removeHandler(IPC_CHANNELS.chooseFolder);
  };
}
