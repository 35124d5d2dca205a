/**
 * The generic client side of the contract: given a way to send one request and a way to
 * receive events, it produces an object implementing WorkbenchApi. Used by the renderer over
 * Electron IPC (via the preload) and over the web-mode WebSocket alike.
 */
import { API_METHODS, type ApiMethod, type WorkbenchApi, type WorkbenchEvent } from './contract.ts';

export interface ApiTransport {
  call(method: ApiMethod, args: unknown[]): Promise<unknown>;
  subscribe(listener: (event: WorkbenchEvent) => void): () => void;
}

export interface ApiClient {
  api: WorkbenchApi;
  onEvent(listener: (event: WorkbenchEvent) => void): () => void;
}

export function createApiClient(transport: ApiTransport): ApiClient {
  const api = Object.fromEntries(
    API_METHODS.map((method) => [method, (...args: unknown[]) => transport.call(method, args)]),
  ) as unknown as WorkbenchApi;
  return { api, onEvent: (listener) => transport.subscribe(listener) };
}
