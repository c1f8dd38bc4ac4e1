// TransactionCoordinatorService: wires the transaction coordinator (coordinator/transaction/) into
// a broker, as GroupCoordinatorService does the group coordinator. It maps the broker
// configuration to the coordinator's, answers FindCoordinator's "which node coordinates this
// transactional id" (the leader of __transaction_state-<partitionFor(id)>, creating the topic on
// first use: transaction.state.log.num.partitions partitions, replication factor
// min(transaction.state.log.replication.factor, usable brokers), min.insync.replicas
// transaction.state.log.min.isr (capped at that), segment.bytes transaction.state.log.segment.bytes,
// cleanup.policy=compact, uncompressed: transactionTopicConfigs below), and follows leadership of
// __transaction_state partitions: a partition this broker starts leading is loaded at its leader
// epoch (the coordinator epoch of its markers; COORDINATOR_LOAD_IN_PROGRESS meanwhile), one it
// stops leading is unloaded. A partition led here again at a new leader epoch is reloaded (Kafka's
// onElection).
import { TRANSACTION_STATE_TOPIC } from '@tributary/metadata';
import type { BrokerConfig } from '../config/broker-config.ts';
import type { Logger } from '../logger.ts';
import { PartitionCoordinatorLog } from './group/index.ts';
import { systemTime, type Time } from '@tributary/storage';
import type { OffsetsTopicHost } from './offsets-topic-host.ts';
import type { TransactionCoordinatorConfig } from './transaction/config.ts';
import { TransactionCoordinator } from './transaction/transaction-coordinator.ts';
import type { MarkerDestination, MarkerWriter } from './transaction/transaction-marker-channel-manager.ts';

/** The internal topic (metadata's TRANSACTION_STATE_TOPIC, an internal topic). */
export const TRANSACTION_STATE_TOPIC_NAME = TRANSACTION_STATE_TOPIC;

export interface TransactionCoordinatorServiceOptions {
  config: BrokerConfig;
  host: OffsetsTopicHost;
  log: Logger;
  /** Producer ids (the broker's ProducerIdManager.generate). */
  generateProducerId: () => bigint | Promise<bigint>;
  /** Where WriteTxnMarkers go (TxnMarkerSender.write, or a fake in tests). */
  markerWriter: MarkerWriter;
  /** The current leader of a partition (from the metadata). */
  leaderOf: (topic: string, partition: number) => MarkerDestination;
  time?: Time;
  overrides?: Partial<TransactionCoordinatorConfig>;
}

/** The broker settings the coordinator reads, by Kafka name. */
export function transactionCoordinatorConfig(config: BrokerConfig): Partial<TransactionCoordinatorConfig> {
  return {
    transactionLogNumPartitions: config.get('transaction.state.log.num.partitions'),
    transactionMaxTimeoutMs: config.get('transaction.max.timeout.ms'),
    transactionalIdExpirationMs: config.get('transactional.id.expiration.ms'),
    abortTimedOutTransactionsIntervalMs: config.get('transaction.abort.timed.out.transaction.cleanup.interval.ms'),
    removeExpiredTransactionalIdsIntervalMs: config.get('transaction.remove.expired.transaction.cleanup.interval.ms'),
  };
}

/**
 * The topic configs __transaction_state is created with (Kafka's
 * TransactionStateManager.transactionTopicConfigs): no unclean leader election, uncompressed,
 * compacted (the tombstones of expired transactional ids are what bound it), min.insync.replicas
 * from transaction.state.log.min.isr (capped at the replication factor when created), segment.bytes
 * from transaction.state.log.segment.bytes. Nothing else: retention does not apply without delete.
 */
export function transactionTopicConfigs(config: BrokerConfig): Record<string, string> {
  return {
    'unclean.leader.election.enable': 'false',
    'compression.type': 'uncompressed',
    'cleanup.policy': 'compact',
    'min.insync.replicas': String(config.get('transaction.state.log.min.isr')),
    'segment.bytes': String(config.get('transaction.state.log.segment.bytes')),
  };
}

export class TransactionCoordinatorService {
  readonly coordinator: TransactionCoordinator;
  private creating: Promise<void> | null = null;
  private readonly loads = new Map<number, Promise<void>>();
  /** __transaction_state partitions served here (loaded or loading), with the leader epoch loaded at. */
  private readonly led = new Map<number, number>();
  private stopped = false;

