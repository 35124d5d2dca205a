/**
 * The two ways the renderer reaches the back end, both behind the generic ApiTransport of
 * common/api/client.ts: Electron's preload bridge (window.gmvae), and web mode's WebSocket
 * carrying ApiRequestMessage / ServerMessage JSON, which reconnects with backoff.
 */
import type { ApiTransport } from '@common/api/client.ts';
import type { ApiMethod, ApiRequestMessage, ServerMessage, WorkbenchEvent } from '@common/api/contract.ts';
import type { PreloadBridge } from '@common/api/bridge.ts';
import { backoffMs } from './token.ts';

export function electronTransport(bridge: PreloadBridge): ApiTransport {
  return {
    call: (method, args) => bridge.call(method, args),
    subscribe: (listener) => bridge.onEvent(listener),
  };
}

export type SocketStatus = 'connecting' | 'open' | 'closed';

export interface SocketState {
  status: SocketStatus;
  /** Failed attempts since the last open connection. */
  attempts: number;
  /** When the next attempt starts (ms since epoch), while closed. */
  retryAt: number | null;
  /** Whether the connection has ever been open (a first failure reads differently). */
  everOpen: boolean;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  message: ApiRequestMessage;
}

/**
 * A WebSocket transport. Requests made while disconnected wait for the next connection;
 * requests in flight when the socket drops fail with a message saying so. After a reconnect,
 * listeners get 'runs-changed' and 'datasets-changed' so every screen refetches what it missed.
 */
export class WebSocketTransport implements ApiTransport {
  readonly #url: string;
  readonly #onState: (state: SocketState) => void;
  readonly #listeners = new Set<(event: WorkbenchEvent) => void>();
  readonly #pending = new Map<number, Pending>();
  readonly #queue: Pending[] = [];
  #socket: WebSocket | null = null;
  #nextId = 1;
  #state: SocketState = { status: 'connecting', attempts: 0, retryAt: null, everOpen: false };
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(url: string, onState: (state: SocketState) => void) {
    this.#url = url;
    this.#onState = onState;
    this.#connect();
  }

  call(method: ApiMethod, args: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const pending: Pending = {
        resolve,
        reject,
        message: { kind: 'request', id: this.#nextId++, method, args },
      };
      if (this.#socket?.readyState === WebSocket.OPEN) this.#send(pending);
      else this.#queue.push(pending);
    });
  }

  subscribe(listener: (event: WorkbenchEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tries now instead of waiting for the backoff (the banner's "Retry now"). */
  retryNow(): void {
    if (this.#state.status !== 'closed') return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#connect();
  }

  #setState(patch: Partial<SocketState>): void {
    this.#state = { ...this.#state, ...patch };
    this.#onState(this.#state);
  }

  #send(pending: Pending): void {
    this.#pending.set(pending.message.id, pending);
    this.#socket!.send(JSON.stringify(pending.message));
  }

  #connect(): void {
    this.#timer = null;
    this.#setState({ status: 'connecting', retryAt: null });
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.#url);
    } catch {
      this.#scheduleRetry();
      return;
    }
    this.#socket = socket;
    socket.onopen = () => {
      const reconnected = this.#state.everOpen;
      this.#setState({ status: 'open', attempts: 0, everOpen: true });
      for (const pending of this.#queue.splice(0)) this.#send(pending);
      if (reconnected) {
        this.#emit({ type: 'runs-changed' });
        this.#emit({ type: 'datasets-changed' });
      }
    };
    socket.onmessage = (message) => {
      let data: ServerMessage;
      try {
        data = JSON.parse(String(message.data)) as ServerMessage;
      } catch {
        return;
      }
      if (data.kind === 'event') this.#emit(data.event);
      else if (data.kind === 'response') {
        const pending = this.#pending.get(data.id);
        if (!pending) return;
        this.#pending.delete(data.id);
        if (data.ok) pending.resolve(data.result);
        else pending.reject(new Error(data.error));
      }
    };
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      for (const pending of this.#pending.values())
        pending.reject(new Error(`the connection to the server was lost during ${pending.message.method}`));
      this.#pending.clear();
      this.#scheduleRetry();
    };
  }

  #scheduleRetry(): void {
    const delay = backoffMs(this.#state.attempts);
    this.#setState({ status: 'closed', attempts: this.#state.attempts + 1, retryAt: Date.now() + delay });
    this.#timer = setTimeout(() => this.#connect(), delay);
  }

  #emit(event: WorkbenchEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error('event listener failed', error);
      }
    }
  }
}
