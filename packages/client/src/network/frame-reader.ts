// Splits a TCP byte stream into Kafka frames (int32 size, then that many bytes) while choosing
// where each socket read lands (Node's `onread` option: `nextBuffer()` gives the memory for the
// next read, `onRead(n)` is told how many bytes arrived there). Small frames are read into a
// shared scratch buffer and handed out as slices of it (the scratch is never written behind what
// was handed out; a new one is started when it fills up). A frame too large for the scratch gets
// its own buffer: what already arrived is copied once, and every later read goes straight into
// it, so a multi-megabyte fetch response costs no copy beyond the kernel's. A size above
// `maxFrameBytes` or below zero is a protocol error (the connection must be closed).
import { FrameError } from './frame-decoder.ts';

/** Scratch size: Node's own read size. */
const SCRATCH_BYTES = 64 * 1024;
/** A new scratch is started when less than this is left for the next read. */
const MIN_READ_BYTES = 8 * 1024;

export class FrameReader {
  private scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  /** Unparsed bytes are scratch[start, end). */
  private start = 0;
  private end = 0;
  /** The large frame being read straight into its own buffer, and how much of it arrived. */
  private frame: Buffer | null = null;
  private filled = 0;

  constructor(private readonly maxFrameBytes = 256 * 1024 * 1024) {}

  /** Where the next read should put its bytes. */
  nextBuffer(): Buffer {
    if (this.frame) return this.frame.subarray(this.filled);
    if (this.scratch.length - this.end < MIN_READ_BYTES) this.restartScratch(SCRATCH_BYTES);
    return this.scratch.subarray(this.end);
  }

  /** `n` bytes arrived in the last buffer nextBuffer() gave; returns the frames (payloads without the size prefix) now complete. */
  onRead(n: number): Buffer[] {
    if (this.frame) {
      this.filled += n;
      if (this.filled < this.frame.length) return [];
      const done = this.frame;
      this.frame = null;
      return [done];
    }
    this.end += n;
    const frames: Buffer[] = [];
    const buf = this.scratch;
    while (this.end - this.start >= 4) {
      const size = buf.readInt32BE(this.start);
      if (size < 0 || size > this.maxFrameBytes) throw new FrameError(`invalid frame size ${size}`);
      const have = this.end - this.start - 4;
      if (have >= size) {
        frames.push(buf.subarray(this.start + 4, this.start + 4 + size));
        this.start += 4 + size;
        continue;
      }
      if (size > SCRATCH_BYTES - MIN_READ_BYTES) {
        // a large frame: its own buffer, the rest of it read in place
        this.frame = Buffer.allocUnsafe(size);
        buf.copy(this.frame, 0, this.start + 4, this.end);
        this.filled = have;
        this.start = this.end;
      } else if (this.start + 4 + size > buf.length) {
        this.restartScratch(SCRATCH_BYTES); // does not fit behind: move it to a new scratch
      }
      break;
    }
    if (frames.length > 0) this.handedOut = true;
    else if (this.start === this.end && !this.handedOut) this.start = this.end = 0; // nothing in the scratch is referenced: reuse it
    return frames;
  }

  /** Whether frames handed out are slices of the current scratch (then it is never rewound). */
  private handedOut = false;

  /** Moves the unparsed bytes to the start of a new scratch. */
  private restartScratch(size: number): void {
    const next = Buffer.allocUnsafe(size);
    const pending = this.end - this.start;
    this.scratch.copy(next, 0, this.start, this.end);
    this.scratch = next;
    this.start = 0;
    this.end = pending;
    this.handedOut = false;
  }
}
