// RemoteController: the ControllerChannel of a broker whose controller is another process (a
// KRaft broker-only node, `process.roles=broker`). Two connections to the controller
// (controller-connection.ts: addresses from controller.quorum.voters / bootstrap servers,
// reconnect with backoff):
//   - the metadata follower: Fetch of `__cluster_metadata-0` from offset 0, long-polling
//     (MaxWaitMs `fetchMaxWaitMs`), each answer's batches decoded (the metadata serde), replayed
//     into a MetadataDelta and published with the new image to every subscriber, as LocalController
//     publishes (the first subscribe call gets the whole image at once; `image` is synchronous);
//     a broker is an observer of the log (Kafka's KafkaRaftClient + MetadataLoader);
//   - the RPCs: the operations, answered in LocalController's result shapes (controller-rpc.ts);
//     registerBroker / brokerHeartbeat / alterPartition / allocateProducerIds as their APIs.
// fenceBroker and unfenceBroker are heartbeats (WantFence; caught up once the image reached the
// registration), as a broker asks its controller. describeQuorum forwards DescribeQuorum as it
// came. changePartition has no wire API: answered INVALID_REQUEST (a leader sends AlterPartition).
//
//   const rc = new RemoteController({ voters: '3000@127.0.0.1:9093', nodeId: 1, clusterId, log });
//   await rc.start();                       // resolves once the image caught up with the log
//   rc.subscribe((delta, image) => ...);
//   await rc.close();
import {
  MetadataDelta,
  MetadataImage,
  applyRecords,
  decodeMetadataBatches,
  imageRecords,
  type AlterConfigsResource,
  type AlterConfigsResult,
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
  type IncrementalAlterConfigsResource,
  type MetadataListener,
  type MetadataRecord,
  type PartitionChangeRequest,
  type PartitionChangeResult,
  type ProducerIdsBlockResult,
  type ValidateOnly,
  CLUSTER_METADATA_TOPIC,
  ALTER_PARTITION_MAX_VERSION,
} from '@tributary/metadata';
import {
  ApiKey,
  ErrorCode,
  type AlterPartitionRequest,
  type AlterPartitionResponse,
  type DescribeQuorumRequest,
  type DescribeQuorumResponse,
} from '@tributary/protocol';
import { systemTime, type Time } from '@tributary/storage';
import type { Logger } from '../logger.ts';
import type { ControllerChannel } from '../metadata/controller-channel.ts';
import { METADATA_TOPIC_ID } from './controller-backend.ts';
import type { DescribeQuorumChannel } from './describe-quorum-channel.ts';
import { ControllerConnection, parseBootstrapServers, parseQuorumVoters, type ControllerAddress } from './controller-connection.ts';
import * as rpc from './controller-rpc.ts';

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
  /** MaxWaitMs of the metadata fetch (default 500, as Kafka's controller.quorum.fetch.timeout.ms / 4). */
  fetchMaxWaitMs?: number;
  requestTimeoutMs?: number;
  reconnectBackoffMs?: number;
  reconnectBackoffMaxMs?: number;
}

const FETCH_MAX_BYTES = 8 * 1024 * 1024;

export class RemoteController implements ControllerChannel, DescribeQuorumChannel {
  private current: MetadataImage = MetadataImage.EMPTY;
  private nextOffset = 0;
  private highWatermark = -1;
  private readonly listeners = new Set<MetadataListener>();
  private readonly rpc: ControllerConnection;
  private readonly fetcher: ControllerConnection;
  private readonly waiters = new Set<{ offset: number; wake: () => void }>();
  private fetching: Promise<void> | null = null;
  private closed = false;
  private readonly time: Time;

  constructor(private readonly options: RemoteControllerOptions) {
    this.time = options.time ?? systemTime;
    const addresses = controllerAddresses(options);
    const conn = (role: string) =>
      new ControllerConnection({
        addresses,
        clientId: `broker-${options.nodeId}-${role}`,
        time: this.time,
        log: options.log,
        requestTimeoutMs: options.requestTimeoutMs,
        reconnectBackoffMs: options.reconnectBackoffMs,
        reconnectBackoffMaxMs: options.reconnectBackoffMaxMs,
      });
    this.rpc = conn('controller');
    this.fetcher = conn('metadata');
  }

