// The client's view of the cluster from Metadata responses: brokers (node id -> host, port, rack),
// the controller, and per topic its id and partitions with leader, leader epoch, replicas and ISR.
// Answers "who leads this partition", "how many partitions", "which have a leader" (for the
// partitioner) without allocating per call. A partition update carrying an older leader epoch than
// the cached one is ignored (KIP-320), so a lagging broker cannot roll the leader back. Refreshes
// are requested on errors (NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, a dead connection)
// and when older than `metadata.max.age.ms`.

export interface BrokerNode {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionState {
  partition: number;
  /** -1 when there is no leader. */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  /** Kafka error code for this partition in the last response (0 = none). */
  errorCode: number;
}

export interface TopicState {
  name: string;
  topicId: string;
  isInternal: boolean;
  /** Indexed by partition id. */
  partitions: PartitionState[];
  errorCode: number;
}

export interface MetadataSnapshot {
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerNode[];
  topics: TopicState[];
}

export interface TopicLayoutView {
  partitionCount: number;
  availablePartitions: readonly number[];
}

export class MetadataCache {
  clusterId: string | null = null;
  controllerId = -1;
  private brokers = new Map<number, BrokerNode>();
  private topics = new Map<string, TopicState>();
  private layouts = new Map<string, TopicLayoutView>();
  private lastRefreshMs = -Infinity;
  private needsUpdate = true;
  private readonly wantedTopics = new Set<string>();

  /** Applies a Metadata response; topics not in it are kept (partial refreshes). */
  /**
   * Applies a Metadata response. `complete` says it listed every topic (a request for all topics):
   * topics missing from it were deleted and are forgotten.
   */
  update(snapshot: MetadataSnapshot, nowMs: number, complete = false): void {
    if (complete) {
      const present = new Set(snapshot.topics.map((t) => t.name));
      for (const name of [...this.topics.keys()]) if (!present.has(name)) this.forget(name);
    }
    this.clusterId = snapshot.clusterId;
    this.controllerId = snapshot.controllerId;
    if (snapshot.brokers.length > 0) this.brokers = new Map(snapshot.brokers.map((b) => [b.nodeId, b]));
    for (const t of snapshot.topics) {
      const previous = this.topics.get(t.name);
      if (t.errorCode !== 0 && t.partitions.length === 0) {
        // e.g. UNKNOWN_TOPIC_OR_PARTITION: forget the topic, remember the error
        this.topics.set(t.name, { ...t, partitions: [] });
        this.layouts.delete(t.name);
        continue;
      }
      const partitions: PartitionState[] = [];
      for (const p of t.partitions) {
        const old = previous?.topicId === t.topicId ? previous.partitions[p.partition] : undefined;
        partitions[p.partition] = old && old.leaderEpoch > p.leaderEpoch && p.leaderEpoch >= 0 ? old : p;
      }
      this.topics.set(t.name, { ...t, partitions });
      this.layouts.delete(t.name);
    }
    this.lastRefreshMs = nowMs;
    this.needsUpdate = false;
  }

  /** Drops what is known about a topic (deleted); it stays wanted if the application uses it. */
  forget(topic: string): void {
    this.topics.delete(topic);
    this.layouts.delete(topic);
  }

  broker(nodeId: number): BrokerNode | undefined {
    return this.brokers.get(nodeId);
  }

  brokerList(): BrokerNode[] {
    return [...this.brokers.values()];
  }

  topic(name: string): TopicState | undefined {
    return this.topics.get(name);
  }

  topicNames(): string[] {
    return [...this.topics.keys()];
  }

  /** Leader node of a partition, or undefined when unknown / leaderless. */
  leaderFor(topic: string, partition: number): number | undefined {
    const p = this.topics.get(topic)?.partitions[partition];
    return p && p.leader >= 0 ? p.leader : undefined;
  }

  /** The partition's leader epoch as last reported (sent as CurrentLeaderEpoch), -1 when unknown. */
  leaderEpochFor(topic: string, partition: number): number {
    return this.topics.get(topic)?.partitions[partition]?.leaderEpoch ?? -1;
  }

  partitionCount(topic: string): number | undefined {
    const t = this.topics.get(topic);
    return t && t.partitions.length > 0 ? t.partitions.length : undefined;
  }

  /** Partition count and partitions with a leader; cached until the next update. */
  layout(topic: string): TopicLayoutView | undefined {
    let l = this.layouts.get(topic);
    if (l) return l;
    const t = this.topics.get(topic);
    if (!t || t.partitions.length === 0) return undefined;
    const available: number[] = [];
    for (const p of t.partitions) if (p && p.leader >= 0) available.push(p.partition);
    l = { partitionCount: t.partitions.length, availablePartitions: available };
    this.layouts.set(topic, l);
    return l;
  }

  /** Marks the cache as needing a refresh (after NOT_LEADER_OR_FOLLOWER and similar errors). */
  requestUpdate(topic?: string): void {
    this.needsUpdate = true;
    if (topic !== undefined) this.wantedTopics.add(topic);
  }

  /** Topics the application uses (kept in every refresh). */
  addTopics(topics: Iterable<string>): void {
    for (const t of topics) this.wantedTopics.add(t);
  }

  wanted(): string[] {
    return [...this.wantedTopics];
  }

  /** True when a refresh was requested or the data is older than `maxAgeMs`. */
  shouldRefresh(nowMs: number, maxAgeMs: number): boolean {
    return this.needsUpdate || nowMs - this.lastRefreshMs >= maxAgeMs;
  }

  /** Forgets a partition's leader (the broker said it is not the leader) until the next refresh. */
  invalidateLeader(topic: string, partition: number): void {
    const t = this.topics.get(topic);
    const p = t?.partitions[partition];
    if (!t || !p) return;
    t.partitions[partition] = { ...p, leader: -1 };
    this.layouts.delete(topic);
    this.requestUpdate(topic);
  }
}
