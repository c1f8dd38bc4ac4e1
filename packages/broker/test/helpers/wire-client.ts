// A raw test client over a socket (connect) or any Duplex (wireClient: the other end of an
// in-memory duplex pair): sends bytes, collects size-prefixed response frames, observes close.
import net from 'node:net';
import type { Duplex } from 'node:stream';

export interface WireClient {
  socket: Duplex;
  send(buf: Buffer): void;
  /** Resolves with the next `n` frames' payloads (without size prefixes). */
  frames(n: number): Promise<Buffer[]>;
  /** Frames received so far and not yet consumed by frames(). */
  readonly pending: Buffer[];
  /** Resolves when the server closes the connection (end of its output). */
  closed: Promise<void>;
  end(): void;
}

export async function connect(port: number): Promise<WireClient> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return wireClient(socket);
}

export function wireClient(socket: Duplex): WireClient {
  let buf = Buffer.alloc(0);
  const pending: Buffer[] = [];
  let waiter: (() => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
      const size = buf.readInt32BE(0);
      pending.push(buf.subarray(4, 4 + size));
      buf = buf.subarray(4 + size);
    }
    waiter?.();
  });
  socket.on('error', () => {});
  let isClosed = false;
  const closed = new Promise<void>((resolve) => {
    const onClosed = () => {
      isClosed = true;
      resolve();
      waiter?.();
    };
    socket.once('end', onClosed);
    socket.once('close', onClosed);
  });
  return {
    socket,
    pending,
    send: (b) => socket.write(b),
    async frames(n) {
      while (pending.length < n) {
        if (socket.destroyed || isClosed) throw new Error(`connection closed after ${pending.length} of ${n} frames`);
        await new Promise<void>((r) => (waiter = r));
        waiter = null;
      }
      return pending.splice(0, n);
    },
    closed,
    end: () => socket.end(),
  };
}

/** A request frame: size, header (v1: apiKey, apiVersion, correlationId, clientId), body. */
export function requestFrame(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  body: Buffer = Buffer.alloc(0),
  opts: { clientId?: string | null; flexible?: boolean } = {},
): Buffer {
  const clientId = opts.clientId === undefined ? 'test' : opts.clientId;
  const cid = clientId === null ? null : Buffer.from(clientId);
  const header = Buffer.alloc(8 + 2 + (cid ? cid.length : 0) + (opts.flexible ? 1 : 0));
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(cid ? cid.length : -1, 8);
  if (cid) cid.copy(header, 10);
  if (opts.flexible) header[header.length - 1] = 0;
  const size = Buffer.alloc(4);
  size.writeInt32BE(header.length + body.length, 0);
  return Buffer.concat([size, header, body]);
}
