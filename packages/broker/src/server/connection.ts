// Connection: one client connection over a byte stream (a net.Socket from the SocketServer, or any
// Duplex: tests use an in-memory pair; SSL listeners hand it their TLS socket). Splits the byte
// stream into frames (request-receiver.ts), hands each to the FrameProcessor, and writes responses
// strictly in request order even when the processor finishes them out of order (a long-polling
// Fetch ahead of a quick Metadata). A null response means "no response" (acks=0 Produce); its slot
// is dropped in order. CLOSE_CONNECTION means "no response, and close": the responses ahead of it
// are written, then the socket is ended and later requests are dropped (Kafka's
// CloseConnectionResponse, used for a failed acks=0 Produce). CloseAfterResponse is a last
// response: written after the ones ahead of it, then the connection closes the same way (a failed
// SASL authentication, server/sasl/).
//
// Memory bound (Kafka's channel muting): the socket is read only while
//   - fewer than `maxInFlightRequests` requests are in flight (dispatched, response not yet handed
//     to the socket), handled concurrently and answered in order. Kafka handles one at a time (the
//     channel is muted from a complete request until its response is sent); the broker's default
//     here is a window of 500, which lets a producer's pipelined acks=all / fsync produces wait
//     together (broker-node.ts, with the measurements);
//   - no request waits for another of its kind: at most one Fetch (FrameProcessor.oneInFlight:
//     its response may hold fetch.max.bytes) is in flight per connection; a second one, and
//     everything behind it, waits until the first one's response is written. Other requests are
//     handled alongside a Fetch, as before (a ListOffsets or a Produce behind a long poll is not
//     held up by it; only its response waits its turn);
//   - the socket's unsent output is under its high-water mark (no 'drain' pending: a client that
//     does not read its responses stops being read);
//   - the bytes held (requests being handled + responses waiting their turn) are under
//     `maxInFlightBytes`;
//   - the broker-wide queued.max.request.bytes pool has memory for the request being received
//     (request-memory-pool.ts);
//   - no quota throttle mutes it (`info.throttle(ms)`, quota/, KIP-219: the responses already due
//     are still written).
// Reading resumes as these clear ('drain', a response written, memory released, the mute over).
// So a connection holds at most maxInFlightRequests requests and their responses, of which one
// Fetch response at most, plus a socket read chunk, whatever the client sends or fails to read.
//
// Writes: responses completed during one event-loop turn are written together between cork() and
// uncork() (one writev), which matters for small pipelined requests. Through a ResponseOutput
// (response-output.ts): a zero-copy Fetch answer's records are regions of segment files, sent with
// sendfile(2) in order with the bytes around them; while one is being sent no request is read
// (as while a write waits for 'drain').
//
// Buffer reuse: a request frame assembled into a buffer of storage's dataBufferPool goes back to
// the pool once answered when the processor says nothing keeps it (`recyclable`: Produce); pooled
// buffers in a response (fetched records) go back once the socket write of the batch completed.
//
// Timeouts (each 0 = none): `idleMs`, connections.max.idle.ms: the socket is closed after that long
// without reads or writes while nothing is in flight (the socket's own inactivity timer,
// net.Socket.setTimeout, so a Duplex that is not a net.Socket has none). `requestReadTimeoutMs`,
// tributary.request.read.timeout.ms (Kafka has none): a request whose first bytes arrived is
// closed if it is not complete that long later, counted while the connection reads or waits for
// request memory (not while the broker itself holds reading back): half-sent frames and stalled
// senders give their memory back. A frame over socket.request.max.bytes, a negative size, or a
// processor error closes this connection only.
//
// The peer's address and the listener come in `info` (a Duplex has no remote address).
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Sendfile } from '@tributary/sendfile';
import { FileRecords, dataBufferPool } from '@tributary/storage';
import type { Logger } from '../logger.ts';
import type { SecurityProtocol } from '../config/listeners.ts';
import type { KafkaPrincipal } from './authorizer.ts';
import { FrameError } from './frame-reader.ts';
import { RequestReceiver, type ReceivedRequest } from './request-receiver.ts';
import { UNBOUNDED_REQUEST_MEMORY, type RequestMemoryPool } from './request-memory-pool.ts';
import { ResponseOutput } from './response-output.ts';

