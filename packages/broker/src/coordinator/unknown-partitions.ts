// Unknown partitions in front of the group coordinator: OffsetCommit and OffsetDelete name
// partitions, and the ones the broker's metadata does not know are answered
// UNKNOWN_TOPIC_OR_PARTITION without reaching the coordinator, as Kafka's KafkaApis does before
// calling GroupCoordinator.commitOffsets / deleteOffsets; the coordinator's per-partition results
// are then merged back in request order.
import { ErrorCode } from '@tributary/protocol';
import type { MetadataView } from '../metadata/metadata-view.ts';

const UNKNOWN_TOPIC_OR_PARTITION = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;

/**
 * Splits a request's topics into partitions that exist (in the broker's metadata) and partitions
 * that do not, as Kafka's KafkaApis does for OffsetCommit and OffsetDelete before calling the
 * coordinator: the missing ones are answered UNKNOWN_TOPIC_OR_PARTITION.
 */
export function splitByExistence<P extends { partitionIndex: number }>(
  metadata: MetadataView,
  topics: Array<{ name: string; partitions: P[] }>,
): { existing: Array<{ name: string; partitions: P[] }>; missing: Set<string> } {
  const existing: Array<{ name: string; partitions: P[] }> = [];
  const missing = new Set<string>();
  for (const t of topics) {
    const count = metadata.topic(t.name)?.partitions.length ?? 0;
    const ok = t.partitions.filter((p) => p.partitionIndex >= 0 && p.partitionIndex < count);
    for (const p of t.partitions) if (!ok.includes(p)) missing.add(`${t.name}\u0000${p.partitionIndex}`);
    if (ok.length > 0) existing.push({ name: t.name, partitions: ok });
  }
  return { existing, missing };
}

/** Per-partition results in request order: the coordinator's, or UNKNOWN_TOPIC_OR_PARTITION for missing partitions. */
export function mergePartitionResults(
  request: Array<{ name: string; partitions: Array<{ partitionIndex: number }> }>,
  missing: Set<string>,
  results: Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>,
): Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }> {
  const byKey = new Map<string, number>();
  for (const t of results) for (const p of t.partitions) byKey.set(`${t.name}\u0000${p.partitionIndex}`, p.errorCode);
  return request.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => {
      const key = `${t.name}\u0000${p.partitionIndex}`;
      return { partitionIndex: p.partitionIndex, errorCode: missing.has(key) ? UNKNOWN_TOPIC_OR_PARTITION : (byKey.get(key) ?? 0) };
    }),
  }));
}
