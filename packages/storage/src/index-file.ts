// The two sparse segment indexes, in Kafka's byte layout (big-endian, no header, no checksum):
//
//   <base>.index       8-byte entries:  relativeOffset int32 | position int32
//                      (relativeOffset = offset - segment base offset; position = byte position in .log)
//   <base>.timeindex  12-byte entries:  timestamp int64 | relativeOffset int32
//                      (timestamps strictly increasing: the largest timestamp seen so far, and the
//                       offset at which it was seen)
//
// Unlike Kafka we neither preallocate nor mmap: entries live in a buffer that is loaded lazily and
// can be dropped (IndexCache) once persisted; new entries are written to the file on flush, roll or
// close. Indexes are caches: a missing or inconsistent file is rebuilt from the log.
import type { FdCache } from './fd-cache.ts';
import { readFully } from './fs.ts';

export const OFFSET_INDEX_ENTRY = 8;
export const TIME_INDEX_ENTRY = 12;

/** A bounded LRU of loaded index buffers across all segments; evicts persisted ones. */
export class IndexCache {
  private loaded = new Set<IndexFile>();
  private bytes = 0;
  /** The index touched last: already the most recent, touching it again changes nothing (an index lookup touches it once per step). */
  private last: IndexFile | null = null;
  constructor(readonly maxBytes = 32 * 1024 * 1024) {}
  touch(idx: IndexFile): void {
    if (idx === this.last) return;
    this.last = idx;
    if (this.loaded.has(idx)) {
      this.loaded.delete(idx);
      this.loaded.add(idx);
    } else {
      this.loaded.add(idx);
      this.bytes += idx.capacityBytes;
    }
    this.trim(idx);
  }
  resized(delta: number): void {
    this.bytes += delta;
  }
  forget(idx: IndexFile): void {
    if (idx === this.last) this.last = null;
    if (this.loaded.delete(idx)) this.bytes -= idx.capacityBytes;
  }
  private trim(keep: IndexFile): void {
    if (this.bytes <= this.maxBytes) return;
    for (const idx of [...this.loaded]) {
      if (this.bytes <= this.maxBytes) break;
      if (idx === keep) continue;
      const size = idx.capacityBytes;
      if (idx.dropBuffer()) {
        this.loaded.delete(idx);
        this.bytes -= size;
      }
    }
  }
  get loadedBytes(): number {
    return this.bytes;
  }
}

export class IndexCorruptError extends Error {}

export class IndexFile {
  private buf: Buffer | null = null;
  /** Number of entries (in memory or on disk). */
  count = 0;
  /** Entries already written to the file. */
  persisted = 0;
  /** The file changed since its last fsync. */
  dirty = false;

  constructor(
    /** Changes only with renameTo (the cleaner's .cleaned -> .swap -> final names). */
    public path: string,
    readonly entrySize: number,
    readonly baseOffset: number,
    private fds: FdCache,
    private cache: IndexCache,
    /** Entries already in the file (from a stat at load), or 0 for a new index. */
    existingEntries = 0,
  ) {
    this.count = existingEntries;
    this.persisted = existingEntries;
  }

  get capacityBytes(): number {
    return this.buf ? this.buf.length : 0;
  }
  get sizeBytes(): number {
    return this.count * this.entrySize;
  }
  get isLoaded(): boolean {
    return this.buf !== null;
  }

  /** Drops the in-memory copy when everything is on disk; returns true if dropped. */
  dropBuffer(): boolean {
    if (!this.buf || this.persisted < this.count) return false;
    this.buf = null;
    return true;
  }

  /** The entries buffer (loading the file if needed). */
  entries(): Buffer {
    if (!this.buf) {
      const bytes = this.count * this.entrySize;
      const buf = Buffer.allocUnsafe(Math.max(bytes, 64));
      if (bytes > 0) {
        const fd = this.fds.get(this.path, true);
        const n = readFully(this.fds.fs, fd, buf, 0, bytes, 0);
        if (n !== bytes) throw new IndexCorruptError(`${this.path}: expected ${bytes} bytes, read ${n}`);
      }
      this.buf = buf;
    }
    this.cache.touch(this);
    return this.buf;
  }

  private grow(needed: number): Buffer {
    const cur = this.entries();
    if (cur.length >= needed) return cur;
    const next = Buffer.allocUnsafe(Math.max(needed, cur.length * 2));
    cur.copy(next, 0, 0, this.count * this.entrySize);
    this.cache.resized(next.length - cur.length);
    this.buf = next;
    return next;
  }

  /** Appends one raw entry (caller encodes). */
  appendRaw(a: number, b: number, c?: number): void {
    const at = this.count * this.entrySize;
    const buf = this.grow(at + this.entrySize);
    if (this.entrySize === OFFSET_INDEX_ENTRY) {
      buf.writeInt32BE(a, at);
      buf.writeInt32BE(b, at + 4);
    } else {
      buf.writeIntBE(Math.floor(a / 2 ** 32), at, 4);
      buf.writeUInt32BE(a >>> 0, at + 4);
      buf.writeInt32BE(c!, at + 8);
    }
    this.count++;
  }

