// FrameReader: response framing for plain TCP sockets. protocol's FrameSplitter splits the frames
// and checks their sizes. On top of it, this reader chooses where each socket read lands, through
// Node's `onread` option: `nextBuffer()` gives the memory for the next read, and `onRead(n)` is
// told how many bytes arrived there.
//   - Small frames are read into a shared scratch buffer and handed out as subarrays of it. Reads
//     land one behind the other, and the splitter joins such ranges of one buffer, so a frame
//     across reads is not copied either. Nothing is ever written over what was handed out: when the
//     scratch runs short, a new one is started and the partial frame moves to it.
//   - A frame too large for the scratch gets a buffer of its own. What already arrived is copied
//     once, and every later read goes straight into the frame's buffer, so a multi-megabyte fetch
//     response costs no copy beyond the kernel's.
// TLS and injected sockets deliver 'data' chunks instead; transport.ts splits those with a plain
// FrameSplitter.
import { FrameSplitter } from '@tributary/protocol';

/** Largest response frame accepted unless the transport says otherwise. */
export const DEFAULT_MAX_FRAME_BYTES = 256 * 1024 * 1024;
/** Scratch size: Node's own read size. */
const SCRATCH_BYTES = 64 * 1024;
/** A new scratch is started when less than this is left for the next read. */
const MIN_READ_BYTES = 8 * 1024;
/** Frames larger than this get their own buffer. */
const LARGE_FRAME_BYTES = SCRATCH_BYTES - MIN_READ_BYTES;

export class FrameReader {
  private readonly splitter: FrameSplitter;
  /** Reads land in scratch[end, ...) unless a large frame is being read. */
  private scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  private end = 0;
  /** Whether frames handed out are subarrays of the current scratch (then it is never rewound). */
  private handedOut = false;
  /** The large frame being read straight into its own buffer, and how much of it arrived. */
  private frame: Buffer | null = null;
  private filled = 0;

  constructor(maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {
    this.splitter = new FrameSplitter(maxFrameBytes);
  }

  /** Where the next read should put its bytes. */
  nextBuffer(): Buffer {
    if (this.frame) return this.frame.subarray(this.filled);
    if (this.scratch.length - this.end < MIN_READ_BYTES) this.restartScratch();
    return this.scratch.subarray(this.end);
  }

  /** `n` bytes arrived in the last buffer nextBuffer() gave; returns the frames (payloads without the size prefix) now complete. */
  onRead(n: number): Buffer[] {
    const splitter = this.splitter;
    const frame = this.frame;
    if (frame) {
      splitter.pushRange(frame, this.filled, this.filled + n);
      this.filled += n;
      if (this.filled < frame.length) return [];
      this.frame = null;
      return [splitter.next()!]; // `frame` itself: the reads into it joined one range
    }
    splitter.pushRange(this.scratch, this.end, this.end + n);
    this.end += n;
    const frames: Buffer[] = [];
    for (let f = splitter.next(); f !== null; f = splitter.next()) frames.push(f);
    if (frames.length > 0) this.handedOut = true;
    const size = splitter.pendingFrameSize;
    if (size > LARGE_FRAME_BYTES) {
      this.frame = Buffer.allocUnsafe(size);
      this.filled = splitter.moveBuffered(this.frame);
    } else if (size >= 0 && this.end + size - splitter.bufferedBytes > this.scratch.length) {
      this.restartScratch(); // the rest of the frame does not fit behind: move it to a new scratch
    } else if (splitter.bufferedBytes === 0 && !this.handedOut) {
      this.end = 0; // nothing in the scratch is referenced: reuse it
    }
    return frames;
  }

  /** Moves the bytes not yet returned to the start of a new scratch. */
  private restartScratch(): void {
    this.scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
    this.end = this.splitter.moveBuffered(this.scratch);
    this.handedOut = false;
  }
}
