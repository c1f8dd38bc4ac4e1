// FrameSplitter: splits a byte stream into Kafka's size-prefixed frames. The broker splits requests
// with it, the client responses.
//
//   offset size field
//   0      4    Size   int32, big-endian: number of bytes that follow (header + body)
//   4      Size payload
//
// Byte ranges are queued as they arrive and never concatenated to look for a frame. A frame inside
// one range comes back as a zero-copy subarray. A range that continues the last one in the same
// buffer (pushRange: the client's plain-TCP reader reads one read behind the other into one buffer)
// extends it, so a frame spread over such reads is a subarray too. Only a frame spread over separate
// buffers is copied, once, into a buffer from `assemble`: Buffer.allocUnsafe by default, pooled
// buffers in the broker. A negative size, or one over `maxFrameBytes`, throws FrameError. The peer
// is then broken or hostile, and the caller closes the connection. The splitter holds the unread
// tail of what was pushed; callers that must bound memory stop reading while they hold too much.
//
// Strategies on top of this core: broker server/frame-reader.ts (pooled, recycled frame buffers)
// and client network/frame-reader.ts (chooses where socket reads land; large frames are read in
// place).

/** A frame's size prefix is invalid: the stream cannot be split any further, so close the connection. */
export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

export interface FrameSplitterOptions {
  /** Memory for a frame that spans several chunks (default Buffer.allocUnsafe). */
  assemble?: (size: number) => Buffer;
  /** Name of the size limit in FrameError messages (default 'maxFrameBytes'). */
  limitName?: string;
}

const allocUnsafe = (size: number): Buffer => Buffer.allocUnsafe(size);

const EMPTY: Buffer = Buffer.alloc(0);