  /** Writes entries not yet in the file; returns true if anything was written. */
  persist(): boolean {
    if (this.persisted >= this.count) return false;
    const buf = this.entries();
    const fd = this.fds.get(this.path, true);
    const from = this.persisted * this.entrySize;
    const to = this.count * this.entrySize;
    let off = from;
    while (off < to) off += this.fds.fs.writeSync(fd, buf, off, to - off, off);
    this.persisted = this.count;
    this.dirty = true;
    return true;
  }

  fsync(): void {
    const fd = this.fds.get(this.path, true);
    this.fds.fs.fsyncSync(fd);
    this.dirty = false;
  }

  /** Keeps the first `n` entries. */
  truncateEntries(n: number): void {
    if (n >= this.count) return;
    this.count = n;
    if (this.persisted > n) {
      const fd = this.fds.get(this.path, true);
      this.fds.fs.ftruncateSync(fd, n * this.entrySize);
      this.persisted = n;
      this.dirty = true;
    }
  }

  /** Empties the index and its file. */
  reset(): void {
    this.count = 0;
    this.persisted = 0;
    this.dirty = true;
    const fd = this.fds.get(this.path, true);
    this.fds.fs.ftruncateSync(fd, 0);
  }

  release(): void {
    this.cache.forget(this);
    this.buf = null;
  }

  /** Renames the file (its descriptor is closed first; entries in memory stay). */
  renameTo(path: string): void {
    this.fds.close(this.path);
    this.fds.fs.renameSync(this.path, path);
    this.path = path;
  }

  // ---- offset index view ----

  relOffsetAt(i: number): number {
    return this.entries().readInt32BE(i * this.entrySize + (this.entrySize === OFFSET_INDEX_ENTRY ? 0 : 8));
  }
  positionAt(i: number): number {
    return this.entries().readInt32BE(i * OFFSET_INDEX_ENTRY + 4);
  }
  timestampAt(i: number): number {
    const b = this.entries();
    const at = i * TIME_INDEX_ENTRY;
    return b.readInt32BE(at) * 2 ** 32 + b.readUInt32BE(at + 4);
  }

  /** Offset index: the last entry whose offset is <= `offset`, as {offset, position}; the segment start when none. */
  lookupOffset(offset: number): { offset: number; position: number } {
    const found = this.lastEntryAtOrBefore(offset, Number.POSITIVE_INFINITY);
    if (found < 0) return { offset: this.baseOffset, position: 0 };
    return { offset: this.baseOffset + this.relOffsetAt(found), position: this.positionAt(found) };
  }

  /**
   * Offset index: the last entry whose offset is <= `offset` and whose position is <= `position`
   * (both grow with the entry number), or -1 when none.
   */
  lastEntryAtOrBefore(offset: number, position: number): number {
    const rel = offset - this.baseOffset;
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.relOffsetAt(mid) <= rel && this.positionAt(mid) <= position) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Time index: the last entry whose timestamp is strictly below `ts`, as {timestamp, offset}; the segment start when none. */
  lookupTimestamp(ts: number): { timestamp: number; offset: number } {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestampAt(mid) < ts) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return { timestamp: -1, offset: this.baseOffset };
    return { timestamp: this.timestampAt(found), offset: this.baseOffset + this.relOffsetAt(found) };
  }

  lastTimestamp(): number {
    return this.count === 0 ? -1 : this.timestampAt(this.count - 1);
  }
  lastRelOffset(): number {
    return this.count === 0 ? -1 : this.relOffsetAt(this.count - 1);
  }

  /**
   * Sanity check (Kafka's sanityCheck plus monotonicity): entries strictly increasing, offsets
   * within the segment, positions within `logSize`. Throws IndexCorruptError.
   */
  check(logSize: number, nextOffset?: number): void {
    const isOffset = this.entrySize === OFFSET_INDEX_ENTRY;
    let prevRel = -1;
    let prevKey = -Infinity;
    for (let i = 0; i < this.count; i++) {
      const rel = this.relOffsetAt(i);
      if (rel < 0 || (isOffset ? rel <= prevRel : rel < prevRel))
        throw new IndexCorruptError(`${this.path}: entry ${i} offset ${rel} out of order`);
      if (nextOffset !== undefined && this.baseOffset + rel >= nextOffset)
        throw new IndexCorruptError(`${this.path}: entry ${i} beyond log end`);
      const key = isOffset ? this.positionAt(i) : this.timestampAt(i);
      if (isOffset ? key < 0 || key >= logSize || key <= prevKey : key <= prevKey)
        throw new IndexCorruptError(`${this.path}: entry ${i} key ${key} invalid`);
      prevRel = rel;
      prevKey = key;
    }
  }
}
