// Test helpers for DiskRaftLog: a log over the in-memory filesystem whose leader batches hold
// string values (encoded with protocol's record batch encoder), and a filesystem whose fsyncs can
// be held (the worst case of a real disk: an fsync covers what was written when it began, and
// completes only when the test says so).
import { decodeRecordBatchSync, encodeRecordBatchSync } from '@tributary/protocol';
import { MemoryFileSystem, MockTime } from '@tributary/storage';
import { DiskRaftLog } from '../../src/disk-raft-log.ts';

export const LOG_DIR = '/data';
export const SEGMENT_0 = `${LOG_DIR}/__cluster_metadata-0/00000000000000000000.log`;

/** One batch of `values`, a record each. */
export function encodeValues(values: string[], epoch: number, appendTimeMs: number): Buffer {
  return encodeRecordBatchSync({
    partitionLeaderEpoch: epoch,
    baseTimestamp: BigInt(appendTimeMs),
    records: values.map((value) => ({ value, timestamp: appendTimeMs })),
  });
}

/** The values of every record in `records` (whole batches), in order. */
export function valuesIn(records: Buffer | null): string[] {
  const out: string[] = [];
  let pos = 0;
  while (records && pos < records.length) {
    const b = decodeRecordBatchSync(records, pos);
    for (const r of b.records) out.push(r.value?.toString() ?? '');
    pos += b.sizeInBytes;
  }
  return out;
}

/** A filesystem whose fsyncs, while `hold` is set, sync at once but resolve only on `release()`. */
export class HeldFsyncFileSystem extends MemoryFileSystem {
  hold = false;
  private held: Array<() => void> = [];

  override fsync(fd: number): Promise<void> {
    if (!this.hold) return super.fsync(fd);
    this.fsyncSync(fd);
    return new Promise((resolve) => this.held.push(resolve));
  }

  get heldCount(): number {
    return this.held.length;
  }

  release(): void {
    const held = this.held;
    this.held = [];
    for (const resolve of held) resolve();
  }
}

export interface LogEnv {
  fs: MemoryFileSystem;
  time: MockTime;
  open(segmentBytes?: number): DiskRaftLog<string[]>;
}

export function logEnv(fs: MemoryFileSystem = new MemoryFileSystem()): LogEnv {
  const time = new MockTime(1_700_000_000_000);
  return {
    fs,
    time,
    open: (segmentBytes?: number) =>
      DiskRaftLog.open<string[]>({
        logDir: LOG_DIR,
        fs,
        time,
        encode: encodeValues,
        ...(segmentBytes !== undefined ? { segmentBytes } : {}),
      }),
  };
}
