// The `cooperative-sticky` assignor (Kafka's CooperativeStickyAssignor, KIP-429): the sticky
// algorithm, but members keep their partitions while rejoining (ownedPartitions in the
// subscription), and a partition that must move to another member is left out of this
// assignment: its owner revokes it, rejoins, and the next rebalance assigns it to the new owner.
// Partitions not moving keep flowing. userData: int32 generation (for subscriptions older than
// ConsumerProtocolSubscription v2, which carries generationId itself).
import { stickyAssign, DEFAULT_GENERATION, type MemberData } from './sticky-core.ts';
import {
  tpKey,
  type Assignor,
  type AssignmentResult,
  type MemberSubscription,
  type PartitionsPerTopic,
  type TopicPartition,
} from './types.ts';

export interface CooperativeStickyAssignorOptions {
  preferRackAwareLogic?: boolean;
}

export class CooperativeStickyAssignor implements Assignor {
  readonly name = 'cooperative-sticky';
  readonly supportedProtocols = ['cooperative', 'eager'] as const;
  private generation = DEFAULT_GENERATION;
  private readonly preferRackAwareLogic: boolean;

  constructor(options: CooperativeStickyAssignorOptions = {}) {
    this.preferRackAwareLogic = options.preferRackAwareLogic ?? false;
  }

  onAssignment(_partitions: readonly TopicPartition[], generationId: number): void {
    this.generation = generationId;
  }

  subscriptionUserData(): Buffer {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(this.generation);
    return b;
  }

  static memberData(s: MemberSubscription): MemberData {
    if (s.generationId >= 0) return { partitions: s.ownedPartitions, generation: s.generationId };
    let generation: number | undefined;
    if (s.userData === null) generation = undefined;
    else if (s.userData.length >= 4) generation = s.userData.readInt32BE(0);
    else generation = DEFAULT_GENERATION;
    return { partitions: s.ownedPartitions, generation, rackId: s.rackId };
  }

  assign(partitionsPerTopic: PartitionsPerTopic, subscriptions: Map<string, MemberSubscription>): AssignmentResult {
    const r = stickyAssign(partitionsPerTopic, subscriptions, CooperativeStickyAssignor.memberData, this.preferRackAwareLogic);
    const transferring = r.partitionsTransferringOwnership ?? computeTransferring(subscriptions, r.assignment);
    // revoke first: a partition changing owner is assigned to nobody in this round
    for (const { partition, consumer } of transferring.values()) {
      const list = r.assignment.get(consumer)!;
      const i = list.findIndex((x) => x.topic === partition.topic && x.partition === partition.partition);
      if (i >= 0) list.splice(i, 1);
    }
    return { assignment: r.assignment };
  }
}

/** Partitions newly assigned to a member while another member still owns them. */
function computeTransferring(
  subscriptions: Map<string, MemberSubscription>,
  assignment: Map<string, TopicPartition[]>,
): Map<string, { partition: TopicPartition; consumer: string }> {
  const added = new Map<string, { partition: TopicPartition; consumer: string }>();
  const revoked = new Set<string>();
  for (const [consumer, assigned] of assignment) {
    const owned = subscriptions.get(consumer)?.ownedPartitions ?? [];
    const ownedKeys = new Set(owned.map(tpKey));
    for (const tp of assigned) if (!ownedKeys.has(tpKey(tp))) added.set(tpKey(tp), { partition: tp, consumer });
    const assignedKeys = new Set(assigned.map(tpKey));
    for (const tp of owned) if (!assignedKeys.has(tpKey(tp))) revoked.add(tpKey(tp));
  }
  for (const k of [...added.keys()]) if (!revoked.has(k)) added.delete(k);
  return added;
}
