// The public API of @tributary/client, as types (implemented by kafka.ts, producer/, consumer/,
// admin/). One entry point, `new Kafka({ bootstrapServers, clientId })`, hands out a producer,
// consumers and an admin client that share its connections and metadata. Errors are
// KafkaClientError (network/errors.ts), described by ClientErrorInfo below.
// Conventions: partitions and timestamps (ms since epoch) are numbers; offsets are bigint (Kafka's
// int64, exact beyond 2^53); keys and values are accepted as string | Buffer | Uint8Array | null
// and returned as Buffer | null; option names are Kafka's config names in camelCase
// (`linger.ms` -> lingerMs) with Kafka's defaults (except the producer's batchSize and lingerMs:
// franz-go's, reasoned in producer/producer.ts).
import type { UserScramCredentialAlteration, UserScramCredentialsDescription } from './admin/user-scram-credentials.ts';
import type { Partitioner } from './partitioner/partitioner.ts';
import type { AssignorName } from './assignors/index.ts';
import type { Assignor, TopicPartition } from './assignors/types.ts';
import type { KafkaClientError } from './network/errors.ts';

// ---------------------------------------------------------------- client

export interface KafkaConfig {
  /** `host:port` of one or more brokers to learn the cluster from. */
  bootstrapServers: string | string[];
  /** Sent with every request (`client.id`). Default "tributary". */
  clientId?: string;
  /** TCP connect timeout (default 10000 ms). */
  connectTimeoutMs?: number;
  /** How long a request may wait for its response (`request.timeout.ms`, default 30000). */
  requestTimeoutMs?: number;
  /** Reconnect backoff, doubling from `reconnectBackoffMs` (50) up to `reconnectBackoffMaxMs` (1000). */
  reconnectBackoffMs?: number;
  reconnectBackoffMaxMs?: number;
  /** Metadata refresh period (`metadata.max.age.ms`, default 300000). */
  metadataMaxAgeMs?: number;
  /** Rack of this client (`client.rack`), sent in group subscriptions for rack-aware assignment (range, sticky). */
  clientRack?: string;
  /**
   * TLS (Kafka's security.protocol=SSL): `true` for the system CAs, or options passed to
   * `tls.connect`: `ca` (PEM of the CAs to trust, Kafka's ssl.truststore), `key` + `cert` (+
   * `passphrase`) for mutual TLS (ssl.keystore), `servername` (SNI and the name checked; default
   * the broker's host when it is a name), `rejectUnauthorized: false` to skip verification (tests
   * only), `checkServerIdentity: () => undefined` to skip only the host name check
   * (ssl.endpoint.identification.algorithm=). Plaintext when absent.
   */
  tls?: import('node:tls').ConnectionOptions | true;
  /**
   * SASL login on every connection (SASL_PLAINTEXT, or SASL_SSL with `tls`): SaslHandshake v1 then
   * SaslAuthenticate. A refused login fails with a non-retriable error of type
   * SASL_AUTHENTICATION_FAILED carrying the broker's message.
   */
  sasl?: SaslConfig;
  /** Injected clock, for tests. */
  clock?: () => number;
}

/** SASL credentials, as Kafka's sasl.mechanism and sasl.jaas.config carry them. */
export interface SaslConfig {
  mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  username: string;
  password: string;
}

export interface KafkaClient {
  producer(config?: ProducerConfig): Producer;
  consumer(config: ConsumerConfig): Consumer;
  admin(config?: AdminConfig): Admin;
  /** Closes every producer, consumer and connection made through this client. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------- records

export type Bytes = string | Buffer | Uint8Array;

export interface HeaderInput {
  [key: string]: Bytes | null | undefined;
}

/** A record to send. Without `partition`, a key picks the partition (murmur2, like Java). */
export interface Message {
  key?: Bytes | null;
  value: Bytes | null;
  headers?: HeaderInput | Array<{ key: string; value: Bytes | null }>;
  /** Create time in ms since epoch (default: now). */
  timestamp?: number;
  partition?: number;
}

export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: bigint;
  /** Create time, or the broker's LogAppendTime when the topic uses it. */
  timestamp: number;
}

