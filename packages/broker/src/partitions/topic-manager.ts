// TopicManager: the partition layer of a broker — Kafka's ReplicaManager plus the local metadata
// image a single broker keeps instead of ZooKeeper/KRaft. It owns the LogManager, the durable
// TopicStore (topic ids, partition replica state, config overrides), one Partition per topic
// partition (leader, leader epoch, replicas, ISR, high watermark) and the fetch purgatory.
//
//   const topics = new TopicManager({ config, nodeId, time, log });
//   topics.start();                                   // loads logs + topics, retention scheduling
//   topics.createTopic({ name: 'orders', numPartitions: 3 })  // -> { errorCode, errorMessage, topic }
//   topics.partition('orders', 0)?.appendAsLeader(batches, -1)
//   topics.stop();                                     // HW checkpoint, flush, clean shutdown
//
// Topic operations validate as Kafka's controller does and answer Kafka error codes; they never
// throw for bad input. Implements MetadataView for handlers.
//
// Replica assignment: partition p of a topic with replication factor rf gets the live brokers
// (ClusterView, ascending ids) from index p modulo their count onward, rf of them; the
// first is the leader. On a single broker that is [nodeId] for every partition; on a LocalCluster
// leaders go round-robin over the nodes (Kafka starts at a random broker and shifts followers).
// Leadership moves through changeLeaderAndIsr (the controller's LeaderAndIsr): a new leader bumps
// the partition's leader epoch.
import { randomBytes } from 'node:crypto';
import { ErrorCode } from '@tributary/protocol';
import { LogManager, type FileSystem, type Time } from '@tributary/storage';
import type { BrokerConfig } from '../config/broker-config.ts';
import type { Logger } from '../logger.ts';
import type { MetadataView, TopicState } from '../metadata/metadata-view.ts';
import { ClusterView } from '../cluster/cluster-view.ts';
import { FetchPurgatory } from '../replica/purgatory/fetch-purgatory.ts';
import { Partition } from '../replica/partition.ts';
import {
  effectiveTopicConfig, runtimeConfig, toLogConfig, validateTopicConfigs, TopicConfigError,
  type EffectiveTopicConfig, type TopicConfigs, type TopicRuntimeConfig,
} from '../metadata/topic-config.ts';
import { isInternalTopic, topicNameProblem } from '../metadata/topic-names.ts';
import { TopicStore, type StoredPartition, type StoredTopic } from './topic-store.ts';

export interface TopicManagerOptions {
  config: BrokerConfig;
  nodeId: number;
  clusterId: string;
  time: Time;
  log: Logger;
  /** Storage seam for tests (default: the real filesystem). */
  fs?: FileSystem;
  /** The brokers replicas are assigned to; default: this node alone. */
  cluster?: ClusterView;
}

/** A topic as the manager holds it; `partitions[i].partition === i`. */
export interface Topic extends TopicState {
  readonly partitions: Partition[];
  configs: TopicConfigs;
  runtime: TopicRuntimeConfig;
}

export interface TopicResult {
  errorCode: number;
  errorMessage: string | null;
  topic?: Topic;
}

export interface CreateTopicRequest {
  name: string;
  /** -1 or absent: num.partitions. */
  numPartitions?: number;
  /** -1 or absent: default.replication.factor. */
  replicationFactor?: number;
  /** Explicit replica assignment (then numPartitions and replicationFactor must be -1). */
  assignments?: Array<{ partitionIndex: number; brokerIds: number[] }>;
  configs?: Record<string, string | null>;
  validateOnly?: boolean;
}

/** What onTopicsDeleted listeners receive: the topic as it was, with its partition indexes. */
export interface DeletedTopic {
  name: string;
  topicId: string;
  partitions: number[];
}

export type AlterConfigOp = { name: string; op: 'SET' | 'DELETE' | 'APPEND' | 'SUBTRACT'; value: string | null };

const ok = (topic?: Topic): TopicResult => ({ errorCode: ErrorCode.NONE, errorMessage: null, topic });
const fail = (errorCode: number, errorMessage: string): TopicResult => ({ errorCode, errorMessage });

