// One segment of a partition log: `<base offset, 20 digits>.log` (record batches v2 back to back,
// exactly as appended) with its sparse `.index` and `.timeindex` (layouts in index-file.ts) and its
// `.txnindex` of aborted transactions (transaction-index.ts, created with the first one).
// Index entries are added as Kafka does (LogSegment.append): before a batch, if more than
// index.interval.bytes were appended since the last entry, the offset index maps the batch's last
// offset to its position and the time index records the largest timestamp so far.
// The log cleaner writes a segment under temporary names (`<base>.log.cleaned`, ... then `.swap`,
// see cleaner/segment-swap.ts): `fileSuffix` follows every file name until changeFileSuffixes.
import type { BufferPool } from './buffer-pool.ts';
import { Attr, computeBatchCrc, Off, BATCH_HEADER_SIZE, LOG_OVERHEAD, CURRENT_MAGIC } from '@tributary/protocol';
import { hasProducerId, readProducerBatch, type ProducerBatch } from './producer-batches.ts';
import { VerifiedRanges } from './verified-ranges.ts';
import type { Time } from './time.ts';
import type { FdCache } from './fd-cache.ts';
import { readFully, type FileSystem } from './fs.ts';
import { type IndexCache, IndexCorruptError, IndexFile, OFFSET_INDEX_ENTRY, TIME_INDEX_ENTRY } from './index-file.ts';
import { CorruptRecordError } from './errors.ts';
import { FileRecords } from './file-records.ts';
import { ReadEnds } from './read-ends.ts';
import { SLICE_ASK_READ, SLICE_EMPTY, sliceEnd, type SliceEndInput } from './slice-end.ts';
import { TXN_INDEX_SUFFIX, TransactionIndex } from './transaction-index.ts';

export interface SegmentContext {
  fs: FileSystem;
  fds: FdCache;
  indexCache: IndexCache;
  time: Time;
}

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';

export function segmentFileName(baseOffset: number, suffix: string): string {
  return String(baseOffset).padStart(20, '0') + suffix;
}

/** Reads an int64 at `at` as a JS number (exact below 2^53). */
export function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * 4294967296 + buf.readUInt32BE(at + 4);
}

/** What a header scan sees of one batch. */
export interface BatchInfo {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  attributes: number;
}

/** Test hook: batch CRCs computed by segment reads in this process. */
export const readCrcChecks = { count: 0 };

/** slice()'s arguments to sliceEnd and its answer (reused: a fetch allocates no objects for them). */
const sliceOut = { nextOffset: -1 };
const sliceInput: SliceEndInput = {
  fs: null as unknown as FileSystem,
  fd: -1,
  offsetIndex: null as unknown as IndexFile,
  size: 0,
  position: 0,
  limit: 0,
  maxOffset: 0,
  minOneBatch: true,
};

const SCAN_CHUNK = 64 * 1024;
const scratch = Buffer.allocUnsafe(SCAN_CHUNK);

export class LogSegment {
  /** Changes only with changeFileSuffixes. */
  logPath: string;
  readonly offsetIndex: IndexFile;
  readonly timeIndex: IndexFile;
  readonly txnIndex: TransactionIndex;
  /** Bytes in the .log file. */
  size: number;
  /** Offset after the last batch (known for the active segment and after recovery; else -1). */
  nextOffset: number;
  /** Largest timestamp in the segment so far and the (last) offset of the batch carrying it. */
  maxTimestamp = -1;
  offsetOfMaxTimestamp = -1;
  private bytesSinceLastIndexEntry = 0;
  /** MaxTimestamp of the first batch (segment.ms roll is measured from it), -1 if unknown. */
  rollingBasedTimestamp = -1;
  createdMs: number;
  /** Last append (or file mtime at load): retention's fallback when the segment has no timestamps. */
  lastModifiedMs: number;
  /** Bytes of .log known to be fsynced. */
  flushedSize: number;
  /**
   * Byte ranges of .log whose batch CRCs are known good in this process: appended here (the
   * broker checked them on produce), recovered, or read and checked once. Reads check CRCs of
   * batches outside them only, then add them.
   */
  private readonly verified = new VerifiedRanges();
  /** Where recent reads ended: next offsets and the positions of the batches holding them. */
  private readonly readEnds = new ReadEnds();
  /** Indexes loaded and sanity-checked (closed segments are checked lazily, on first use). */
  indexesChecked = false;
  /** deleteFiles ran: the segment left its log (a job holding it, such as the cleaner's, must stop). */
  deleted = false;

