/** A WorkbenchApi client over the web-mode WebSocket, for tests (the renderer has its own). */
import WebSocket from 'ws';
import { createApiClient, type ApiClient } from '../../src-main/common/api/client.ts';
import type {
  ApiResponseMessage,
  ServerMessage,
  WorkbenchEvent,
} from '../../src-main/common/api/contract.ts';

export async function connect(
  url: string,
  headers: Record<string, string> = {},
): Promise<ApiClient & { events: WorkbenchEvent[]; close(): void }> {
  const socketUrl = url.replace(/^http/, 'ws').replace('/?', '/api?');
  const ws = new WebSocket(socketUrl, { headers });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  let nextId = 1;
  const pending = new Map<number, (m: ApiResponseMessage) => void>();
  const listeners = new Set<(e: WorkbenchEvent) => void>();
  const events: WorkbenchEvent[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as ServerMessage;
    if (message.kind === 'response') pending.get(message.id)?.(message);
    else {
      events.push(message.event);
      for (const l of listeners) l(message.event);
    }
  });
  const client = createApiClient({
    call: (method, args) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, (m) => (m.ok ? resolve(m.result) : reject(new Error(m.error))));
        ws.send(JSON.stringify({ kind: 'request', id, method, args }));
      }),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
  return { ...client, events, close: () => ws.close() };
}

/** Resolves with the first event that matches, or rejects after `ms`. */
export function nextEvent(
  client: ApiClient,
  match: (e: WorkbenchEvent) => boolean,
  ms = 60_000,
): Promise<WorkbenchEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for an event')), ms);
    const off = client.onEvent((e) => {
      if (match(e)) {
        clearTimeout(timer);
        off();
        resolve(e);
      }
    });
  });
}