export class FrameSplitter {
  // The bytes held: cur[pos, limit), then each queued range bufs[i][starts[i], ends[i]) from index
  // `queued` on. The current range lives in fields, since every frame reads it. Ranges leave the
  // queue by moving `queued` (Array#shift copies the array once it is large: a frame dribbled in
  // byte by byte would cost quadratic time). pos < limit whenever anything is held.
  private cur: Buffer = EMPTY;
  private pos = 0;
  private limit = 0;
  private readonly bufs: Buffer[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private queued = 0;
  private buffered = 0;
  /** Size of the frame whose prefix was read; -1 while the next prefix is awaited. */
  private pendingSize = -1;
  private readonly sizeBytes = Buffer.allocUnsafe(4);
  private readonly assemble: (size: number) => Buffer;
  private readonly limitName: string;

  constructor(
    readonly maxFrameBytes: number,
    options: FrameSplitterOptions = {},
  ) {
    this.assemble = options.assemble ?? allocUnsafe;
    this.limitName = options.limitName ?? 'maxFrameBytes';
  }

  /** Bytes received and not returned as frames yet (the prefix of the pending frame excluded). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Size of the frame being received, once its prefix has arrived; -1 otherwise. */
  get pendingFrameSize(): number {
    return this.pendingSize;
  }

  /** Queues the bytes of `chunk` (the splitter keeps a reference: do not reuse its memory). */
  push(chunk: Buffer): void {
    this.pushRange(chunk, 0, chunk.length);
  }

  /** Queues buf[start, end). A range that continues the last one pushed in the same `buf` joins it. */
  pushRange(buf: Buffer, start: number, end: number): void {
    if (end <= start) return;
    this.buffered += end - start;
    const last = this.ends.length - 1;
    if (last >= this.queued) {
      if (this.bufs[last] === buf && this.ends[last] === start) this.ends[last] = end;
      else this.enqueue(buf, start, end);
    } else if (this.pos < this.limit) {
      if (this.cur === buf && this.limit === start) this.limit = end;
      else this.enqueue(buf, start, end);
    } else {
      this.cur = buf;
      this.pos = start;
      this.limit = end;
    }
  }

  /** The next complete frame's payload (without its size prefix), or null if it has not fully arrived. */
  next(): Buffer | null {
    let size = this.pendingSize;
    if (size < 0) {
      // fast path: the whole frame, prefix included, inside the current range (and not its end)
      const c = this.cur;
      const head = this.pos;
      const start = head + 4;
      if (start < this.limit) {
        const n = (c[head]! << 24) | (c[head + 1]! << 16) | (c[head + 2]! << 8) | c[start - 1]!;
        const end = start + n;
        if (end < this.limit && n >= 0 && n <= this.maxFrameBytes) {
          this.pos = end;
          this.buffered -= end - head;
          return c.subarray(start, end);
        }
      }
      if (this.buffered < 4) return null;
      size = this.readSize();
      if (size < 0) throw new FrameError(`invalid frame size ${size} (negative)`);
      if (size > this.maxFrameBytes)
        throw new FrameError(`invalid frame size ${size}: larger than ${this.limitName} (${this.maxFrameBytes})`);
      this.pendingSize = size;
    }
    if (this.buffered < size) return null;
    this.pendingSize = -1;
    return this.take(size);
  }

  /**
   * Copies the bytes held to the start of `dst` and goes on from there, as if they had arrived in
   * `dst`: push the next bytes with pushRange(dst, moved, ...) and they join them. Returns how many
   * bytes were moved. A reader that chooses where bytes arrive uses this to move a partial frame to
   * a new buffer and read the rest of it right behind.
   */
  moveBuffered(dst: Buffer): number {
    const n = this.buffered;
    if (n > dst.length) throw new RangeError(`cannot move ${n} buffered bytes into ${dst.length}`);
    if (n > 0) {
      this.copyOut(dst, n);
      this.pushRange(dst, 0, n);
    }
    return n;
  }

  private readSize(): number {
    const head = this.pos;
    if (this.limit - head > 4) {
      this.pos = head + 4;
      this.buffered -= 4;
      return this.cur.readInt32BE(head);
    }
    return this.copyOut(this.sizeBytes, 4).readInt32BE(0);
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const c = this.cur;
    const head = this.pos;
    const left = this.limit - head;
    if (left > n) {
      this.pos = head + n;
      this.buffered -= n;
      return c.subarray(head, head + n);
    }
    if (left === n) {
      this.buffered -= n;
      this.nextRange();
      return head === 0 && n === c.length ? c : c.subarray(head, head + n);
    }
    return this.copyOut(this.assemble(n), n);
  }

  /** Moves the next `n` bytes held into dst[0, n). */
  private copyOut(dst: Buffer, n: number): Buffer {
    let copied = 0;
    while (copied < n) {
      const pos = this.pos;
      const k = Math.min(this.limit - pos, n - copied);
      this.cur.copy(dst, copied, pos, pos + k);
      copied += k;
      if (pos + k === this.limit) this.nextRange();
      else this.pos = pos + k;
    }
    this.buffered -= n;
    return dst;
  }

  private enqueue(buf: Buffer, start: number, end: number): void {
    this.bufs.push(buf);
    this.starts.push(start);
    this.ends.push(end);
  }

  /** The current range is used up: the next queued one becomes current. */
  private nextRange(): void {
    const i = this.queued;
    const bufs = this.bufs;
    if (i === bufs.length) {
      this.cur = EMPTY; // no reference kept to memory handed out or copied
      this.pos = this.limit = 0;
      return;
    }
    this.cur = bufs[i]!;
    this.pos = this.starts[i]!;
    this.limit = this.ends[i]!;
    bufs[i] = EMPTY;
    this.queued = i + 1;
    if (this.queued === bufs.length) {
      bufs.length = this.starts.length = this.ends.length = 0;
      this.queued = 0;
    } else if (this.queued >= 64 && this.queued * 2 >= bufs.length) {
      for (const a of [bufs, this.starts, this.ends] as unknown[][]) {
        a.copyWithin(0, this.queued);
        a.length -= this.queued;
      }
      this.queued = 0;
    }
  }
}
