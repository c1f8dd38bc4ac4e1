// Replica placement for new partitions, and the checks on a manual assignment (the part of Kafka's
// ReplicationControlManager.createTopic / createPartitions that picks brokers).
//
// Usable brokers: the unfenced ones not in controlled shutdown, ascending by id (Kafka places
// replicas on unfenced brokers only); every registered broker while none is usable (a cluster
// whose brokers have registered but not yet caught up).
// Placement: the striped placer (striped-placer.ts) over the usable brokers and their racks,
// starting from the load the image already has: per usable broker, the partitions it leads now
// and the partitions it is a replica of.
// A new partition: its usable replicas form the ISR, the first of them leads, leader epoch 0.
import type { ClusterImage } from '../image/cluster-image.ts';
import type { MetadataImage } from '../image/metadata-image.ts';
import { partitionRecord, type RecordOf } from '../records/metadata-record.ts';
import { placeReplicas, type BrokerLoad } from './striped-placer.ts';

export function usableBrokerIds(cluster: ClusterImage): number[] {
  const ids = cluster.brokerIds();
  const usable = ids.filter((id) => {
    const b = cluster.broker(id)!;
    return !b.fenced && !b.inControlledShutdown;
  });
  return usable.length > 0 ? usable : ids;
}

/** Current leaders and replicas per broker in `ids`, over every partition of the image. */
export function brokerLoads(image: MetadataImage, ids: readonly number[]): Map<number, BrokerLoad> {
  const load = new Map<number, BrokerLoad>(ids.map((id) => [id, { leaders: 0, replicas: 0 }]));
  for (const t of image.topics.byId.values()) {
    for (const p of t.partitions.values()) {
      const leader = load.get(p.leader);
      if (leader) leader.leaders++;
      for (const r of p.replicas) {
        const l = load.get(r);
        if (l) l.replicas++;
      }
    }
  }
  return load;
}

/**
 * Replica lists (leader first) for `count` new partitions of `rf` replicas on the usable brokers,
 * or Kafka's InvalidReplicationFactorException message when there are fewer than rf of them.
 */
export function placePartitions(image: MetadataImage, count: number, rf: number): number[][] | string {
  const usable = usableBrokerIds(image.cluster);
  if (rf > usable.length)
    return `The target replication factor of ${rf} cannot be reached because only ${usable.length} broker(s) are registered.`;
  const brokers = usable.map((id) => ({ id, rack: image.cluster.broker(id)!.rack }));
  return placeReplicas(brokers, brokerLoads(image, usable), count, rf);
}

export function newPartitionRecord(
  topicId: string,
  partition: number,
  replicas: number[],
  usable: readonly number[],
  /** One dir id per replica (replica-directories.ts newReplicaDirectories); empty before 3.7-IV2. */
  directories: readonly string[] = [],
): RecordOf<'PartitionRecord'> {
  const isr = replicas.filter((r) => usable.includes(r));
  return partitionRecord({
    topicId,
    partitionId: partition,
    replicas,
    isr,
    leader: isr[0]!,
    leaderEpoch: 0,
    partitionEpoch: 0,
    directories: [...directories],
  });
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
