// RaftMetadataLog: `__cluster_metadata-0` replicated by a Raft quorum of controllers (KIP-595):
// a MetadataLog over @tributary/raft's RaftClient and DiskRaftLog, for a voter of
// `controller.quorum.voters` with more than one entry.
//
//   <metadata log dir>/__cluster_metadata-0/   the log (Kafka's format) and `quorum-state`
//
// - append(records, epoch): proposed as one batch by the leader of `epoch` (the records encoded as
//   the metadata serde writes them), resolved once the high watermark passes it (a majority has it
//   fsynced); NOT_CONTROLLER when this node is not, or stops being, the leader of `epoch`.
// - committedOffset is the high watermark; read() and readBytes() stop there (a standby replays
//   only what is committed). The log past it may still be truncated by a new leader.
// - activeEpoch: the epoch while this node is the leader with a record of its own epoch committed
//   (every earlier record is then committed too: the controller may act on its image).
// - onChange fires after the high watermark moved, after every leadership change, and after a
//   snapshot fetched from the leader replaced the log. onCommit tells, for each append of the
//   leader, the time from its proposal to its commit (Kafka's raft commit-latency).
// - Snapshots (KIP-630): once more than `snapshotBytes` of committed records were replayed since
//   the last one, the controller's image is written as `<offset>-<epoch>.checkpoint` and the log
//   below it dropped (maybeSnapshot); a restart or a follower that installed one starts from
//   snapshotImage() and replays the log from its offset.
// The Raft client (`raft`) is reached by the controller listener's quorum handlers (Vote,
// BeginQuorumEpoch, EndQuorumEpoch, Fetch); the channel is how this voter reaches the others.
import type { Time } from '@tributary/storage';
import { NodeFileSystem, systemTime, type FileSystem } from '@tributary/storage';
import {
  DiskRaftLog,
  QuorumStateFile,
  RaftClient,
  type QuorumConfig,
  type QuorumDescription,
  type RaftChannel,
  type RaftLogger,
} from '@tributary/raft';
import type { MetadataImage } from '../image/metadata-image.ts';
import type { MetadataRecord } from '../records/metadata-record.ts';
import { imageFromSnapshot, snapshotBatchesOf } from '../snapshot/metadata-snapshot.ts';
import { encodeMetadataBatch, type MetadataBatch } from '../records/record-serde.ts';
import { committedBatches } from './committed-batches.ts';
import type { AppendResult, MetadataLog } from './metadata-log.ts';

export interface RaftMetadataLogOptions {
  /** The metadata log dir (holds `__cluster_metadata-0`). */
  logDir: string;
  nodeId: number;
  /** The voters' node ids (controller.quorum.voters). */
  voters: readonly number[];
  channel: RaftChannel<Buffer>;
  fs?: FileSystem;
  time?: Time;
  config?: Partial<QuorumConfig>;
  logger?: RaftLogger;
  /** metadata.log.segment.bytes. */
  segmentBytes?: number;
  /** Called once the Raft client and the log are closed (to close the channel). */
  onClose?: () => void;
  /** metadata.log.max.record.bytes.between.snapshots (Kafka's default 20 MiB). */
  snapshotBytes?: number;
}

type Records = readonly MetadataRecord[];

const DEFAULT_SNAPSHOT_BYTES = 20 * 1024 * 1024;

export class RaftMetadataLog implements MetadataLog {
  readonly raft: RaftClient<Records, Buffer>;
  /** Bytes of committed batches replayed since the latest snapshot (a new one is due past snapshotBytes). */
  private replayedBytes = 0;
  private snapshotting = false;
  private readonly commitListeners = new Set<(latencyMs: number) => void>();

  private constructor(
    private readonly disk: DiskRaftLog<Records>,
    private readonly options: RaftMetadataLogOptions,
  ) {
    this.raft = new RaftClient({
      nodeId: options.nodeId,
      voters: options.voters,
      log: disk,
      store: new QuorumStateFile({ logDir: options.logDir, fs: options.fs, voters: options.voters }),
      channel: options.channel,
      time: options.time ?? systemTime,
      config: options.config,
      logger: options.logger,
    });
  }

