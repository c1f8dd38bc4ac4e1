// Replica placement for new partitions, and the checks on a manual assignment (the part of Kafka's
// ReplicationControlManager.createTopic / createPartitions that picks brokers).
//
// Usable brokers: the unfenced ones not in controlled shutdown, ascending by id (Kafka places
// replicas on unfenced brokers only); every registered broker while none is usable (a cluster
// whose brokers have registered but not yet caught up).
// Placement: partition p with replication factor rf gets rf usable brokers starting at index
// p mod count; on one broker that is [id] for every partition, on several leaders go round-robin
// (Kafka starts at a random broker and shifts followers; this is deterministic).
// A new partition: its usable replicas form the ISR, the first of them leads, leader epoch 0.
import type { ClusterImage } from '../image/cluster-image.ts';
import { partitionRecord, type RecordOf } from '../records/metadata-record.ts';

export function usableBrokerIds(cluster: ClusterImage): number[] {
  const ids = cluster.brokerIds();
  const usable = ids.filter((id) => {
    const b = cluster.broker(id)!;
    return !b.fenced && !b.inControlledShutdown;
  });
  return usable.length > 0 ? usable : ids;
}

/** Replicas of partition `p`: rf brokers starting at index p mod broker count. */
export function assignReplicas(p: number, rf: number, ids: readonly number[]): number[] {
  return Array.from({ length: rf }, (_, k) => ids[(p + k) % ids.length]!);
}

export function newPartitionRecord(
  topicId: string,
  partition: number,
  replicas: number[],
  usable: readonly number[],
): RecordOf<'PartitionRecord'> {
  const isr = replicas.filter((r) => usable.includes(r));
  return partitionRecord({ topicId, partitionId: partition, replicas, isr, leader: isr[0]!, leaderEpoch: 0, partitionEpoch: 0 });
}

export interface ManualAssignment {
  partitionIndex: number;
  brokerIds: number[];
}

/**
 * Checks a manual assignment of partitions `firstPartition`.. (sorted by index): consecutive
 * indexes, one replication factor, no duplicate or unknown broker, at least one usable broker per
 * partition. Returns the replica lists, or Kafka's message for INVALID_REPLICA_ASSIGNMENT.
 */
export function checkAssignments(
  assignments: readonly ManualAssignment[],
  firstPartition: number,
  cluster: ClusterImage,
): number[][] | string {
  const sorted = [...assignments].sort((a, b) => a.partitionIndex - b.partitionIndex);
  const out: number[][] = [];
  const rf = sorted[0]?.brokerIds.length ?? 0;
  const registered = cluster.brokerIds();
  const usable = usableBrokerIds(cluster);
  for (const [i, a] of sorted.entries()) {
    if (a.partitionIndex !== firstPartition + i) return 'Partitions should be a consecutive 0-based integer sequence';
    if (a.brokerIds.length === 0) return 'The manual partition assignment includes an empty replica list.';
    if (a.brokerIds.length !== rf) return 'All partitions should have the same number of replicas';
    if (new Set(a.brokerIds).size !== a.brokerIds.length)
      return `The manual partition assignment includes duplicate replicas: ${a.brokerIds.join(', ')}`;
    const unknown = a.brokerIds.find((b) => !registered.includes(b));
    if (unknown !== undefined) return `The manual partition assignment includes broker ${unknown}, but no such broker is registered.`;
    if (!a.brokerIds.some((b) => usable.includes(b)))
      return `All brokers specified in the manual partition assignment for partition ${a.partitionIndex} are fenced or in controlled shutdown.`;
    out.push([...a.brokerIds]);
  }
  return out;
}
