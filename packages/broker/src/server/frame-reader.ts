// FrameReader: splits a TCP byte stream into Kafka's size-prefixed frames.
//
//   offset size field
//   0      4    Size   int32, big-endian: number of bytes that follow (the request: header + body)
//   4      Size payload
//
// Chunks are kept as a list and only concatenated when a frame spans several of them, so a frame
// inside one chunk is returned as a zero-copy subarray. A negative size or one over `maxFrameBytes`
// (socket.request.max.bytes) is a protocol violation: `next()` throws FrameError and the caller
// closes the connection. Memory held is at most one partial frame plus the unread tail of the
// chunks already received (the caller stops reading while it is paused). Frames assembled from
// several chunks are copied into a buffer of the data buffer pool; the connection may give it back
// once the request is answered (see FrameProcessor.recyclable).
import { dataBufferPool } from '@tributary/storage';

export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Size of the frame being assembled, read from its prefix; -1 while unknown. */
  private pendingSize = -1;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes received but not yet returned as frames. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next complete frame's payload (without its size prefix), or null if not yet received. */
  next(): Buffer | null {
    if (this.pendingSize < 0) {
      if (this.buffered < 4) return null;
      const size = this.readInt32();
      if (size < 0) throw new FrameError(`invalid frame size ${size} (negative)`);
      if (size > this.maxFrameBytes) {
        throw new FrameError(`frame size ${size} is larger than socket.request.max.bytes (${this.maxFrameBytes})`);
      }
      this.pendingSize = size;
    }
    if (this.buffered < this.pendingSize) return null;
    const frame = this.take(this.pendingSize);
    this.pendingSize = -1;
    return frame;
  }

  private readInt32(): number {
    const first = this.chunks[0]!;
    let value: number;
    if (first.length >= 4) value = first.readInt32BE(0);
    else value = Buffer.concat(this.chunks, 4).readInt32BE(0);
    this.consume(4);
    return value;
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    if (n === 0) return Buffer.alloc(0);
    if (first && first.length >= n) {
      const out = first.subarray(0, n);
      this.consume(n);
      return out;
    }
    const out = dataBufferPool.acquire(n);
    let copied = 0;
    while (copied < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - copied);
      c.copy(out, copied, 0, k);
      copied += k;
      this.consume(k);
    }
    return out;
  }

  private consume(n: number): void {
    this.buffered -= n;
    while (n > 0) {
      const c = this.chunks[0]!;
      if (c.length <= n) {
        this.chunks.shift();
        n -= c.length;
      } else {
        this.chunks[0] = c.subarray(n);
        n = 0;
      }
    }
  }
}
