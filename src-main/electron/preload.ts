/** The preload: exposes exactly one global, `window.gmvae`, through the context bridge. */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { BRIDGE_GLOBAL } from '../common/api/bridge.ts';
import { createPreloadBridge } from './preload-bridge.ts';

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, createPreloadBridge(ipcRenderer, webUtils));
