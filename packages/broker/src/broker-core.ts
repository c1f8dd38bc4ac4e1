// BrokerCore: the layers of a broker behind its listeners — cluster id (meta.properties), the
// ReplicaManager (logs, hosted partitions, purgatory), the MetadataCache fed by the controller,
// producer ids and the group coordinator. A BrokerNode (broker-node.ts) is the front end of one
// node id over a core: its listeners, its request handlers' services, its broker registration.
//
// The controller: a node with the controller role (process.roles unset, or broker,controller)
// opens its own LocalController over `__cluster_metadata-0` in the first log dir (a combined KRaft
// node, a cluster of one unless other brokers reach it through its CONTROLLER listener); when
// controller.quorum.voters lists several controllers, that log is replicated by Raft
// (controller/quorum.ts) and the broker reaches the active controller, wherever it is, through a
// RemoteController that reads this node's image. A broker-only node (process.roles=broker)
// observes the quorum through a RemoteController at controller.quorum.voters /
// controller.quorum.bootstrap.servers. An in-process cluster passes one controller shared by all
// its brokers. Either way the
// core only follows what the controller publishes: each new image goes to the MetadataCache, the
// dynamic broker configs (metadata/dynamic-config-publisher.ts), the ReplicaManager (partitions made, leaders changed, deleted topics' logs deleted), the group
// coordinator (offsets of deleted topics dropped) and both coordinators' partition leaderships.
//
// A Broker is one core with one node. The shared-log test cluster (testkit) is one core with
// several nodes (`nodeIds`): they share this ReplicaManager and group coordinator instead of
// replicating.
//
// Start order: the log dirs locked (their `.lock` files, refused when another broker runs on them),
// cluster id, the logs (load/recover), the controller (replays the metadata log) and
// the first image (partitions made, stray logs deleted), producer ids (blocks from the controller), the group
// coordinator (loads the __consumer_offsets partitions led by local nodes), the transaction
// coordinator (loads the __transaction_state partitions led by local nodes; its markers to local
// leaders go through the services of the node, attached by BrokerNode, to remote ones over the
// network). Stop: shutdown(nodes)
// aborts the nodes' handlers, then beginShutdown() answers waiting fetches and parked group calls,
// the nodes drain, and stop() writes the HW checkpoint, flushes and closes the logs and the
// controller it opened.
import { LocalController, type MetadataDelta, type RaftMetadataLog } from '@tributary/metadata';
import { ErrorCode } from '@tributary/protocol';
import { lockLogDirs, NodeFileSystem, type FileSystem, type LogDirLock, type Time } from '@tributary/storage';
import type { BrokerConfig } from './config/broker-config.ts';
import { GroupCoordinatorService } from './coordinator/group-coordinator-service.ts';
import type { GroupCoordinatorConfig } from './coordinator/group/index.ts';
import { GROUP_METADATA_TOPIC_NAME } from './coordinator/offsets-topic-host.ts';
import { ReplicaOffsetsHost } from './coordinator/replica-offsets-host.ts';
import { TRANSACTION_STATE_TOPIC_NAME, TransactionCoordinatorService } from './coordinator/transaction-coordinator-service.ts';
import type { TransactionCoordinatorConfig } from './coordinator/transaction/config.ts';
import type { MarkerDestination, MarkerWriter } from './coordinator/transaction/transaction-marker-channel-manager.ts';
import { TxnMarkerSender } from './coordinator/transaction/transaction-marker-sender.ts';
import { TransactionVerifier } from './coordinator/transaction/transaction-verifier.ts';
import { InterBrokerConnections } from './server/inter-broker-connections.ts';
import { RemoteController } from './controller/remote-controller.ts';
import type { LogDirEvents } from './controller/log-dir-events.ts';
import { openQuorumLog, quorumConfig, runsRaftQuorum } from './controller/quorum.ts';
import { NO_DESCRIBE_QUORUM, localDescribeQuorum, type DescribeQuorumChannel } from './controller/describe-quorum-channel.ts';
import type { QuorumNode } from './controller/describe-quorum-response.ts';
import { voterQuorumState, type QuorumState } from './metrics/raft-metrics.ts';
import { ProducerIdManager } from './coordinator/transaction/producer-id-manager.ts';
import { Log4jController } from './log4j-controller.ts';
import { logTopicChanges } from './metadata/topic-change-log.ts';
import type { Logger } from './logger.ts';
import { resolveClusterId } from './meta-properties.ts';
import type { ControllerChannel } from './metadata/controller-channel.ts';
import { controllerOptions } from './metadata/controller-options.ts';
import { DynamicConfigPublisher } from './metadata/dynamic-config-publisher.ts';
import { MetadataCache } from './metadata/metadata-cache.ts';
import type { Partition } from './replica/partition.ts';
import { ReplicaManager } from './replica/replica-manager.ts';
import type { ReplicaDirChangedListener } from './replica/replica-alter-log-dirs.ts';
import type { BrokerServices } from './services.ts';
import { outboundTls } from './server/tls/outbound-tls.ts';
import { controllerSaslLogin } from './server/sasl/broker-login.ts';

