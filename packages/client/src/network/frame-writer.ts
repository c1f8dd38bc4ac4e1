// Request frames as a list of buffers, so large byte fields (the record batches of a Produce
// request) go to the socket as they are, in one writev, instead of being copied into the frame.
// `ChunkedWriter` is the codec's Writer with one change: a raw byte field of at least
// ZERO_COPY_MIN bytes ends the current segment and is kept by reference (outside sized regions,
// which are shifted in place). `encodeRequestChunks` writes the int32 size prefix, the request
// header and the body through the generated codec, exactly the bytes encodeRequestFrame makes.
// The caller must not modify a referenced buffer until the frame is written.
import { Writer, writeRequest, type ApiKey, type Encodable, type RequestHeader, type RequestOf } from '@tributary/protocol';

/** Byte fields at least this long are referenced, not copied. */
export const ZERO_COPY_MIN = 4096;

export class ChunkedWriter extends Writer {
  private readonly chunks: Buffer[] = [];
  private sized = 0;
  /** Bytes in finished chunks. */
  private flushed = 0;

  override writeRaw(b: Uint8Array): void {
    if (b.length < ZERO_COPY_MIN || this.sized > 0) {
      super.writeRaw(b);
      return;
    }
    if (this.pos > 0) this.chunks.push(this.buf.subarray(0, this.pos));
    this.chunks.push(Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    this.flushed += this.pos + b.length;
    // go on in the rest of the current buffer (a fresh one when little is left)
    const rest = this.buf.length - this.pos;
    this.buf = rest >= 256 ? this.buf.subarray(this.pos) : Buffer.allocUnsafe(512);
    this.pos = 0;
  }

  override beginSized(): number {
    this.sized++;
    return super.beginSized();
  }

  override endSized(mark: number): void {
    super.endSized(mark);
    this.sized--;
  }

  /** Total bytes written so far. */
  get totalLength(): number {
    return this.flushed + this.pos;
  }

  /** The segments in order (the last one included); the Writer must not be used afterwards. */
  finishChunks(): Buffer[] {
    if (this.pos > 0 || this.chunks.length === 0) this.chunks.push(this.buf.subarray(0, this.pos));
    return this.chunks;
  }
}

/** int32 size, request header and body as buffers to write in order (one buffer when nothing was referenced). */
export function encodeRequestChunks<K extends ApiKey>(
  header: RequestHeader & { apiKey: K },
  body: Encodable<RequestOf<K>>,
  initialCapacity = 256,
): Buffer[] {
  const w = new ChunkedWriter(initialCapacity);
  writeRequest(w, header, body);
  const size = w.totalLength - 4;
  const chunks = w.finishChunks();
  // the size prefix sits at the start of the first segment
  chunks[0]!.writeInt32BE(size, 0);
  return chunks;
}
