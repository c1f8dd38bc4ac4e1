// Types shared by the consumer-group assignors: what the group leader knows about each member
// (its subscription, decoded from the JoinGroup metadata) and about the cluster (partitions per
// topic, with replica racks for rack-aware assignment), and what an assignor returns.

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** A member's subscription as the leader sees it (Java's `ConsumerPartitionAssignor.Subscription`). */
export interface MemberSubscription {
  topics: string[];
  userData: Buffer | null;
  /** Partitions the member owned in `generationId` (ConsumerProtocolSubscription v1+). */
  ownedPartitions: TopicPartition[];
  /** The generation the member last joined (v2+); -1 when unknown. */
  generationId: number;
  /** The member's rack (`client.rack`, v3+), or null. */
  rackId: string | null;
  /** `group.instance.id` of a static member (from JoinGroup), or null. */
  groupInstanceId: string | null;
}

/** One partition of a topic, with the racks of its replicas (empty when brokers have no rack). */
export interface PartitionInfo {
  partition: number;
  replicaRacks?: readonly string[];
}

/** Topic name -> its partitions (partition ids 0..n-1), as the metadata says. */
export type PartitionsPerTopic = Map<string, PartitionInfo[]>;

/** Member id -> assigned partitions. */
export type GroupAssignment = Map<string, TopicPartition[]>;

export type RebalanceProtocol = 'eager' | 'cooperative';

export interface AssignmentResult {
  assignment: GroupAssignment;
  /** Per-member assignment userData (sticky assignors send none; kept for custom assignors). */
  userData?: Map<string, Buffer | null>;
}

/**
 * A partition assignment strategy, by Kafka's name (`range`, `roundrobin`, `sticky`,
 * `cooperative-sticky`), so members of one group can mix clients of different languages.
 */
export interface Assignor {
  readonly name: string;
  /** Rebalance protocols supported, preferred first. */
  readonly supportedProtocols: readonly RebalanceProtocol[];
  /** userData to put in this member's subscription. */
  subscriptionUserData(topics: readonly string[]): Buffer | null;
  /** Runs on the leader: the assignment of every member. */
  assign(partitionsPerTopic: PartitionsPerTopic, subscriptions: Map<string, MemberSubscription>): AssignmentResult;
  /** Runs on every member when its assignment arrives (sticky assignors remember it). */
  onAssignment?(partitions: readonly TopicPartition[], generationId: number): void;
}

export function tp(topic: string, partition: number): TopicPartition {
  return { topic, partition };
}

export function tpKey(t: TopicPartition): string {
  return `${t.topic}\u0000${t.partition}`;
}

/** Orders by topic, then partition (Java's TopicPartitionComparator). */
export function compareTopicPartition(a: TopicPartition, b: TopicPartition): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return a.partition - b.partition;
}

/** Java `String.compareTo` order for the ASCII-ish ids Kafka uses (UTF-16 code unit order). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Member ordering of Kafka's assignors: static members (by instance id) first, then by member id. */
export function compareMembers(
  a: { memberId: string; groupInstanceId: string | null },
  b: { memberId: string; groupInstanceId: string | null },
): number {
  if (a.groupInstanceId !== null && b.groupInstanceId !== null) return compareStrings(a.groupInstanceId, b.groupInstanceId);
  if (a.groupInstanceId !== null) return -1;
  if (b.groupInstanceId !== null) return 1;
  return compareStrings(a.memberId, b.memberId);
}

/** Builds a MemberSubscription with defaults (tests and simple callers). */
export function subscription(topics: string[], init: Partial<Omit<MemberSubscription, 'topics'>> = {}): MemberSubscription {
  return {
    topics,
    userData: init.userData ?? null,
    ownedPartitions: init.ownedPartitions ?? [],
    generationId: init.generationId ?? -1,
    rackId: init.rackId ?? null,
    groupInstanceId: init.groupInstanceId ?? null,
  };
}

/** Partition infos 0..count-1 without racks. */
export function partitionInfos(count: number): PartitionInfo[] {
  return Array.from({ length: count }, (_, partition) => ({ partition }));
}
