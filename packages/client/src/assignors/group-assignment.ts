// The consumer side of the classic group protocol around the assignors (Kafka's
// ConsumerCoordinator): the protocols a member offers in JoinGroup (one per assignor, preferred
// first, each with its ConsumerProtocolSubscription), the rebalance protocol the member follows
// (cooperative only when every configured assignor supports it), the leader's work after
// JoinGroup (decode every member's subscription, run the chosen assignor, check a cooperative
// assignment never hands out a partition another member still owns, encode the assignments), and
// what a member does with its SyncGroup assignment (partitions added and revoked).
import {
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  flattenTopicPartitions,
  groupByTopic,
  decodeAssignment,
} from './consumer-protocol.ts';
import {
  tpKey,
  type PartitionInfo,
  type Assignor,
  type MemberSubscription,
  type PartitionsPerTopic,
  type RebalanceProtocol,
  type TopicPartition,
} from './types.ts';

export interface JoinProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

/** Eager unless every assignor supports cooperative rebalancing (Java's rule). */
export function rebalanceProtocolOf(assignors: readonly Assignor[]): RebalanceProtocol {
  return assignors.length > 0 && assignors.every((a) => a.supportedProtocols.includes('cooperative')) ? 'cooperative' : 'eager';
}

/** JoinGroup protocols: one per assignor, same topics and owned partitions, each its userData. */
export function joinProtocols(
  assignors: readonly Assignor[],
  topics: readonly string[],
  ownedPartitions: readonly TopicPartition[],
  generationId: number,
  rackId: string | null,
): JoinProtocol[] {
  return assignors.map((a) => ({
    name: a.name,
    metadata: encodeSubscription({
      topics: [...topics],
      userData: a.subscriptionUserData(topics),
      ownedPartitions: groupByTopic(ownedPartitions),
      generationId,
      rackId,
    }),
  }));
}

export class CooperativeAssignmentError extends Error {
  override name = 'CooperativeAssignmentError';
}

/** Decodes JoinGroup member metadata into the subscriptions assignors take. */
export function decodeMembers(members: readonly JoinGroupMember[]): Map<string, MemberSubscription> {
  const subs = new Map<string, MemberSubscription>();
  for (const m of members) {
    const s = decodeSubscription(m.metadata);
    subs.set(m.memberId, {
      topics: s.topics,
      userData: s.userData,
      ownedPartitions: flattenTopicPartitions(s.ownedPartitions),
      generationId: s.generationId,
      rackId: s.rackId || null,
      groupInstanceId: m.groupInstanceId,
    });
  }
  return subs;
}

/**
 * The leader's assignment: member id -> ConsumerProtocolAssignment bytes. `partitionsFor` gives
 * the partitions of a topic from fresh metadata (undefined for topics that do not exist).
 */
export function leaderAssign(
  assignor: Assignor,
  members: readonly JoinGroupMember[],
  partitionsFor: (topic: string) => PartitionInfo[] | undefined,
  protocol: RebalanceProtocol,
): { assignments: Map<string, Buffer>; plan: Map<string, TopicPartition[]>; subscriptions: Map<string, MemberSubscription> } {
  const subscriptions = decodeMembers(members);
  const partitionsPerTopic: PartitionsPerTopic = new Map();
  for (const s of subscriptions.values()) {
    for (const t of s.topics) {
      if (partitionsPerTopic.has(t)) continue;
      const parts = partitionsFor(t);
      if (parts && parts.length > 0) partitionsPerTopic.set(t, parts);
    }
  }
  const { assignment, userData } = assignor.assign(partitionsPerTopic, subscriptions);
  for (const m of subscriptions.keys()) if (!assignment.has(m)) assignment.set(m, []);
  if (protocol === 'cooperative') validateCooperativeAssignment(subscriptions, assignment);
  const assignments = new Map<string, Buffer>();
  for (const [m, parts] of assignment) {
    assignments.set(m, encodeAssignment({ assignedPartitions: groupByTopic(parts), userData: userData?.get(m) ?? null }));
  }
  return { assignments, plan: assignment, subscriptions };
}

/** A cooperative assignment may not give a member a partition that another member still owns. */
export function validateCooperativeAssignment(
  subscriptions: Map<string, MemberSubscription>,
  assignment: Map<string, TopicPartition[]>,
): void {
  const owner = new Map<string, string>();
  for (const [m, s] of subscriptions) for (const tp of s.ownedPartitions) owner.set(tpKey(tp), m);
  for (const [m, parts] of assignment) {
    for (const tp of parts) {
      const o = owner.get(tpKey(tp));
      if (o !== undefined && o !== m) {
        throw new CooperativeAssignmentError(
          `assignor for the cooperative protocol gave ${tp.topic}-${tp.partition} to ${m} while ${o} still owns it`,
        );
      }
    }
  }
}

/** What changes for a member when its SyncGroup assignment arrives. */
export function diffAssignment(
  owned: readonly TopicPartition[],
  assignmentBytes: Buffer,
): { assigned: TopicPartition[]; added: TopicPartition[]; revoked: TopicPartition[] } {
  const assigned = flattenTopicPartitions(decodeAssignment(assignmentBytes).assignedPartitions);
  const ownedKeys = new Set(owned.map(tpKey));
  const assignedKeys = new Set(assigned.map(tpKey));
  return {
    assigned,
    added: assigned.filter((tp) => !ownedKeys.has(tpKey(tp))),
    revoked: owned.filter((tp) => !assignedKeys.has(tpKey(tp))),
  };
}
