// The transaction index of one segment, `<base offset, 20 digits>.txnindex` (Kafka's
// TransactionIndex): the aborted transactions whose ABORT marker was written in this segment, in
// marker order, 34 bytes each (Kafka's AbortedTxn), big-endian, no header:
//
//   version           int16   0
//   producerId        int64
//   firstOffset       int64   the transaction's first offset in this partition
//   lastOffset        int64   the offset of its ABORT marker
//   lastStableOffset  int64   the LSO when the marker was written: the first offset of the oldest
//                             transaction still open then, or lastOffset + 1 when none was
//
// A read_committed fetch of [fetchOffset, upperBound) collects the entries with lastOffset >=
// fetchOffset and firstOffset < upperBound, from the segment holding fetchOffset onward, and stops
// at the first segment holding an entry whose lastStableOffset >= upperBound (nothing later can
// start below the bound). The file is created with the first aborted transaction (most segments
// have none); entries are kept in memory once read. It is truncated with its segment, deleted with
// it, and rebuilt when its segment is recovered (log-loader.ts).
import type { FdCache } from './fd-cache.ts';
import { readFully, type FileSystem } from './fs.ts';
import { StorageError } from './errors.ts';

export const TXN_INDEX_SUFFIX = '.txnindex';
export const ABORTED_TXN_SIZE = 34;
export const ABORTED_TXN_VERSION = 0;

export interface AbortedTxn {
  producerId: bigint;
  firstOffset: number;
  lastOffset: number;
  lastStableOffset: number;
}

/** One entry's 34 bytes. */
export function encodeAbortedTxn(t: AbortedTxn): Buffer {
  const b = Buffer.allocUnsafe(ABORTED_TXN_SIZE);
  b.writeInt16BE(ABORTED_TXN_VERSION, 0);
  b.writeBigInt64BE(t.producerId, 2);
  b.writeBigInt64BE(BigInt(t.firstOffset), 10);
  b.writeBigInt64BE(BigInt(t.lastOffset), 18);
  b.writeBigInt64BE(BigInt(t.lastStableOffset), 26);
  return b;
}

export function decodeAbortedTxn(b: Buffer, at = 0): AbortedTxn {
  const version = b.readInt16BE(at);
  if (version > ABORTED_TXN_VERSION) throw new StorageError(`unexpected aborted transaction version ${version} in a transaction index`);
  return {
    producerId: b.readBigInt64BE(at + 2),
    firstOffset: Number(b.readBigInt64BE(at + 10)),
    lastOffset: Number(b.readBigInt64BE(at + 18)),
    lastStableOffset: Number(b.readBigInt64BE(at + 26)),
  };
}

export interface TxnIndexSearchResult {
  abortedTransactions: AbortedTxn[];
  /** An entry's lastStableOffset reached the upper bound: later segments need not be searched. */
  isComplete: boolean;
}

export class TransactionIndex {
  /** Entries as on disk, once read (null: not loaded). */
  private entries: AbortedTxn[] | null;
  /** The file exists (it is created by the first append). */
  private exists: boolean;
  /** The file changed since its last fsync. */
  dirty = false;

  constructor(
    private readonly fds: FdCache,
    /** Changes only with renameTo (the cleaner's .cleaned -> .swap -> final names). */
    public path: string,
    readonly startOffset: number,
    exists: boolean,
  ) {
    this.exists = exists;
    this.entries = exists ? null : [];
  }

  private get fs(): FileSystem {
    return this.fds.fs;
  }

  /** The entries, read from the file on first use (a partial trailing entry, left by a crash, is cut off). */
  all(): readonly AbortedTxn[] {
    if (this.entries) return this.entries;
    const fd = this.fds.get(this.path, true);
    const size = this.fs.fstatSizeSync(fd);
    const whole = size - (size % ABORTED_TXN_SIZE);
    const buf = Buffer.allocUnsafe(whole);
    readFully(this.fs, fd, buf, 0, whole, 0);
    if (whole !== size) {
      this.fs.ftruncateSync(fd, whole);
      this.dirty = true;
    }
    const out: AbortedTxn[] = [];
    for (let at = 0; at < whole; at += ABORTED_TXN_SIZE) out.push(decodeAbortedTxn(buf, at));
    this.entries = out;
    return out;
  }

