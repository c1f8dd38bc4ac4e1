// LocalMetadataLog: the `__cluster_metadata-0` partition on this node, in Kafka's on-disk format
// (segments, indexes, leader-epoch-checkpoint: storage's PartitionLog), under the first log dir as
// Kafka's metadata.log.dir defaults to. The broker's LogManager skips this directory.
//
//   <log dir>/__cluster_metadata-0/00000000000000000000.log   v2 batches of metadata records
//                                  ...index, ...timeindex, leader-epoch-checkpoint
//
// Every append is one batch, fsynced before its promise resolves (KRaft does not rely on the page
// cache: a controller acknowledges only what is on disk). Opening always runs storage's recovery
// scan over the whole log (there is no recovery-point checkpoint for it; the log is small until
// snapshots bound it): a torn or corrupt tail left by a crash is cut off, never replayed. Never
// deleted by retention (Kafka's metadata log is trimmed by snapshots only).
import {
  CLUSTER_METADATA_TOPIC,
  FdCache,
  IndexCache,
  NodeFileSystem,
  loadPartitionLog,
  logConfig,
  systemTime,
  type FileSystem,
  type Time,
  type LoadReport,
  type PartitionLog,
} from '@tributary/storage';
import type { MetadataRecord } from '../records/metadata-record.ts';
import { decodeMetadataBatches, encodeMetadataBatch, type MetadataBatch } from '../records/record-serde.ts';
import type { AppendResult, MetadataLog } from './metadata-log.ts';

export const METADATA_PARTITION_DIR = `${CLUSTER_METADATA_TOPIC}-0`;

export interface LocalMetadataLogOptions {
  /** The log dir holding `__cluster_metadata-0` (the broker's first log dir). */
  logDir: string;
  fs?: FileSystem;
  time?: Time;
  /** metadata.log.segment.bytes (default 1 GiB, as Kafka). */
  segmentBytes?: number;
}

const READ_CHUNK_BYTES = 1 << 20;

export class LocalMetadataLog implements MetadataLog {
  /** What opening found: bytes of torn or corrupt tail cut off by recovery, segments scanned. */
  readonly recovery: LoadReport;

  /** A lone voter elects itself anew on every start: the latest epoch in the log + 1 (at least 1). */
  readonly activeEpoch: number;

  private constructor(
    private readonly log: PartitionLog,
    private readonly fds: FdCache,
    private readonly time: Time,
    recovery: LoadReport,
  ) {
    this.recovery = recovery;
    this.activeEpoch = Math.max(log.leaderEpochCache.latestEpoch + 1, 1);
  }

  static open(options: LocalMetadataLogOptions): LocalMetadataLog {
    const fs = options.fs ?? new NodeFileSystem();
    const time = options.time ?? systemTime;
    const dir = `${options.logDir}/${METADATA_PARTITION_DIR}`;
    fs.mkdirSync(options.logDir);
    const isNew = fs.statSync(dir) === null;
    const fds = new FdCache(fs, 16);
    const ctx = { fs, time, fds, indexCache: new IndexCache(4 * 1024 * 1024) };
    const config = logConfig({
      durableAppend: true,
      retentionMs: -1,
      retentionBytes: -1,
      ...(options.segmentBytes !== undefined ? { segmentBytes: options.segmentBytes } : {}),
    });
    const report: LoadReport = { recoveredSegments: 0, truncatedBytes: 0, deletedSegments: 0, rebuiltIndexes: 0 };
    const log = loadPartitionLog(ctx, dir, CLUSTER_METADATA_TOPIC, 0, config, { cleanShutdown: false, recoveryPoint: 0 }, report);
    // A new directory: its entry in the log dir is fsynced before the first data is.
    if (isNew) log.markCreated({ path: options.logDir, synced: false });
    return new LocalMetadataLog(log, fds, time, report);
  }

  get endOffset(): number {
    return this.log.logEndOffset;
  }

  /** Everything written is committed: an append resolves once it is fsynced. */
  get committedOffset(): number {
    return this.log.logEndOffset;
  }

  /** Nothing changes but by this node's own appends. */
  onChange(_listener: () => void): () => void {
    return () => {};
  }

  async append(records: readonly MetadataRecord[], leaderEpoch: number): Promise<AppendResult> {
    const batch = encodeMetadataBatch({ records, leaderEpoch, appendTimeMs: this.time.now() });
    const info = await this.log.append(batch, { leaderEpoch });
    return { baseOffset: info.firstOffset, lastOffset: info.lastOffset };
  }

  *read(fromOffset: number): Generator<MetadataBatch> {
    let offset = Math.max(fromOffset, this.log.logStartOffset);
    while (offset < this.log.logEndOffset) {
      const { records } = this.log.read(offset, READ_CHUNK_BYTES);
      const batches = decodeMetadataBatches(records);
      if (batches.length === 0) throw new Error(`metadata log: no whole batch readable at offset ${offset}`);
      for (const b of batches) {
        if (b.lastOffset < fromOffset) continue;
        yield b;
      }
      offset = batches[batches.length - 1]!.lastOffset + 1;
    }
  }

  readBytes(fromOffset: number, maxBytes: number): Buffer {
    return this.log.read(fromOffset, maxBytes).records;
  }

  close(): void {
    this.log.close();
    this.fds.closeAll();
  }
}
