// BrokerCore: the layers of a broker behind its listeners — cluster id (meta.properties), the
// partition layer (TopicManager: logs, topics, partitions, fetch purgatory), producer ids, the
// group coordinator, and the ClusterView of registered brokers. A BrokerNode (broker-node.ts) is
// the front end of one node id over a core: its listeners, its request handlers' services.
//
// A Broker is one core with one node. A LocalCluster (cluster/local-cluster.ts) is one core with
// several nodes: they share this partition layer and this group coordinator instead of
// replicating, which makes it a test cluster, not replication.
//
// Start order: cluster id, the partition layer (load/recover logs, topics, retention and flush
// scheduling), the producer id block, the group coordinator (loads the __consumer_offsets
// partitions led by local nodes). Stop: shutdown(nodes) aborts the nodes' handlers, then
// beginShutdown() answers waiting fetches and parked group calls, the nodes drain, and stop()
// writes the HW checkpoint, flushes and closes the logs.
import type { BrokerConfig } from './config/broker-config.ts';
import { ClusterView } from './cluster/cluster-view.ts';
import { GroupCoordinatorService } from './coordinator/group-coordinator-service.ts';
import type { GroupCoordinatorConfig } from './coordinator/group/index.ts';
import { TopicManagerOffsetsHost } from './coordinator/topic-manager-offsets-host.ts';
import { ProducerIdManager } from './coordinator/transaction/producer-id-manager.ts';
import type { Logger } from './logger.ts';
import { resolveClusterId } from './meta-properties.ts';
import { TopicManager } from './partitions/topic-manager.ts';
import { ReplicaManager } from './replica/replica-manager.ts';
import type { FileSystem, Time } from '@tributary/storage';

export interface BrokerCoreOptions {
  /** Clock, timers and background tasks of the whole core: storage, partitions, group coordinator. */
  time: Time;
  log: Logger;
  /** Node ids served by this process (each gets a BrokerNode); default [config.nodeId]. */
  nodeIds?: number[];
  fs?: FileSystem;
  groupCoordinator?: { overrides?: Partial<GroupCoordinatorConfig> };
}

export class BrokerCore {
  readonly cluster = new ClusterView();
  readonly time: Time;
  readonly log: Logger;
  private _clusterId: string | null = null;
  private _topics: TopicManager | null = null;
  private _producerIds: ProducerIdManager | null = null;
  private _groupCoordinator: GroupCoordinatorService | null = null;

  constructor(
    readonly config: BrokerConfig,
    private readonly options: BrokerCoreOptions,
  ) {
    this.time = options.time;
    this.log = options.log;
    for (const id of options.nodeIds ?? [config.nodeId]) this.cluster.register(id, { local: true });
  }

  get clusterId(): string { return this.started(this._clusterId); }
  get topics(): TopicManager { return this.started(this._topics); }
  get replicas(): ReplicaManager { return this.topics.replicas; }
  get producerIds(): ProducerIdManager { return this.started(this._producerIds); }
  get groupCoordinator(): GroupCoordinatorService { return this.started(this._groupCoordinator); }

  private started<T>(x: T | null): T {
    if (x === null) throw new Error('broker core not started');
    return x;
  }

  /** Loads the partition layer and starts the coordinators. Throws (with nothing left open) on failure. */
  start(): void {
    const config = this.config;
    const clusterId = resolveClusterId(config.logDirs, config.nodeId);
    const replicas = new ReplicaManager({
      config, nodeId: config.nodeId, clusterId, time: this.time, log: this.log, fs: this.options.fs,
    });
    const topics = new TopicManager({ config, nodeId: config.nodeId, log: this.log, replicas, cluster: this.cluster });
    topics.start();
    const producerIds = new ProducerIdManager(topics.logs.fs, config.logDirs[0]!, config.nodeId);
    try {
      producerIds.load();
    } catch (err) {
      topics.stop();
      throw err;
    }
    // Every __consumer_offsets partition led by a local node is loaded now (requests for a
    // partition still loading get COORDINATOR_LOAD_IN_PROGRESS).
    const groupCoordinator = new GroupCoordinatorService({
      config, host: new TopicManagerOffsetsHost(topics, config, (id) => this.cluster.isLocal(id)), log: this.log,
      overrides: this.options.groupCoordinator?.overrides, time: this.time,
    });
    groupCoordinator.startup();
    // DeleteTopics: the committed offsets of deleted topics go too (Kafka's onPartitionsDeleted).
    topics.onTopicsDeleted((deleted) => {
      groupCoordinator.onTopicsDeleted(deleted.map((t) => t.name)).catch((err) => this.log.error('cannot drop the offsets of deleted topics', { err }));
    });
    this._clusterId = clusterId;
    this._topics = topics;
    this._producerIds = producerIds;
    this._groupCoordinator = groupCoordinator;
  }

  /** Answers waiting fetches and parked JoinGroup/SyncGroup calls (NOT_COORDINATOR) so listeners can drain. */
  beginShutdown(): void {
    this._topics?.replicas.fetchPurgatory.completeAll();
    this._groupCoordinator?.shutdown();
  }

  /**
   * Stops `nodes`, then this layer: their handlers are told to finish (abort signal), waiting
   * fetches and parked group calls answered, the nodes drained for up to `timeoutMs`, storage closed.
   */
  async shutdown(nodes: ReadonlyArray<{ abort(): void; stop(timeoutMs: number): Promise<void> }>, timeoutMs: number): Promise<void> {
    for (const n of nodes) n.abort();
    this.beginShutdown();
    await Promise.all(nodes.map((n) => n.stop(timeoutMs)));
    this.stop();
  }

  /** HW checkpoint, flush, recovery-point checkpoints, clean-shutdown marker. */
  stop(): void {
    this.beginShutdown();
    try {
      this._topics?.stop();
    } catch (err) {
      this.log.error('storage shutdown failed', { err });
    }
  }
}