  /** Opens the log (recovery runs) without starting the Raft client: `start()` does. */
  static open(options: RaftMetadataLogOptions): RaftMetadataLog {
    const fs = options.fs ?? new NodeFileSystem();
    const disk = DiskRaftLog.open<Records>({
      logDir: options.logDir,
      fs,
      time: options.time,
      segmentBytes: options.segmentBytes,
      encode: (records, epoch, appendTimeMs) => encodeMetadataBatch({ records, leaderEpoch: epoch, appendTimeMs }),
    });
    return new RaftMetadataLog(disk, { ...options, fs });
  }

  /** Resumes the election state and joins the quorum. */
  start(): Promise<void> {
    return this.raft.start();
  }

  get endOffset(): number {
    return this.disk.endOffset;
  }

  /** The log starts here: everything below is in the latest snapshot. */
  get startOffset(): number {
    return this.disk.startOffset;
  }

  get committedOffset(): number {
    return this.raft.highWatermark;
  }

  get activeEpoch(): number | null {
    return this.raft.isReadyLeader ? this.raft.epoch : null;
  }

  onChange(listener: () => void): () => void {
    const offHw = this.raft.onHighWatermark(() => listener());
    const offLeader = this.raft.onLeaderChange(() => listener());
    const offSnapshot = this.raft.onSnapshotInstalled(() => listener());
    return () => {
      offHw();
      offLeader();
      offSnapshot();
    };
  }

  /** Called with the milliseconds from proposal to commit of each append; returns the unsubscribe. */
  onCommit(listener: (latencyMs: number) => void): () => void {
    this.commitListeners.add(listener);
    return () => {
      this.commitListeners.delete(listener);
    };
  }

  async append(records: readonly MetadataRecord[], leaderEpoch: number): Promise<AppendResult> {
    const proposedAt = performance.now();
    const range = await this.raft.propose(records, leaderEpoch);
    await this.raft.waitForCommit(range.lastOffset, leaderEpoch);
    const latencyMs = performance.now() - proposedAt;
    for (const l of this.commitListeners) l(latencyMs);
    return { baseOffset: range.baseOffset, lastOffset: range.lastOffset };
  }

  read(fromOffset: number): Iterable<MetadataBatch> {
    return committedBatches(this.disk, fromOffset, this.committedOffset, (bytes) => {
      this.replayedBytes += bytes;
    });
  }

  readBytes(fromOffset: number, maxBytes: number): Buffer {
    return this.disk.read(fromOffset, this.committedOffset, maxBytes) ?? Buffer.alloc(0);
  }

  /** The image of the latest snapshot (what the log below its start held), or null. */
  snapshotImage(): MetadataImage | null {
    const id = this.disk.latestSnapshot();
    return id ? imageFromSnapshot(this.disk.snapshotData(id), id) : null;
  }

  /**
   * Snapshots `image` (the committed image the controller replayed) once more than snapshotBytes
   * of records were replayed since the last snapshot; the log below it is then dropped. In the
   * background: a failure is logged and retried at the next chance.
   */
  maybeSnapshot(image: MetadataImage): void {
    if (this.snapshotting || this.replayedBytes < (this.options.snapshotBytes ?? DEFAULT_SNAPSHOT_BYTES)) return;
    const id = { offset: image.provenance.lastOffset + 1, epoch: image.provenance.lastEpoch };
    if (id.offset <= this.disk.startOffset || id.offset > this.raft.highWatermark) return;
    this.snapshotting = true;
    const content = Buffer.concat(snapshotBatchesOf(image, Date.now()));
    this.raft
      .createSnapshot(id, content)
      .then(
        () => {
          if (this.disk.latestSnapshot()?.offset === id.offset) this.replayedBytes = 0;
          this.options.logger?.info('metadata snapshot written', { offset: id.offset, epoch: id.epoch, bytes: content.length });
        },
        (err) => this.options.logger?.error('cannot write a metadata snapshot', { error: err }),
      )
      .finally(() => {
        this.snapshotting = false;
      });
  }

  /** The leader's view; a voter that does not lead answers with the leader it knows and no replicas. */
  describeQuorum(): QuorumDescription {
    return (
      this.raft.describeQuorum() ?? {
        ...this.raft.leaderAndEpoch,
        highWatermark: this.raft.highWatermark,
        voters: [],
        observers: [],
      }
    );
  }

  /** Resigns if leading (EndQuorumEpoch), stops the Raft client, closes the log. */
  async close(): Promise<void> {
    await this.raft.close();
    this.disk.close();
    this.options.onClose?.();
  }
}