  /** The current image (replaced as a whole on every change). */
  get image(): MetadataImage {
    return this.current;
  }

  /** The offset of the next record to fetch (every record before it is in the image). */
  get metadataOffset(): number {
    return this.nextOffset;
  }

  /** Starts following the metadata log; resolves once the image has caught up with it. */
  async start(): Promise<void> {
    this.fetching ??= this.fetchLoop();
    while (!this.closed && (this.highWatermark < 0 || this.nextOffset < this.highWatermark)) {
      await this.waitForOffset(Math.max(this.nextOffset, this.highWatermark, 1) - 1);
    }
  }

  /** Resolves once the image holds every record up to `offset` (or on close). */
  waitForOffset(offset: number): Promise<void> {
    if (this.current.provenance.lastOffset >= offset || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add({ offset, wake: resolve }));
  }

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

  /** DescribeQuorum forwarded at the client's version; the controller's answer as it came (Kafka's forwarding). */
  describeQuorum(request: DescribeQuorumRequest, version: number): Promise<DescribeQuorumResponse> {
    return this.rpc.request(ApiKey.DescribeQuorum, request, { version });
  }

  async allocateProducerIds(brokerId: number, brokerEpoch?: bigint): Promise<ProducerIdsBlockResult> {
    const res = await this.rpc.request(ApiKey.AllocateProducerIds, { brokerId, brokerEpoch: brokerEpoch ?? -1n });
    return { errorCode: res.errorCode, errorMessage: null, firstProducerId: res.producerIdStart, size: res.producerIdLen };
  }

  /** Stops fetching and closes both connections; waiting callers are released. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.rpc.close();
    this.fetcher.close();
    for (const w of [...this.waiters]) w.wake();
    this.waiters.clear();
    await this.fetching?.catch(() => undefined);
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

  private async fetchLoop(): Promise<void> {
    while (!this.closed) {
      try {
        await this.fetchOnce();
      } catch (err) {
        if (this.closed) return;
        this.options.log.error('metadata fetch failed', { error: err, offset: this.nextOffset });
        await new Promise<void>((resolve) => this.time.setTimeout(resolve, this.options.reconnectBackoffMaxMs ?? 1000));
      }
    }
  }

  private async fetchOnce(): Promise<void> {
    const res = await this.fetcher.request(ApiKey.Fetch, {
      replicaState: { replicaId: this.options.nodeId, replicaEpoch: -1n },
      maxWaitMs: this.options.fetchMaxWaitMs ?? 500,
      minBytes: 1,
      maxBytes: FETCH_MAX_BYTES,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: CLUSTER_METADATA_TOPIC,
          topicId: METADATA_TOPIC_ID,
          partitions: [{ partition: 0, fetchOffset: BigInt(this.nextOffset), partitionMaxBytes: FETCH_MAX_BYTES }],
        },
      ],
    });
    if (this.closed) return;
    const p = res.responses[0]?.partitions[0];
    if (res.errorCode !== ErrorCode.NONE || !p || p.errorCode !== ErrorCode.NONE) {
      throw new Error(`metadata fetch answered error ${res.errorCode || p?.errorCode}`);
    }
    this.highWatermark = Number(p.highWatermark);
    const records: MetadataRecord[] = [];
    let provenance = this.current.provenance;
    for (const batch of decodeMetadataBatches(p.records ?? Buffer.alloc(0))) {
      if (batch.lastOffset < this.nextOffset) continue;
      for (const r of batch.records) if (r.offset >= this.nextOffset) records.push(r.record);
      provenance = { lastOffset: batch.lastOffset, lastEpoch: batch.leaderEpoch };
      this.nextOffset = batch.lastOffset + 1;
    }
    if (provenance !== this.current.provenance) this.publish(records, provenance);
    else this.wakeWaiters();
  }

  private publish(records: readonly MetadataRecord[], provenance: MetadataImage['provenance']): void {
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
