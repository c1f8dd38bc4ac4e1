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
// Broker liveness (soft state, BrokerHeartbeatManager): brokerHeartbeat fences, unfences and runs
// controlled shutdowns as Kafka's QuorumController does; a broker that has heartbeated and then
// stays silent longer than sessionTimeoutMs is fenced by a timer armed for the first instant a
// session expires (the time seam's setTimeout, so MockTime drives it in tests).
// Automatic leader rebalance (auto.leader.rebalance.enable): while active, a pass every
// leaderImbalanceCheckIntervalMs moves leadership back to preferred replicas (leader-rebalance.ts,
// controller/leader-imbalance.ts), queued like any operation.
// DescribeQuorum: one voter (this controller, node id from the options) leading its epoch, with
// the brokers that fetch the log as observers (updateReplicaState, replica-fetch-states.ts).
// A failed append (I/O error: the log goes offline) fails the operation: CreateTopics answers
// KAFKA_STORAGE_ERROR per topic, as the topic store did; the other operations reject.
// Metrics: `stats` (controller-stats.ts) counts what Kafka's QuorumControllerMetrics reports
// (the last applied record's time, replay errors, timed-out heartbeats, operation timings).
import {
  ErrorCode,
  KafkaError,
  hasErrorCode,
  type AlterPartitionReassignmentsResponse,
  type AlterPartitionRequest,
  type AlterPartitionResponse,
  type AlterUserScramCredentialsRequest,
  type AssignReplicasToDirsRequest,
  type AssignReplicasToDirsResponse,
  type ListPartitionReassignmentsResponse,
} from '@tributary/protocol';
import type { AlterScramResult } from '../controller/scram-control.ts';
import type { Cancel, FileSystem, Time } from '@tributary/storage';
import { NodeFileSystem, systemTime } from '@tributary/storage';
import type { QuorumDescription } from '@tributary/raft';
import type { BrokerRegistrationRequest, BrokerRegistrationResult, ProducerIdsBlockResult } from '../controller/cluster-control.ts';
import type { AclBinding, AclBindingFilter } from '../acl/acl-binding.ts';
import type { DeleteAclsFilterResult } from '../controller/acl-control.ts';
import type { AlterConfigsResource, AlterConfigsResult, IncrementalAlterConfigsResource } from '../controller/configuration-control.ts';
import { ALTER_PARTITION_MAX_VERSION } from '../controller/alter-partition.ts';
import type { FeatureUpdate } from '../controller/feature-control.ts';
import type { AlterClientQuotasResult, ClientQuotaAlteration } from '../controller/client-quota-control.ts';
import type { BrokerHeartbeatReply, BrokerHeartbeatRequest } from '../controller/broker-heartbeat.ts';
import { BrokerHeartbeatManager } from '../controller/broker-heartbeat-manager.ts';
import { ReplicaFetchStates } from './replica-fetch-states.ts';
import { ControllerStats } from './controller-stats.ts';
import { DEFAULT_SESSION_TIMEOUT_MS } from '../controller/controller-options.ts';
import type { ElectLeadersRequestData, ElectLeadersResult } from '../controller/elect-leaders.ts';
import { LeaderRebalance } from './leader-rebalance.ts';
import { Controller, type ValidateOnly } from '../controller/controller.ts';
import type { ControllerOptions } from '../controller/controller-options.ts';
import type { PartitionChangeRequest, PartitionChangeResult } from '../controller/partition-change.ts';
import type { ListReassignmentsTopic, ReassignableTopic } from '../controller/reassignment.ts';
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
import { MetadataDelta, applyRecords } from '../image/metadata-delta.ts';
import { snapshotDelta } from '../image/snapshot-delta.ts';
import { MetadataImage } from '../image/metadata-image.ts';
import { LocalMetadataLog } from '../log/local-metadata-log.ts';
import type { MetadataLog } from '../log/metadata-log.ts';
import type { MetadataRecord } from '../records/metadata-record.ts';
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
  /** This controller's node.id: the leader DescribeQuorum reports (default -1: unknown). */
  nodeId?: number;
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
  /** Counters and operation timings for the controller metrics. */
  readonly stats = new ControllerStats();
  private current: MetadataImage;
  private readonly listeners = new Set<MetadataListener>();
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Soft state: sessions, reported offsets, controlled shutdowns (not in the log). */
  heartbeats: BrokerHeartbeatManager;
  /** The epoch this controller is active in (it leads the quorum and may write), or null. */
  private activeIn: number | null = null;
  private unsubscribeLog: (() => void) | null = null;
  private sessionTimer: Cancel | null = null;
  /** Fetches of the metadata log waiting for records past an offset. */
  private readonly appendWaiters = new Set<{ offset: number; wake: () => void }>();
  private sessionTimerAt: number | null = null;
  /** The observers fetching the metadata log (brokers), as DescribeQuorum reports them. */
  private readonly observers = new ReplicaFetchStates();
  /** The automatic leader rebalance, when auto.leader.rebalance.enable (runs while active). */
  private readonly rebalance: LeaderRebalance | null;

  private constructor(
    private readonly log: MetadataLog,
    image: MetadataImage,
    controller: Controller,
    private readonly logger: MetadataLogger,
    startup: LocalControllerStartup,
    private readonly time: Time,
    /** This controller's node id (-1: unknown). */
    readonly nodeId: number,
  ) {
    this.heartbeats = new BrokerHeartbeatManager(controller.options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS);
    this.current = image;
    this.controller = controller;
    this.startup = startup;
    this.rebalance = LeaderRebalance.of(
      controller.options,
      time,
      () => this.balancePartitionLeaders(),
      (err) => logger.error('cannot move leadership back to preferred replicas', { err }),
    );
  }

  static async open(options: LocalControllerOptions): Promise<LocalController> {
    const fs = options.fs ?? new NodeFileSystem();
    const time = options.time ?? systemTime;
    const logger = options.logger ?? silent;
    const controller = new Controller(options.controller);
    const local = options.metadataLog ? null : LocalMetadataLog.open({ logDir: options.logDir, fs, time });
    const log = options.metadataLog ?? local!;
    try {
      // a lone voter is active at once; a quorum's voter is active once it leads (onLogChange)
      const epoch = log.activeEpoch;
      let migratedTopics = 0;
      if (log.endOffset === 0 && epoch !== null) {
        const migration = topicStoreRecords(fs, options.logDir);
        const producerIds = producerIdBlockRecords(fs, options.logDir);
        await log.append([...controller.bootstrapRecords(), ...migration.records, ...producerIds], epoch);
        migratedTopics = migration.topics;
        if (migratedTopics > 0) logger.info('topics migrated from the topic store to the metadata log', { topics: migratedTopics });
      }
      markTopicStoreMigrated(fs, options.logDir);
      const { image, records, lastAppendTimeMs } = replayLog(log);
      const startup = { replayedRecords: records, migratedTopics, truncatedBytes: local?.recovery.truncatedBytes ?? 0 };
      const opened = new LocalController(log, image, controller, logger, startup, time, options.nodeId ?? -1);
      opened.stats.lastAppliedRecordTimestamp = lastAppendTimeMs;
      opened.unsubscribeLog = log.onChange(() => opened.onLogChange());
      opened.onLogChange();
      return opened;
    } catch (err) {
      await log.close();
      throw err;
    }
  }

  /** The current image (replaced as a whole by every change). */
  get image(): MetadataImage {
    return this.current;
  }

  /** The offset the next record will get (every record before it is committed: fsynced, one voter). */
  get nextOffset(): number {
    return this.log.endOffset;
  }

  /** The offset of the last committed record (Kafka's LastCommittedRecordOffset; -1: none). */
  get lastCommittedRecordOffset(): number {
    return this.log.committedOffset - 1;
  }

  /** The leader epoch this controller writes its batches in (-1 while it is not active). */
  get leaderEpoch(): number {
    return this.activeIn ?? -1;
  }

  /** Whether this controller leads the quorum and may write (Kafka's active controller). */
  get isActive(): boolean {
    return this.activeIn !== null;
  }

  /**
   * Records a fetch of the metadata log from `fetchOffset` by replica `replicaId` (an observer: a
   * broker) at the current time; a negative id (not a replica) is ignored, as Kafka does.
   */
  updateReplicaState(replicaId: number, fetchOffset: number): void {
    if (replicaId < 0 || replicaId === this.nodeId) return;
    this.observers.update(replicaId, fetchOffset, this.log.endOffset, this.time.now());
  }

  /**
   * The quorum as its leader describes it (DescribeQuorum): one voter, this controller, the leader
   * of its epoch; every record it has is committed (HighWatermark = its log end); as the leader,
   * its fetch and caught-up times are now. Observers: the replicas that fetched recently.
   */
  describeQuorum(): QuorumDescription {
    const quorum = this.log.describeQuorum?.();
    if (quorum) return quorum;
    const now = this.time.now();
    const end = this.log.endOffset;
    return {
      leaderId: this.nodeId,
      epoch: this.leaderEpoch,
      highWatermark: end,
      voters: [{ replicaId: this.nodeId, logEndOffset: end, lastFetchTimestamp: now, lastCaughtUpTimestamp: now }],
      observers: this.observers.describe(now),
    };
  }

  /** The committed log from `fromOffset` as stored (whole batches): a Fetch of `__cluster_metadata-0`. */
  readLog(fromOffset: number, maxBytes: number): Buffer {
    return this.log.readBytes(fromOffset, maxBytes);
  }

  /**
   * Resolves once the log ends past `offset` (at once if it already does), after `timeoutMs`, on
   * `signal`, or when the controller closes: a long-polling Fetch waits on it.
   */
  waitForAppend(offset: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.log.endOffset > offset || timeoutMs <= 0 || this.closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = { offset, wake: () => done() };
      const cancel = this.time.setTimeout(() => done(), timeoutMs);
      const done = () => {
        cancel();
        signal?.removeEventListener('abort', done);
        this.appendWaiters.delete(waiter);
        resolve();
      };
      signal?.addEventListener('abort', done, { once: true });
      this.appendWaiters.add(waiter);
    });
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
    return this.run((image) => this.controller.createTopics(image, topics, opts), {
      onWriteError: (err, response) =>
        response.map((r) =>
          r.errorCode !== ErrorCode.NONE
            ? r
            : {
                name: r.name,
                errorCode: ErrorCode.KAFKA_STORAGE_ERROR,
                errorMessage: `Failed to create topic ${r.name}: ${(err as Error).message}`,
              },
        ),
    });
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

  createAcls(bindings: readonly AclBinding[]): Promise<ApiError[]> {
    return this.run((image) => this.controller.createAcls(image, bindings));
  }

  deleteAcls(filters: readonly AclBindingFilter[]): Promise<DeleteAclsFilterResult[]> {
    return this.run((image) => this.controller.deleteAcls(image, filters));
  }

  alterClientQuotas(alterations: readonly ClientQuotaAlteration[], opts: ValidateOnly = {}): Promise<AlterClientQuotasResult[]> {
    return this.run((image) => this.controller.alterClientQuotas(image, alterations, opts));
  }

  alterUserScramCredentials(request: AlterUserScramCredentialsRequest): Promise<AlterScramResult[]> {
    return this.run((image) => this.controller.alterUserScramCredentials(image, request));
  }

  /** UpdateFeatures (controller/feature-control.ts): metadata.version upgrades and safe downgrades. */
  updateFeatures(updates: readonly FeatureUpdate[], opts: ValidateOnly = {}): Promise<ApiError> {
    return this.run((image) => this.controller.updateFeatures(image, updates, opts));
  }

  /**
   * Registers (fenced; epoch = the record's offset) and ends the broker's previous session. A
   * broker id whose current registration is unfenced with a live session under another incarnation
   * is DUPLICATE_BROKER_REGISTRATION (Kafka's ClusterControlManager.registerBroker).
   */
  registerBroker(req: BrokerRegistrationRequest): Promise<BrokerRegistrationResult> {
    return this.run(
      (image) => {
        const existing = image.cluster.broker(req.brokerId);
        // a fenced broker (a controlled shutdown ends fenced) has no valid session (Kafka's hasValidSession)
        if (
          existing &&
          !existing.fenced &&
          existing.incarnationId !== req.incarnationId &&
          this.heartbeats.hasValidSession(req.brokerId, existing.epoch, this.time.now())
        ) {
          const message = `Another broker is registered with that broker id. The broker epoch is ${existing.epoch}.`;
          return { records: [], response: { errorCode: ErrorCode.DUPLICATE_BROKER_REGISTRATION, errorMessage: message, brokerEpoch: -1n } };
        }
        return this.controller.registerBroker(image, req, this.log.endOffset);
      },
      {
        onDone: (r) => {
          // an amended registration (same incarnation, same epoch) keeps its session
          if (r.errorCode !== ErrorCode.NONE) return;
          if (!r.amended || !this.heartbeats.hasValidSession(req.brokerId, r.brokerEpoch, this.time.now()))
            this.heartbeats.register(req.brokerId, r.brokerEpoch);
        },
      },
    );
  }

  /**
   * BrokerHeartbeat (Kafka's QuorumController.processBrokerHeartbeat): the broker's next state
   * becomes records (broker-heartbeat.ts); once written, its session is renewed with the offset it
   * reported, and a controlled shutdown that began remembers the offset that completes it.
   */
  brokerHeartbeat(req: BrokerHeartbeatRequest): Promise<BrokerHeartbeatReply> {
    return this.run((image) => this.controller.brokerHeartbeat(image, req, this.heartbeats), {
      onDone: (r, lastOffset) => {
        if (r.errorCode !== ErrorCode.NONE) return;
        this.heartbeats.touch(req.brokerId, req.brokerEpoch, r.isFenced, req.currentMetadataOffset, this.time.now());
        if (r.inControlledShutdown) this.heartbeats.maybeUpdateControlledShutdownOffset(req.brokerId, req.brokerEpoch, lastOffset);
        this.armSessionCheck();
      },
    });
  }

  fenceBroker(brokerId: number, brokerEpoch?: bigint): Promise<ApiError> {
    return this.run((image) => this.controller.fenceBroker(image, brokerId, brokerEpoch));
  }

  unfenceBroker(brokerId: number, brokerEpoch?: bigint): Promise<ApiError> {
    return this.run((image) => this.controller.unfenceBroker(image, brokerId, brokerEpoch));
  }

  unregisterBroker(brokerId: number): Promise<ApiError> {
    return this.run((image) => this.controller.unregisterBroker(image, brokerId), {
      onDone: (r) => {
        if (r.errorCode === ErrorCode.NONE) this.heartbeats.remove(brokerId);
      },
    });
  }

  /** A new leader and/or ISR for one partition (LeaderAndIsr; later AlterPartition). */
  changePartition(req: PartitionChangeRequest): Promise<PartitionChangeResult> {
    return this.run((image) => this.controller.changePartition(image, req));
  }

  /** ElectLeaders (API 43): PREFERRED or UNCLEAN elections (controller/elect-leaders.ts). */
  electLeaders(request: ElectLeadersRequestData): Promise<ElectLeadersResult> {
    return this.run((image) => this.controller.electLeaders(image, request));
  }

  /** AlterPartition (API 56): a leader's new ISR, checked and written (version: the request's, 0-3). */
  alterPartition(request: AlterPartitionRequest, version = ALTER_PARTITION_MAX_VERSION): Promise<AlterPartitionResponse> {
    return this.run((image) => this.controller.alterPartition(image, request, version));
  }

  /** AssignReplicasToDirs (API 73): where a broker's replicas are (JBOD; controller/replica-directories.ts). */
  assignReplicasToDirs(request: AssignReplicasToDirsRequest): Promise<AssignReplicasToDirsResponse> {
    return this.run((image) => this.controller.assignReplicasToDirs(image, request));
  }

  /** AlterPartitionReassignments (API 45): per partition, the change written or its error. */
  alterPartitionReassignments(topics: readonly ReassignableTopic[]): Promise<AlterPartitionReassignmentsResponse> {
    return this.run((image) => this.controller.alterPartitionReassignments(image, topics));
  }

  /** ListPartitionReassignments (API 46): read from the current image, after the operations queued before it. */
  listPartitionReassignments(topics: readonly ListReassignmentsTopic[] | null = null): Promise<ListPartitionReassignmentsResponse> {
    return this.run((image) => ({ records: [], response: this.controller.listPartitionReassignments(image, topics) }));
  }

  allocateProducerIds(brokerId: number, brokerEpoch?: bigint): Promise<ProducerIdsBlockResult> {
    return this.run((image) => this.controller.allocateProducerIds(image, brokerId, brokerEpoch));
  }

  /** Waits for the operations queued so far, then closes the log. Later operations reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribeLog?.();
    this.rebalance?.stop();
    this.sessionTimer?.();
    this.sessionTimer = null;
    for (const w of [...this.appendWaiters]) w.wake();
    await this.tail;
    this.listeners.clear();
    await this.log.close();
  }

  // ---- internals ----

  /** Every unfenced broker of the replayed image gets a session from now (BrokerHeartbeatManager's header). */
  private startProvisionalSessions(): void {
    const now = this.time.now();
    for (const id of this.current.cluster.brokerIds()) {
      const b = this.current.cluster.broker(id)!;
      if (!b.fenced) this.heartbeats.startProvisionalSession(id, b.epoch, now);
    }
    this.armSessionCheck();
  }

  /** Arms one timer for the first instant a session expires (rearmed after every heartbeat and check). */
  private armSessionCheck(): void {
    const at = this.heartbeats.nextExpiryAt();
    if (at === this.sessionTimerAt || this.closed) return;
    this.sessionTimer?.();
    this.sessionTimer = null;
    this.sessionTimerAt = at;
    if (at === null) return;
    this.sessionTimer = this.time.setTimeout(() => {
      this.sessionTimer = null;
      this.sessionTimerAt = null;
      return this.fenceStaleBrokers();
    }, at - this.time.now());
  }

  /** One automatic rebalance pass (LeaderRebalance); true when elections may be left. */
  private balancePartitionLeaders(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return this.run((image) => {
      const r = this.controller.maybeBalancePartitionLeaders(image);
      if (r.records.length > 0) this.logger.info('moving leadership back to preferred replicas', { partitions: r.records.length });
      return r;
    });
  }

  /** Fences every broker whose session expired and whose registration is still the one that had it. */
  private fenceStaleBrokers(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.run(
      (image) => {
        let working = image;
        const records: MetadataRecord[] = [];
        for (const { brokerId, brokerEpoch } of this.heartbeats.removeExpired(this.time.now())) {
          const b = working.cluster.broker(brokerId);
          if (!b || b.epoch !== brokerEpoch || b.fenced) continue;
          this.logger.info('fencing a broker whose session timed out', { brokerId, brokerEpoch: String(brokerEpoch) });
          this.stats.timedOutBrokerHeartbeats++;
          const r = this.controller.fenceBroker(working, brokerId, brokerEpoch);
          records.push(...r.records);
          working = applyRecords(working, r.records).image;
        }
        return { records, response: undefined };
      },
      { onDone: () => this.armSessionCheck() },
    ).catch((err) => {
      this.logger.error('cannot fence brokers whose session timed out', { err });
      this.armSessionCheck();
    });
  }

  private run<T>(
    compute: (image: MetadataImage) => ControllerResult<T>,
    opts: { onWriteError?: (err: unknown, response: T) => T; onDone?: (response: T, lastOffset: number) => void } = {},
  ): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the metadata controller is closed'));
    const { onWriteError, onDone } = opts;
    const enqueuedAt = performance.now();
    const op = this.tail.then(async () => {
      const startedAt = performance.now();
      this.stats.operationsStarted++;
      try {
        return await this.operate(compute, onWriteError, onDone);
      } finally {
        this.stats.operationDone(startedAt - enqueuedAt, performance.now() - startedAt);
      }
    });
    this.tail = op.catch(() => undefined);
    return op;
  }

  /** One operation, its turn come (run): compute, check, write, catch up. */
  private async operate<T>(
    compute: (image: MetadataImage) => ControllerResult<T>,
    onWriteError: ((err: unknown, response: T) => T) | undefined,
    onDone: ((response: T, lastOffset: number) => void) | undefined,
  ): Promise<T> {
    const epoch = this.log.activeEpoch;
    if (epoch === null || this.activeIn !== epoch) throw notController(this.nodeId);
    const { records, response } = compute(this.current);
    if (records.length === 0) {
      onDone?.(response, this.current.provenance.lastOffset);
      return response;
    }
    // Replayed before it is written: a record the image cannot take never reaches the log.
    new MetadataDelta(this.current).replayAll(records);
    let lastOffset: number;
    try {
      ({ lastOffset } = await this.log.append(records, epoch));
    } catch (err) {
      if (hasErrorCode(err) && err.errorCode === ErrorCode.NOT_CONTROLLER) throw err;
      this.logger.error('cannot write to the metadata log', { err });
      if (onWriteError) return onWriteError(err, response);
      throw err;
    }
    // committed: the image follows the log (the records just written, and any before them)
    this.catchUp();
    onDone?.(response, lastOffset);
    return response;
  }

  /**
   * Replays every committed batch past the image into it and publishes the new image: after this
   * controller's own writes, and (a quorum's standby) as the leader's are committed.
   */
  private catchUp(): void {
    if (this.current.provenance.lastOffset + 1 < (this.log.startOffset ?? 0)) this.loadSnapshot();
    const from = this.current.provenance.lastOffset + 1;
    if (from >= this.log.committedOffset) return;
    const records: MetadataRecord[] = [];
    let provenance = this.current.provenance;
    let appendTimeMs = this.stats.lastAppliedRecordTimestamp;
    for (const batch of this.log.read(from)) {
      for (const r of batch.records) if (r.offset >= from) records.push(r.record);
      provenance = { lastOffset: batch.lastOffset, lastEpoch: batch.leaderEpoch };
      appendTimeMs = batch.appendTimeMs;
    }
    if (provenance === this.current.provenance) return;
    const { delta, image } = applyRecords(this.current, records, provenance);
    this.stats.lastAppliedRecordTimestamp = appendTimeMs;
    this.publish(delta, image);
    this.log.maybeSnapshot?.(image);
  }

  /** The log starts past this image (a restart after a snapshot, or one fetched from the leader): the snapshot's image replaces it. */
  private loadSnapshot(): void {
    const snapshot = this.log.snapshotImage?.();
    if (!snapshot || snapshot.provenance.lastOffset <= this.current.provenance.lastOffset) return;
    this.logger.info('loading the metadata snapshot', { offset: snapshot.provenance.lastOffset + 1, epoch: snapshot.provenance.lastEpoch });
    const { delta, image } = snapshotDelta(this.current, snapshot);
    this.publish(delta, image);
  }

  private publish(delta: MetadataDelta, image: MetadataImage): void {
    this.current = image;
    for (const l of [...this.listeners]) this.notify(l, delta, image);
    for (const w of [...this.appendWaiters]) if (image.provenance.lastOffset >= w.offset) w.wake();
  }

  /**
   * The log's committed offset or leadership changed: the image catches up, then this controller
   * becomes active (it leads, every earlier record is in its image) or stops being active.
   * Becoming active starts a session for every unfenced broker (heartbeats are soft state: Kafka's
   * ClusterControlManager.activate) and, on a new cluster, writes the bootstrap records.
   */
  private onLogChange(): void {
    if (this.closed) return;
    try {
      this.catchUp();
    } catch (err) {
      this.stats.metadataErrors++;
      this.logger.error('cannot replay the committed metadata log', { err });
    }
    const epoch = this.log.activeEpoch;
    if (epoch === this.activeIn) return;
    this.activeIn = epoch;
    this.sessionTimer?.();
    this.sessionTimer = null;
    this.sessionTimerAt = null;
    this.heartbeats = new BrokerHeartbeatManager(this.controller.options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS);
    if (epoch === null) {
      this.rebalance?.stop();
      this.logger.info('the controller is no longer active', { nodeId: this.nodeId });
      return;
    }
    this.logger.info('the controller is active', { nodeId: this.nodeId, epoch });
    this.startProvisionalSessions();
    this.rebalance?.start();
    if (this.current.features.metadataVersion === undefined) {
      this.run(() => ({ records: this.controller.bootstrapRecords(), response: undefined })).catch((err) =>
        this.logger.error('cannot write the bootstrap records', { err }),
      );
    }
  }

  private notify(listener: MetadataListener, delta: MetadataDelta, image: MetadataImage): void {
    try {
      listener(delta, image);
    } catch (err) {
      this.logger.error('a metadata listener failed', { err });
    }
  }
}

/** NOT_CONTROLLER: this controller does not lead the quorum (the broker retries at the leader). */
function notController(nodeId: number): KafkaError {
  return new KafkaError(ErrorCode.NOT_CONTROLLER, `controller ${nodeId} is not the active controller`);
}

/** Replays the whole log into an image (one delta); `lastAppendTimeMs`: the last batch's append time (-1: none). */
function replayLog(log: MetadataLog): { image: MetadataImage; records: number; lastAppendTimeMs: number } {
  const delta = new MetadataDelta(MetadataImage.EMPTY);
  let provenance = MetadataImage.EMPTY.provenance;
  let lastAppendTimeMs = -1;
  for (const batch of log.read(0)) {
    for (const { record } of batch.records) delta.replay(record);
    provenance = { lastOffset: batch.lastOffset, lastEpoch: batch.leaderEpoch };
    lastAppendTimeMs = batch.appendTimeMs;
  }
  return { image: delta.apply(provenance), records: delta.recordCount, lastAppendTimeMs };
}
