// `RoundRobinAssigner`: the protocol name and algorithm of KafkaJS's only built-in assigner, so
// Tributary consumers can share a group with KafkaJS consumers (a group only forms over a protocol
// name every member offers). Members sorted by member id, partitions of the subscribed topics
// (topics in name order) dealt in turn; a member only receives partitions of topics it subscribes.
// KafkaJS writes ConsumerProtocolSubscription/Assignment v0 with empty userData; both decode here.
import type { Assignor, AssignmentResult, MemberSubscription, PartitionsPerTopic, TopicPartition } from './types.ts';

export class KafkaJSRoundRobinAssignor implements Assignor {
  readonly name = 'RoundRobinAssigner';
  readonly supportedProtocols = ['eager'] as const;

  subscriptionUserData(): Buffer | null {
    return Buffer.alloc(0);
  }

  assign(partitionsPerTopic: PartitionsPerTopic, subscriptions: Map<string, MemberSubscription>): AssignmentResult {
    const members = [...subscriptions.keys()].sort();
    const assignment = new Map<string, TopicPartition[]>(members.map((m) => [m, []]));
    const topics = new Set<string>();
    for (const s of subscriptions.values()) for (const t of s.topics) topics.add(t);
    let i = 0;
    for (const topic of [...topics].sort()) {
      const partitions = partitionsPerTopic.get(topic);
      if (!partitions) continue;
      for (const p of [...partitions].sort((a, b) => a.partition - b.partition)) {
        for (let tries = 0; tries < members.length; tries++) {
          const m = members[i++ % members.length];
          if (subscriptions.get(m)!.topics.includes(topic)) {
            assignment.get(m)!.push({ topic, partition: p.partition });
            break;
          }
        }
      }
    }
    return { assignment };
  }
}
