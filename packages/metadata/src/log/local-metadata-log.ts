// LocalMetadataLog: the `__cluster_metadata-0` partition of a lone voter (one controller, no
// Raft), in Kafka's on-disk format, under the first log dir as Kafka's metadata.log.dir defaults
// to. The broker's LogManager skips this directory. It is raft's DiskRaftLog (segments, indexes,
// leader-epoch-checkpoint; recovery on open cuts a torn or corrupt tail, never replayed) used
// without a quorum:
//
//   <log dir>/__cluster_metadata-0/00000000000000000000.log   v2 batches of metadata records
//                                  ...index, ...timeindex, leader-epoch-checkpoint
//
// Every append is one batch, fsynced before its promise resolves (KRaft does not rely on the page
// cache: a controller acknowledges only what is on disk); everything written is committed. A lone
// voter elects itself anew on every start: its epoch is the latest in the log + 1. Never deleted
// by retention (Kafka's metadata log is trimmed by snapshots only).
import { CLUSTER_METADATA_PARTITION_DIR, DiskRaftLog } from '@tributary/raft';
import { NodeFileSystem, systemTime, type FileSystem, type LoadReport, type Time } from '@tributary/storage';
import type { MetadataRecord } from '../records/metadata-record.ts';
import { encodeMetadataBatch, type MetadataBatch } from '../records/record-serde.ts';
import { committedBatches } from './committed-batches.ts';
import type { AppendResult, MetadataLog } from './metadata-log.ts';

export const METADATA_PARTITION_DIR = CLUSTER_METADATA_PARTITION_DIR;

export interface LocalMetadataLogOptions {
  /** The log dir holding `__cluster_metadata-0` (the broker's first log dir). */
  logDir: string;
  fs?: FileSystem;
  time?: Time;
  /** metadata.log.segment.bytes (default 1 GiB, as Kafka). */
  segmentBytes?: number;
}

export class LocalMetadataLog implements MetadataLog {
  /** The epoch this lone voter writes in: the latest in the log + 1 (at least 1). */
  readonly activeEpoch: number;

  private constructor(private readonly disk: DiskRaftLog<readonly MetadataRecord[]>) {
    this.activeEpoch = disk.lastFetchedEpoch + 1;
  }

  static open(options: LocalMetadataLogOptions): LocalMetadataLog {
    const disk = DiskRaftLog.open<readonly MetadataRecord[]>({
      logDir: options.logDir,
      fs: options.fs ?? new NodeFileSystem(),
      time: options.time ?? systemTime,
      segmentBytes: options.segmentBytes,
      encode: (records, epoch, appendTimeMs) => encodeMetadataBatch({ records, leaderEpoch: epoch, appendTimeMs }),
    });
    return new LocalMetadataLog(disk);
  }

  /** What opening found: bytes of torn or corrupt tail cut off by recovery, segments scanned. */
  get recovery(): LoadReport {
    return this.disk.recovery;
  }

  get endOffset(): number {
    return this.disk.endOffset;
  }

  /** Everything written is committed: an append resolves once it is fsynced. */
  get committedOffset(): number {
    return this.disk.endOffset;
  }

  /** Nothing changes but by this node's own appends. */
  onChange(_listener: () => void): () => void {
    return () => {};
  }

  async append(records: readonly MetadataRecord[], leaderEpoch: number): Promise<AppendResult> {
    const range = this.disk.appendAsLeader(records, leaderEpoch);
    await this.disk.flush();
    return { baseOffset: range.baseOffset, lastOffset: range.lastOffset };
  }

  read(fromOffset: number): Iterable<MetadataBatch> {
    return committedBatches(this.disk, fromOffset, this.disk.endOffset);
  }

  readBytes(fromOffset: number, maxBytes: number): Buffer {
    return this.disk.read(fromOffset, this.disk.endOffset, maxBytes) ?? Buffer.alloc(0);
  }

  close(): void {
    this.disk.close();
  }
}