export interface BrokerCoreOptions {
  /** Clock, timers and background tasks of the whole core: storage, partitions, group coordinator. */
  time: Time;
  /** Where every logger of the core writes (through `loggers`, which filters by level); unused when `loggers` is given. */
  log: Logger;
  /** The broker's loggers; default: a Log4jController over `log`. */
  loggers?: Log4jController;
  /** Node ids served by this process (each gets a BrokerNode); default [config.nodeId]. */
  nodeIds?: number[];
  fs?: FileSystem;
  groupCoordinator?: { overrides?: Partial<GroupCoordinatorConfig> };
  /** Transaction coordinator settings (tests), and a marker writer replacing the real one (tests). */
  transactionCoordinator?: { overrides?: Partial<TransactionCoordinatorConfig>; markerWriter?: MarkerWriter };
  /** The cluster's controller; default: a LocalController of this core's own (single node). */
  controller?: ControllerChannel;
}

export class BrokerCore {
  readonly metadata = new MetadataCache();
  readonly time: Time;
  /** The broker's loggers by name and their levels (Kafka's Log4jController). */
  readonly loggers: Log4jController;
  /** The core's own logger (kafka.server.BrokerServer). */
  readonly log: Logger;
  private readonly nodeIds: ReadonlySet<number>;
  private _clusterId: string | null = null;
  private _replicas: ReplicaManager | null = null;
  private _controller: ControllerChannel | null = null;
  private ownController: LocalController | null = null;
  private remoteController: RemoteController | null = null;
  private quorumLog: RaftMetadataLog | null = null;
  private stopping = false;
  private readonly brokerEpochs = new Map<number, bigint>();
  private unsubscribe: (() => void) | null = null;
  private _producerIds: ProducerIdManager | null = null;
  private _groupCoordinator: GroupCoordinatorService | null = null;
  private _txnCoordinator: TransactionCoordinatorService | null = null;
  private markerSender: TxnMarkerSender | null = null;
  /** The `.lock` files of the log dirs while this core runs (the real filesystem only). */
  private dirLocks: LogDirLock[] = [];
  private verifierConnections: InterBrokerConnections | null = null;
  private readonly nodeServices = new Map<number, BrokerServices>();
  private readonly logDirEvents = new Map<number, LogDirEvents>();

  constructor(
    readonly config: BrokerConfig,
    private readonly options: BrokerCoreOptions,
  ) {
    this.time = options.time;
    this.loggers = options.loggers ?? new Log4jController(options.log);
    this.log = this.loggers.logger('kafka.server.BrokerServer');
    this.nodeIds = new Set(options.nodeIds ?? [config.nodeId]);
  }

  get clusterId(): string {
    return this.started(this._clusterId);
  }
  get replicas(): ReplicaManager {
    return this.started(this._replicas);
  }
  get controller(): ControllerChannel {
    return this.started(this._controller);
  }
  get producerIds(): ProducerIdManager {
    return this.started(this._producerIds);
  }
  get groupCoordinator(): GroupCoordinatorService {
    return this.started(this._groupCoordinator);
  }
  get txnCoordinator(): TransactionCoordinatorService {
    return this.started(this._txnCoordinator);
  }

  /** A BrokerNode's services, through which transaction markers for partitions it leads are written. */
  attachNode(nodeId: number, services: BrokerServices): void {
    this.nodeServices.set(nodeId, services);
  }