  constructor(
    private ctx: SegmentContext,
    readonly dir: string,
    readonly baseOffset: number,
    size: number,
    offsetEntries: number,
    timeEntries: number,
    txnIndexExists = false,
    /** Appended to every file name: '' for a segment of the log, '.cleaned' or '.swap' while the cleaner swaps it in. */
    private fileSuffix = '',
  ) {
    this.logPath = `${dir}/${segmentFileName(baseOffset, LOG_SUFFIX)}${fileSuffix}`;
    this.offsetIndex = new IndexFile(
      `${dir}/${segmentFileName(baseOffset, INDEX_SUFFIX)}${fileSuffix}`,
      OFFSET_INDEX_ENTRY,
      baseOffset,
      ctx.fds,
      ctx.indexCache,
      offsetEntries,
    );
    this.timeIndex = new IndexFile(
      `${dir}/${segmentFileName(baseOffset, TIME_INDEX_SUFFIX)}${fileSuffix}`,
      TIME_INDEX_ENTRY,
      baseOffset,
      ctx.fds,
      ctx.indexCache,
      timeEntries,
    );
    this.txnIndex = new TransactionIndex(
      ctx.fds,
      `${dir}/${segmentFileName(baseOffset, TXN_INDEX_SUFFIX)}${fileSuffix}`,
      baseOffset,
      txnIndexExists,
    );
    this.size = size;
    this.flushedSize = size;
    this.nextOffset = size === 0 ? baseOffset : -1;
    this.createdMs = ctx.time.now();
    this.lastModifiedMs = this.createdMs;
  }

  /** Creates the three empty files of a new segment. */
  static create(ctx: SegmentContext, dir: string, baseOffset: number): LogSegment {
    const seg = new LogSegment(ctx, dir, baseOffset, 0, 0, 0);
    seg.createFiles();
    seg.indexesChecked = true;
    return seg;
  }

