// Helpers shared by the group API handlers (FindCoordinator, JoinGroup, ... OffsetDelete).
import { ErrorCode } from '@tributary/protocol';
import type { ConnectionInfo } from '../server/connection.ts';
import type { MetadataView } from '../metadata/metadata-view.ts';

const UNKNOWN_TOPIC_OR_PARTITION = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;

/** Kafka's form of a member's client host: InetAddress.toString() of the peer, e.g. "/127.0.0.1". */
export function clientHostOf(connection: ConnectionInfo): string {
  const addr = connection.remoteAddress.startsWith('::ffff:') ? connection.remoteAddress.slice(7) : connection.remoteAddress;
  return `/${addr}`;
}

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