/** A record as consumed. */
export interface ConsumerRecord {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: number;
  timestampType: 'create' | 'log-append';
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: string; value: Buffer | null }>;
  leaderEpoch: number;
}

export interface RecordBatchView {
  topic: string;
  partition: number;
  records: ConsumerRecord[];
  /** The partition's high watermark at fetch time (lag = highWatermark - last offset - 1). */
  highWatermark: bigint;
}

// ---------------------------------------------------------------- producer

export type Acks = 0 | 1 | -1 | 'all';
export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface ProducerConfig {
  /** `acks`: 0, 1 or 'all'/-1 (default 'all'). */
  acks?: Acks;
  /** `compression.type` (default 'none'). */
  compression?: Compression;
  /** `batch.size` in bytes per partition batch (default 1048576, franz-go's choice, not Java's 16384: see producer.ts). */
  batchSize?: number;
  /** `linger.ms` (default 0, as franz-go and Java before Kafka 4.0; Java 4.x uses 5: see producer.ts). */
  lingerMs?: number;
  /** `max.in.flight.requests.per.connection` (default 5). */
  maxInFlight?: number;
  /** `max.request.size` (default 1048576). */
  maxRequestSize?: number;
  /** `delivery.timeout.ms`: give up on a record after this long (default 120000). */
  deliveryTimeoutMs?: number;
  /** `max.block.ms`: how long `send` waits for an unknown topic's metadata while no broker answers (default 60000). */
  maxBlockMs?: number;
  /** `retry.backoff.ms` (default 100). */
  retryBackoffMs?: number;
  /**
   * `enable.idempotence` (default true, as Java since 3.0: a producer id and per-partition
   * sequences, so retries never duplicate or reorder records). Left unset, it is turned off by
   * `acks` 0/1 or `maxInFlight` above 5; set to true with those, INVALID_CONFIG. A broker
   * without InitProducerId fails idempotent sends with UNSUPPORTED_VERSION (use `idempotent: false`).
   */
  idempotent?: boolean;
  /** `transactional.id`: makes the producer transactional (implies idempotence). */
  transactionalId?: string;
  /** `transaction.timeout.ms` (default 60000): the coordinator aborts a transaction open longer than this. */
  transactionTimeoutMs?: number;
  /** Custom partitioner; return undefined to use the default rule. */
  partitioner?: Partitioner;
  /** `partitioner.ignore.keys` (default false). */
  ignoreKeys?: boolean;
}

export interface SendRequest {
  topic: string;
  messages: Message[];
}

