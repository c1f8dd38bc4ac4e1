// LocalController: the single-node metadata backend — the controller state machine, the local
// `__cluster_metadata-0` log and the current MetadataImage, in one process (what a one-voter KRaft
// quorum with a combined broker/controller amounts to; Kafka's QuorumController + MetadataLoader).
//
//   const metadata = await LocalController.open({ logDir, controller: { numPartitions: 1, ... } });
//   metadata.subscribe((delta, image) => replicaManager.applyDelta(delta, image));   // gets the full image first
//   const [r] = await metadata.createTopics([{ name: 'orders', numPartitions: 3 }]);
//   metadata.image.topic('orders');                                                // synchronous reads
//   await metadata.close();
//
// Start: the log is opened (storage recovery cuts a torn tail), bootstrapped when empty
// (metadata.version, plus the topics and the producer id block of a pre-metadata-log data dir:
// topic-store-migration.ts),
// then replayed from offset 0 into the image.
// Each operation, one at a time in arrival order (a queue, like the QuorumController's single
// event thread): the controller computes records against the current image -> they are replayed
// into a MetadataDelta (a record the image cannot take fails the operation before anything is
// written) -> appended as one batch and fsynced -> the new image is published to every
// subscriber (synchronously, in subscription order) -> the operation's response is returned. An
// operation producing no records (an error, validateOnly, nothing to change) writes nothing.
// Two concurrent CreateTopics of one name: the first creates it, the second gets TOPIC_ALREADY_EXISTS.
// Leader epoch: every start is a new epoch (the latest in the log + 1, at least 1), as a single
// voter elects itself anew on each start; it is written into every batch.
// A failed append (I/O error: the log goes offline) fails the operation: CreateTopics answers
// KAFKA_STORAGE_ERROR per topic, as the topic store did; the other operations reject.
import { ErrorCode, type AlterPartitionRequest, type AlterPartitionResponse } from '@tributary/protocol';
import type { FileSystem, Time } from '@tributary/storage';
import { NodeFileSystem, systemTime } from '@tributary/storage';
import type { BrokerRegistrationRequest, BrokerRegistrationResult, ProducerIdsBlockResult } from '../controller/cluster-control.ts';
import type { AlterConfigsResource, AlterConfigsResult, IncrementalAlterConfigsResource } from '../controller/configuration-control.ts';
import { ALTER_PARTITION_MAX_VERSION } from '../controller/alter-partition.ts';
import { Controller, type ValidateOnly } from '../controller/controller.ts';
import type { ControllerOptions } from '../controller/controller-options.ts';
import type { PartitionChangeRequest, PartitionChangeResult } from '../controller/partition-change.ts';
import type { ApiError, ControllerResult } from '../controller/results.ts';
import type {
  CreatableTopic,
  CreatePartitionsResult,
  CreatePartitionsTopic,
  CreateTopicResult,
  DeletableTopic,
  DeleteTopicResult,
} from '../controller/topic-control.ts';
import { imageRecords } from '../image/image-records.ts';
import { MetadataDelta } from '../image/metadata-delta.ts';
import { MetadataImage } from '../image/metadata-image.ts';
import { LocalMetadataLog } from '../log/local-metadata-log.ts';
import type { MetadataLog } from '../log/metadata-log.ts';
import { markTopicStoreMigrated, producerIdBlockRecords, topicStoreRecords } from './topic-store-migration.ts';

/** Receives each new image with the delta that produced it. */
export type MetadataListener = (delta: MetadataDelta, image: MetadataImage) => void;

/** The subset of the broker's Logger this needs. */
export interface MetadataLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface LocalControllerOptions {
  /** The first log dir: holds `__cluster_metadata-0` (and the topic store to migrate). */
  logDir: string;
  controller: ControllerOptions;
  fs?: FileSystem;
  time?: Time;
  logger?: MetadataLogger;
  /** Replaces the local log (tests); `logDir` is then only used for the migration. */
  metadataLog?: MetadataLog;
}

