// GroupCoordinatorService: wires the classic group coordinator (coordinator/group/) into a broker.
// It maps the broker configuration to the coordinator's, answers FindCoordinator's "which node
// coordinates this group" (the leader of __consumer_offsets-<partitionFor(group)>, creating the
// topic on first use: offsets.topic.num.partitions, offsetsTopicConfigs below), and follows
// leadership of __consumer_offsets partitions: a partition this broker starts leading is loaded
// (replayed; COORDINATOR_LOAD_IN_PROGRESS meanwhile), one it stops leading is unloaded.
//
// Transactions: after the partition's WriteTxnMarkers path has written a COMMIT/ABORT marker to
// __consumer_offsets partitions, `onTransactionCompleted` makes the producer's pending
// transactional offsets there committed or drops them.
//
// On a single broker every partition is led here: start-up loads all of them when the topic
// exists, and creation loads them as soon as they exist.
import type { BrokerConfig } from '../config/broker-config.ts';
import type { Logger } from '../logger.ts';
import { GroupCoordinator, PartitionCoordinatorLog, type GroupCoordinatorConfig } from './group/index.ts';
import { systemTime, type Time } from '@tributary/storage';
import { GROUP_METADATA_TOPIC_NAME, type OffsetsTopicHost } from './offsets-topic-host.ts';

export interface GroupCoordinatorServiceOptions {
  config: BrokerConfig;
  host: OffsetsTopicHost;
  log: Logger;
  /** Clock and timers of the coordinator (default systemTime). */
  time?: Time;
  /** Overrides of the coordinator settings (tests). */
  overrides?: Partial<GroupCoordinatorConfig>;
}

/** The broker settings the coordinator reads, by Kafka name. */
export function groupCoordinatorConfig(config: BrokerConfig): Partial<GroupCoordinatorConfig> {
  return {
    offsetsTopicNumPartitions: config.get('offsets.topic.num.partitions'),
    groupMinSessionTimeoutMs: config.get('group.min.session.timeout.ms'),
    groupMaxSessionTimeoutMs: config.get('group.max.session.timeout.ms'),
    groupInitialRebalanceDelayMs: config.get('group.initial.rebalance.delay.ms'),
    groupMaxSize: config.get('group.max.size'),
    offsetsRetentionMs: config.get('offsets.retention.minutes') * 60_000,
    offsetsRetentionCheckIntervalMs: config.get('offsets.retention.check.interval.ms'),
    offsetMetadataMaxSize: config.get('offset.metadata.max.bytes'),
  };
}

/**
 * The topic configs __consumer_offsets is created with (Kafka's GroupCoordinator.offsetsTopicConfigs):
 * compacted (the coordinator's tombstones for deleted groups and expired offsets are what bound
 * it), batches stored as written, segment.bytes from offsets.topic.segment.bytes. Nothing else:
 * retention.ms / retention.bytes do not apply to a policy without delete.
 */
export function offsetsTopicConfigs(config: BrokerConfig): Record<string, string> {
  return {
    'cleanup.policy': 'compact',
    'segment.bytes': String(config.get('offsets.topic.segment.bytes')),
    'compression.type': 'producer',
  };
}

export class GroupCoordinatorService {
  readonly coordinator: GroupCoordinator;
  private creating: Promise<void> | null = null;
  private readonly loads = new Map<number, Promise<void>>();
  /** __consumer_offsets partitions served here (loaded or loading). */
  private readonly led = new Set<number>();
  private stopped = false;

  constructor(private readonly opts: GroupCoordinatorServiceOptions) {
    // As Kafka: an existing __consumer_offsets decides the partition count (groups must keep
    // hashing to the partitions that hold them), offsets.topic.num.partitions only creates it.
    const existing = opts.host.partitionCount(GROUP_METADATA_TOPIC_NAME);
    const config = { ...groupCoordinatorConfig(opts.config), ...opts.overrides };
    if (existing !== undefined) config.offsetsTopicNumPartitions = existing;
    this.coordinator = new GroupCoordinator({
      config,
      time: opts.time,
      log: { info: (msg) => opts.log.info(msg) },
    });
  }