/** A consumer's group membership, for sendOffsetsToTransaction (Java's ConsumerGroupMetadata). */
export interface ConsumerGroupMetadata {
  groupId: string;
  /** -1 (and memberId '') when not known: the coordinator then checks nothing about membership. */
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface Producer {
  /** Sends records; resolves with one RecordMetadata per message, in order, once acknowledged per `acks`. */
  send(request: SendRequest): Promise<RecordMetadata[]>;
  /** Sends to several topics at once. */
  sendBatch(requests: SendRequest[]): Promise<RecordMetadata[][]>;
  /** Sends everything buffered now, ignoring linger.ms, and waits for it. */
  flush(): Promise<void>;
  /**
   * Stops accepting sends, flushes and waits for what is buffered, then closes (a transaction
   * still open is aborted first, as Java does). With `timeoutMs`, records not acknowledged by
   * then fail with a PRODUCER_CLOSED error.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
  // Transactions (a producer made with `transactionalId`; the others throw ILLEGAL_STATE).
  /** Gets the producer id and epoch from the transaction coordinator, fencing older producers with the same id (once, before the first transaction). */
  initTransactions(): Promise<void>;
  /** Starts a transaction: sends from now on belong to it. */
  beginTransaction(): void;
  /** Commits consumed offsets as part of the transaction (AddOffsetsToTxn, then TxnOffsetCommit to the group's coordinator). */
  sendOffsetsToTransaction(offsets: OffsetToCommit[], group: ConsumerGroupMetadata | string): Promise<void>;
  /** Sends what is buffered, waits for it, and commits. On an error, call abortTransaction() (if that fails too, the producer is fenced or broken: close it). */
  commitTransaction(): Promise<void>;
  /** Drops what was never sent, waits for what was, and aborts. */
  abortTransaction(): Promise<void>;
  /** KafkaJS style: initTransactions() if needed, beginTransaction(), and an object to send, commit or abort with. */
  transaction(): Promise<Transaction>;
}

/** One transaction, KafkaJS style (`producer.transaction()`). */
export interface Transaction {
  send(request: SendRequest): Promise<RecordMetadata[]>;
  sendBatch(requests: SendRequest[]): Promise<RecordMetadata[][]>;
  sendOffsets(offsets: OffsetToCommit[], group: ConsumerGroupMetadata | string): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
  /** True until commit() or abort() was called. */
  isActive(): boolean;
}

// ---------------------------------------------------------------- consumer

export interface ConsumerConfig {
  /** Consumer group; omit to use `assign()` only. */
  groupId?: string;
  /** Static membership (`group.instance.id`). */
  groupInstanceId?: string;
  /** Assignment strategies by Kafka name, preferred first (default ['range', 'cooperative-sticky'] like Java 3.x+). */
  assignors?: Array<AssignorName | Assignor>;
  /** `session.timeout.ms` (default 45000). */
  sessionTimeoutMs?: number;
  /** `heartbeat.interval.ms` (default 3000). */
  heartbeatIntervalMs?: number;
  /** `max.poll.interval.ms` (default 300000): time allowed between pulls from the iterator. */
  maxPollIntervalMs?: number;
  /** `auto.offset.reset` when there is no committed offset (default 'latest'). */
  autoOffsetReset?: 'earliest' | 'latest' | 'none';
  /** `enable.auto.commit` (default true) and `auto.commit.interval.ms` (default 5000). */
  autoCommit?: boolean;
  autoCommitIntervalMs?: number;
  /** Fetch tuning: `fetch.min.bytes` (1), `fetch.max.wait.ms` (500), `fetch.max.bytes` (52428800), `max.partition.fetch.bytes` (1048576). */
  fetchMinBytes?: number;
  fetchMaxWaitMs?: number;
  fetchMaxBytes?: number;
  maxPartitionFetchBytes?: number;
  /** Upper bound of prefetched, not yet consumed bytes (backpressure; default 64 MiB). */
  maxBufferedBytes?: number;
  /** `isolation.level` (default 'read_uncommitted'). */
  isolationLevel?: 'read_uncommitted' | 'read_committed';
  /** `check.crcs`: verify the CRC-32C of every fetched record batch (default true). */
  checkCrcs?: boolean;
}

export interface SubscribeOptions {
  topics?: string[];
  pattern?: RegExp;
}

export interface OffsetToCommit extends TopicPartition {
  /** The next offset to read (last processed + 1). */
  offset: bigint;
  metadata?: string;
}

export type SeekTarget = bigint | 'earliest' | 'latest' | { timestamp: number };

export interface RebalanceListener {
  /** Partitions newly assigned (after a rebalance completes). */
  assigned?(partitions: TopicPartition[]): void | Promise<void>;
  /** Partitions about to be taken away; commit here. */
  revoked?(partitions: TopicPartition[]): void | Promise<void>;
  /** Partitions lost without a chance to commit (session expired, fenced). */
  lost?(partitions: TopicPartition[]): void | Promise<void>;
}

export interface Consumer extends AsyncIterable<ConsumerRecord> {
  /** Joins the group (if any) and starts fetching the given topics. */
  subscribe(topics: string | string[] | SubscribeOptions, listener?: RebalanceListener): Promise<void>;
  unsubscribe(): Promise<void>;
  /** Manual assignment without a group. */
  assign(partitions: TopicPartition[]): void;
  assignment(): TopicPartition[];
  seek(partition: TopicPartition, to: SeekTarget): void;
  /** Commits the given offsets, or the position of every assigned partition. */
  commit(offsets?: OffsetToCommit[]): Promise<void>;
  /** Fire-and-forget commit; errors go to the returned promise only. */
  commitAsync(offsets?: OffsetToCommit[]): Promise<void>;
  committed(partitions: TopicPartition[]): Promise<Array<OffsetToCommit | null>>;
  /** The next offset the iterator will return for a partition. */
  position(partition: TopicPartition): bigint | undefined;
  /** The group membership (id, generation, member id) for a transactional producer's sendOffsetsToTransaction; INVALID_GROUP_ID without a groupId. */
  groupMetadata(): ConsumerGroupMetadata;
  pause(partitions: TopicPartition[]): void;
  resume(partitions: TopicPartition[]): void;
  /** Records one at a time (also `for await (const r of consumer)`). */
  records(): AsyncIterableIterator<ConsumerRecord>;
  /** Whole fetched batches, per partition. */
  batches(): AsyncIterableIterator<RecordBatchView>;
  /**
   * Hands records (`eachRecord`) or batches (`eachBatch`) to a handler, one at a time, until the
   * consumer is closed. If the handler throws, run() rejects with that error and the partition is
   * sought back to the failed record (or batch), so it is delivered again.
   */
  run(handlers: RunHandlers): Promise<void>;
  /** Leaves the group (committing if auto-commit) and closes. */
  close(): Promise<void>;
}

/** What `consumer.run()` takes: exactly one of a record handler and a batch handler. */
export type RunHandlers =
  | { eachRecord: (record: ConsumerRecord) => void | Promise<void>; eachBatch?: never }
  | { eachBatch: (batch: RecordBatchView) => void | Promise<void>; eachRecord?: never };

// ---------------------------------------------------------------- admin

export interface NewTopic {
  name: string;
  /** Default: the broker's `num.partitions`. */
  partitions?: number;
  replicationFactor?: number;
  configs?: Record<string, string>;
}

export interface TopicDescription {
  name: string;
  topicId: string;
  internal: boolean;
  partitions: Array<{ partition: number; leader: number; leaderEpoch: number; replicas: number[]; isr: number[] }>;
}

export type ConfigResource = { type: 'topic'; name: string } | { type: 'broker'; name: string };

/** Kafka's ConfigEntry.ConfigSource names (DescribeConfigs v1+ configSource). */
export type ConfigSourceName =
  | 'UNKNOWN'
  | 'DYNAMIC_TOPIC_CONFIG'
  | 'DYNAMIC_BROKER_CONFIG'
  | 'DYNAMIC_DEFAULT_BROKER_CONFIG'
  | 'STATIC_BROKER_CONFIG'
  | 'DEFAULT_CONFIG'
  | 'DYNAMIC_BROKER_LOGGER_CONFIG'
  | 'CLIENT_METRICS_CONFIG'
  | 'GROUP_CONFIG';

/** One config of a resource as DescribeConfigs reports it (Java's ConfigEntry), with where its value comes from. */
export interface ConfigEntry {
  name: string;
  /** null for a sensitive value (or one never set). */
  value: string | null;
  source: ConfigSourceName;
  isSensitive: boolean;
  readOnly: boolean;
  /** The values it would take from each source, highest precedence first (the first is its own). */
  synonyms: Array<{ name: string; value: string | null; source: ConfigSourceName }>;
}

/** A client quota entity: entity type (user, client-id, ip) -> name; null = the type's default entity. */
export type ClientQuotaEntity = Record<string, string | null>;

/** Kafka's ClientQuotaFilterComponent: ofEntity (exact), ofDefaultEntity (default), ofEntityType (specified). */
export type ClientQuotaFilterComponent =
  | { entityType: string; matchType: 'exact'; match: string }
  | { entityType: string; matchType: 'default' | 'specified' };

export interface ClientQuotaEntry {
  entity: ClientQuotaEntity;
  /** Quota key (producer_byte_rate, consumer_byte_rate, request_percentage, ...) -> value. */
  quotas: Record<string, number>;
}

/** Quota keys to set (a number) or remove (null) on an entity. */
export interface ClientQuotaAlteration {
  entity: ClientQuotaEntity;
  ops: Record<string, number | null>;
}

/** A feature's levels as one broker supports them (Kafka's SupportedVersionRange). */
export interface SupportedFeatureRange {
  minVersion: number;
  maxVersion: number;
}

/** Kafka's FeatureMetadata: the cluster's finalized levels and what the answering broker supports. */
export interface FeatureMetadata {
  /** Finalized levels by feature name (min = max in KRaft), e.g. metadata.version 17. */
  finalizedFeatures: Record<string, { minVersionLevel: number; maxVersionLevel: number }>;
  /** The offset of the metadata the answer reflects; null when unknown. */
  finalizedFeaturesEpoch: bigint | null;
  supportedFeatures: Record<string, SupportedFeatureRange>;
}

/** Kafka's FeatureUpdate: the new level and how it may move (a level 0 disables the feature). */
export interface FeatureUpdate {
  maxVersionLevel: number;
  upgradeType?: 'upgrade' | 'safe-downgrade' | 'unsafe-downgrade';
}

export interface ClusterDescription {
  clusterId: string | null;
  controllerId: number;
  brokers: Array<{ nodeId: number; host: string; port: number; rack: string | null }>;
}

/** One replica of the metadata quorum as its leader reports it (Kafka's QuorumInfo.ReplicaState). */
export interface QuorumReplicaState {
  replicaId: number;
  /** The replica's log directory id (v2; the zero uuid when unknown). */
  replicaDirectoryId: string;
  /** The offset the replica last fetched from (-1 unknown). */
  logEndOffset: number;
  /** The leader's clock when the replica last fetched; null when unknown (or before v1). */
  lastFetchTimestamp: number | null;
  /** The leader's clock when the replica was last caught up with the leader's log end; null when unknown. */
  lastCaughtUpTimestamp: number | null;
}

/** The KRaft metadata quorum (`__cluster_metadata-0`) as its leader describes it (Kafka's QuorumInfo). */
export interface QuorumInfo {
  leaderId: number;
  leaderEpoch: number;
  highWatermark: number;
  voters: QuorumReplicaState[];
  observers: QuorumReplicaState[];
  /** The voters' controller listeners by node id (DescribeQuorum v2; empty before). */
  nodes: Map<number, { nodeId: number; endpoints: Array<{ name: string; host: string; port: number }> }>;
}

/** Moving one replica to a log dir of its broker (Kafka's TopicPartitionReplica -> path). */
export interface ReplicaLogDirAssignment {
  topic: string;
  partition: number;
  brokerId: number;
  /** An absolute path among that broker's log.dirs. */
  logDir: string;
}

/** One replica's AlterReplicaLogDirs answer: null when moving (or already there), else why not. */
export interface ReplicaLogDirResult {
  topic: string;
  partition: number;
  brokerId: number;
  /** LOG_DIR_NOT_FOUND, KAFKA_STORAGE_ERROR, REPLICA_NOT_AVAILABLE, CLUSTER_AUTHORIZATION_FAILED, ... */
  error: KafkaClientError | null;
}

/** One log dir of one broker (Kafka's LogDirDescription) and the replicas in it. */
export interface LogDirDescription {
  brokerId: number;
  path: string;
  /** KAFKA_STORAGE_ERROR when the dir is offline; null otherwise. */
  error: KafkaClientError | null;
  /** Size and free space of the dir's filesystem (null: unknown, before DescribeLogDirs v4). */
  totalBytes: number | null;
  usableBytes: number | null;
  /** A moving replica's future copy has isFuture true and offsetLag its distance to the current one. */
  replicas: Array<{ topic: string; partition: number; size: number; offsetLag: number; isFuture: boolean }>;
}

/** Kafka's ElectionType: the preferred replica (0), or any live replica when no in-sync one is left (1). */
export type ElectionTypeName = 'preferred' | 'unclean';

/** One partition's election (Kafka's ElectLeadersResult.partitions() entry): null when elected, else why not. */
export interface ElectLeadersPartitionResult {
  topic: string;
  partition: number;
  /** ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION, ... */
  error: KafkaClientError | null;
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; clientId: string; host: string; assignment: TopicPartition[] }>;
  /** The broker coordinating the group (FindCoordinator's answer). */
  coordinator?: { nodeId: number; host: string; port: number };
}