export interface ConnectionInfo {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly listenerName: string;
  /** The listener's security protocol; absent = PLAINTEXT. */
  readonly securityProtocol?: SecurityProtocol;
  /**
   * Who is connected: User:ANONYMOUS on PLAINTEXT listeners (no authentication). Set by the
   * listener's authentication (a TLS client certificate's subject, a SASL login), which may change
   * it once more on re-authentication.
   */
  principal: KafkaPrincipal;
  /**
   * Fetch answers may carry regions of segment files (FileRecords), which the connection sends with
   * sendfile(2): a plaintext socket of a broker with zero-copy on. Absent = bytes only.
   */
  readonly zeroCopy?: boolean;
  /**
   * Mutes the connection for `ms` (set by the Connection): no request is read until then, as Kafka
   * mutes a throttled client's channel (KIP-219). Responses keep going out.
   */
  throttle?(ms: number): void;
}

/**
 * A complete response frame (with its 4-byte size prefix), or null for no response. A list of
 * buffers is one frame written in order (records spliced in without copying); its records may be
 * regions of segment files (FileRecords, zero-copy: only to a connection whose info.zeroCopy is set).
 */
export type ResponseFrame = Buffer | Array<Buffer | FileRecords> | null | typeof CLOSE_CONNECTION | CloseAfterResponse;

/** A response that sends nothing and closes the connection once the responses ahead of it are written. */
export const CLOSE_CONNECTION: unique symbol = Symbol('CLOSE_CONNECTION');

/** A last response: written, then the connection is closed (a failed SASL authentication, as Kafka). */
export class CloseAfterResponse {
  constructor(
    readonly frame: Buffer,
    readonly reason: string,
  ) {}
}

/** Smaller response chunks cannot be pooled buffers (the pool's smallest class is 64 KiB, and
 *  fetched records under 4 KiB are copied into the frame). */
const POOLED_MIN = 4096;

/** Node treats timers over 2^31-1 ms as 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Bytes a response holds in memory (file regions hold none). */
function frameBytes(r: ResponseFrame): number {
  if (r === null || r === CLOSE_CONNECTION) return 0;
  if (r instanceof CloseAfterResponse) return r.frame.length;
  if (!Array.isArray(r)) return r.length;
  let n = 0;
  for (const b of r) if (!(b instanceof FileRecords)) n += b.length;
  return n;
}

/** Unpins the file regions of a response that will not be sent. */
function releaseRegions(r: ResponseFrame): void {
  if (Array.isArray(r)) for (const b of r) if (b instanceof FileRecords) b.release();
}

export interface FrameProcessor {
  /**
   * Handles one request frame (without its size prefix). May answer synchronously or with a promise.
   * Throwing or rejecting closes the connection. `signal` aborts when the connection closes or the
   * broker shuts down: long-running handlers (long-polling Fetch) should answer early then.
   */
  process(frame: Buffer, conn: ConnectionInfo, signal: AbortSignal): ResponseFrame | Promise<ResponseFrame>;
  /**
   * True when nothing keeps a reference into `frame` once its response is complete, so a pooled
   * frame buffer can be reused (Produce: the records were written to the log). Absent = never.
   */
  recyclable?(frame: Buffer): boolean;
  /**
   * True for a request whose response may be large (Fetch): at most one of them is in flight on a
   * connection; a second one, and everything behind it, waits until the first one's response is
   * written. Absent = never.
   */
  oneInFlight?(frame: Buffer): boolean;
}

export interface ConnectionLimits {
  maxFrameBytes: number;
  idleMs: number;
  maxInFlightRequests: number;
  maxInFlightBytes: number;
  /** tributary.request.read.timeout.ms: a request must arrive whole within this long of its first bytes; 0 = no limit. */
  requestReadTimeoutMs?: number;
}

