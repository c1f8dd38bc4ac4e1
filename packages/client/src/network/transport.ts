// One TCP (or TLS) connection to one broker, carrying Kafka frames: requests are written as soon as
// they are sent (pipelined, no waiting for earlier responses), each under a correlation id, and each
// response frame is matched back to its request by the correlation id it starts with. Every request
// has a timeout (`request.timeout.ms`); a timeout closes the connection, failing everything in
// flight, as the Java client does. Requests that expect no response (Produce with acks=0) resolve
// once written. Header and body encoding are the caller's: requests arrive as complete frames
// (with their size prefix), responses leave without it. Timers and the socket factory are injectable.
// Plain TCP sockets read through frame-reader.ts (Node's `onread`: large responses are read in
// place, never copied); TLS and injected sockets go through 'data' events and @tributary/protocol's
// FrameSplitter, which frame-reader.ts builds on.
import net from 'node:net';
import tls from 'node:tls';
import { FrameSplitter } from '@tributary/protocol';
import { DEFAULT_MAX_FRAME_BYTES, FrameReader } from './frame-reader.ts';
import { ConnectionError, RequestTimeoutError } from './errors.ts';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface TransportOptions {
  host: string;
  port: number;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  tls?: tls.ConnectionOptions | true;
  maxFrameBytes?: number;
  timers?: Timers;
  /** Socket factory (tests). Must return a socket that emits 'connect' (or 'secureConnect' with tls). */
  createSocket?: (host: string, port: number) => net.Socket;
}

interface InFlight {
  resolve: (frame: Buffer | null) => void;
  reject: (err: Error) => void;
  timer: unknown;
}

export type TransportState = 'idle' | 'connecting' | 'ready' | 'closed';

export class Transport {
  readonly broker: string;
  private socket: net.Socket | null = null;
  private readonly splitter: FrameSplitter;
  private readonly inFlight = new Map<number, InFlight>();
  private connecting: Promise<void> | null = null;
  private _state: TransportState = 'idle';
  private readonly timers: Timers;
  private closeListeners: Array<(err: Error | null) => void> = [];

