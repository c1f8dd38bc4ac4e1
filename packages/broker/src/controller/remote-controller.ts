// RemoteController: the ControllerChannel of a broker whose active controller may be another
// process: a broker-only node (`process.roles=broker`), or a combined node of a multi-voter quorum
// (its own controller may be a standby). Two parts:
//   - the metadata: a broker-only node is an observer of the quorum (a RaftClient that is no voter,
//     over an ObserverImageLog): it finds the leader (asking the voters in turn — or, with only
//     `controller.quorum.bootstrap.servers`, the bootstrap servers, learning the leader's endpoint
//     from their answers (KIP-853, quorum-endpoints.ts) — following NOT_LEADER and higher
//     epochs), fetches committed batches of `__cluster_metadata-0` from it
//     (long-polling), replays them into a MetadataImage and publishes it with the delta to every
//     subscriber, as LocalController publishes (Kafka's KafkaRaftClient + MetadataLoader); a
//     combined node reads the image of its own controller (`imageSource`), which follows the
//     committed log as a voter;
//   - the RPCs: the operations, answered in LocalController's result shapes (controller-rpc.ts),
//     sent to the leader of the quorum (ControllerConnection follows it, at the endpoint the
//     observer learned when it is no configured voter; NOT_CONTROLLER from a controller that lost
//     the leadership is retried at the new one).
// fenceBroker and unfenceBroker are heartbeats (WantFence; caught up once the image reached the
// registration), as a broker asks its controller. describeQuorum forwards DescribeQuorum as it
// came. changePartition has no wire API: answered INVALID_REQUEST (a leader sends AlterPartition).
// assignReplicasToDirs (JBOD) and alterPartition send the request as built and answer the response
// as it came; registrations carry the online log dirs (LogDirs), heartbeats the failed ones.
//
//   const rc = new RemoteController({ voters: '3000@127.0.0.1:9093', nodeId: 1, clusterId, log });
//   await rc.start();                       // resolves once the image caught up with the log
//   rc.subscribe((delta, image) => ...);
//   await rc.close();
import {
  MetadataDelta,
  MetadataImage,
  applyRecords,
  imageRecords,
  type AclBinding,
  type AclBindingFilter,
  type DeleteAclsFilterResult,
  type AlterConfigsResource,
  type AlterConfigsResult,
  type AlterScramResult,
  type ApiError,
  type BrokerHeartbeatReply,
  type BrokerHeartbeatRequest,
  type BrokerRegistrationRequest,
  type BrokerRegistrationResult,
  type CreatableTopic,
  type CreatePartitionsResult,
  type CreatePartitionsTopic,
  type CreateTopicResult,
  type DeletableTopic,
  type DeleteTopicResult,
  type ElectLeadersRequestData,
  type ElectLeadersResult,
  type IncrementalAlterConfigsResource,
  type ListReassignmentsTopic,
  type ReassignableTopic,
  type AlterClientQuotasResult,
  type ClientQuotaAlteration,
  type MetadataListener,
  type MetadataRecord,
  type PartitionChangeRequest,
  type PartitionChangeResult,
  type ProducerIdsBlockResult,
  type ValidateOnly,
  ALTER_PARTITION_MAX_VERSION,
  ObserverImageLog,
  snapshotDelta,
  updateFailedReason,
  type FeatureUpdate,
  type LocalController,
} from '@tributary/metadata';
import { MemoryQuorumStateStore, RaftClient, type QuorumConfig } from '@tributary/raft';
import {
  ApiKey,
  ErrorCode,
  type AlterPartitionReassignmentsResponse,
  type AlterPartitionRequest,
  type AlterPartitionResponse,
  type AlterUserScramCredentialsRequest,
  type AssignReplicasToDirsRequest,
  type AssignReplicasToDirsResponse,
  type DescribeQuorumRequest,
  type ListPartitionReassignmentsResponse,
  type DescribeQuorumResponse,
} from '@tributary/protocol';
import { systemTime, type Time } from '@tributary/storage';
import type { Logger } from '../logger.ts';
import type { ControllerChannel } from '../metadata/controller-channel.ts';
import type { DescribeQuorumChannel } from './describe-quorum-channel.ts';
import { ControllerConnection, parseBootstrapServers, parseQuorumVoters, type ControllerAddress } from './controller-connection.ts';
import * as rpc from './controller-rpc.ts';
import { QuorumEndpoints } from './quorum-endpoints.ts';
import { NetworkRaftChannel } from './raft/network-raft-channel.ts';