  constructor(private readonly opts: TransactionCoordinatorServiceOptions) {
    // An existing __transaction_state decides the partition count (ids must keep hashing to the
    // partitions that hold them); transaction.state.log.num.partitions only creates it.
    const existing = opts.host.partitionCount(TRANSACTION_STATE_TOPIC_NAME);
    const config = { ...transactionCoordinatorConfig(opts.config), ...opts.overrides };
    if (existing !== undefined) config.transactionLogNumPartitions = existing;
    this.coordinator = new TransactionCoordinator({
      config,
      time: opts.time,
      log: opts.log,
      generateProducerId: opts.generateProducerId,
      markerWriter: opts.markerWriter,
      leaderOf: opts.leaderOf,
    });
  }

  get numPartitions(): number {
    return this.coordinator.config.transactionLogNumPartitions;
  }

  /** Starts the timers and loads every __transaction_state partition led here, when the topic exists. */
  startup(): void {
    this.coordinator.startup();
    this.loadAll();
  }

  private loadAll(): void {
    const count = this.opts.host.partitionCount(TRANSACTION_STATE_TOPIC_NAME);
    if (count === undefined) return;
    for (let p = 0; p < count; p++) void this.onBecomeLeader(p);
  }

  /** Resolves once __transaction_state exists (creating it on first use) and its partitions are being loaded. */
  ensureTransactionTopic(): Promise<void> {
    if (this.opts.host.partitionCount(TRANSACTION_STATE_TOPIC_NAME) !== undefined) return Promise.resolve();
    const c = this.opts.config;
    this.creating ??= (async () => {
      try {
        await this.opts.host.createInternalTopic(
          TRANSACTION_STATE_TOPIC_NAME,
          this.numPartitions,
          transactionTopicConfigs(c),
          c.get('transaction.state.log.replication.factor'),
        );
        this.opts.log.info(`created ${TRANSACTION_STATE_TOPIC_NAME} with ${this.numPartitions} partitions`);
        this.loadAll();
      } finally {
        this.creating = null;
      }
    })();
    return this.creating;
  }

  /** The __transaction_state partition of a transactional id. */
  partitionFor(transactionalId: string): number {
    return this.coordinator.partitionFor(transactionalId);
  }

  /**
   * Leadership of __transaction_state-<partition> is here: replay it and serve its ids. Idempotent
   * at the same leader epoch; a new epoch reloads.
   */
  onBecomeLeader(partition: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const host = this.opts.host;
    const epoch = host.leaderEpoch(TRANSACTION_STATE_TOPIC_NAME, partition);
    if (this.led.get(partition) === epoch) return this.loads.get(partition) ?? Promise.resolve();
    const log = host.partitionLog(TRANSACTION_STATE_TOPIC_NAME, partition);
    if (!log) return Promise.resolve();
    this.led.set(partition, epoch);
    const coordinatorLog = new PartitionCoordinatorLog(log, {
      leaderEpoch: () => host.leaderEpoch(TRANSACTION_STATE_TOPIC_NAME, partition),
      time: this.opts.time ?? systemTime,
      loadBufferBytes: this.opts.config.get('transaction.state.log.load.buffer.size'),
    });
    const load = this.coordinator.loadPartition(partition, epoch, coordinatorLog).catch((err: unknown) => {
      this.opts.log.error(`loading ${TRANSACTION_STATE_TOPIC_NAME}-${partition} failed: ${(err as Error).message}`);
    });
    this.loads.set(partition, load);
    void load.finally(() => {
      if (this.loads.get(partition) === load) this.loads.delete(partition);
    });
    return load;
  }

  /** Leadership of __transaction_state-<partition> moved away: stop serving its ids. */
  onResign(partition: number): void {
    this.led.delete(partition);
    this.coordinator.unloadPartition(partition);
  }

  /** Deleting __transaction_state itself unloads every id (recreated empty on the next FindCoordinator). */
  onTopicsDeleted(topics: string[]): void {
    if (!topics.includes(TRANSACTION_STATE_TOPIC_NAME)) return;
    for (let p = 0; p < this.numPartitions; p++) this.onResign(p);
  }

  /** Waits for partition loads in progress (tests, start-up). */
  async loaded(): Promise<void> {
    await Promise.all([...this.loads.values()]);
  }

  /** Broker stop: timers cancelled, markers stop, every partition unloaded. */
  shutdown(): void {
    this.stopped = true;
    this.coordinator.shutdown();
  }
}