export function newTopicId(): string {
  for (;;) {
    const b = randomBytes(16);
    const id = b.toString('base64url');
    // Kafka reserves the zero and "metadata topic" ids and avoids ids starting with '-'.
    if (!id.startsWith('-') && !b.every((x) => x === 0)) return id;
  }
}

export class TopicManager implements MetadataView {
  readonly logs: LogManager;
  readonly purgatory = new FetchPurgatory();
  private readonly store: TopicStore;
  private readonly byName = new Map<string, Topic>();
  private readonly byId = new Map<string, Topic>();
  private started = false;
  private readonly topicsDeletedListeners = new Set<(topics: DeletedTopic[]) => void>();
  readonly cluster: ClusterView;

  constructor(private readonly options: TopicManagerOptions) {
    const c = options.config;
    if (options.cluster) {
      this.cluster = options.cluster;
    } else {
      this.cluster = new ClusterView();
      this.cluster.register(options.nodeId);
    }
    this.logs = new LogManager({
      logDirs: c.logDirs,
      fs: options.fs,
      time: options.time,
      brokerId: options.nodeId,
      clusterId: options.clusterId,
      defaultConfig: toLogConfig({}, c),
      retentionCheckIntervalMs: c.get('log.retention.check.interval.ms'),
      highWatermark: (t, p) => this.partition(t, p)?.highWatermark,
    });
    this.store = new TopicStore(this.logs.fs, c.logDirs[0]!);
  }

  /**
   * Brokers new replicas go to, ascending: the live ones (Kafka places replicas on unfenced brokers
   * only), or every registered one while none is up (a manager used before its listeners start).
   */
  get usableBrokerIds(): number[] {
    const live = this.cluster.liveBrokers().map((b) => b.nodeId);
    return live.length > 0 ? live : this.cluster.brokerIds();
  }

  /** Replicas of partition `p` (see the header): rf brokers starting at index p mod broker count. */
  private assignReplicas(p: number, rf: number, ids: number[]): number[] {
    return Array.from({ length: rf }, (_, k) => ids[(p + k) % ids.length]!);
  }

  /** Loads every log and every stored topic; deletes logs of topics that no longer exist. */
  start(): void {
    if (this.started) return;
    this.logs.startup();
    for (const t of this.store.load()) this.materialize(t);
    for (const log of [...this.logs.allLogs()]) {
      const t = this.byName.get(log.topic);
      if (!t || log.partition >= t.partitions.length) {
        this.options.log.warn('deleting the log of a partition that no longer exists', { partition: `${log.topic}-${log.partition}` });
        this.logs.deleteLog(log.topic, log.partition);
      }
    }
    this.started = true;
  }

  /** Completes waiting fetches, writes the HW checkpoint, flushes and closes every log. */
  stop(): void {
    if (!this.started) return;
    this.started = false;
    this.purgatory.completeAll();
    const hws = [];
    for (const t of this.byName.values()) for (const p of t.partitions) hws.push({ topic: t.name, partition: p.partition, offset: p.highWatermark });
    try { this.logs.writeHighWatermarks(hws); } catch (err) { this.options.log.error('cannot write the high watermark checkpoint', { err }); }
    this.logs.shutdown();
  }

  // ---- MetadataView ----

  topics(): Iterable<Topic> {
    return this.byName.values();
  }

  topic(name: string): Topic | undefined {
    return this.byName.get(name);
  }

  topicById(id: string): Topic | undefined {
    return this.byId.get(id);
  }

  partition(topic: string, partition: number): Partition | undefined {
    return this.byName.get(topic)?.partitions[partition];
  }

  // ---- topic operations ----

