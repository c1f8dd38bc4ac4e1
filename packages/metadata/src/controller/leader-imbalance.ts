// The automatic leader rebalance in the controller (auto.leader.rebalance.enable): partitions led
// by a replica other than their preferred one (replicas[0]) get a PREFERRED election
// (elect-leaders.ts), so leadership returns to the brokers it was spread over when the partitions
// were placed, e.g. after a broker restarted and caught up again.
//
// Which partitions, per preferred broker B (Kafka's KafkaController.checkAndTriggerAutoLeaderRebalance,
// as leader.imbalance.per.broker.percentage documents it): of the partitions whose preferred
// replica is B, the share not led by B (leaderless ones included) is B's imbalance; above
// `imbalancePerBrokerPercentage` %, each of them whose preferred replica can lead (in the ISR and
// active) is elected. Kafka's KRaft controller (ReplicationControlManager.maybeBalancePartitionLeaders)
// ignores the percentage and balances any imbalanced partition: the percentage 0 does the same.
// At most `maxElections` elections in one pass (Kafka's MAX_ELECTIONS_PER_IMBALANCE, 1000); the
// response says whether more may be left (the caller runs another pass soon, as Kafka reschedules
// at once). Partitions are taken topic by topic (by name), in partition order.
import type { MetadataImage } from '../image/metadata-image.ts';
import { preferredReplica, type PartitionRegistration } from '../image/partition-registration.ts';
import type { TopicImage } from '../image/topics-image.ts';
import type { RecordOf } from '../records/metadata-record.ts';
import { ElectionType, electLeader, electionRecord } from './elect-leaders.ts';
import type { ControllerResult } from './results.ts';

/** Kafka's ReplicationControlManager.MAX_ELECTIONS_PER_IMBALANCE. */
export const MAX_ELECTIONS_PER_IMBALANCE = 1000;

export interface LeaderImbalanceOptions {
  /** leader.imbalance.per.broker.percentage (0-100). */
  imbalancePerBrokerPercentage: number;
  /** Default MAX_ELECTIONS_PER_IMBALANCE. */
  maxElections?: number;
}

interface Candidate {
  topic: TopicImage;
  partition: number;
  registration: PartitionRegistration;
}

/** Partitions by preferred replica, each list in topic-name then partition order. */
function byPreferredReplica(image: MetadataImage): Map<number, Candidate[]> {
  const out = new Map<number, Candidate[]>();
  const topics = image.topics.topics().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const topic of topics) {
    for (const [partition, registration] of [...topic.partitions].sort((a, b) => a[0] - b[0])) {
      const preferred = preferredReplica(registration);
      if (preferred < 0) continue;
      let list = out.get(preferred);
      if (!list) out.set(preferred, (list = []));
      list.push({ topic, partition, registration });
    }
  }
  return out;
}

/** Whether any partition is led by a replica other than its preferred one (Kafka's arePartitionLeadersImbalanced). */
export function arePartitionLeadersImbalanced(image: MetadataImage): boolean {
  for (const topic of image.topics.topics()) {
    for (const p of topic.partitions.values()) if (p.leader !== preferredReplica(p)) return true;
  }
  return false;
}

/** The records of one rebalance pass, and whether it stopped at `maxElections` (see the header). */
export function maybeBalancePartitionLeaders(image: MetadataImage, options: LeaderImbalanceOptions): ControllerResult<boolean> {
  const max = options.maxElections ?? MAX_ELECTIONS_PER_IMBALANCE;
  const records: RecordOf<'PartitionChangeRecord'>[] = [];
  const brokers = byPreferredReplica(image);
  for (const broker of [...brokers.keys()].sort((a, b) => a - b)) {
    const partitions = brokers.get(broker)!;
    const notLed = partitions.filter((c) => c.registration.leader !== broker);
    if (notLed.length === 0 || notLed.length / partitions.length <= options.imbalancePerBrokerPercentage / 100) continue;
    for (const { topic, partition, registration } of notLed) {
      if (records.length >= max) return { records, response: true };
      const elected = electLeader(image, registration, ElectionType.PREFERRED);
      if (elected.leader !== broker) continue; // the preferred replica cannot lead now
      const record = electionRecord(topic, partition, registration, elected);
      if (record) records.push(record);
    }
  }
  return { records, response: records.length >= max };
}