export interface RemoteControllerOptions {
  /** controller.quorum.voters (`id@host:port,...`). */
  voters?: string;
  /** controller.quorum.bootstrap.servers (`host:port,...`), when no voters are given. */
  bootstrapServers?: string;
  /** This broker's node id (the fetch's ReplicaId, the client id). */
  nodeId: number;
  /** The cluster id the broker registers with. */
  clusterId: string;
  log: Logger;
  time?: Time;
  /** MaxWaitMs of the metadata fetch (default 500, as Kafka's raft client). */
  fetchMaxWaitMs?: number;
  /** The quorum's timing (controller.quorum.*). */
  quorum?: Partial<QuorumConfig>;
  /**
   * A combined node's own controller (a voter): its image is this channel's, and its Raft client
   * knows the leader; no observer runs.
   */
  imageSource?: Pick<LocalController, 'image' | 'subscribe'> & { leaderId(): number };
  requestTimeoutMs?: number;
  reconnectBackoffMs?: number;
  reconnectBackoffMaxMs?: number;
  /** TLS options of a new connection to a controller (the controller listener is SSL); undefined = plaintext. */
  tls?: () => import('node:tls').ConnectionOptions | undefined;
  /** SASL login of a new connection (the controller listener is SASL_*); undefined = none. */
  sasl?: () => import('@tributary/client').SaslConfig | undefined;
}

export class RemoteController implements ControllerChannel, DescribeQuorumChannel {
  private current: MetadataImage = MetadataImage.EMPTY;
  private readonly listeners = new Set<MetadataListener>();
  private readonly rpc: ControllerConnection;
  /** The observer following the quorum's committed log (a broker-only node). */
  private readonly observer: RaftClient<never, Buffer> | null = null;
  private readonly raftChannel: NetworkRaftChannel | null = null;
  private readonly waiters = new Set<{ offset: number; wake: () => void }>();
  private closed = false;
  private readonly time: Time;

  constructor(private readonly options: RemoteControllerOptions) {
    this.time = options.time ?? systemTime;
    const addresses = controllerAddresses(options);
    const endpoints = new QuorumEndpoints(addresses);
    this.rpc = new ControllerConnection({
      addresses,
      resolve: (id) => endpoints.address(id),
      clientId: `broker-${options.nodeId}-controller`,
      time: this.time,
      log: options.log,
      requestTimeoutMs: options.requestTimeoutMs,
      reconnectBackoffMs: options.reconnectBackoffMs,
      reconnectBackoffMaxMs: options.reconnectBackoffMaxMs,
      leaderId: () => this.leaderId(),
      tls: options.tls,
      sasl: options.sasl,
    });
    if (options.imageSource) return;
    this.raftChannel = new NetworkRaftChannel({
      nodeId: options.nodeId,
      clusterId: options.clusterId,
      endpoints,
      requestTimeoutMs: options.quorum?.fetchTimeoutMs,
      reconnectBackoffMs: options.reconnectBackoffMs,
      reconnectBackoffMaxMs: options.reconnectBackoffMaxMs,
      time: this.time,
      log: options.log,
      tls: options.tls,
      sasl: options.sasl,
    });
    this.observer = new RaftClient({
      nodeId: options.nodeId,
      voters: endpoints.voterIds,
      bootstrap: endpoints.bootstrapIds,
      log: new ObserverImageLog(
        (records, lastOffset, lastEpoch) => this.publish(records, { lastOffset, lastEpoch }),
        (image) => this.publishSnapshot(image),
      ),
      store: new MemoryQuorumStateStore(),
      channel: this.raftChannel,
      time: this.time,
      config: { fetchMaxWaitMs: options.fetchMaxWaitMs ?? 500, ...options.quorum },
      logger: { info: (m, f) => options.log.info(m, f), error: (m, f) => options.log.error(m, f) },
    });
  }

  /** The current image (replaced as a whole on every change). */
  get image(): MetadataImage {
    return this.options.imageSource?.image ?? this.current;
  }

  /** The offset of the next record to fetch (every record before it is in the image). */
  get metadataOffset(): number {
    return this.image.provenance.lastOffset + 1;
  }

  /** The quorum's leader as this node knows it (-1: none known). */
  leaderId(): number {
    return this.options.imageSource?.leaderId() ?? this.observer?.leaderId ?? -1;
  }

