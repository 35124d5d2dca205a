/**
 * Raw HTTP and WebSocket bytes over a net.Socket, for requests a well-behaved client (fetch,
 * the ws package) would never send: malformed frames, bad percent-encoding, forged headers.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';

/** Sends `request` as is and resolves with everything the server wrote before it closed (or `ms` passed). */
export function rawRequest(port: number, request: string | Buffer, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.on('data', (d) => (received += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.write(request);
  });
}

/** The status code of the first response line, or 0 when the server answered nothing. */
export function statusOf(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
}

export interface RawSocket {
  socket: net.Socket;
  /** Resolves when the server closes the connection, with what it sent after the handshake. */
  closed: Promise<Buffer>;
}

/** Opens a WebSocket by hand (HTTP upgrade with the token), ready for raw frames. */
export function rawWebSocket(
  port: number,
  token: string,
  headers: Record<string, string> = {},
): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const all: Record<string, string> = {
      Host: `127.0.0.1:${port}`,
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      'Sec-WebSocket-Version': '13',
      ...headers,
    };
    const lines = [`GET /api?token=${token} HTTP/1.1`, ...Object.entries(all).map(([k, v]) => `${k}: ${v}`)];
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    let after = Buffer.alloc(0);
    const closed = new Promise<Buffer>((done) => socket.on('close', () => done(after)));
    socket.on('error', (error) => {
      if (!upgraded) reject(error);
    });
    socket.on('data', (d: Buffer) => {
      if (upgraded) {
        after = Buffer.concat([after, d]);
        return;
      }
      buffer = Buffer.concat([buffer, d]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffer.subarray(0, end).toString('latin1');
      if (!head.startsWith('HTTP/1.1 101')) {
        socket.destroy();
        return reject(new Error(`no upgrade: ${head.split('\r\n')[0]}`));
      }
      upgraded = true;
      after = buffer.subarray(end + 4);
      resolve({ socket, closed });
    });
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

/**
 * One WebSocket frame: `first` is the FIN/RSV/opcode byte. Masked (as a client must) unless
 * `masked` is false; `declaredLength` lets the header claim more than the payload holds.
 */
export function frame(
  first: number,
  payload: Buffer,
  options: { masked?: boolean; declaredLength?: number } = {},
): Buffer {
  const masked = options.masked ?? true;
  const length = options.declaredLength ?? payload.length;
  const maskBit = masked ? 0x80 : 0;
  let header: Buffer;
  if (length < 126) header = Buffer.from([first, maskBit | length]);
  else if (length < 65536) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = maskBit | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([header, mask, body]);
}

/** One HTTP request with exactly the given headers (fetch would add or forbid some). */
export function httpRequest(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { Host: `127.0.0.1:${port}`, ...options.headers },
        agent: false,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (d: string) => (body += d));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}
