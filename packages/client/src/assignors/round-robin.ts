// The `roundrobin` assignor (Kafka's RoundRobinAssignor): all partitions of all subscribed topics,
// topics in name order and partitions in numeric order, dealt in turn to the members ordered by
// group.instance.id (static members first) then member id, skipping a member that is not
// subscribed to the partition's topic. Balanced when all subscriptions are equal.
import {
  compareMembers,
  type Assignor,
  type AssignmentResult,
  type MemberSubscription,
  type PartitionsPerTopic,
  type TopicPartition,
} from './types.ts';

export class RoundRobinAssignor implements Assignor {
  readonly name = 'roundrobin';
  readonly supportedProtocols = ['eager'] as const;

  subscriptionUserData(): Buffer | null {
    return null;
  }

  assign(partitionsPerTopic: PartitionsPerTopic, subscriptions: Map<string, MemberSubscription>): AssignmentResult {
    const assignment = new Map<string, TopicPartition[]>();
    const members: Array<{ memberId: string; groupInstanceId: string | null; topics: Set<string> }> = [];
    for (const [memberId, s] of subscriptions) {
      assignment.set(memberId, []);
      members.push({ memberId, groupInstanceId: s.groupInstanceId, topics: new Set(s.topics) });
    }
    members.sort(compareMembers);
    const topics = new Set<string>();
    for (const s of subscriptions.values()) for (const t of s.topics) topics.add(t);
    let next = 0;
    for (const topic of [...topics].sort()) {
      const partitions = partitionsPerTopic.get(topic);
      if (!partitions) continue;
      const count = partitions.length;
      for (let p = 0; p < count; p++) {
        // some member is subscribed to `topic` (it came from a subscription), so this terminates
        while (!members[next].topics.has(topic)) next = (next + 1) % members.length;
        assignment.get(members[next].memberId)!.push({ topic, partition: p });
        next = (next + 1) % members.length;
      }
    }
    return { assignment };
  }
}