  /** Starts following the metadata log; resolves once the image caught up with the leader's high watermark. */
  async start(): Promise<void> {
    const observer = this.observer;
    if (!observer) return;
    // The Raft client's timers are unref'd (systemTime): while no controller is up yet (they start
    // in parallel), nothing else would keep the process alive to wait for them.
    const keepAlive = setInterval(() => {}, 1 << 30);
    try {
      await this.waitCaughtUp(observer);
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async waitCaughtUp(observer: RaftClient<never, Buffer>): Promise<void> {
    await observer.start();
    // caught up: a leader answered, and the image holds everything below its high watermark
    while (!this.closed && (observer.role !== 'follower' || observer.highWatermark === 0 || this.metadataOffset < observer.highWatermark)) {
      await new Promise<void>((resolve) => {
        const offHw = observer.onHighWatermark(() => done());
        const offLeader = observer.onLeaderChange(() => done());
        const cancel = this.time.setTimeout(() => done(), 100);
        const done = () => {
          offHw();
          offLeader();
          cancel();
          resolve();
        };
      });
    }
  }

  /** Resolves once the image holds every record up to `offset` (or on close). */
  waitForOffset(offset: number): Promise<void> {
    if (this.image.provenance.lastOffset >= offset || this.closed) return Promise.resolve();
    const source = this.options.imageSource;
    if (source) {
      return new Promise((resolve) => {
        const off = source.subscribe((_d, image) => {
          if (image.provenance.lastOffset < offset && !this.closed) return;
          queueMicrotask(() => off());
          resolve();
        });
      });
    }
    return new Promise((resolve) => this.waiters.add({ offset, wake: resolve }));
  }

  subscribe(listener: MetadataListener): () => void {
    if (this.options.imageSource) return this.options.imageSource.subscribe(listener);
    this.listeners.add(listener);
    if (!this.current.isEmpty) {
      const delta = new MetadataDelta(MetadataImage.EMPTY).replayAll(imageRecords(this.current));
      this.notify(listener, delta, this.current);
    }
    return () => {
      this.listeners.delete(listener);
    };
  }

  // ---- operations (RPCs) ----

  async createTopics(topics: readonly CreatableTopic[], opts: ValidateOnly = {}): Promise<CreateTopicResult[]> {
    const res = await this.rpc.request(ApiKey.CreateTopics, rpc.createTopicsRequest(topics, opts.validateOnly ?? false));
    return rpc.createTopicsResults(topics, res);
  }

  async createPartitions(topics: readonly CreatePartitionsTopic[], opts: ValidateOnly = {}): Promise<CreatePartitionsResult[]> {
    const res = await this.rpc.request(ApiKey.CreatePartitions, rpc.createPartitionsRequest(topics, opts.validateOnly ?? false));
    return rpc.createPartitionsResults(res);
  }

  async deleteTopics(topics: readonly DeletableTopic[]): Promise<DeleteTopicResult[]> {
    return rpc.deleteTopicsResults(await this.rpc.request(ApiKey.DeleteTopics, rpc.deleteTopicsRequest(topics)));
  }

  async alterConfigs(resources: readonly AlterConfigsResource[], opts: ValidateOnly = {}): Promise<AlterConfigsResult[]> {
    const res = await this.rpc.request(ApiKey.AlterConfigs, rpc.alterConfigsRequest(resources, opts.validateOnly ?? false));
    return rpc.alterConfigsResults(res);
  }

  async incrementalAlterConfigs(
    resources: readonly IncrementalAlterConfigsResource[],
    opts: ValidateOnly = {},
  ): Promise<AlterConfigsResult[]> {
    const body = rpc.incrementalAlterConfigsRequest(resources, opts.validateOnly ?? false);
    return rpc.alterConfigsResults(await this.rpc.request(ApiKey.IncrementalAlterConfigs, body));
  }

  async createAcls(bindings: readonly AclBinding[]): Promise<ApiError[]> {
    return rpc.createAclsResults(await this.rpc.request(ApiKey.CreateAcls, rpc.createAclsRequest(bindings)));
  }

  async deleteAcls(filters: readonly AclBindingFilter[]): Promise<DeleteAclsFilterResult[]> {
    return rpc.deleteAclsResults(await this.rpc.request(ApiKey.DeleteAcls, rpc.deleteAclsRequest(filters)));
  }

  async alterClientQuotas(alterations: readonly ClientQuotaAlteration[], opts: ValidateOnly = {}): Promise<AlterClientQuotasResult[]> {
    const body = rpc.alterClientQuotasRequest(alterations, opts.validateOnly ?? false);
    return rpc.alterClientQuotasResults(await this.rpc.request(ApiKey.AlterClientQuotas, body));
  }

  /** Forwarded as it came; the controller's answer per user. */
  async alterUserScramCredentials(request: AlterUserScramCredentialsRequest): Promise<AlterScramResult[]> {
    const res = await this.rpc.request(ApiKey.AlterUserScramCredentials, request);
    return res.results.map((r) => ({ user: r.user, errorCode: r.errorCode, errorMessage: r.errorMessage }));
  }

  /** The controller's top-level answer (its message back to the reason the handler words again). */
  async updateFeatures(updates: readonly FeatureUpdate[], opts: ValidateOnly = {}): Promise<ApiError> {
    const res = await this.rpc.request(ApiKey.UpdateFeatures, {
      timeoutMs: 60_000,
      validateOnly: opts.validateOnly ?? false,
      featureUpdates: updates.map((u) => ({ ...u, allowDowngrade: false })), // v1: UpgradeType says it
    });
    return { errorCode: res.errorCode, errorMessage: res.errorCode === ErrorCode.NONE ? null : updateFailedReason(res.errorMessage) };
  }

  async electLeaders(request: ElectLeadersRequestData): Promise<ElectLeadersResult> {
    return rpc.electLeadersResult(await this.rpc.request(ApiKey.ElectLeaders, rpc.electLeadersRequest(request)));
  }

  async unregisterBroker(brokerId: number): Promise<ApiError> {
    return rpc.unregisterBrokerResult(await this.rpc.request(ApiKey.UnregisterBroker, { brokerId }));
  }

  async registerBroker(req: BrokerRegistrationRequest): Promise<BrokerRegistrationResult> {
    const res = await this.rpc.request(ApiKey.BrokerRegistration, {
      brokerId: req.brokerId,
      clusterId: this.options.clusterId,
      incarnationId: req.incarnationId,
      listeners: req.endpoints.map((e) => ({ name: e.name, host: e.host, port: e.port, securityProtocol: e.securityProtocol })),
      features: Object.entries(req.features ?? {}).map(([name, [min, max]]) => ({
        name,
        minSupportedVersion: min,
        maxSupportedVersion: max,
      })),
      rack: req.rack ?? null,
      logDirs: [...(req.logDirs ?? [])],
    });
    return { errorCode: res.errorCode, errorMessage: null, brokerEpoch: res.brokerEpoch };
  }

  async brokerHeartbeat(req: BrokerHeartbeatRequest): Promise<BrokerHeartbeatReply> {
    const res = await this.rpc.request(ApiKey.BrokerHeartbeat, {
      brokerId: req.brokerId,
      brokerEpoch: req.brokerEpoch,
      currentMetadataOffset: BigInt(req.currentMetadataOffset),
      wantFence: req.wantFence,
      wantShutDown: req.wantShutDown,
      offlineLogDirs: [...(req.offlineLogDirs ?? [])],
    });
    const inControlledShutdown = !res.isFenced && req.wantShutDown && !res.shouldShutDown;
    return {
      errorCode: res.errorCode,
      errorMessage: null,
      isCaughtUp: res.isCaughtUp,
      isFenced: res.isFenced,
      shouldShutDown: res.shouldShutDown,
      inControlledShutdown,
      state: res.shouldShutDown ? 'SHUTDOWN_NOW' : res.isFenced ? 'FENCED' : inControlledShutdown ? 'CONTROLLED_SHUTDOWN' : 'UNFENCED',
    };
  }

  /** A heartbeat asking to be fenced. */
  async fenceBroker(brokerId: number, brokerEpoch?: bigint): Promise<ApiError> {
    const r = await this.heartbeatNow(brokerId, brokerEpoch, true);
    return { errorCode: r.errorCode, errorMessage: r.errorMessage };
  }

  /** Waits for the image to reach the registration, then heartbeats; an error while still fenced. */
  async unfenceBroker(brokerId: number, brokerEpoch?: bigint): Promise<ApiError> {
    if (brokerEpoch !== undefined) await this.waitForOffset(Number(brokerEpoch));
    const r = await this.heartbeatNow(brokerId, brokerEpoch, false);
    if (r.errorCode !== ErrorCode.NONE) return { errorCode: r.errorCode, errorMessage: r.errorMessage };
    if (r.isFenced) return { errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED, errorMessage: `broker ${brokerId} is still fenced` };
    return { errorCode: ErrorCode.NONE, errorMessage: null };
  }

  async changePartition(req: PartitionChangeRequest): Promise<PartitionChangeResult> {
    return {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: `cannot change ${req.topic}-${req.partition} over the network: a leader sends AlterPartition`,
    };
  }

  alterPartition(request: AlterPartitionRequest, version = ALTER_PARTITION_MAX_VERSION): Promise<AlterPartitionResponse> {
    return this.rpc.request(ApiKey.AlterPartition, request, { version });
  }

  /** AssignReplicasToDirs (API 73), as the broker's AssignmentsManager builds it; the controller's answer. */
  assignReplicasToDirs(request: AssignReplicasToDirsRequest): Promise<AssignReplicasToDirsResponse> {
    return this.rpc.request(ApiKey.AssignReplicasToDirs, request);
  }

  alterPartitionReassignments(topics: readonly ReassignableTopic[]): Promise<AlterPartitionReassignmentsResponse> {
    return this.rpc.request(ApiKey.AlterPartitionReassignments, rpc.alterPartitionReassignmentsRequest(topics));
  }

  listPartitionReassignments(topics: readonly ListReassignmentsTopic[] | null = null): Promise<ListPartitionReassignmentsResponse> {
    return this.rpc.request(ApiKey.ListPartitionReassignments, rpc.listPartitionReassignmentsRequest(topics));
  }

  /** DescribeQuorum forwarded at the client's version; the controller's answer as it came (Kafka's forwarding). */
  describeQuorum(request: DescribeQuorumRequest, version: number): Promise<DescribeQuorumResponse> {
    return this.rpc.request(ApiKey.DescribeQuorum, request, { version });
  }

  async allocateProducerIds(brokerId: number, brokerEpoch?: bigint): Promise<ProducerIdsBlockResult> {
    const res = await this.rpc.request(ApiKey.AllocateProducerIds, { brokerId, brokerEpoch: brokerEpoch ?? -1n });
    return { errorCode: res.errorCode, errorMessage: null, firstProducerId: res.producerIdStart, size: res.producerIdLen };
  }

  /** Stops fetching and closes the connections; waiting callers are released. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.rpc.close();
    await this.observer?.close().catch(() => undefined);
    this.raftChannel?.close();
    for (const w of [...this.waiters]) w.wake();
    this.waiters.clear();
    this.listeners.clear();
  }

  // ---- the metadata follower ----

  private heartbeatNow(brokerId: number, brokerEpoch: bigint | undefined, wantFence: boolean): Promise<BrokerHeartbeatReply> {
    const epoch = brokerEpoch ?? this.current.cluster.broker(brokerId)?.epoch ?? -1n;
    return this.brokerHeartbeat({
      brokerId,
      brokerEpoch: epoch,
      currentMetadataOffset: this.current.provenance.lastOffset,
      wantFence,
      wantShutDown: false,
    });
  }

  /** A snapshot the observer fetched (it was behind the leader's log start): its image replaces this one. */
  private publishSnapshot(snapshot: MetadataImage): void {
    if (this.closed) return;
    const { delta, image } = snapshotDelta(this.current, snapshot);
    this.current = image;
    for (const l of [...this.listeners]) this.notify(l, delta, image);
    this.wakeWaiters();
  }

  /** Committed records the observer fetched: replayed into the image, published. */
  private publish(records: readonly MetadataRecord[], provenance: MetadataImage['provenance']): void {
    if (this.closed) return;
    const { delta, image } = applyRecords(this.current, records, provenance);
    this.current = image;
    for (const l of [...this.listeners]) this.notify(l, delta, image);
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    for (const w of [...this.waiters]) {
      if (this.current.provenance.lastOffset >= w.offset) {
        this.waiters.delete(w);
        w.wake();
      }
    }
  }

  private notify(listener: MetadataListener, delta: MetadataDelta, image: MetadataImage): void {
    try {
      listener(delta, image);
    } catch (err) {
      this.options.log.error('a metadata listener failed', { error: err });
    }
  }
}

function controllerAddresses(o: RemoteControllerOptions): ControllerAddress[] {
  if (o.voters) return parseQuorumVoters(o.voters);
  if (o.bootstrapServers) return parseBootstrapServers(o.bootstrapServers);
  throw new Error('a remote controller needs controller.quorum.voters or controller.quorum.bootstrap.servers');
}
