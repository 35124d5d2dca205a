/**
 * What the Electron preload exposes to the page, as `window.gmvae`: the API transport and the
 * one Electron-only capability the page needs (turning dropped File objects into paths).
 * Nothing else of Node or Electron reaches the page.
 */
import type { ApiMethod, WorkbenchEvent } from './contract.ts';

export interface PreloadBridge {
  call(method: ApiMethod, args: unknown[]): Promise<unknown>;
  onEvent(listener: (event: WorkbenchEvent) => void): () => void;
  /**
   * Absolute paths of dropped files or folders (Electron's webUtils.getPathForFile), once main
   * has recorded them as given by the user: main imports from no other paths.
   */
  pathsForFiles(files: File[]): Promise<string[]>;
  /** Asks main to show a folder picker; null when cancelled. */
  chooseFolder(): Promise<string | null>;
}

export const BRIDGE_GLOBAL = 'gmvae';

/** The WebSocket path and HTTP routes of web mode (see src-main/server). */
export const WEB_ROUTES = {
  socket: '/api',
  upload: '/upload',
  /** GET /download/ID: a run's export as a zip (ExportSummary.download). */
  download: '/download',
} as const;

/**
 * Electron IPC channels: one for every API request, one for pushed events, one for the folder
 * picker, one for the preload to report the paths of dropped files.
 */
export const IPC_CHANNELS = {
  request: 'gmvae:api',
  event: 'gmvae:event',
  chooseFolder: 'gmvae:choose-folder',
  grantDropped: 'gmvae:grant-dropped',
} as const;
