/**
 * The one API client of the renderer: over Electron's preload bridge when `window.gmvae` is
 * present, otherwise over web mode's WebSocket. Every screen imports `api` and `onEvent` from here.
 */
import { createApiClient, type ApiTransport } from '@common/api/client.ts';
import { BRIDGE_GLOBAL, WEB_ROUTES, type PreloadBridge } from '@common/api/bridge.ts';
import { electronTransport, WebSocketTransport, type SocketState } from './transports.ts';
import { socketUrl, takeToken } from './token.ts';

export const bridge: PreloadBridge | null =
  ((window as unknown as Record<string, unknown>)[BRIDGE_GLOBAL] as PreloadBridge | undefined) ?? null;
export const mode: 'electron' | 'web' = bridge ? 'electron' : 'web';

/** Connection to the back end as the banner shows it (always open in Electron). */
class Connection {
  status = $state<SocketState['status']>('open');
  attempts = $state(0);
  retryAt = $state<number | null>(null);
  everOpen = $state(true);
  /** Web mode without a token: the page was not opened from the link `gmvae serve` prints. */
  missingToken = $state(false);
  /** Times the connection came back after a drop (screens then refetch what they missed). */
  reconnects = $state(0);

  update(state: SocketState): void {
    if (state.status === 'open' && this.status !== 'open' && this.everOpen) this.reconnects++;
    this.status = state.status;
    this.attempts = state.attempts;
    this.retryAt = state.retryAt;
    this.everOpen = state.everOpen;
  }
}

export const connection = new Connection();

let token: string | null = null;
let socket: WebSocketTransport | null = null;

function createTransport(): ApiTransport {
  if (bridge) return electronTransport(bridge);
  const taken = takeToken(location.href, sessionStorage);
  token = taken.token;
  if (taken.cleanedUrl !== null) history.replaceState(history.state, '', taken.cleanedUrl);
  connection.missingToken = !token;
  connection.status = 'connecting';
  connection.everOpen = false;
  socket = new WebSocketTransport(socketUrl(location.href, WEB_ROUTES.socket, token), (s) =>
    connection.update(s),
  );
  return socket;
}

export const client = createApiClient(createTransport());
export const api = client.api;
export const onEvent = client.onEvent;

export function retryConnection(): void {
  socket?.retryNow();
}

/** The web-mode token, for HTTP uploads. */
export function webToken(): string | null {
  return token;
}
