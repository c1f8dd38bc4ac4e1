// What the controller needs from the broker's configuration, injected so the metadata layer knows
// nothing of BrokerConfig: defaults for new topics, whether deletion and unclean elections are
// allowed, the automatic leader rebalance, and the topic and group config rules (names, types,
// ranges: the broker's topic-config.ts and group-config.ts).
import { randomBytes } from 'node:crypto';
import type { ApiError } from './results.ts';

/** Validates topic config overrides as Kafka's LogConfig does (the broker implements it). */
export interface TopicConfigPolicy {
  /**
   * Checks a whole set of overrides and returns them normalised, or an error (INVALID_CONFIG with
   * Kafka's message). A null value is an error too ("Null value not supported ...").
   */
  validate(configs: Readonly<Record<string, string | null>>): { configs: Record<string, string> } | ApiError;
  /** The value a topic without an override has (broker setting or Kafka's default); for APPEND / SUBTRACT. */
  defaultValue(name: string): string | undefined;
}

/**
 * Validates a GROUP resource's whole resulting set of configs as Kafka's GroupConfig does (the
 * broker implements it: its bounds are broker settings). INVALID_CONFIG with Kafka's message.
 */
export interface GroupConfigPolicy {
  validate(configs: Readonly<Record<string, string | null>>): { configs: Record<string, string> } | ApiError;
}

/** Kafka's broker.session.timeout.ms and broker.heartbeat.interval.ms defaults. */
export const DEFAULT_SESSION_TIMEOUT_MS = 9000;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 2000;
/** Kafka's leader.imbalance.check.interval.seconds (300) and leader.imbalance.per.broker.percentage defaults. */
export const DEFAULT_LEADER_IMBALANCE_CHECK_INTERVAL_MS = 300_000;
export const DEFAULT_LEADER_IMBALANCE_PER_BROKER_PERCENTAGE = 10;

export interface ControllerOptions {
  /** num.partitions: partitions of a topic created with NumPartitions -1. */
  numPartitions: number;
  /** default.replication.factor: for ReplicationFactor -1. */
  defaultReplicationFactor: number;
  /** delete.topic.enable. */
  deleteTopicEnable: boolean;
  /** unclean.leader.election.enable (broker default; a topic override wins). */
  uncleanLeaderElectionEnable: boolean;
  topicConfigs: TopicConfigPolicy;
  /** GROUP config resources (type 32); without it they are refused as an unknown resource type. */
  groupConfigs?: GroupConfigPolicy;
  /**
   * This controller's node id: its dynamic BROKER configs (then the cluster default's) override
   * uncleanLeaderElectionEnable, as Kafka's ConfigurationControlManager resolves it.
   */
  nodeId?: number;
  /**
   * The metadata.version an empty metadata log starts at (Kafka: bootstrap.checkpoint, else
   * inter.broker.protocol.version); absent: METADATA_VERSION.
   */
  bootstrapMetadataVersion?: number;
  /**
   * broker.session.timeout.ms: a broker that has heartbeated and then stays silent longer than this
   * is fenced (default 9000).
   */
  sessionTimeoutMs?: number;
  /** broker.heartbeat.interval.ms: how often brokers heartbeat (default 2000; brokers use it). */
  heartbeatIntervalMs?: number;
  /**
   * auto.leader.rebalance.enable: the active controller moves leadership back to preferred
   * replicas every leaderImbalanceCheckIntervalMs (local/leader-rebalance.ts). Absent: off (the
   * broker's configuration turns it on, as Kafka's default true).
   */
  autoLeaderRebalanceEnable?: boolean;
  /** leader.imbalance.check.interval.seconds, in ms (default 300000). */
  leaderImbalanceCheckIntervalMs?: number;
  /** leader.imbalance.per.broker.percentage (default 10; leader-imbalance.ts). */
  leaderImbalancePerBrokerPercentage?: number;
  /** Topic id generator (tests make it deterministic); default `newTopicId`. */
  newTopicId?: () => string;
}

/**
 * A new random topic id in Kafka's Uuid string form (base64url, 22 characters). Kafka reserves the
 * zero and "metadata topic" ids and avoids ids starting with '-' (they read as a command-line flag).
 */
export function newTopicId(): string {
  for (;;) {
    const b = randomBytes(16);
    const id = b.toString('base64url');
    if (!id.startsWith('-') && !b.every((x) => x === 0)) return id;
  }
}
