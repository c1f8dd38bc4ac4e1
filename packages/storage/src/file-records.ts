// FileRecords: whole record batches of a segment named by where they are instead of copied out
// (Kafka's FileRecords slice): the segment file's descriptor, a position and a length. The fetch
// path hands them to a connection that sends them with sendfile(2) (zero-copy); the descriptor is
// pinned in the FdCache until `release()`, so a segment deleted (retention, topic deletion) or
// renamed (the cleaner's swap) while the bytes are being sent keeps its data until the send ends.
// A segment truncated meanwhile ends up shorter than the region: the sender sees the file end
// early and must not send anything else in its place (the response's size is already announced).
import { readFully, type FileSystem } from './fs.ts';
import type { BufferPool } from './buffer-pool.ts';

export class FileRecords {
  private released = false;

  constructor(
    /** The segment's descriptor, open until release(). */
    readonly fd: number,
    readonly position: number,
    /** Bytes: whole batches. */
    readonly length: number,
    /** The offset after the last batch (its last offset + 1). */
    readonly nextOffset: number,
    private readonly unpin: () => void,
    /** The filesystem the descriptor belongs to (reads of the copy path). */
    readonly fs: FileSystem,
  ) {}

  get isReleased(): boolean {
    return this.released;
  }

  /**
   * Reads `length` bytes from `from` (relative to the region) into `buf` at `offset`; returns the
   * bytes read, fewer when the file ended first (it was truncated).
   */
  readInto(buf: Buffer, offset: number, from: number, length: number): number {
    return readFully(this.fs, this.fd, buf, offset, length, this.position + from);
  }

  /** The bytes, copied (tests, and a connection that cannot send files). Null when the file is shorter than the region now. */
  read(pool?: BufferPool): Buffer | null {
    const buf = pool ? pool.acquire(this.length) : Buffer.allocUnsafe(this.length);
    if (this.readInto(buf, 0, 0, this.length) < this.length) {
      pool?.release(buf);
      return null;
    }
    return buf;
  }

  /** Unpins the descriptor (once; later calls do nothing). */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.unpin();
  }
}

/**
 * Where a read puts the batches it returns: into a buffer of a pool (the copy path), or, for
 * `{ fileRecords: true }` on a filesystem whose descriptors are the kernel's, as FileRecords
 * (elsewhere it falls back to `pool`).
 */
export type RecordsInto = BufferPool | { readonly fileRecords: true; readonly pool: BufferPool };

/** The batches a read returns: bytes, or a region of a segment file. */
export type Records = Buffer | FileRecords;
