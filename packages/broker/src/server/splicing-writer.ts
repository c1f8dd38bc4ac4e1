// SplicingWriter: the Writer the dispatcher encodes responses with. Large raw byte runs (the
// record batches of a Fetch response, read from storage) are not copied into the output buffer:
// their position is remembered and `chunks()` returns the frame as a list of buffers — header and
// fields from the writer's buffer, interleaved with the record buffers themselves — which the
// connection writes in one corked writev. Small writes behave exactly as Writer's.
// Splices never happen inside a sized (tagged-field) region: those are shifted after the fact.
// A Fetch answer's records may also be a region of a segment file (FileRecords, zero-copy): the
// codec writes its length and hands it to writeRaw like bytes; it is always spliced, and the
// connection sends it with sendfile.
import { Writer } from '@tributary/protocol';
import { FileRecords } from '@tributary/storage';

/** Byte runs at least this long are spliced rather than copied. */
export const SPLICE_THRESHOLD = 4096;

export class SplicingWriter extends Writer {
  private splices: Array<{ at: number; data: Uint8Array | FileRecords }> = [];
  private spliced = 0;
  private sizedDepth = 0;

  override get length(): number {
    return this.pos + this.spliced;
  }

  override writeRaw(b: Uint8Array): void {
    const region: unknown = b;
    if (region instanceof FileRecords) {
      if (this.sizedDepth > 0) throw new Error('a file region cannot be written inside a tagged field');
      this.splices.push({ at: this.pos, data: region });
      this.spliced += region.length;
      return;
    }
    if (b.length < SPLICE_THRESHOLD || this.sizedDepth > 0) {
      super.writeRaw(b);
      return;
    }
    this.splices.push({ at: this.pos, data: b });
    this.spliced += b.length;
  }

  override beginSized(): number {
    this.sizedDepth++;
    return super.beginSized();
  }

  override endSized(mark: number): void {
    this.sizedDepth--;
    super.endSized(mark);
  }

  /** The bytes written, as one buffer when nothing was spliced, else a list to write in order. */
  chunks(): Buffer | Array<Buffer | FileRecords> {
    const own = this.finish();
    if (this.splices.length === 0) return own;
    const out: Array<Buffer | FileRecords> = [];
    let from = 0;
    for (const s of this.splices) {
      if (s.at > from) out.push(own.subarray(from, s.at));
      const d = s.data;
      out.push(d instanceof FileRecords || Buffer.isBuffer(d) ? d : Buffer.from(d.buffer, d.byteOffset, d.length));
      from = s.at;
    }
    if (own.length > from) out.push(own.subarray(from));
    return out;
  }
}