  constructor(private readonly options: TransportOptions) {
    this.broker = `${options.host}:${options.port}`;
    this.splitter = new FrameSplitter(options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
    this.timers = options.timers ?? realTimers;
  }

  get state(): TransportState {
    return this._state;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Called once when the connection closes (error or null for a clean close). */
  onClose(listener: (err: Error | null) => void): void {
    this.closeListeners.push(listener);
  }

  connect(): Promise<void> {
    if (this._state === 'ready') return Promise.resolve();
    if (this._state === 'closed') return Promise.reject(new ConnectionError(`connection to ${this.broker} is closed`, this.broker));
    if (this.connecting) return this.connecting;
    this._state = 'connecting';
    this.connecting = new Promise<void>((resolve, reject) => {
      const { host, port } = this.options;
      let socket: net.Socket;
      const useTls = this.options.tls !== undefined;
      if (this.options.createSocket) socket = this.options.createSocket(host, port);
      else if (useTls)
        socket = tls.connect({
          host,
          port,
          servername: net.isIP(host) ? undefined : host,
          ...(this.options.tls === true ? {} : this.options.tls),
        });
      else {
        // plain TCP: reads land where the frame reader says (large responses straight into their own buffer)
        const reader = new FrameReader(this.options.maxFrameBytes);
        socket = net.connect({
          host,
          port,
          onread: { buffer: () => reader.nextBuffer(), callback: (n: number) => this.onRead(reader, n) },
        });
      }
      socket.setNoDelay(true);
      this.socket = socket;
      const timer = this.timers.setTimeout(() => {
        this.fail(new ConnectionError(`connect to ${this.broker} timed out`, this.broker));
      }, this.options.connectTimeoutMs ?? 10000);
      const onConnected = () => {
        this.timers.clearTimeout(timer);
        if (this._state !== 'connecting') return;
        this._state = 'ready';
        this.connecting = null;
        resolve();
      };
      socket.once(useTls && !this.options.createSocket ? 'secureConnect' : 'connect', onConnected);
      if (this.options.createSocket || useTls) socket.on('data', (chunk: Buffer) => this.onData(chunk));
      socket.on('error', (err) => {
        this.timers.clearTimeout(timer);
        this.fail(new ConnectionError(`connection to ${this.broker} failed: ${err.message}`, this.broker, err));
      });
      socket.on('close', () => {
        this.timers.clearTimeout(timer);
        this.fail(new ConnectionError(`connection to ${this.broker} closed`, this.broker));
      });
      this.connectReject = reject;
    });
    return this.connecting;
  }

  private connectReject: ((err: Error) => void) | null = null;

  /**
   * Writes one complete request frame (int32 size prefix, header, body, as @tributary/protocol's
   * encodeRequestFrame makes it, or the same bytes as consecutive buffers) and resolves with the response frame after its size prefix
   * (starting with the correlation id), or with null right after writing when `expectResponse`
   * is false. `onWritten` is called once the socket is done with the frame's buffers (written,
   * or the connection failed), so they may be reused. `flush` writes the request now (with
   * whatever is corked) instead of at the next tick, which may come only after a long run of
   * promise callbacks: a fetch must reach the broker while the application works through
   * buffered records.
   */
  send(
    correlationId: number,
    frame: Buffer | readonly Buffer[],
    expectResponse = true,
    timeoutMs = this.options.requestTimeoutMs ?? 30000,
    onWritten?: () => void,
    flush = false,
  ): Promise<Buffer | null> {
    const socket = this.socket;
    if (this._state !== 'ready' || !socket) {
      return Promise.reject(new ConnectionError(`not connected to ${this.broker}`, this.broker));
    }
    if (this.inFlight.has(correlationId)) return Promise.reject(new Error(`correlation id ${correlationId} already in flight`));
    // cork: requests sent in the same tick leave in one write (a flushed one leaves now, with them)
    if (!socket.writableCorked) {
      socket.cork();
      if (!flush) process.nextTick(() => socket.uncork());
    }
    if (Buffer.isBuffer(frame)) socket.write(frame, onWritten);
    else for (let i = 0; i < frame.length; i++) socket.write(frame[i]!, i === frame.length - 1 ? onWritten : undefined);
    if (flush) while (socket.writableCorked) socket.uncork(); // a pending next-tick uncork then finds nothing to do
    if (!expectResponse) return Promise.resolve(null);
    return new Promise<Buffer | null>((resolve, reject) => {
      const timer = this.timers.setTimeout(() => {
        const entry = this.inFlight.get(correlationId);
        if (!entry) return;
        this.inFlight.delete(correlationId);
        entry.reject(new RequestTimeoutError(`request ${correlationId} to ${this.broker} timed out after ${timeoutMs} ms`, this.broker));
        this.fail(new ConnectionError(`connection to ${this.broker} closed after a request timeout`, this.broker));
      }, timeoutMs);
      this.inFlight.set(correlationId, { resolve, reject, timer });
    });
  }

  /** Closes the connection; in-flight requests fail with a retriable ConnectionError. */
  close(): void {
    this.fail(null);
  }

  private onData(chunk: Buffer): void {
    const frames: Buffer[] = [];
    try {
      this.splitter.push(chunk);
      for (let f = this.splitter.next(); f !== null; f = this.splitter.next()) frames.push(f);
    } catch (err) {
      this.fail(new ConnectionError(`bad frame from ${this.broker}: ${(err as Error).message}`, this.broker, err));
      return;
    }
    this.onFrames(frames);
  }

  private onRead(reader: FrameReader, n: number): boolean {
    let frames: Buffer[];
    try {
      frames = reader.onRead(n);
    } catch (err) {
      this.fail(new ConnectionError(`bad frame from ${this.broker}: ${(err as Error).message}`, this.broker, err));
      return false;
    }
    if (frames.length > 0) this.onFrames(frames);
    return true;
  }

  private onFrames(frames: Buffer[]): void {
    for (const frame of frames) {
      if (frame.length < 4) {
        this.fail(new ConnectionError(`response frame from ${this.broker} too short`, this.broker));
        return;
      }
      const correlationId = frame.readInt32BE(0);
      const entry = this.inFlight.get(correlationId);
      if (!entry) {
        // Kafka answers in order; an unknown id means the stream is out of sync
        this.fail(new ConnectionError(`unexpected correlation id ${correlationId} from ${this.broker}`, this.broker));
        return;
      }
      this.inFlight.delete(correlationId);
      this.timers.clearTimeout(entry.timer);
      entry.resolve(frame);
    }
  }

  private fail(err: Error | null): void {
    if (this._state === 'closed') return;
    const wasConnecting = this._state === 'connecting';
    this._state = 'closed';
    this.connecting = null;
    const error = err ?? new ConnectionError(`connection to ${this.broker} closed`, this.broker);
    if (wasConnecting && this.connectReject) this.connectReject(error);
    this.connectReject = null;
    for (const [id, entry] of this.inFlight) {
      this.timers.clearTimeout(entry.timer);
      entry.reject(error);
      this.inFlight.delete(id);
    }
    this.socket?.destroy();
    this.socket = null;
    for (const l of this.closeListeners) l(err);
    this.closeListeners = [];
  }
}
