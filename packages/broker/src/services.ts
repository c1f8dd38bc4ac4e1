// BrokerServices: what every handler can reach through `ctx.services` — configuration, time,
// logging, identity, the handler registry, and the seams the next layers plug into:
// `metadata` (topics and partitions; the topic/partition manager replaces the empty table) and,
// when the storage layer lands, the LogManager. Build it once per broker; handlers never import
// singletons.
import type { BrokerConfig } from './config/broker-config.ts';
import type { ListenerEndpoint } from './config/listeners.ts';
import type { HandlerRegistry } from './handlers/registry.ts';
import type { Logger } from './logger.ts';

/** Wall-clock time in milliseconds; tests pass a fake. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

/** One partition as Metadata/Produce/Fetch see it; replication-ready even on a single broker. */
export interface PartitionState {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}

export interface TopicState {
  name: string;
  /** Kafka's Uuid.toString form (base64url, 22 chars). */
  topicId: string;
  internal: boolean;
  partitions: PartitionState[];
}

/**
 * Read view of cluster metadata. SEAM: the topic/partition manager (next issue) implements it over
 * the storage layer; until then `EmptyMetadata` has no topics.
 */
export interface MetadataView {
  topics(): Iterable<TopicState>;
  topic(name: string): TopicState | undefined;
}

export class EmptyMetadata implements MetadataView {
  topics(): Iterable<TopicState> {
    return [];
  }
  topic(): TopicState | undefined {
    return undefined;
  }
}

export interface BrokerServices {
  readonly config: BrokerConfig;
  readonly clock: Clock;
  readonly log: Logger;
  readonly nodeId: number;
  /** From meta.properties in the first log dir (created on first start). */
  readonly clusterId: string;
  /** Advertised endpoints, with bound ports filled in (valid once the broker has started). */
  readonly advertisedListeners: readonly ListenerEndpoint[];
  readonly registry: HandlerRegistry;
  readonly metadata: MetadataView;
  /** Aborted when the broker begins stopping. */
  readonly shutdownSignal: AbortSignal;
}