  /**
   * A new segment under temporary names (`<base>.log<suffix>`, ...) with its log and index files
   * created empty: the cleaner's output (the .txnindex is created with its first entry).
   */
  static createWithSuffix(ctx: SegmentContext, dir: string, baseOffset: number, fileSuffix: string): LogSegment {
    // as Kafka's createNewCleanedSegment: files a failed earlier attempt left under these names go first
    for (const kind of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX])
      ctx.fs.unlinkSync(`${dir}/${segmentFileName(baseOffset, kind)}${fileSuffix}`);
    const seg = new LogSegment(ctx, dir, baseOffset, 0, 0, 0, false, fileSuffix);
    seg.createFiles();
    seg.indexesChecked = true;
    return seg;
  }

  /**
   * Renames every file of the segment from suffix `from` to `to` (Kafka's changeFileSuffixes):
   * the log first, then the offset, time and transaction indexes. Descriptors are closed first.
   */
  changeFileSuffixes(from: string, to: string): void {
    if (from !== this.fileSuffix) throw new Error(`${this.logPath}: suffix is '${this.fileSuffix}', not '${from}'`);
    const rename = (path: string) => path.slice(0, path.length - from.length) + to;
    this.ctx.fds.close(this.logPath);
    this.ctx.fs.renameSync(this.logPath, rename(this.logPath));
    this.logPath = rename(this.logPath);
    this.offsetIndex.renameTo(rename(this.offsetIndex.path));
    this.timeIndex.renameTo(rename(this.timeIndex.path));
    this.txnIndex.renameTo(rename(this.txnIndex.path));
    this.fileSuffix = to;
  }

  /**
   * The first segment of a new (or empty, file-less) log, with no files yet: they are created on
   * first use (append, scan, recovery), so creating a topic with thousands of partitions opens no
   * file. A log directory without segment files loads as an empty log at its start offset, which is
   * exactly what this segment is until something is appended.
   */
  static createLazy(ctx: SegmentContext, dir: string, baseOffset: number): LogSegment {
    const seg = new LogSegment(ctx, dir, baseOffset, 0, 0, 0);
    seg.filesPending = true;
    seg.indexesChecked = true;
    return seg;
  }

  /** No file of this segment exists yet (see createLazy). */
  filesPending = false;

  private createFiles(): void {
    this.filesPending = false;
    this.ctx.fs.ftruncateSync(this.ctx.fds.get(this.logPath, true), 0);
    this.verified.clear();
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.logDirty = true;
  }

  /**
   * Opens an existing segment without scanning it. Returns null when its index files are missing
   * or not a whole number of entries (the caller then recovers the segment, rebuilding them).
   */
  static open(ctx: SegmentContext, dir: string, baseOffset: number): { segment: LogSegment; indexesOk: boolean } {
    const name = (s: string) => `${dir}/${segmentFileName(baseOffset, s)}`;
    const log = ctx.fs.statSync(name(LOG_SUFFIX));
    const idx = ctx.fs.statSync(name(INDEX_SUFFIX));
    const tix = ctx.fs.statSync(name(TIME_INDEX_SUFFIX));
    const size = log ? log.size : 0;
    const ok = !!idx && !!tix && idx.size % OFFSET_INDEX_ENTRY === 0 && tix.size % TIME_INDEX_ENTRY === 0;
    const txn = ctx.fs.statSync(name(TXN_INDEX_SUFFIX)) !== null;
    const seg = new LogSegment(
      ctx,
      dir,
      baseOffset,
      size,
      ok ? idx!.size / OFFSET_INDEX_ENTRY : 0,
      ok ? tix!.size / TIME_INDEX_ENTRY : 0,
      txn,
    );
    if (log) seg.createdMs = seg.lastModifiedMs = log.mtimeMs;
    return { segment: seg, indexesOk: ok };
  }

  private fd(): number {
    if (this.filesPending) this.createFiles();
    return this.ctx.fds.get(this.logPath, true);
  }

  /** Loads the indexes, checks them (IndexCorruptError when inconsistent) and takes max timestamp from the time index. */
  loadIndexes(): void {
    this.offsetIndex.check(this.size);
    this.timeIndex.check(Infinity);
    if (this.timeIndex.count > 0) {
      this.maxTimestamp = this.timeIndex.lastTimestamp();
      this.offsetOfMaxTimestamp = this.baseOffset + this.timeIndex.lastRelOffset();
    }
  }

  /** For the active segment after a clean load: finds nextOffset by scanning from the last index entry. */
  loadNextOffset(): void {
    const start = this.offsetIndex.count > 0 ? this.offsetIndex.positionAt(this.offsetIndex.count - 1) : 0;
    let next = this.baseOffset;
    this.scan(start, (b) => {
      next = b.lastOffset + 1;
      if (b.maxTimestamp > this.maxTimestamp) {
        this.maxTimestamp = b.maxTimestamp;
        this.offsetOfMaxTimestamp = b.lastOffset;
      }
      return true;
    });
    this.nextOffset = next;
    this.bytesSinceLastIndexEntry = this.size - start;
    if (this.size > 0) this.rollingBasedTimestamp = this.firstBatchTimestamp();
  }

  private firstBatchTimestamp(): number {
    let ts = -1;
    this.scan(0, (b) => {
      ts = b.maxTimestamp;
      return false;
    });
    return ts;
  }

  /** MaxTimestamp of the first batch (read once, then kept), -1 when the segment is empty (Kafka's getFirstBatchTimestamp). */
  getFirstBatchTimestamp(): number {
    if (this.rollingBasedTimestamp < 0 && this.size > 0) this.rollingBasedTimestamp = this.firstBatchTimestamp();
    return this.rollingBasedTimestamp;
  }

  /**
   * Calls `visit` for each batch header from `position` (stopping at the end, at a batch that does
   * not fit, or when visit returns false). Reads in 64 KiB chunks; does not check CRCs. `visit`
   * also gets the chunk holding the header (at `at`; `chunkLen` bytes of it are valid, the rest of
   * the batch may lie beyond them).
   */
  scan(position: number, visit: (b: BatchInfo, chunk: Buffer, at: number, chunkLen: number) => boolean, end = this.size): void {
    const fs = this.ctx.fs;
    const fd = this.fd();
    let chunkStart = 0;
    let chunkLen = 0;
    let pos = position;
    // start small (an index lookup usually scans less than index.interval.bytes), grow to 64 KiB
    let want = 8192;
    while (pos + LOG_OVERHEAD <= end) {
      if (pos < chunkStart || pos + BATCH_HEADER_SIZE > chunkStart + chunkLen) {
        chunkStart = pos;
        chunkLen = readFully(fs, fd, scratch, 0, Math.min(want, end - pos), pos);
        want = Math.min(SCAN_CHUNK, want * 2);
        if (chunkLen < LOG_OVERHEAD) return;
      }
      const at = pos - chunkStart;
      const size = scratch.readInt32BE(at + Off.BatchLength) + LOG_OVERHEAD;
      if (size < BATCH_HEADER_SIZE || pos + size > end || at + BATCH_HEADER_SIZE > chunkLen) return;
      const baseOffset = readInt64(scratch, at);
      const info: BatchInfo = {
        position: pos,
        size,
        baseOffset,
        lastOffset: baseOffset + scratch.readInt32BE(at + Off.LastOffsetDelta),
        maxTimestamp: readInt64(scratch, at + Off.MaxTimestamp),
        attributes: scratch.readInt16BE(at + Off.Attributes),
      };
      if (!visit(info, scratch, at, chunkLen)) return;
      pos += size;
    }
  }

  /**
   * The batches with a producer id among those whose base offset is in [fromOffset, toOffset), in
   * order (header fields, and the marker of a control batch: producer-batches.ts).
   */
  producerBatches(fromOffset: number, toOffset: number): ProducerBatch[] {
    const out: ProducerBatch[] = [];
    // (the index is only consulted when starting inside the segment: the caller checked it then)
    const start = fromOffset <= this.baseOffset ? 0 : this.offsetIndex.lookupOffset(fromOffset).position;
    this.scan(start, (b, chunk, at, chunkLen) => {
      if (b.baseOffset >= toOffset) return false;
      if (b.lastOffset < fromOffset || !hasProducerId(chunk, at)) return true;
      if ((b.attributes & Attr.Control) !== 0 && at + b.size > chunkLen) {
        // a control batch beyond the chunk: read it whole (they are tiny)
        const whole = Buffer.allocUnsafe(b.size);
        readFully(this.ctx.fs, this.fd(), whole, 0, b.size, b.position);
        out.push(readProducerBatch(whole, 0, b.size)!);
      } else {
        out.push(readProducerBatch(chunk, at, Math.min(b.size, chunkLen - at))!);
      }
      return true;
    });
    return out;
  }

  /** The first batch whose last offset is >= `offset` (index lookup, then scan), or null. */
  findBatch(offset: number): BatchInfo | null {
    const start = this.offsetIndex.lookupOffset(offset).position;
    let found: BatchInfo | null = null;
    this.scan(start, (b) => {
      if (b.lastOffset >= offset) {
        found = b;
        return false;
      }
      return true;
    });
    return found;
  }

  /** Appends `length` bytes of batches (one write). `batches` describes them for the indexes. */
  append(buf: Buffer, offset: number, length: number, batches: ReadonlyArray<BatchInfo>, count: number, indexIntervalBytes: number): void {
    const fs = this.ctx.fs;
    const fd = this.fd();
    const start = this.size;
    let written = 0;
    try {
      while (written < length) written += fs.writeSync(fd, buf, offset + written, length - written, start + written);
    } catch (err) {
      // Cut off whatever part of the write landed so nothing half-written is ever read.
      try {
        fs.ftruncateSync(fd, start);
      } catch {
        /* the log goes offline anyway */
      }
      throw err;
    }
    let pos = start;
    for (let i = 0; i < count; i++) {
      const b = batches[i]!;
      if (b.maxTimestamp > this.maxTimestamp) {
        this.maxTimestamp = b.maxTimestamp;
        this.offsetOfMaxTimestamp = b.lastOffset;
      }
      if (this.rollingBasedTimestamp < 0 && pos === 0) this.rollingBasedTimestamp = b.maxTimestamp;
      this.indexBatch(b.lastOffset, pos, indexIntervalBytes);
      pos += b.size;
      this.bytesSinceLastIndexEntry += b.size;
      this.nextOffset = b.lastOffset + 1;
    }
    this.size = start + length;
    this.verified.add(start, this.size);
    this.logDirty = true;
    this.lastModifiedMs = this.ctx.time.now();
  }

  private indexBatch(lastOffset: number, position: number, indexIntervalBytes: number): void {
    if (this.bytesSinceLastIndexEntry > indexIntervalBytes) {
      this.offsetIndex.appendRaw(lastOffset - this.baseOffset, position);
      this.maybeAppendTimeIndex();
      this.bytesSinceLastIndexEntry = 0;
    }
  }

  private maybeAppendTimeIndex(): void {
    if (this.maxTimestamp < 0) return;
    if (this.timeIndex.count === 0 || this.maxTimestamp > this.timeIndex.lastTimestamp()) {
      this.timeIndex.appendRaw(this.maxTimestamp, 0, this.offsetOfMaxTimestamp - this.baseOffset);
    }
  }

  /** Roll or close: record the final max timestamp in the time index (as Kafka's onBecomeInactiveSegment) and persist indexes. */
  onBecomeInactive(): void {
    this.maybeAppendTimeIndex();
    this.offsetIndex.persist();
    this.timeIndex.persist();
  }

  /** Kafka's largestTimestamp: the max record timestamp, or the last modification time when there is none. */
  get largestTimestamp(): number {
    return this.maxTimestamp >= 0 ? this.maxTimestamp : this.lastModifiedMs;
  }

  isFull(maxIndexBytes: number): boolean {
    return (
      (this.offsetIndex.count + 1) * OFFSET_INDEX_ENTRY > maxIndexBytes || (this.timeIndex.count + 1) * TIME_INDEX_ENTRY > maxIndexBytes
    );
  }

  /**
   * Reads whole batches starting at `position`: at least the first batch (even beyond maxBytes),
   * then more while they fit in maxBytes; stops before a batch whose base offset is >= maxOffset.
   * Batch CRCs are checked unless already known good (see `verified`); a corrupt first batch
   * throws CorruptRecordError, a later one ends the result before it. `pool`: where the returned
   * buffer comes from (the caller then decides when to release it). With `minOneBatch` false the
   * first batch is only returned when it fits in maxBytes: nothing larger is read or allocated.
   */
  read(position: number, maxBytes: number, maxOffset: number, pool?: BufferPool, minOneBatch = true): Buffer {
    const avail = this.size - position;
    if (avail < LOG_OVERHEAD) return Buffer.alloc(0);
    if (!minOneBatch && maxBytes < BATCH_HEADER_SIZE) return Buffer.alloc(0);
    const fs = this.ctx.fs;
    const fd = this.fd();
    // One pread for the budget (at least a batch header); a second only when the first batch is
    // larger than the budget (it is returned whole).
    let len = Math.min(Math.max(maxBytes, BATCH_HEADER_SIZE), avail);
    let buf = pool ? pool.acquire(len) : Buffer.allocUnsafe(len);
    let got = readFully(fs, fd, buf, 0, len, position);
    if (got < LOG_OVERHEAD || readInt64(buf, 0) >= maxOffset) {
      pool?.release(buf);
      return Buffer.alloc(0);
    }
    const firstSize = buf.readInt32BE(Off.BatchLength) + LOG_OVERHEAD;
    if (firstSize < BATCH_HEADER_SIZE || firstSize > avail) {
      throw new CorruptRecordError(`${this.logPath}: bad batch length ${firstSize} at position ${position}`, this.logPath, position);
    }
    if (firstSize > got && !minOneBatch) {
      pool?.release(buf);
      return Buffer.alloc(0);
    }
    if (firstSize > got) {
      const whole = pool ? pool.acquire(firstSize) : Buffer.allocUnsafe(firstSize);
      buf.copy(whole, 0, 0, got);
      pool?.release(buf);
      got += readFully(fs, fd, whole, got, firstSize - got, position + got);
      buf = whole;
      len = firstSize;
    }
    let pos = 0;
    let nextOffset = -1;
    while (pos + LOG_OVERHEAD <= got) {
      const size = buf.readInt32BE(pos + Off.BatchLength) + LOG_OVERHEAD;
      if (pos + size > got) break;
      const baseOffset = readInt64(buf, pos);
      if (pos > 0 && baseOffset >= maxOffset) break;
      // CRCs are checked once per process: batches appended here (checked by the producer path)
      // or recovered are in `verified`; others are checked on their first read.
      const at = position + pos;
      const unverified = size >= BATCH_HEADER_SIZE && !this.verified.covers(at, at + size);
      let problem = size < BATCH_HEADER_SIZE ? 'bad length' : buf.readInt8(pos + Off.Magic) !== CURRENT_MAGIC ? 'bad magic' : null;
      if (!problem && unverified) {
        readCrcChecks.count++;
        if (buf.readUInt32BE(pos + Off.Crc) !== computeBatchCrc(buf, pos, size)) problem = 'CRC mismatch';
      }
      if (problem) {
        if (pos === 0)
          throw new CorruptRecordError(`${this.logPath}: ${problem} in batch at position ${position + pos}`, this.logPath, position + pos);
        break;
      }
      if (unverified) this.verified.add(at, at + size);
      nextOffset = baseOffset + buf.readInt32BE(pos + Off.LastOffsetDelta) + 1;
      pos += size;
    }
    if (nextOffset >= 0) {
      this.readEnds.remember(nextOffset, position + pos);
    }
    return buf.subarray(0, pos);
  }

  /**
   * The batches `read` would return, as a region of this segment's file instead of a copy
   * (zero-copy fetch), with the descriptor pinned until the FileRecords is released; null when
   * `read` returns nothing. The region's end is found without reading its batches: none read when
   * it reaches the end of the segment and the segment's next offset is known, else the headers
   * after the last offset-index entry inside the budget (slice-end.ts). Batches whose CRC this
   * process has not checked yet are read once through `read` (into a buffer of `pool`, given back
   * at once), which checks them, so a corrupt batch is reported exactly as by `read`
   * (CorruptRecordError for the first, the region ends before a later one).
   */
  slice(position: number, maxBytes: number, maxOffset: number, pool: BufferPool, minOneBatch = true): FileRecords | null {
    const avail = this.size - position;
    if (avail < LOG_OVERHEAD) return null;
    if (!minOneBatch && maxBytes < BATCH_HEADER_SIZE) return null;
    // What `read` reads at once; a first batch larger than that is returned alone.
    const limit = Math.min(Math.max(maxBytes, BATCH_HEADER_SIZE), avail);
    let end: number;
    const out = sliceOut;
    if (limit === avail && this.nextOffset >= 0 && this.nextOffset <= maxOffset) {
      // every batch to the end of the segment, all below maxOffset
      end = this.size;
      out.nextOffset = this.nextOffset;
    } else {
      const input = sliceInput;
      input.fs = this.ctx.fs;
      input.fd = this.fd();
      input.offsetIndex = this.offsetIndex;
      input.size = this.size;
      input.position = position;
      input.limit = limit;
      input.maxOffset = maxOffset;
      input.minOneBatch = minOneBatch;
      end = sliceEnd(input, out);
      if (end === SLICE_EMPTY) return null;
    }
    if (end === SLICE_ASK_READ || !this.verified.covers(position, end)) {
      // first read of these batches in this process: read() checks their CRCs (once)
      const bytes = this.read(position, maxBytes, maxOffset, pool, minOneBatch);
      const length = bytes.length;
      pool.release(bytes);
      return length === 0 ? null : this.pinRegion(position, length, this.readEnds.lastOffset);
    }
    this.readEnds.remember(out.nextOffset, end);
    return this.pinRegion(position, end - position, out.nextOffset);
  }

  private pinRegion(position: number, length: number, nextOffset: number): FileRecords {
    this.fd();
    const pin = this.ctx.fds.pin(this.logPath);
    return new FileRecords(pin.fd, position, length, nextOffset, pin.release, this.ctx.fs);
  }

  /**
   * Position of the first batch whose last offset is >= `offset`, or -1. A consumer reading on
   * from where its previous read ended skips the index lookup and scan.
   */
  positionOf(offset: number): number {
    const known = this.readEnds.positionOf(offset);
    if (known >= 0) return known < this.size ? known : -1;
    const b = this.findBatch(offset);
    return b ? b.position : -1;
  }

  /**
   * Recovery: validates every batch from the start (framing, magic, CRC, offsets increasing),
   * truncates the file at the first invalid one, and rebuilds both indexes. Returns the number of
   * bytes truncated.
   */
  recover(
    indexIntervalBytes: number,
    onBatch?: (partitionLeaderEpoch: number, baseOffset: number, batch: Buffer, at: number, size: number) => void,
  ): number {
    const fs = this.ctx.fs;
    const fd = this.fd();
    const fileSize = fs.fstatSizeSync(fd);
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = -1;
    this.bytesSinceLastIndexEntry = 0;
    this.rollingBasedTimestamp = -1;
    let next = this.baseOffset;
    let pos = 0;
    const chunkSize = 1024 * 1024;
    let chunk = Buffer.allocUnsafe(chunkSize);
    let chunkStart = 0;
    let chunkLen = 0;
    while (pos + LOG_OVERHEAD <= fileSize) {
      if (pos < chunkStart || pos + LOG_OVERHEAD > chunkStart + chunkLen) {
        chunkStart = pos;
        chunkLen = readFully(fs, fd, chunk, 0, Math.min(chunk.length, fileSize - pos), pos);
      }
      let at = pos - chunkStart;
      const size = chunk.readInt32BE(at + Off.BatchLength) + LOG_OVERHEAD;
      if (size < BATCH_HEADER_SIZE || pos + size > fileSize) break;
      if (at + size > chunkLen) {
        if (size > chunk.length) chunk = Buffer.allocUnsafe(size);
        chunkStart = pos;
        chunkLen = readFully(fs, fd, chunk, 0, Math.min(chunk.length, fileSize - pos), pos);
        at = 0;
        if (chunkLen < size) break;
      }
      if (chunk.readInt8(at + Off.Magic) !== CURRENT_MAGIC) break;
      if (chunk.readUInt32BE(at + Off.Crc) !== computeBatchCrc(chunk, at, size)) break;
      const baseOffset = readInt64(chunk, at);
      const lastDelta = chunk.readInt32BE(at + Off.LastOffsetDelta);
      const lastOffset = baseOffset + lastDelta;
      if (baseOffset < next || lastDelta < 0 || lastOffset - this.baseOffset > 0x7fffffff) break;
      const maxTs = readInt64(chunk, at + Off.MaxTimestamp);
      if (maxTs > this.maxTimestamp) {
        this.maxTimestamp = maxTs;
        this.offsetOfMaxTimestamp = lastOffset;
      }
      if (pos === 0) this.rollingBasedTimestamp = maxTs;
      if (onBatch) onBatch(chunk.readInt32BE(at + Off.PartitionLeaderEpoch), baseOffset, chunk, at, size);
      this.indexBatch(lastOffset, pos, indexIntervalBytes);
      this.bytesSinceLastIndexEntry += size;
      next = lastOffset + 1;
      pos += size;
    }
    const truncated = fileSize - pos;
    if (truncated > 0) fs.ftruncateSync(fd, pos);
    // recovered data may never have reached the disk (a crash keeps only the page cache): sync it at the next flush
    this.logDirty = true;
    this.size = pos;
    this.verified.clear();
    this.verified.add(0, pos);
    this.readEnds.clear();
    this.flushedSize = Math.min(this.flushedSize, pos);
    this.truncations++;
    this.nextOffset = next;
    // As a normally closed segment, record the largest timestamp seen (Kafka's recover does too).
    this.maybeAppendTimeIndex();
    this.offsetIndex.persist();
    this.timeIndex.persist();
    return truncated;
  }

  /** Removes every batch whose last offset is >= `offset` (whole batches); returns bytes removed. */
  truncateTo(offset: number, indexIntervalBytes: number): number {
    const b = this.findBatch(offset);
    if (!b) return 0;
    const removed = this.size - b.position;
    this.txnIndex.truncateTo(b.baseOffset);
    this.ctx.fs.ftruncateSync(this.fd(), b.position);
    this.size = b.position;
    this.verified.truncate(b.position);
    this.logDirty = true;
    this.recover(indexIntervalBytes);
    return removed;
  }

  /** Fsyncs the log file (and persists + fsyncs the indexes when `indexes`). */
  flush(indexes: boolean): void {
    if (indexes) {
      this.offsetIndex.persist();
      this.timeIndex.persist();
      if (this.offsetIndex.dirty) this.offsetIndex.fsync();
      if (this.timeIndex.dirty) this.timeIndex.fsync();
      this.txnIndex.fsync();
    }
    if (this.logDirty) {
      const size = this.size;
      const truncations = this.truncations;
      this.ctx.fs.fsyncSync(this.fd());
      this.markLogSynced(size, truncations);
    }
  }

  /** The log file changed (append, truncation, creation) since its last fsync. */
  logDirty = false;
  /**
   * Bumped whenever the file may have been cut (recovery, truncation): an fsync that began
   * before then vouches for nothing, even if the file grew back to the size it had (the bytes
   * written since may not be the ones it synced).
   */
  private truncations = 0;

  private markLogSynced(sizeAtSync: number, truncationsAtSync: number): void {
    if (truncationsAtSync !== this.truncations) return;
    if (sizeAtSync > this.flushedSize) this.flushedSize = sizeAtSync;
    if (this.size === sizeAtSync) this.logDirty = false;
  }

  /** Async fsync of the log file only (group commit); the descriptor is pinned meanwhile. */
  async fsyncLog(): Promise<void> {
    const size = this.size;
    const truncations = this.truncations;
    await this.fsyncPath(this.logPath);
    this.markLogSynced(size, truncations);
  }

  private async fsyncPath(path: string): Promise<void> {
    const pinned = this.ctx.fds.pin(path, true);
    try {
      await this.ctx.fs.fsync(pinned.fd);
    } finally {
      pinned.release();
    }
  }

  /** Async flush: persists the indexes, then fsyncs log and indexes off the event loop. */
  async flushAsync(): Promise<void> {
    this.offsetIndex.persist();
    this.timeIndex.persist();
    const size = this.size;
    const truncations = this.truncations;
    const syncs: Promise<void>[] = [];
    if (this.logDirty) syncs.push(this.fsyncPath(this.logPath).then(() => this.markLogSynced(size, truncations)));
    for (const idx of [this.offsetIndex, this.timeIndex]) {
      if (idx.dirty) {
        idx.dirty = false;
        syncs.push(
          this.fsyncPath(idx.path).catch((err) => {
            idx.dirty = true;
            throw err;
          }),
        );
      }
    }
    syncs.push(this.txnIndex.fsyncAsync());
    await Promise.all(syncs);
  }

  /** Closes descriptors and drops index buffers (files stay). */
  close(): void {
    this.ctx.fds.close(this.logPath);
    this.ctx.fds.close(this.offsetIndex.path);
    this.ctx.fds.close(this.timeIndex.path);
    this.offsetIndex.release();
    this.timeIndex.release();
    this.txnIndex.close();
  }

  /** Deletes the segment's files. */
  deleteFiles(): void {
    this.deleted = true;
    this.close();
    this.ctx.fs.unlinkSync(this.logPath);
    this.ctx.fs.unlinkSync(this.offsetIndex.path);
    this.ctx.fs.unlinkSync(this.timeIndex.path);
    this.txnIndex.delete();
  }

  /** Verifies the indexes are consistent; if not, rebuilds them by scanning (returns true if rebuilt). */
  ensureIndexes(indexIntervalBytes: number): boolean {
    try {
      this.loadIndexes();
      return false;
    } catch (err) {
      if (!(err instanceof IndexCorruptError)) throw err;
      this.recover(indexIntervalBytes);
      return true;
    }
  }
}