  /**
   * A node's LogDirEvents (JBOD, controller/log-dir-events.ts): it hears of failed and recovered log
   * dirs and of each metadata change, and assigns the local replicas at once. Returns its removal.
   */
  attachLogDirEvents(nodeId: number, events: LogDirEvents): () => void {
    this.logDirEvents.set(nodeId, events);
    const stop = this.replicas.logDirFailures.addListener({
      logDirOffline: (dir) => events.handleFailure(dir),
      logDirOnline: (dir) => {
        events.logDirOnline(dir).catch((err) => this.log.error('cannot register a log dir back online', { logDir: dir, err }));
      },
    });
    // a replica moved between dirs (AlterReplicaLogDirs) is assigned to its new dir; new replicas are reconcile's
    const moved: ReplicaDirChangedListener = (c) => {
      if (c.reason === 'moved') events.onReplicaDirChanged(c, c.logDir);
    };
    this.replicas.alterLogDirs.onReplicaDirChanged = moved;
    events.reconcileAll(this.metadata.image);
    return () => {
      stop();
      if (this.replicas.alterLogDirs.onReplicaDirChanged === moved) this.replicas.alterLogDirs.onReplicaDirChanged = null;
      if (this.logDirEvents.get(nodeId) === events) this.logDirEvents.delete(nodeId);
    };
  }

  /** Whether `nodeId` is served by this core. */
  isLocal(nodeId: number): boolean {
    return this.nodeIds.has(nodeId);
  }

  private started<T>(x: T | null): T {
    if (x === null) throw new Error('broker core not started');
    return x;
  }