  createTopic(req: CreateTopicRequest): TopicResult {
    const c = this.options.config;
    const name = req.name;
    const nameProblem = topicNameProblem(name);
    if (nameProblem) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem);
    if (this.byName.has(name)) return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    const collides = [...this.byName.keys()].find((t) => t.replaceAll('.', '_') === name.replaceAll('.', '_'));
    if (collides) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${name}' collides with existing topic: ${collides}`);
    const numPartitions = req.numPartitions ?? -1;
    const rf = req.replicationFactor ?? -1;
    const usable = this.usableBrokerIds;
    let assignment: number[][];
    if (req.assignments && req.assignments.length > 0) {
      if (numPartitions !== -1 || rf !== -1) {
        return fail(ErrorCode.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.');
      }
      const r = this.checkAssignments(req.assignments, 0);
      if (typeof r === 'string') return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, r);
      assignment = r;
    } else {
      if (numPartitions === 0 || numPartitions < -1) return fail(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.');
      if (rf === 0 || rf < -1) return fail(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.');
      const n = numPartitions === -1 ? c.get('num.partitions') : numPartitions;
      const replicas = rf === -1 ? c.get('default.replication.factor') : rf;
      if (replicas > usable.length) {
        return fail(ErrorCode.INVALID_REPLICATION_FACTOR,
          `Unable to replicate the partition ${replicas} time(s): The target replication factor of ${replicas} cannot be reached because only ${usable.length} broker(s) are registered.`);
      }
      assignment = Array.from({ length: n }, (_, p) => this.assignReplicas(p, replicas, usable));
    }
    let configs: TopicConfigs;
    try {
      configs = validateTopicConfigs(req.configs ?? {});
    } catch (err) {
      if (err instanceof TopicConfigError) return fail(ErrorCode.INVALID_CONFIG, err.message);
      throw err;
    }
    const stored: StoredTopic = {
      version: 1,
      name,
      topicId: newTopicId(),
      partitions: assignment.map((replicas, i) => this.newPartitionState(i, replicas, usable)),
      configs,
    };
    if (req.validateOnly) return ok(this.preview(stored));
    try {
      this.store.save(stored);
      return ok(this.materialize(stored));
    } catch (err) {
      this.options.log.error('topic creation failed', { topic: name, err });
      return fail(ErrorCode.KAFKA_STORAGE_ERROR, `Failed to create topic ${name}: ${(err as Error).message}`);
    }
  }

  deleteTopic(name: string): TopicResult {
    const t = this.byName.get(name);
    if (!t) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
    if (!this.options.config.get('delete.topic.enable')) return fail(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.');
    this.store.remove(name);
    this.byName.delete(name);
    this.byId.delete(t.topicId);
    for (const p of t.partitions) {
      this.purgatory.completeKey(`${name}-${p.partition}`);
      try { this.logs.deleteLog(name, p.partition); } catch (err) { this.options.log.error('cannot delete a partition log', { partition: `${name}-${p.partition}`, err }); }
    }
    this.notifyTopicsDeleted([{ name, topicId: t.topicId, partitions: t.partitions.map((p) => p.partition) }]);
    return ok(t);
  }

  /**
   * Subscribes to topic deletions (the seam for the group coordinator, which drops the committed
   * offsets of deleted partitions, as Kafka's GroupCoordinator.onPartitionsDeleted). Called
   * synchronously after the topic is gone; returns the unsubscribe function.
   */
  onTopicsDeleted(listener: (topics: DeletedTopic[]) => void): () => void {
    this.topicsDeletedListeners.add(listener);
    return () => this.topicsDeletedListeners.delete(listener);
  }

  private notifyTopicsDeleted(topics: DeletedTopic[]): void {
    for (const l of this.topicsDeletedListeners) {
      try { l(topics); } catch (err) { this.options.log.error('an onTopicsDeleted listener failed', { err }); }
    }
  }

  /** CreatePartitions: grows the topic to `totalCount` partitions. */
  createPartitions(name: string, totalCount: number, assignments: number[][] | null = null, validateOnly = false): TopicResult {
    const t = this.byName.get(name);
    if (!t) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
    const have = t.partitions.length;
    if (totalCount < have) return fail(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${have} partitions, which is higher than the requested ${totalCount}.`);
    if (totalCount === have) return fail(ErrorCode.INVALID_PARTITIONS, `Topic already has ${have} partitions.`);
    const rf = t.partitions[0]?.replicas.length ?? 1;
    const usable = this.usableBrokerIds;
    let added: number[][];
    if (assignments) {
      if (assignments.length !== totalCount - have) {
        return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Attempted to add ${totalCount - have} additional partition(s), but only ${assignments.length} assignment(s) were specified.`);
      }
      const r = this.checkAssignments(assignments.map((brokerIds, i) => ({ partitionIndex: have + i, brokerIds })), have);
      if (typeof r === 'string') return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, r);
      added = r;
    } else {
      if (rf > usable.length) return fail(ErrorCode.INVALID_REPLICATION_FACTOR, `Unable to replicate the partition ${rf} time(s): only ${usable.length} broker(s) are registered.`);
      added = Array.from({ length: totalCount - have }, (_, i) => this.assignReplicas(have + i, rf, usable));
    }
    if (validateOnly) return ok(t);
    const stored = this.toStored(t);
    for (const [i, replicas] of added.entries()) {
      stored.partitions.push(this.newPartitionState(have + i, replicas, usable));
    }
    this.store.save(stored);
    for (const sp of stored.partitions.slice(have)) t.partitions.push(this.openPartition(t, sp));
    return ok(t);
  }

  /**
   * The controller's LeaderAndIsr for one partition: a new `leader` (one of its replicas, or -1 for
   * none) bumps the leader epoch and, as Kafka's Partition.makeLeader does, starts the new epoch at
   * the log end offset in the leader epoch cache; `isr` replaces the ISR (the new leader is always
   * in it). Persisted in the topic store. Fetches waiting on the partition are completed so they
   * answer now (NOT_LEADER_OR_FOLLOWER on the old leader). Throws for an unknown partition or a
   * leader that is not a replica.
   */
  changeLeaderAndIsr(topic: string, partition: number, change: { leader?: number; isr?: number[] }): Partition {
    const t = this.byName.get(topic);
    const p = t?.partitions[partition];
    if (!t || !p) throw new Error(`unknown partition ${topic}-${partition}`);
    const leader = change.leader ?? p.leader;
    if (leader !== -1 && !p.replicas.includes(leader)) throw new Error(`node ${leader} is not a replica of ${topic}-${partition} (replicas ${p.replicas.join(', ')})`);
    let isr = change.isr ? p.replicas.filter((r) => change.isr!.includes(r)) : p.isr;
    if (leader !== -1 && !isr.includes(leader)) isr = p.replicas.filter((r) => r === leader || isr.includes(r));
    if (leader !== p.leader) {
      p.leader = leader;
      p.leaderEpoch += 1;
      if (leader !== -1) p.log.leaderEpochCache.assign(p.leaderEpoch, p.logEndOffset);
    }
    p.isr = isr;
    this.store.save(this.toStored(t));
    this.purgatory.completeKey(`${topic}-${partition}`);
    return p;
  }

  /** AlterConfigs (legacy): replaces every override of the topic. */
  alterTopicConfigs(name: string, configs: Record<string, string | null>, validateOnly = false): TopicResult {
    const t = this.byName.get(name);
    if (!t) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`);
    let next: TopicConfigs;
    try {
      next = validateTopicConfigs(configs);
    } catch (err) {
      if (err instanceof TopicConfigError) return fail(ErrorCode.INVALID_CONFIG, err.message);
      throw err;
    }
    if (!validateOnly) this.applyConfigs(t, next);
    return ok(t);
  }

  /** IncrementalAlterConfigs: SET / DELETE / APPEND / SUBTRACT (list configs) per name. */
  incrementalAlterTopicConfigs(name: string, ops: AlterConfigOp[], validateOnly = false): TopicResult {
    const t = this.byName.get(name);
    if (!t) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`);
    const next: Record<string, string | null> = { ...t.configs };
    const effective = new Map(this.describeTopicConfigs(name)!.map((e) => [e.name, e.value]));
    for (const o of ops) {
      if (o.op === 'DELETE') { delete next[o.name]; continue; }
      if (o.op === 'SET') { next[o.name] = o.value; continue; }
      if (o.name !== 'cleanup.policy') return fail(ErrorCode.INVALID_CONFIG, `Config value append is not allowed for config key: ${o.name}`);
      const cur = (next[o.name] ?? effective.get(o.name) ?? '').split(',').filter((x) => x !== '');
      const items = (o.value ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
      const result = o.op === 'APPEND' ? [...cur, ...items.filter((x) => !cur.includes(x))] : cur.filter((x) => !items.includes(x));
      next[o.name] = result.join(',');
    }
    return this.alterTopicConfigs(name, next, validateOnly);
  }

  /** Every topic config with its effective value and source (DescribeConfigs), or undefined for an unknown topic. */
  describeTopicConfigs(name: string): EffectiveTopicConfig[] | undefined {
    const t = this.byName.get(name);
    return t ? effectiveTopicConfig(t.configs, this.options.config) : undefined;
  }

  // ---- internals ----

  /** A new partition: its live replicas form the ISR, the first of them leads (epoch 0). */
  private newPartitionState(partition: number, replicas: number[], usable: number[]): StoredPartition {
    const isr = replicas.filter((r) => usable.includes(r));
    return { partition, leader: isr[0]!, leaderEpoch: 0, replicas, isr };
  }

  private checkAssignments(assignments: Array<{ partitionIndex: number; brokerIds: number[] }>, firstPartition: number): number[][] | string {
    const sorted = [...assignments].sort((a, b) => a.partitionIndex - b.partitionIndex);
    const out: number[][] = [];
    const rf = sorted[0]?.brokerIds.length ?? 0;
    const registered = this.cluster.brokerIds();
    const usable = this.usableBrokerIds;
    for (const [i, a] of sorted.entries()) {
      if (a.partitionIndex !== firstPartition + i) return 'Partitions should be a consecutive 0-based integer sequence';
      if (a.brokerIds.length === 0) return 'The manual partition assignment includes an empty replica list.';
      if (a.brokerIds.length !== rf) return 'All partitions should have the same number of replicas';
      if (new Set(a.brokerIds).size !== a.brokerIds.length) return `The manual partition assignment includes duplicate replicas: ${a.brokerIds.join(', ')}`;
      const unknown = a.brokerIds.find((b) => !registered.includes(b));
      if (unknown !== undefined) return `The manual partition assignment includes broker ${unknown}, but no such broker is registered.`;
      if (!a.brokerIds.some((b) => usable.includes(b))) return `All brokers specified in the manual partition assignment for partition ${a.partitionIndex} are fenced or in controlled shutdown.`;
      out.push([...a.brokerIds]);
    }
    return out;
  }

  private toStored(t: Topic): StoredTopic {
    return {
      version: 1,
      name: t.name,
      topicId: t.topicId,
      partitions: t.partitions.map((p) => ({ partition: p.partition, leader: p.leader, leaderEpoch: p.leaderEpoch, replicas: p.replicas, isr: p.isr })),
      configs: t.configs,
    };
  }

  private applyConfigs(t: Topic, configs: TopicConfigs): void {
    t.configs = configs;
    this.store.save(this.toStored(t));
    t.runtime = runtimeConfig(configs, this.options.config);
    const logConfig = toLogConfig(configs, this.options.config);
    for (const p of t.partitions) p.log.config = logConfig;
  }

  private preview(s: StoredTopic): Topic {
    const t = { name: s.name, topicId: s.topicId, internal: isInternalTopic(s.name), partitions: [] as Partition[], configs: s.configs, runtime: runtimeConfig(s.configs, this.options.config) };
    return t;
  }

  private materialize(s: StoredTopic): Topic {
    const t: Topic = this.preview(s);
    for (const sp of s.partitions) t.partitions.push(this.openPartition(t, sp));
    this.byName.set(t.name, t);
    this.byId.set(t.topicId, t);
    return t;
  }

  private openPartition(t: Topic, sp: StoredPartition): Partition {
    const log = this.logs.getOrCreateLog(t.name, sp.partition, { topicId: t.topicId, config: toLogConfig(t.configs, this.options.config) });
    const key = `${t.name}-${sp.partition}`;
    return new Partition({
      topic: t.name,
      topicId: t.topicId,
      partition: sp.partition,
      leader: sp.leader,
      leaderEpoch: sp.leaderEpoch,
      replicas: sp.replicas,
      isr: sp.isr,
      log,
      config: () => t.runtime,
      onHighWatermark: () => this.purgatory.checkAndComplete(key),
      time: this.options.time,
    });
  }
}
