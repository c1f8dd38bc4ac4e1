// RequestReceiver: the reading side of a Connection. Splits the bytes received into request frames
// (frame-reader.ts: socket.request.max.bytes, pooled assembly) and reserves each request's size in
// the broker-wide RequestMemoryPool (queued.max.request.bytes) before handing it out:
//   - a frame not complete yet reserves its size as soon as its 4-byte prefix has arrived, so the
//     bytes still to come are accounted for while they arrive (Kafka's NetworkReceive allocating
//     from the MemoryPool once the size is read);
//   - a frame that arrived whole reserves its size when it is taken.
// When the pool refuses, the receiver holds what it has (a complete frame is kept aside) and is
// "awaiting memory": the connection stops reading until the pool calls `onMemory`, then asks again.
// Each frame handed out carries its reservation; the connection releases it once the request is
// answered (release()), or everything at close (releaseAll()).
import type { RequestMemoryPool } from './request-memory-pool.ts';
import { FrameReader } from './frame-reader.ts';

export interface ReceivedRequest {
  frame: Buffer;
  /** Bytes reserved in the pool for it: give them back with release(). */
  reserved: number;
}

export class RequestReceiver {
  private readonly reader: FrameReader;
  /** Size reserved for the frame being received (its prefix read, not all of it yet); -1 when none. */
  private incomingReserved = -1;
  /** A complete frame taken from the reader while the pool had no memory for it. */
  private heldFrame: Buffer | null = null;
  private awaiting = false;
  private released = false;

  constructor(
    maxFrameBytes: number,
    private readonly pool: RequestMemoryPool,
    private readonly onMemory: () => void,
  ) {
    this.reader = new FrameReader(maxFrameBytes);
  }

  /** Waiting for the pool to release memory: nothing more should be read until onMemory. */
  get awaitingMemory(): boolean {
    return this.awaiting;
  }

  /** Part of a request has arrived and not all of it (or a whole one waits for memory). */
  get hasPartialRequest(): boolean {
    return this.heldFrame !== null || this.reader.pendingFrameSize >= 0 || this.reader.bufferedBytes > 0;
  }

  push(chunk: Buffer): void {
    this.reader.push(chunk);
  }

  /**
   * The next complete request with its reservation, or null (none complete yet, or the pool is out
   * of memory: see awaitingMemory). Throws FrameError on a bad size prefix.
   */
  next(): ReceivedRequest | null {
    if (this.awaiting || this.released) return null;
    if (this.heldFrame) {
      const frame = this.heldFrame;
      if (!this.reserve(frame.length)) return null;
      this.heldFrame = null;
      return { frame, reserved: frame.length };
    }
    const frame = this.reader.next();
    if (frame === null) {
      const size = this.reader.pendingFrameSize;
      if (size >= 0 && this.incomingReserved < 0 && this.reserve(size)) this.incomingReserved = size;
      return null;
    }
    if (this.incomingReserved >= 0) {
      const reserved = this.incomingReserved;
      this.incomingReserved = -1;
      return { frame, reserved };
    }
    if (!this.reserve(frame.length)) {
      this.heldFrame = frame;
      return null;
    }
    return { frame, reserved: frame.length };
  }

  /** Gives back the reservation of a request handed out by next(). */
  release(bytes: number): void {
    this.pool.release(bytes);
  }

  /** The connection closed: gives back the partial frame's reservation and stops waiting. */
  releaseAll(): void {
    if (this.released) return;
    this.released = true;
    this.pool.cancelWait(this.wake);
    this.awaiting = false;
    this.heldFrame = null;
    if (this.incomingReserved > 0) this.pool.release(this.incomingReserved);
    this.incomingReserved = -1;
  }

  private reserve(bytes: number): boolean {
    if (this.pool.tryAllocate(bytes)) return true;
    this.awaiting = true;
    this.pool.waitForMemory(this.wake);
    return false;
  }

  private readonly wake = (): void => {
    this.awaiting = false;
    this.onMemory();
  };
}