  /** Loads the logs and the metadata, starts the coordinators. Throws (with nothing left open) on failure. */
  async start(): Promise<void> {
    const config = this.config;
    // dynamic broker configs come from the metadata (the first image below), never from an earlier run of this config
    config.reconfigure(new Map());
    // the log dirs are this broker's while it runs: a second broker on them is refused (log-dir-lock.ts)
    if (!this.options.fs || this.options.fs instanceof NodeFileSystem)
      this.dirLocks = lockLogDirs(config.logDirs, (dir, err) => this.log.warn('cannot lock log dir', { dir, err }));
    let clusterId: string;
    try {
      clusterId = resolveClusterId(config, this.options.fs);
    } catch (err) {
      this.releaseDirLocks();
      throw err;
    }
    const isLocal = (id: number) => this.nodeIds.has(id);
    // KIP-890: transactional producers' first batches are verified with their coordinator
    const verifier = new TransactionVerifier({
      metadata: this.metadata,
      isLocal,
      coordinator: () => this._txnCoordinator,
      connections: (this.verifierConnections = new InterBrokerConnections({
        nodeId: config.nodeId,
        purpose: 'txn-verifier',
        config,
        metadata: this.metadata,
      })),
    });
    const replicas = new ReplicaManager({
      verifyTransaction: verifier.verify,
      config,
      nodeId: config.nodeId,
      clusterId,
      time: this.time,
      log: this.loggers.logger('kafka.server.ReplicaManager'),
      fs: this.options.fs,
      isLocalReplica: isLocal,
      alterIsr: (p, newIsr) => this.alterIsr(p, newIsr),
    });
    replicas.startup();
    try {
      const controller = this.options.controller ?? (await this.openController(clusterId, replicas));
      const dynamicConfig = new DynamicConfigPublisher({
        config,
        nodeId: config.nodeId,
        log: this.loggers.logger('kafka.server.metadata.DynamicConfigPublisher'),
      });
      // The first call carries the whole image: dynamic broker configs are applied, then every
      // hosted partition is made.
      const topicLog = this.loggers.logger('kafka.server.metadata.BrokerMetadataPublisher');
      let firstDelta = true;
      this.unsubscribe = controller.subscribe((delta, image) => {
        this.metadata.update(image);
        if (!firstDelta) logTopicChanges(delta, image, topicLog);
        firstDelta = false;
        dynamicConfig.onMetadataUpdate(delta, image);
        replicas.applyDelta(delta, image);
        // JBOD: local replicas whose dir the metadata does not name are assigned (AssignReplicasToDirs)
        for (const events of this.logDirEvents.values()) events.reconcile(delta, image);
        const deleted = [...(delta.topics?.deletedTopicIds ?? [])]
          .map((id) => delta.topics!.image.getTopic(id)?.name)
          .filter((n): n is string => !!n);
        // DeleteTopics: the committed offsets of deleted topics go too (Kafka's onPartitionsDeleted).
        if (deleted.length > 0 && this._groupCoordinator) {
          this._groupCoordinator
            .onTopicsDeleted(deleted)
            .catch((err) => this.log.error('cannot drop the offsets of deleted topics', { err }));
        }
        if (deleted.length > 0) this._txnCoordinator?.onTopicsDeleted(deleted);
        if (this._groupCoordinator) this.followCoordinatorLeadership(delta, GROUP_METADATA_TOPIC_NAME, this._groupCoordinator);
        if (this._txnCoordinator) this.followCoordinatorLeadership(delta, TRANSACTION_STATE_TOPIC_NAME, this._txnCoordinator, true);
      });
      // Producer id blocks come from the controller (recorded in the metadata log, unique cluster-wide).
      const producerIds = new ProducerIdManager({
        allocate: async () => {
          const epoch = this.brokerEpoch(config.nodeId);
          const r = await controller.allocateProducerIds(config.nodeId, epoch >= 0n ? epoch : undefined);
          if (r.errorCode !== ErrorCode.NONE) throw new Error(`the controller allocated no producer ids: ${r.errorMessage ?? r.errorCode}`);
          return r;
        },
        nextUnallocated: () => this.metadata.image.producerIds.nextProducerId,
      });
      const offsetsHost = new ReplicaOffsetsHost(this.metadata, replicas, controller, config, isLocal);
      const groupCoordinator = new GroupCoordinatorService({
        config,
        host: offsetsHost,
        log: this.loggers.logger('org.apache.kafka.coordinator.group.GroupCoordinatorService'),
        overrides: this.options.groupCoordinator?.overrides,
        time: this.time,
      });
      const markerSender = new TxnMarkerSender({
        nodeId: config.nodeId,
        config,
        metadata: this.metadata,
        isLocal,
        localServices: (id) => this.nodeServices.get(id),
      });
      this.markerSender = markerSender;
      const txnCoordinator = new TransactionCoordinatorService({
        config,
        host: offsetsHost,
        log: this.loggers.logger('kafka.coordinator.transaction.TransactionCoordinator'),
        time: this.time,
        overrides: this.options.transactionCoordinator?.overrides,
        generateProducerId: async () => BigInt(await producerIds.generate()),
        markerWriter: this.options.transactionCoordinator?.markerWriter ?? markerSender.write,
        leaderOf: (topic, partition) => this.markerDestination(topic, partition),
      });
      // A voter of several has an empty image until it hears the committed offset from the
      // leader: stray logs are found once it caught up (startQuorum), never against that.
      if (!this.quorumLog) replicas.deleteStrayLogs();
      // Every __consumer_offsets partition led by a local node is loaded now (requests for a
      // partition still loading get COORDINATOR_LOAD_IN_PROGRESS).
      groupCoordinator.startup();
      txnCoordinator.startup();
      // A log dir back online (replica/log-dir-failure-handler.ts) may hold coordinator partitions
      // led here that could not be loaded (the dir was offline at startup): load them now
      // (onBecomeLeader skips those already loaded).
      replicas.logDirFailures.onLogDirOnline(() => {
        groupCoordinator.startup();
        const txnPartitions = offsetsHost.partitionCount(TRANSACTION_STATE_TOPIC_NAME) ?? 0;
        for (let p = 0; p < txnPartitions; p++) void txnCoordinator.onBecomeLeader(p);
      });
      this._clusterId = clusterId;
      this._replicas = replicas;
      this._controller = controller;
      this._producerIds = producerIds;
      this._groupCoordinator = groupCoordinator;
      this._txnCoordinator = txnCoordinator;
    } catch (err) {
      this.unsubscribe?.();
      this.markerSender?.close();
      this.verifierConnections?.close();
      replicas.shutdown();
      await this.ownController?.close();
      await this.remoteController?.close();
      this.releaseDirLocks();
      throw err;
    }
  }

  private releaseDirLocks(): void {
    for (const lock of this.dirLocks) lock.release();
    this.dirLocks = [];
  }

  /** The broker epoch the controller gave a local node at its latest registration (-1 before). */
  brokerEpoch(nodeId: number): bigint {
    return this.brokerEpochs.get(nodeId) ?? -1n;
  }

  setBrokerEpoch(nodeId: number, epoch: bigint): void {
    this.brokerEpochs.set(nodeId, epoch);
  }