  get count(): number {
    return this.all().length;
  }

  /**
   * Appends an entry; its lastOffset must be above the previous one's (Kafka's check). Returns
   * true when this created the file (its directory entry is then still to be fsynced).
   */
  append(txn: AbortedTxn): boolean {
    const entries = this.all() as AbortedTxn[];
    const last = entries.at(-1);
    if (last && last.lastOffset >= txn.lastOffset) {
      throw new StorageError(
        `The last offset of appended transactions must increase sequentially, but ${txn.lastOffset} is not greater than current last offset ${last.lastOffset} of index ${this.path}`,
      );
    }
    const bytes = encodeAbortedTxn(txn);
    const fd = this.fds.get(this.path, true);
    const at = entries.length * ABORTED_TXN_SIZE;
    let written = 0;
    while (written < bytes.length) written += this.fs.writeSync(fd, bytes, written, bytes.length - written, at + written);
    entries.push(txn);
    const created = !this.exists;
    this.exists = true;
    this.dirty = true;
    return created;
  }

  /** Kafka's collectAbortedTxns: the entries overlapping [fetchOffset, upperBoundOffset) (see the header). */
  collectAbortedTxns(fetchOffset: number, upperBoundOffset: number): TxnIndexSearchResult {
    const abortedTransactions: AbortedTxn[] = [];
    if (!this.exists) return { abortedTransactions, isComplete: false };
    for (const t of this.all()) {
      if (t.lastOffset >= fetchOffset && t.firstOffset < upperBoundOffset) abortedTransactions.push(t);
      if (t.lastStableOffset >= upperBoundOffset) return { abortedTransactions, isComplete: true };
    }
    return { abortedTransactions, isComplete: false };
  }

  /** Removes the entries whose marker is at or after `offset`. */
  truncateTo(offset: number): void {
    if (!this.exists) return;
    const entries = this.all() as AbortedTxn[];
    const keep = entries.findIndex((t) => t.lastOffset >= offset);
    if (keep < 0) return;
    this.fs.ftruncateSync(this.fds.get(this.path, true), keep * ABORTED_TXN_SIZE);
    entries.length = keep;
    this.dirty = true;
  }

  /** Removes every entry (recovery rebuilds them). */
  reset(): void {
    this.entries = [];
    if (!this.exists) return;
    this.fs.ftruncateSync(this.fds.get(this.path, true), 0);
    this.dirty = true;
  }

  fsync(): void {
    if (!this.dirty || !this.exists) return;
    this.fs.fsyncSync(this.fds.get(this.path, true));
    this.dirty = false;
  }

  async fsyncAsync(): Promise<void> {
    if (!this.dirty || !this.exists) return;
    this.dirty = false;
    const pinned = this.fds.pin(this.path, true);
    try {
      await this.fs.fsync(pinned.fd);
    } catch (err) {
      this.dirty = true;
      throw err;
    } finally {
      pinned.release();
    }
  }

  /** Closes the descriptor and drops the cached entries (the file stays). */
  close(): void {
    this.fds.close(this.path);
    if (this.exists) this.entries = null;
  }

  /** Renames the file, when there is one (its descriptor is closed first). */
  renameTo(path: string): void {
    this.fds.close(this.path);
    if (this.exists) this.fs.renameSync(this.path, path);
    this.path = path;
  }

  delete(): void {
    this.fds.close(this.path);
    if (this.exists) this.fs.unlinkSync(this.path);
    this.exists = false;
    this.entries = [];
  }
}
