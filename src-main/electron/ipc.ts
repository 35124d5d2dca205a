/**
 * Serves the WorkbenchApi over Electron IPC: one channel for every request (dispatched by the
 * same generic dispatcher as the WebSocket), one for pushed events. Every message's sender is
 * checked: only the app's own top-level page may call. Paths in requests must be ones the user
 * gave (path-grants.ts): dropped files to import, a folder chosen in the dialog to export to.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents, WebFrameMain } from 'electron';
import { IPC_CHANNELS } from '../common/api/bridge.ts';
import type {
  ApiRequestMessage,
  ApiResponseMessage,
  WorkbenchApi,
  WorkbenchEvent,
} from '../common/api/contract.ts';
import { dispatch } from '../common/api/dispatch.ts';
import { isAppUrl, type RendererLocation } from './app-url.ts';
import { PathGrants } from './path-grants.ts';

export interface IpcDeps {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  /** Shows a folder picker (Electron's dialog); null when cancelled. */
  chooseFolder: () => Promise<string | null>;
}

/** A sender is trusted when it is a top-level frame showing the app's own page. */
export function isTrustedSender(
  frame: Pick<WebFrameMain, 'url' | 'parent'> | null,
  renderer: RendererLocation,
): boolean {
  return !!frame && !frame.parent && isAppUrl(frame.url, renderer);
}

/** Why a request names a path the user did not give, or null when it names none such. */
export function ungrantedPath(grants: PathGrants, message: ApiRequestMessage): string | null {
  const request = (Array.isArray(message?.args) ? message.args[0] : undefined) as
    { paths?: unknown; outDir?: unknown } | undefined;
  if (message?.method === 'importDataset' && request?.paths !== undefined) {
    const paths = Array.isArray(request.paths) ? request.paths : [request.paths];
    if (!paths.every((p) => grants.allows('dropped', p)))
      return 'only files and folders dropped on the window can be imported';
  }
  if (
    message?.method === 'exportRun' &&
    request?.outDir !== undefined &&
    !grants.allows('chosen-folder', request.outDir)
  )
    return 'choose the export folder with “Choose folder…”';
  return null;
}

export function registerApiIpc(
  deps: IpcDeps,
  api: WorkbenchApi,
  onEvent: (listener: (event: WorkbenchEvent) => void) => () => void,
  target: () => WebContents | null,
  renderer: RendererLocation,
  grants: PathGrants = new PathGrants(),
): () => void {
  const check = (event: IpcMainInvokeEvent) => {
    if (!isTrustedSender(event.senderFrame, renderer)) throw new Error('IPC from an untrusted sender');
  };
  deps.ipcMain.handle(IPC_CHANNELS.request, async (event, message: ApiRequestMessage) => {
    check(event);
    const id = message?.id ?? 0;
    const refused = ungrantedPath(grants, message);
    if (refused) return { kind: 'response', id, ok: false, error: refused } satisfies ApiResponseMessage;
    return dispatch(api, id, message?.method, message?.args);
  });
  deps.ipcMain.handle(IPC_CHANNELS.chooseFolder, async (event) => {
    check(event);
    const folder = await deps.chooseFolder();
    if (folder) grants.grant('chosen-folder', [folder]);
    return folder;
  });
  // The preload reports the paths Electron gave it for dropped File objects; a page's script
  // cannot make such a File for a path the user did not drop.
  deps.ipcMain.handle(IPC_CHANNELS.grantDropped, async (event, paths: unknown) => {
    check(event);
    if (Array.isArray(paths))
      grants.grant(
        'dropped',
        paths.filter((p): p is string => typeof p === 'string'),
      );
  });
  const unsubscribe = onEvent((event) => {
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(IPC_CHANNELS.event, event);
  });
  return () => {
    unsubscribe();
    deps.ipcMain.removeHandler(IPC_CHANNELS.request);
    deps.ipcMain.removeHandler(IPC_CHANNELS.chooseFolder);
    deps.ipcMain.removeHandler(IPC_CHANNELS.grantDropped);
  };
}