  /**
   * An ISR change proposed by a partition this broker leads: AlterPartition (v2, by topic id) with
   * the leader's broker epoch, leader epoch and partition epoch, which the controller checks
   * (FENCED_LEADER_EPOCH, INVALID_UPDATE_VERSION, INELIGIBLE_REPLICA, ...).
   */
  private async alterIsr(p: Partition, newIsr: number[]) {
    const controller = this.started(this._controller);
    this.log.info('proposing an ISR change', { partition: p.key, from: p.isr, to: newIsr, leaderEpoch: p.leaderEpoch });
    const r = await controller.alterPartition(
      {
        brokerId: p.leader,
        brokerEpoch: this.brokerEpoch(p.leader),
        topics: [
          {
            topicName: p.topic,
            topicId: p.topicId,
            partitions: [
              {
                partitionIndex: p.partition,
                leaderEpoch: p.leaderEpoch,
                newIsr,
                newIsrWithEpochs: [],
                leaderRecoveryState: 0,
                partitionEpoch: p.partitionEpoch,
              },
            ],
          },
        ],
      },
      2,
    );
    const pr = r.topics[0]?.partitions[0];
    if (r.errorCode !== ErrorCode.NONE || !pr) return { errorCode: r.errorCode || ErrorCode.UNKNOWN_SERVER_ERROR };
    if (pr.errorCode !== ErrorCode.NONE) {
      this.log.warn('the controller refused an ISR change', { partition: p.key, errorCode: pr.errorCode });
      return { errorCode: pr.errorCode };
    }
    return { errorCode: ErrorCode.NONE, isr: pr.isr, leaderEpoch: pr.leaderEpoch, partitionEpoch: pr.partitionEpoch };
  }

  /** This node's own LocalController (controller role), or a RemoteController to reach the quorum. */
  private async openController(clusterId: string, replicas: ReplicaManager): Promise<ControllerChannel> {
    const config = this.config;
    if (config.isController) {
      const quorum = runsRaftQuorum(config)
        ? openQuorumLog(config, {
            clusterId,
            fs: replicas.logs.fs,
            time: this.time,
            log: this.loggers.logger('org.apache.kafka.raft.KafkaRaftClient'),
          })
        : null;
      const own = await LocalController.open({
        logDir: config.logDirs[0]!,
        controller: controllerOptions(config),
        nodeId: config.nodeId,
        fs: replicas.logs.fs,
        time: this.time,
        logger: this.loggers.logger('org.apache.kafka.controller.QuorumController'),
        ...(quorum ? { metadataLog: quorum } : {}),
      });
      this.ownController = own;
      if (!quorum) return own;
      // A voter of several: its image is its own controller's, the operations go to whichever
      // voter leads (perhaps this one), over the network.
      this.quorumLog = quorum;
      this.remoteController = new RemoteController({
        voters: config.get('controller.quorum.voters').join(','),
        nodeId: config.nodeId,
        clusterId,
        log: this.log,
        requestTimeoutMs: config.quorumRequestTimeoutMs,
        tls: () => outboundTls(config, config.controllerListenerNames[0], this.log),
        sasl: () => controllerSaslLogin(config),
        imageSource: {
          get image() {
            return own.image;
          },
          subscribe: (listener) => own.subscribe(listener),
          leaderId: () => quorum.raft.leaderId,
        },
      });
      return this.remoteController;
    }
    const remote = new RemoteController({
      voters: config.get('controller.quorum.voters').join(',') || undefined,
      bootstrapServers: config.get('controller.quorum.bootstrap.servers').join(',') || undefined,
      nodeId: config.nodeId,
      clusterId,
      log: this.log,
      requestTimeoutMs: config.quorumRequestTimeoutMs,
      quorum: quorumConfig(config),
      tls: () => outboundTls(config, config.controllerListenerNames[0], this.log),
      sasl: () => controllerSaslLogin(config),
    });
    this.remoteController = remote;
    this.log.info('following the controller quorum', {
      voters: config.get('controller.quorum.voters'),
      bootstrapServers: config.get('controller.quorum.bootstrap.servers'),
    });
    await remote.start();
    return remote;
  }

  /**
   * Where this core's broker listeners send DescribeQuorum: forwarded to a remote controller, or
   * answered by the LocalController in this process (its own or a shared one) with the voters'
   * endpoints `nodes` gives.
   */
  describeQuorumChannel(nodes: () => readonly QuorumNode[]): DescribeQuorumChannel {
    if (this.remoteController) return this.remoteController;
    const local = this.ownController ?? this.options.controller;
    return local instanceof LocalController ? localDescribeQuorum(local, nodes) : NO_DESCRIBE_QUORUM;
  }

  /**
   * This node in the metadata quorum (the raft metrics): a voter of several as its Raft client
   * has it, a lone controller leading itself, a broker-only node an observer of the leader it knows.
   */
  quorumState(): QuorumState {
    const own = this.ownController;
    if (own) return voterQuorumState(own, this.quorumLog, this.config.nodeId);
    if (this.remoteController) return { state: 'observer', leaderId: this.remoteController.leaderId(), activeController: false };
    return { state: 'unattached', leaderId: -1, activeController: false }; // an in-process cluster's shared controller
  }

