// The rule Kafka's client-side assignors use to decide whether to match consumer racks with
// partition replica racks (`AbstractPartitionAssignor.useRackAwareAssignment`): only when some
// consumer has a rack that some replica has, and the partitions are not all on the same racks
// (then every choice is equally local). `preferRackAwareLogic` (a test hook in Kafka) forces it
// whenever racks overlap.

export function useRackAwareAssignment(
  consumerRacks: ReadonlySet<string>,
  partitionRacks: ReadonlySet<string>,
  racksPerPartition: ReadonlyMap<string, ReadonlySet<string>>,
  preferRackAwareLogic = false,
): boolean {
  if (consumerRacks.size === 0) return false;
  let overlap = false;
  for (const r of consumerRacks) {
    if (partitionRacks.has(r)) {
      overlap = true;
      break;
    }
  }
  if (!overlap) return false;
  if (preferRackAwareLogic) return true;
  for (const racks of racksPerPartition.values()) {
    if (racks.size !== partitionRacks.size) return true;
    for (const r of racks) if (!partitionRacks.has(r)) return true;
  }
  return false;
}

/** The set of non-null replica racks of a partition. */
export function replicaRackSet(replicaRacks: readonly (string | null | undefined)[] | undefined): Set<string> {
  const s = new Set<string>();
  if (replicaRacks) for (const r of replicaRacks) if (r !== null && r !== undefined) s.add(r);
  return s;
}

/** Member id -> rack, for members whose rack is set and non-empty. */
export function consumerRacksOf(subscriptions: ReadonlyMap<string, { rackId: string | null }>): Map<string, string> {
  const m = new Map<string, string>();
  for (const [id, s] of subscriptions) if (s.rackId) m.set(id, s.rackId);
  return m;
}