  get numPartitions(): number {
    return this.coordinator.config.offsetsTopicNumPartitions;
  }

  /** Loads every __consumer_offsets partition led here, when the topic exists. Does not wait for the loads. */
  startup(): void {
    const count = this.opts.host.partitionCount(GROUP_METADATA_TOPIC_NAME);
    if (count === undefined) return;
    for (let p = 0; p < count; p++) this.onBecomeLeader(p);
  }

  /** Resolves once __consumer_offsets exists (creating it on first use) and its partitions are being loaded. */
  ensureOffsetsTopic(): Promise<void> {
    if (this.opts.host.partitionCount(GROUP_METADATA_TOPIC_NAME) !== undefined) return Promise.resolve();
    this.creating ??= (async () => {
      try {
        await this.opts.host.createInternalTopic(GROUP_METADATA_TOPIC_NAME, this.numPartitions, offsetsTopicConfigs(this.opts.config));
        this.opts.log.info(`created ${GROUP_METADATA_TOPIC_NAME} with ${this.numPartitions} partitions`);
        this.startup();
      } finally {
        this.creating = null;
      }
    })();
    return this.creating;
  }

  /** The coordinator partition of a group. */
  partitionFor(groupId: string): number {
    return this.coordinator.partitionFor(groupId);
  }

  /** Leadership of __consumer_offsets-<partition> arrived here: replay it and serve its groups. Idempotent. */
  onBecomeLeader(partition: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.led.has(partition)) return this.loads.get(partition) ?? Promise.resolve();
    const log = this.opts.host.partitionLog(GROUP_METADATA_TOPIC_NAME, partition);
    if (!log) return Promise.resolve();
    this.led.add(partition);
    const host = this.opts.host;
    const coordinatorLog = new PartitionCoordinatorLog(log, {
      leaderEpoch: () => host.leaderEpoch(GROUP_METADATA_TOPIC_NAME, partition),
      time: this.opts.time ?? systemTime,
    });
    const load = this.coordinator.loadPartition(partition, coordinatorLog).catch((err: unknown) => {
      this.opts.log.error(`loading ${GROUP_METADATA_TOPIC_NAME}-${partition} failed: ${(err as Error).message}`);
    });
    this.loads.set(partition, load);
    void load.finally(() => {
      if (this.loads.get(partition) === load) this.loads.delete(partition);
    });
    return load;
  }

  /** Leadership of __consumer_offsets-<partition> moved away: stop serving its groups. */
  onResign(partition: number): void {
    this.led.delete(partition);
    this.coordinator.unloadPartition(partition);
  }

  /**
   * Topics were deleted (DeleteTopics): their committed offsets go too. Deleting __consumer_offsets
   * itself unloads every group (recreated empty on the next FindCoordinator).
   */
  onTopicsDeleted(topics: string[]): Promise<void> {
    if (topics.includes(GROUP_METADATA_TOPIC_NAME)) {
      for (let p = 0; p < this.numPartitions; p++) this.onResign(p);
    }
    return this.coordinator.onTopicsDeleted(topics.filter((t) => t !== GROUP_METADATA_TOPIC_NAME));
  }

  /**
   * A COMMIT (`commit` true) or ABORT marker of `producerId` has been appended to these
   * __consumer_offsets partitions: the pending transactional offsets the producer wrote there
   * become committed offsets or are dropped. Partitions not served here are skipped (their next
   * load replays the marker). Resolves once applied; never rejects.
   */
  onTransactionCompleted(producerId: bigint, partitions: number[], commit: boolean): Promise<void> {
    return this.coordinator.onTransactionCompleted(producerId, partitions, commit);
  }

  /** Waits for partition loads in progress (tests, start-up). */
  async loaded(): Promise<void> {
    await Promise.all([...this.loads.values()]);
  }

  /** Broker stop: parked JoinGroup/SyncGroup calls are answered, timers cancelled. */
  shutdown(): void {
    this.stopped = true;
    this.coordinator.shutdown();
  }
}