  /** The LocalController this node runs (controller role), or null. */
  get localController(): LocalController | null {
    return this.ownController;
  }

  /** The replicated metadata log of this node, a voter of a multi-controller quorum (else null). */
  get metadataQuorum(): RaftMetadataLog | null {
    return this.quorumLog;
  }

  /**
   * Joins the quorum (a voter of several, once its CONTROLLER listener is bound), waits until its
   * image holds everything committed that the leader told it of, then deletes the logs of
   * partitions that are no longer this node's; a no-op without a quorum.
   */
  async startQuorum(): Promise<void> {
    const quorum = this.quorumLog;
    const own = this.ownController;
    if (!quorum || !own) return;
    await quorum.start();
    const raft = quorum.raft;
    while (!this.stopping && !(raft.leaderId >= 0 && raft.highWatermark > 0 && own.image.provenance.lastOffset + 1 >= raft.highWatermark)) {
      await new Promise((r) => this.time.setTimeout(() => r(undefined), 20));
    }
    if (!this.stopping) this.started(this._replicas).deleteStrayLogs();
  }

  /**
   * A coordinator serves the partitions of its topic (__consumer_offsets, __transaction_state)
   * that local nodes lead (Kafka's onBecomeLeader / onResign on a leadership change in the
   * metadata). `onNewEpoch`: a partition still led here at a new leader epoch is loaded again (the
   * transaction coordinator's markers carry that epoch).
   */
  private followCoordinatorLeadership(
    delta: MetadataDelta,
    topic: string,
    coordinator: { onBecomeLeader(p: number): Promise<void>; onResign(p: number): void },
    onNewEpoch = false,
  ): void {
    for (const d of delta.topics?.changedTopics.values() ?? []) {
      if (d.name !== topic) continue;
      for (const [p, reg] of d.partitionChanges) {
        const before = d.image.partitions.get(p);
        const was = before !== undefined && before.leader !== -1 && this.isLocal(before.leader);
        const now = reg.leader !== -1 && this.isLocal(reg.leader);
        if (now && (!was || (onNewEpoch && before.leaderEpoch !== reg.leaderEpoch))) void coordinator.onBecomeLeader(p);
        else if (was && !now) coordinator.onResign(p);
      }
    }
  }

  /** Where the transaction marker of a partition goes: its live leader, 'unknown', or 'deleted' (no such partition). */
  private markerDestination(topic: string, partition: number): MarkerDestination {
    const reg = this.metadata.partition(topic, partition);
    if (!reg) return 'deleted';
    if (reg.leader < 0 || !this.metadata.isLive(reg.leader)) return 'unknown';
    return reg.leader;
  }

  /** Answers waiting fetches and parked JoinGroup/SyncGroup calls (NOT_COORDINATOR) so listeners can drain. */
  beginShutdown(): void {
    this.stopping = true;
    this._replicas?.fetchPurgatory.completeAll();
    this._groupCoordinator?.shutdown();
    this._txnCoordinator?.shutdown();
    this.markerSender?.close();
    this.verifierConnections?.close();
  }

  /**
   * Stops `nodes`, then this layer: their handlers are told to finish (abort signal), waiting
   * fetches and parked group calls answered, the nodes drained for up to `timeoutMs`, storage closed.
   */
  async shutdown(nodes: ReadonlyArray<{ abort(): void; stop(timeoutMs: number): Promise<void> }>, timeoutMs: number): Promise<void> {
    for (const n of nodes) n.abort();
    this.beginShutdown();
    await Promise.all(nodes.map((n) => n.stop(timeoutMs)));
    await this.stop();
  }

  /** HW checkpoint, flush, recovery-point checkpoints, clean-shutdown marker; closes its own controller. */
  async stop(): Promise<void> {
    this.beginShutdown();
    this.unsubscribe?.();
    this.unsubscribe = null;
    try {
      await this._replicas?.stopLogCleaner();
      this._replicas?.shutdown();
    } catch (err) {
      this.log.error('storage shutdown failed', { err });
    }
    try {
      await this.ownController?.close();
      await this.remoteController?.close();
    } catch (err) {
      this.log.error('metadata log shutdown failed', { err });
    }
    this.releaseDirLocks();
  }
}