/** What start-up did. */
export interface LocalControllerStartup {
  /** Records replayed from the log. */
  replayedRecords: number;
  /** Topics written to the log from the old topic store (0 when nothing was migrated). */
  migratedTopics: number;
  /** Bytes of torn tail cut off the log by recovery. */
  truncatedBytes: number;
}

const silent: MetadataLogger = { info() {}, error() {} };

export class LocalController {
  readonly controller: Controller;
  readonly startup: LocalControllerStartup;
  private current: MetadataImage;
  private readonly listeners = new Set<MetadataListener>();
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly log: MetadataLog,
    private readonly epoch: number,
    image: MetadataImage,
    controller: Controller,
    private readonly logger: MetadataLogger,
    startup: LocalControllerStartup,
  ) {
    this.current = image;
    this.controller = controller;
    this.startup = startup;
  }

  static async open(options: LocalControllerOptions): Promise<LocalController> {
    const fs = options.fs ?? new NodeFileSystem();
    const time = options.time ?? systemTime;
    const logger = options.logger ?? silent;
    const controller = new Controller(options.controller);
    const local = options.metadataLog ? null : LocalMetadataLog.open({ logDir: options.logDir, fs, time });
    const log = options.metadataLog ?? local!;
    try {
      const epoch = Math.max(log.latestEpoch + 1, 1);
      let migratedTopics = 0;
      if (log.endOffset === 0) {
        const migration = topicStoreRecords(fs, options.logDir);
        const producerIds = producerIdBlockRecords(fs, options.logDir);
        await log.append([...controller.bootstrapRecords(), ...migration.records, ...producerIds], epoch);
        migratedTopics = migration.topics;
        if (migratedTopics > 0) logger.info('topics migrated from the topic store to the metadata log', { topics: migratedTopics });
      }
      markTopicStoreMigrated(fs, options.logDir);
      const { image, records } = replayLog(log);
      const startup = { replayedRecords: records, migratedTopics, truncatedBytes: local?.recovery.truncatedBytes ?? 0 };
      return new LocalController(log, epoch, image, controller, logger, startup);
    } catch (err) {
      log.close();
      throw err;
    }
  }

  /** The current image (replaced as a whole by every change). */
  get image(): MetadataImage {
    return this.current;
  }

  /** The offset the next record will get. */
  get nextOffset(): number {
    return this.log.endOffset;
  }

  /**
   * Subscribes to new images. The listener is first called at once with the current image as a
   * delta from the empty image (everything "created"), then after every change. Returns the
   * unsubscribe function.
   */
  subscribe(listener: MetadataListener): () => void {
    this.listeners.add(listener);
    if (!this.current.isEmpty) {
      const delta = new MetadataDelta(MetadataImage.EMPTY).replayAll(imageRecords(this.current));
      this.notify(listener, delta, this.current);
    }
    return () => {
      this.listeners.delete(listener);
    };
  }

  // ---- operations (serialized) ----

  createTopics(topics: readonly CreatableTopic[], opts: ValidateOnly = {}): Promise<CreateTopicResult[]> {
    return this.run(
      (image) => this.controller.createTopics(image, topics, opts),
      (err, response) =>
        response.map((r) =>
          r.errorCode !== ErrorCode.NONE
            ? r
            : {
                name: r.name,
                errorCode: ErrorCode.KAFKA_STORAGE_ERROR,
                errorMessage: `Failed to create topic ${r.name}: ${(err as Error).message}`,
              },
        ),
    );
  }

  createPartitions(topics: readonly CreatePartitionsTopic[], opts: ValidateOnly = {}): Promise<CreatePartitionsResult[]> {
    return this.run((image) => this.controller.createPartitions(image, topics, opts));
  }

  deleteTopics(topics: readonly DeletableTopic[]): Promise<DeleteTopicResult[]> {
    return this.run((image) => this.controller.deleteTopics(image, topics));
  }

  alterConfigs(resources: readonly AlterConfigsResource[], opts: ValidateOnly = {}): Promise<AlterConfigsResult[]> {
    return this.run((image) => this.controller.alterConfigs(image, resources, opts));
  }

  incrementalAlterConfigs(resources: readonly IncrementalAlterConfigsResource[], opts: ValidateOnly = {}): Promise<AlterConfigsResult[]> {
    return this.run((image) => this.controller.incrementalAlterConfigs(image, resources, opts));
  }

  registerBroker(req: BrokerRegistrationRequest): Promise<BrokerRegistrationResult> {
    return this.run((image) => this.controller.registerBroker(image, req, this.log.endOffset));
  }

  fenceBroker(brokerId: number, brokerEpoch?: bigint): Promise<ApiError> {
    return this.run((image) => this.controller.fenceBroker(image, brokerId, brokerEpoch));
  }

  unfenceBroker(brokerId: number, brokerEpoch?: bigint): Promise<ApiError> {
    return this.run((image) => this.controller.unfenceBroker(image, brokerId, brokerEpoch));
  }

  unregisterBroker(brokerId: number): Promise<ApiError> {
    return this.run((image) => this.controller.unregisterBroker(image, brokerId));
  }

  /** A new leader and/or ISR for one partition (LeaderAndIsr; later AlterPartition). */
  changePartition(req: PartitionChangeRequest): Promise<PartitionChangeResult> {
    return this.run((image) => this.controller.changePartition(image, req));
  }

  /** AlterPartition (API 56): a leader's new ISR, checked and written (version: the request's, 0-3). */
  alterPartition(request: AlterPartitionRequest, version = ALTER_PARTITION_MAX_VERSION): Promise<AlterPartitionResponse> {
    return this.run((image) => this.controller.alterPartition(image, request, version));
  }

  allocateProducerIds(brokerId: number, brokerEpoch?: bigint): Promise<ProducerIdsBlockResult> {
    return this.run((image) => this.controller.allocateProducerIds(image, brokerId, brokerEpoch));
  }

  /** Waits for the operations queued so far, then closes the log. Later operations reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    this.listeners.clear();
    this.log.close();
  }

  // ---- internals ----

  private run<T>(compute: (image: MetadataImage) => ControllerResult<T>, onWriteError?: (err: unknown, response: T) => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the metadata controller is closed'));
    const op = this.tail.then(async () => {
      const { records, response } = compute(this.current);
      if (records.length === 0) return response;
      // Replayed before it is written: a record the image cannot take never reaches the log.
      const delta = new MetadataDelta(this.current).replayAll(records);
      let lastOffset: number;
      try {
        ({ lastOffset } = await this.log.append(records, this.epoch));
      } catch (err) {
        this.logger.error('cannot write to the metadata log', { err });
        if (onWriteError) return onWriteError(err, response);
        throw err;
      }
      this.current = delta.apply({ lastOffset, lastEpoch: this.epoch });
      for (const l of [...this.listeners]) this.notify(l, delta, this.current);
      return response;
    });
    this.tail = op.catch(() => undefined);
    return op;
  }

  private notify(listener: MetadataListener, delta: MetadataDelta, image: MetadataImage): void {
    try {
      listener(delta, image);
    } catch (err) {
      this.logger.error('a metadata listener failed', { err });
    }
  }
}

/** Replays the whole log into an image (one delta). */
function replayLog(log: MetadataLog): { image: MetadataImage; records: number } {
  const delta = new MetadataDelta(MetadataImage.EMPTY);
  let provenance = MetadataImage.EMPTY.provenance;
  for (const batch of log.read(0)) {
    for (const { record } of batch.records) delta.replay(record);
    provenance = { lastOffset: batch.lastOffset, lastEpoch: batch.leaderEpoch };
  }
  return { image: delta.apply(provenance), records: delta.recordCount };
}