/** A transactional id's state at its coordinator (Java's TransactionDescription). */
export interface TransactionDescription {
  transactionalId: string;
  /** The broker that coordinates it. */
  coordinatorId: number;
  /** Kafka's name: Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort, Dead, PrepareEpochFence. */
  state: string;
  producerId: bigint;
  producerEpoch: number;
  transactionTimeoutMs: number;
  /** When the ongoing transaction started (ms), null when none is. */
  transactionStartTimeMs: number | null;
  topicPartitions: TopicPartition[];
}

/** One transactional id as ListTransactions reports it (Java's TransactionListing), with the broker that answered. */
export interface TransactionListing {
  transactionalId: string;
  producerId: bigint;
  state: string;
  coordinatorId: number;
}

/** A producer active on a partition (Java's ProducerState). */
export interface ProducerState {
  producerId: bigint;
  producerEpoch: number;
  lastSequence: number;
  /** Timestamp (ms) of the producer's last record. */
  lastTimestamp: number;
  /** The coordinator epoch of its last transaction marker, null when none. */
  coordinatorEpoch: number | null;
  /** First offset of its ongoing transaction on this partition, null when none. */
  currentTransactionStartOffset: bigint | null;
}

export interface PartitionProducerState extends TopicPartition {
  activeProducers: ProducerState[];
}

