// Partition checks in front of the group coordinator: OffsetCommit and OffsetDelete name
// partitions, and, as Kafka's KafkaApis does before calling GroupCoordinator.commitOffsets /
// deleteOffsets, the partitions of topics the principal may not use are answered
// TOPIC_AUTHORIZATION_FAILED and those the broker's metadata does not know
// UNKNOWN_TOPIC_OR_PARTITION, without reaching the coordinator; the coordinator's per-partition
// results are then merged back in request order.
import { ErrorCode } from '@tributary/protocol';
import type { MetadataCache } from '../metadata/metadata-cache.ts';

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * Splits a request's topics into the partitions for the coordinator and the ones answered here
 * (`answered`: error code by topic and partition): every partition of a topic `authorized` refuses,
 * then partitions missing from the metadata.
 */
export function checkPartitions<P extends { partitionIndex: number }>(
  metadata: MetadataCache,
  topics: Array<{ name: string; partitions: P[] }>,
  authorized: (topic: string) => boolean,
): { existing: Array<{ name: string; partitions: P[] }>; answered: Map<string, number> } {
  const existing: Array<{ name: string; partitions: P[] }> = [];
  const answered = new Map<string, number>();
  for (const t of topics) {
    if (!authorized(t.name)) {
      for (const p of t.partitions) answered.set(key(t.name, p.partitionIndex), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      continue;
    }
    const count = metadata.topic(t.name)?.partitions.length ?? 0;
    const ok = t.partitions.filter((p) => p.partitionIndex >= 0 && p.partitionIndex < count);
    for (const p of t.partitions) if (!ok.includes(p)) answered.set(key(t.name, p.partitionIndex), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    if (ok.length > 0) existing.push({ name: t.name, partitions: ok });
  }
  return { existing, answered };
}

/** Per-partition results in request order: the ones answered by checkPartitions, else the coordinator's. */
export function mergePartitionResults(
  request: Array<{ name: string; partitions: Array<{ partitionIndex: number }> }>,
  answered: Map<string, number>,
  results: Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>,
): Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }> {
  const byKey = new Map<string, number>();
  for (const t of results) for (const p of t.partitions) byKey.set(key(t.name, p.partitionIndex), p.errorCode);
  return request.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => {
      const k = key(t.name, p.partitionIndex);
      return { partitionIndex: p.partitionIndex, errorCode: answered.get(k) ?? byKey.get(k) ?? ErrorCode.NONE };
    }),
  }));
}