interface Slot {
  requestBytes: number;
  /** FrameProcessor.oneInFlight: no other such request is dispatched while it is in flight. */
  single: boolean;
  /** Bytes of the broker-wide request memory pool held until the request is answered. */
  reserved: number;
  /** The request frame while it may go back to the buffer pool when answered. */
  frame: Buffer | null;
  done: boolean;
  response: ResponseFrame;
}

export class Connection {
  private readonly receiver: RequestReceiver;
  private readonly slots: Slot[] = [];
  /** Requests in flight of which one at a time (FrameProcessor.oneInFlight): 0 or 1. */
  private singlesInFlight = 0;
  /** Such a request received while another was in flight: it (and all behind it) waits for it. */
  private waitingSingle: ReceivedRequest | null = null;
  /** Bytes of requests being handled plus responses waiting for their turn. */
  private heldBytes = 0;
  /** The socket is paused (by us). */
  private paused = false;
  /** Set while a quota throttle mutes reading (Kafka's channel mute, KIP-219). */
  private muteTimer: NodeJS.Timeout | null = null;
  private mutedUntil = 0;
  /** Armed while a request is partly received (tributary.request.read.timeout.ms). */
  private readTimer: NodeJS.Timeout | null = null;
  private flushScheduled = false;
  /** No new requests are dispatched (the broker is stopping). */
  private draining = false;
  /** The peer closed its side: answer the complete requests received, then close. */
  private inputEnded = false;
  private closed = false;
  private ending = false;
  private readonly abort = new AbortController();
  private readonly output: ResponseOutput;
  private readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    private readonly socket: Duplex,
    readonly info: ConnectionInfo,
    private readonly processor: FrameProcessor,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
    memoryPool: RequestMemoryPool = UNBOUNDED_REQUEST_MEMORY,
    /** The sendfile addon for the file regions of zero-copy answers (info.zeroCopy); null: none are sent. */
    sendfile: Sendfile | null = null,
  ) {
    this.receiver = new RequestReceiver(limits.maxFrameBytes, memoryPool, () => this.pump());
    this.output = new ResponseOutput(
      socket,
      sendfile,
      () => this.pump(),
      (reason) => this.close(reason),
    );
    this.closedPromise = new Promise((r) => (this.resolveClosed = r));
    info.throttle = (ms) => this.throttle(ms);
    if (socket instanceof Socket) {
      socket.setNoDelay(true);
      // Node treats timers over 2^31-1 ms as 1 ms: larger values (Long.MAX_VALUE) mean "never".
      if (limits.idleMs > 0 && limits.idleMs <= MAX_TIMER_MS) socket.setTimeout(limits.idleMs);
    }
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onInputEnded());
    socket.on('drain', () => this.pump());
    socket.on('timeout', () => this.onIdle());
    socket.on('error', (err) => this.close(`socket error: ${err.message}`));
    socket.on('close', () => this.close());
  }

  get inFlightRequests(): number {
    return this.slots.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Resolves once the socket is closed. */
  whenClosed(): Promise<void> {
    return this.closedPromise;
  }

  /**
   * Graceful close: dispatch nothing more, tell handlers to finish (abort signal), send the answers to
   * requests already being handled, then end the socket.
   */
  drain(): Promise<void> {
    if (!this.closed && !this.draining) {
      this.draining = true;
      this.updateReading();
      this.abort.abort();
      this.maybeEnd();
    }
    return this.closedPromise;
  }

  /** Closes immediately, dropping unanswered requests. Safe to call more than once. */
  close(reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    if (reason)
      this.log.debug('closing connection', { id: this.info.id, remote: `${this.info.remoteAddress}:${this.info.remotePort}`, reason });
    this.abort.abort();
    this.dropSlots();
    this.output.destroy();
    this.receiver.releaseAll();
    if (this.muteTimer) clearTimeout(this.muteTimer);
    if (this.readTimer) clearTimeout(this.readTimer);
    this.socket.destroy();
    this.resolveClosed();
  }

  private onInputEnded(): void {
    this.inputEnded = true;
    this.maybeEnd();
  }

  private onData(chunk: Buffer): void {
    if (this.closed || this.draining) return;
    this.receiver.push(chunk);
    this.pump();
  }

  /** Whether another request may be dispatched now (see the memory bound in the header). */
  private mayDispatch(): boolean {
    return (
      !this.closed &&
      !this.draining &&
      this.muteTimer === null &&
      this.slots.length < this.limits.maxInFlightRequests &&
      !this.output.busy &&
      (this.waitingSingle === null || this.singlesInFlight === 0) &&
      !this.socket.writableNeedDrain &&
      this.heldBytes <= this.limits.maxInFlightBytes
    );
  }

  /** Dispatches received requests while allowed, then reads on or not accordingly. */
  private pump(): void {
    while (this.mayDispatch()) {
      let received = this.waitingSingle;
      this.waitingSingle = null;
      if (received === null) {
        try {
          received = this.receiver.next();
        } catch (err) {
          if (err instanceof FrameError) this.log.warn('closing connection: bad frame', { id: this.info.id, error: err.message });
          this.close((err as Error).message);
          return;
        }
        if (received === null) break;
        if (this.singlesInFlight > 0 && this.processor.oneInFlight?.(received.frame) === true) {
          this.waitingSingle = received; // once the one in flight is answered and written
          continue;
        }
      }
      this.dispatch(received);
    }
    this.updateReading();
    this.maybeEnd();
  }

  /** Pauses or resumes the socket, and arms or disarms the request-read timeout. */
  private updateReading(): void {
    if (this.closed) return;
    const read = this.mayDispatch() && !this.receiver.awaitingMemory;
    if (read && this.paused) {
      this.paused = false;
      this.socket.resume();
    } else if (!read && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    const timing = (read || this.receiver.awaitingMemory) && !this.inputEnded && this.receiver.hasPartialRequest;
    const ms = this.limits.requestReadTimeoutMs ?? 0;
    if (timing && this.readTimer === null && ms > 0 && ms <= MAX_TIMER_MS) {
      this.readTimer = setTimeout(() => this.onReadTimeout(), ms);
    } else if (!timing && this.readTimer !== null) {
      clearTimeout(this.readTimer);
      this.readTimer = null;
    }
  }

  private onReadTimeout(): void {
    this.readTimer = null;
    const waiting = this.receiver.awaitingMemory;
    this.log.info('closing connection: request not received in time (tributary.request.read.timeout.ms)', {
      id: this.info.id,
      remote: `${this.info.remoteAddress}:${this.info.remotePort}`,
      timeoutMs: this.limits.requestReadTimeoutMs,
      ...(waiting ? { waitingFor: 'request memory (queued.max.request.bytes)' } : {}),
    });
    this.close('request read timeout');
  }

  private dispatch({ frame, reserved }: ReceivedRequest): void {
    const pooled = dataBufferPool.owns(frame) && this.processor.recyclable?.(frame) === true;
    const single = this.processor.oneInFlight?.(frame) === true;
    if (single) this.singlesInFlight++;
    const slot: Slot = { requestBytes: frame.length, single, reserved, frame: pooled ? frame : null, done: false, response: null };
    this.slots.push(slot);
    this.heldBytes += frame.length;
    let result: ResponseFrame | Promise<ResponseFrame>;
    try {
      result = this.processor.process(frame, this.info, this.abort.signal);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (res) => this.complete(slot, res),
        (err) => this.fail(err),
      );
    } else {
      this.complete(slot, result);
    }
  }

  private complete(slot: Slot, response: ResponseFrame): void {
    if (this.closed) {
      releaseRegions(response);
      return;
    }
    slot.done = true;
    slot.response = response;
    if (slot.frame) {
      dataBufferPool.release(slot.frame);
      slot.frame = null;
    }
    this.heldBytes += frameBytes(response) - slot.requestBytes;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => this.flush());
    }
    // last: giving memory back may wake connections waiting for it (this one too)
    this.releaseReservation(slot);
  }

  private releaseReservation(slot: Slot): void {
    const n = slot.reserved;
    slot.reserved = 0;
    if (n > 0) this.receiver.release(n);
  }

  /** Forgets every request in flight, giving their memory back. */
  private dropSlots(): void {
    const dropped = this.slots.splice(0);
    this.heldBytes = 0;
    for (const slot of dropped) {
      this.releaseReservation(slot);
      if (slot.done) releaseRegions(slot.response);
    }
    this.singlesInFlight = 0;
    const waiting = this.waitingSingle;
    this.waitingSingle = null;
    if (waiting && waiting.reserved > 0) this.receiver.release(waiting.reserved);
  }

  private fail(err: unknown): void {
    if (this.closed) return;
    const message = err instanceof Error ? err.message : String(err);
    this.log.warn('closing connection: request failed', { id: this.info.id, error: message });
    this.close(message);
  }

  /** Writes every answered response at the head of the queue, in request order, in one corked batch. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.closed) return;
    const head = this.slots[0];
    if (head?.done) {
      this.socket.cork();
      let last: Buffer | FileRecords | null = null;
      let pooled: Buffer[] | null = null;
      let closeAfter: string | null = null;
      while (this.slots.length && this.slots[0]!.done) {
        const slot = this.slots.shift()!;
        if (slot.single) this.singlesInFlight--;
        if (slot.response === CLOSE_CONNECTION) {
          closeAfter = 'closed by the handler (failed acks=0 Produce)';
          break;
        }
        if (slot.response instanceof CloseAfterResponse) {
          if (last) this.output.write(last);
          last = slot.response.frame;
          closeAfter = slot.response.reason;
          break;
        }
        if (slot.response) {
          this.heldBytes -= frameBytes(slot.response);
          for (const b of Array.isArray(slot.response) ? slot.response : [slot.response]) {
            if (last) this.output.write(last);
            last = b;
            if (!(b instanceof FileRecords) && b.length >= POOLED_MIN && dataBufferPool.owns(b)) (pooled ??= []).push(b);
          }
        }
      }
      // The last write's callback gives pooled buffers (fetched records) back: writes complete in
      // order, so all of them are out. Reading resumes on 'drain' when the writes went over the
      // socket's high-water mark, else right below.
      if (last) {
        if (pooled) {
          const done = pooled;
          this.output.write(last, () => {
            for (const b of done) dataBufferPool.release(b);
          });
        } else {
          this.output.write(last);
        }
      }
      this.socket.uncork();
      if (closeAfter !== null) {
        this.endAfterWrites(closeAfter);
        return;
      }
    }
    this.pump();
  }

  /** Ends the socket once what was written is out; later requests are dropped unanswered. */
  private endAfterWrites(reason: string): void {
    this.draining = true;
    this.ending = true;
    this.updateReading();
    this.abort.abort();
    this.dropSlots();
    this.output.whenIdle(() => this.socket.end(() => this.close(reason)));
  }

  private maybeEnd(): void {
    // (When reading, pump() has dispatched every complete frame; a partial one is dropped.)
    const done = this.draining || (this.inputEnded && !this.paused);
    if (done && !this.ending && !this.closed && this.slots.length === 0 && !this.output.busy) {
      this.ending = true;
      // Once our output is handed to the kernel, close without waiting for the peer's FIN.
      this.socket.end(() => this.close());
    }
  }

  /** Stops reading for `ms` (extends a shorter mute in progress). */
  private throttle(ms: number): void {
    if (ms <= 0 || this.closed || this.draining) return;
    const until = Date.now() + ms;
    if (this.muteTimer !== null) {
      if (until <= this.mutedUntil) return;
      clearTimeout(this.muteTimer);
    }
    this.mutedUntil = until;
    this.muteTimer = setTimeout(() => this.unmute(), ms);
    this.updateReading();
  }

  private unmute(): void {
    this.muteTimer = null;
    this.pump();
  }

  private onIdle(): void {
    // The timer re-arms on the next read or write, so a connection busy with a long poll is checked
    // again after its answer is written.
    if (this.slots.length === 0 && !this.output.busy) this.close('idle (connections.max.idle.ms)');
  }
}
