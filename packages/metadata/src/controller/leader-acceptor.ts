// Kafka's ReplicationControlManager.LeaderAcceptor: who may lead a partition. A broker that is
// active (registered, unfenced, not in controlled shutdown) and whose replica of the partition is
// in one of its online log dirs (JBOD, KIP-858: a replica in a failed dir cannot lead).
import { hasOnlineDir } from '../image/cluster-image.ts';
import type { MetadataImage } from '../image/metadata-image.ts';
import { replicaDirectory, type PartitionRegistration } from '../image/partition-registration.ts';

/** Whether broker `brokerId`'s replica of `p` is in one of its online dirs (false for an unknown broker). */
export function replicaInOnlineDir(image: MetadataImage, p: PartitionRegistration, brokerId: number): boolean {
  const b = image.cluster.broker(brokerId);
  return b !== undefined && hasOnlineDir(b, replicaDirectory(p, brokerId));
}

/** Kafka's LeaderAcceptor for partition `p` (see the header). */
export function leaderAcceptor(image: MetadataImage, p: PartitionRegistration): (brokerId: number) => boolean {
  return (id) => image.cluster.isActive(id) && replicaInOnlineDir(image, p, id);
}