export interface AdminConfig {
  /** `default.api.timeout.ms`: how long an operation is retried after a lost connection or a moved coordinator/controller (default 60000). */
  defaultApiTimeoutMs?: number;
  /** `retry.backoff.ms` before the first retry, doubling up to 1 s (default 100). */
  retryBackoffMs?: number;
}

/** Kafka's ACL resource types, pattern types and operations by name (admin ACL operations). */
export type AclResourceTypeName = 'TOPIC' | 'GROUP' | 'CLUSTER' | 'TRANSACTIONAL_ID' | 'DELEGATION_TOKEN' | 'USER';
export type AclPatternTypeName = 'LITERAL' | 'PREFIXED';
export type AclOperationName =
  | 'ALL'
  | 'READ'
  | 'WRITE'
  | 'CREATE'
  | 'DELETE'
  | 'ALTER'
  | 'DESCRIBE'
  | 'CLUSTER_ACTION'
  | 'DESCRIBE_CONFIGS'
  | 'ALTER_CONFIGS'
  | 'IDEMPOTENT_WRITE'
  | 'CREATE_TOKENS'
  | 'DESCRIBE_TOKENS';

/** An ACL: a resource pattern and an access control entry (Kafka's AclBinding). */
export interface AclBinding {
  resourceType: AclResourceTypeName;
  /** "kafka-cluster" for CLUSTER; "*" for every resource of the type (LITERAL). */
  resourceName: string;
  /** Default LITERAL. */
  patternType?: AclPatternTypeName;
  /** "User:alice"; "User:*" for everyone. */
  principal: string;
  /** Default "*" (any host). */
  host?: string;
  operation: AclOperationName;
  /** Default ALLOW. */
  permissionType?: 'ALLOW' | 'DENY';
}

/** Selects ACLs (Kafka's AclBindingFilter): a field left out matches anything; MATCH selects the patterns that apply to a resource name. */
export interface AclBindingFilter {
  resourceType?: AclResourceTypeName | 'ANY';
  resourceName?: string | null;
  patternType?: AclPatternTypeName | 'ANY' | 'MATCH';
  principal?: string | null;
  host?: string | null;
  operation?: AclOperationName | 'ANY';
  permissionType?: 'ALLOW' | 'DENY' | 'ANY';
}

/** A partition's target replicas for Admin.alterPartitionReassignments; null cancels the reassignment in progress. */
export interface TargetReassignment {
  topic: string;
  partition: number;
  replicas: readonly number[] | null;
}

/** A reassignment in progress (ListPartitionReassignments): every replica, and those being added and removed. */
export interface PartitionReassignment {
  topic: string;
  partition: number;
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

export interface Admin {
  createTopics(topics: NewTopic[], options?: { validateOnly?: boolean }): Promise<void>;
  deleteTopics(names: string[]): Promise<void>;
  listTopics(options?: { includeInternal?: boolean }): Promise<string[]>;
  describeTopics(names: string[]): Promise<TopicDescription[]>;
  createPartitions(topic: string, totalCount: number): Promise<void>;
  /**
   * Config values by `"topic:<name>"` / `"broker:<id>"`; `overridesOnly` keeps the ones set on the
   * resource itself; `excludeDefaults` the ones not from Kafka's defaults (a topic's overrides and
   * the broker settings it inherits: what kafka-topics.sh --describe lists).
   */
  describeConfigs(
    resources: ConfigResource[],
    options?: { overridesOnly?: boolean; excludeDefaults?: boolean },
  ): Promise<Map<string, Record<string, string>>>;
  /** Every config of one resource with its value, source, sensitivity and synonyms (kafka-configs.sh --describe --all). */
  describeConfigEntries(resource: ConfigResource): Promise<ConfigEntry[]>;
  /**
   * Incremental by default (IncrementalAlterConfigs, KIP-339): sets the given keys, deletes those
   * given as null (back to the default), leaves the others. `incremental: false` uses the legacy
   * AlterConfigs: the given set replaces every override of the resource.
   */
  alterConfigs(
    resource: ConfigResource,
    changes: Record<string, string | null>,
    options?: { incremental?: boolean; validateOnly?: boolean },
  ): Promise<void>;
  /** Offsets per partition: 'earliest', 'latest' or the first offset at/after a timestamp. */
  listOffsets(
    topic: string,
    at: 'earliest' | 'latest' | { timestamp: number },
  ): Promise<Array<{ partition: number; offset: bigint; timestamp: number }>>;
  deleteRecords(topic: string, before: Array<{ partition: number; offset: bigint }>): Promise<void>;
  listGroups(): Promise<Array<{ groupId: string; protocolType: string; state: string }>>;
  describeGroups(groupIds: string[]): Promise<GroupDescription[]>;
  deleteGroups(groupIds: string[]): Promise<void>;
  listGroupOffsets(groupId: string): Promise<OffsetToCommit[]>;
  alterGroupOffsets(groupId: string, offsets: OffsetToCommit[]): Promise<void>;
  describeCluster(): Promise<ClusterDescription>;
  /** Finalized and supported features (ApiVersions v3+ from any broker; kafka-features.sh describe). */
  describeFeatures(): Promise<FeatureMetadata>;
  /** Changes finalized feature levels, e.g. metadata.version (UpdateFeatures, forwarded to the controller). */
  updateFeatures(updates: Readonly<Record<string, FeatureUpdate>>, options?: { validateOnly?: boolean }): Promise<void>;
  /** The metadata quorum: its leader, epoch, high watermark, voters and observers (DescribeQuorum, any broker forwards). */
  describeMetadataQuorum(): Promise<QuorumInfo>;
  /** Transactional ids' state, from their coordinators (FindCoordinator key type 1, DescribeTransactions). */
  describeTransactions(transactionalIds: string[]): Promise<TransactionDescription[]>;
  /**
   * Transactional ids known to every broker (ListTransactions), optionally only those in `states`,
   * of `producerIds`, or (v1+) running longer than `durationMs`.
   */
  listTransactions(options?: { states?: string[]; producerIds?: bigint[]; durationMs?: number }): Promise<TransactionListing[]>;
  /** Producers active on partitions, from their leaders or from broker `brokerId` (DescribeProducers). */
  describeProducers(partitions: TopicPartition[], options?: { brokerId?: number }): Promise<PartitionProducerState[]>;
  /** Creates ACLs (CreateAcls); an existing one is left as it is. */
  createAcls(bindings: AclBinding[]): Promise<void>;
  /** The ACLs matching the filter (DescribeAcls), every field given. */
  describeAcls(filter: AclBindingFilter): Promise<Array<Required<AclBinding>>>;
  /** Deletes the ACLs matching any of the filters (DeleteAcls) and returns them. */
  deleteAcls(filters: AclBindingFilter[]): Promise<Array<Required<AclBinding>>>;
  /** Client quotas matching the filter (DescribeClientQuotas); no component and not strict = all. */
  describeClientQuotas(components: ClientQuotaFilterComponent[], options?: { strict?: boolean }): Promise<ClientQuotaEntry[]>;
  /** Sets or removes client quotas (AlterClientQuotas); throws on the first entity in error. */
  alterClientQuotas(alterations: ClientQuotaAlteration[], options?: { validateOnly?: boolean }): Promise<void>;
  /** Creates, replaces or deletes SCRAM credentials (AlterUserScramCredentials; passwords salted client-side). */
  alterUserScramCredentials(alterations: UserScramCredentialAlteration[]): Promise<void>;
  /** Users' SCRAM mechanisms and iterations (DescribeUserScramCredentials); every user when `users` is absent. */
  describeUserScramCredentials(users?: string[]): Promise<UserScramCredentialsDescription[]>;
  /** Starts (target replicas) or cancels (null) partition reassignments (AlterPartitionReassignments, forwarded to the controller). */
  alterPartitionReassignments(reassignments: readonly TargetReassignment[]): Promise<void>;
  /** The reassignments in progress, of `partitions` or of every partition (ListPartitionReassignments). */
  listPartitionReassignments(partitions?: readonly TopicPartition[]): Promise<PartitionReassignment[]>;
  /** Removes a broker's registration from the cluster (UnregisterBroker, forwarded to the controller), as kafka-cluster.sh unregister. */
  unregisterBroker(brokerId: number): Promise<void>;
  /**
   * Leader elections (ElectLeaders, to the controller): `partitions` null = every partition (then
   * only those elected or failed are answered). One result per partition; a request-wide error throws.
   */
  electLeaders(electionType: ElectionTypeName, partitions: TopicPartition[] | null): Promise<ElectLeadersPartitionResult[]>;
  /** Moves replicas between their broker's log dirs (AlterReplicaLogDirs, to each broker named); one result per replica. */
  alterReplicaLogDirs(assignments: readonly ReplicaLogDirAssignment[]): Promise<ReplicaLogDirResult[]>;
  /** The log dirs of each broker named and the replicas in them (DescribeLogDirs), of `partitions` or of all. */
  describeLogDirs(brokerIds: readonly number[], partitions?: readonly TopicPartition[] | null): Promise<LogDirDescription[]>;
}

export type { UserScramCredentialAlteration, UserScramCredentialsDescription };

// ---------------------------------------------------------------- errors

/** Every client error: which topic/partition, the Kafka error name/code, and whether a retry could help. */
export interface ClientErrorInfo {
  /** Kafka's error name, e.g. NOT_LEADER_OR_FOLLOWER, or a client-side one (NETWORK_EXCEPTION, REQUEST_TIMED_OUT, PRODUCER_CLOSED, NO_OFFSET_FOR_PARTITION, ILLEGAL_STATE, INVALID_CONFIG; see README). */
  type: string;
  code?: number;
  retriable: boolean;
  topic?: string;
  partition?: number;
}
