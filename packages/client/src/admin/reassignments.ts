// Admin.alterPartitionReassignments and listPartitionReassignments: AlterPartitionReassignments
// (API key 45) and ListPartitionReassignments (API key 46) to any broker, which forwards them to
// the active controller (Kafka's AdminClient sends them to the controller). A reassignment names
// the target replicas of a partition, or null to cancel the one in progress. Errors: a top-level
// one (e.g. NOT_CONTROLLER, retriable) is thrown; per-partition errors are thrown together, each
// partition named, the first one's code carried (as kafka-reassign-partitions.sh reports them).
import { ApiKey, ErrorCode, errorInfo } from '@tributary/protocol';
import type { PartitionReassignment, TargetReassignment } from '../api.ts';
import type { TopicPartition } from '../assignors/types.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { KafkaClientError } from '../network/errors.ts';
import { failAdmin } from './admin-error.ts';

/** Kafka's AdminClient default for AlterPartitionReassignments' timeout. */
const TIMEOUT_MS = 30_000;

/** Groups partitions by topic, topics and partitions in the order first seen. */
function byTopic<T extends { topic: string }>(items: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of items) {
    let l = out.get(x.topic);
    if (!l) out.set(x.topic, (l = []));
    l.push(x);
  }
  return out;
}

export async function alterPartitionReassignments(cluster: Cluster, reassignments: readonly TargetReassignment[]): Promise<void> {
  if (reassignments.length === 0) return;
  const c = await cluster.anyConnection();
  const r = await c.request(ApiKey.AlterPartitionReassignments, {
    timeoutMs: TIMEOUT_MS,
    topics: [...byTopic(reassignments)].map(([name, ps]) => ({
      name,
      partitions: ps.map((p) => ({ partitionIndex: p.partition, replicas: p.replicas === null ? null : [...p.replicas] })),
    })),
  });
  if (r.errorCode !== ErrorCode.NONE) failAdmin('alter partition reassignments', r.errorCode, r.errorMessage);
  const failed: Array<{ name: string; code: number; message: string | null }> = [];
  for (const t of r.responses)
    for (const p of t.partitions)
      if (p.errorCode !== ErrorCode.NONE)
        failed.push({ name: `${t.name}-${p.partitionIndex}`, code: p.errorCode, message: p.errorMessage });
  if (failed.length === 0) return;
  const first = errorInfo(failed[0]!.code);
  const list = failed.map((f) => `${f.name}: ${errorInfo(f.code).name}${f.message ? ` (${f.message})` : ''}`).join('; ');
  throw new KafkaClientError(`alter partition reassignments: ${list}`, first.name, false, { code: failed[0]!.code });
}

export async function listPartitionReassignments(
  cluster: Cluster,
  partitions?: readonly TopicPartition[],
): Promise<PartitionReassignment[]> {
  const c = await cluster.anyConnection();
  const r = await c.request(ApiKey.ListPartitionReassignments, {
    timeoutMs: TIMEOUT_MS,
    topics:
      partitions === undefined
        ? null
        : [...byTopic(partitions)].map(([name, ps]) => ({ name, partitionIndexes: ps.map((p) => p.partition) })),
  });
  if (r.errorCode !== ErrorCode.NONE) failAdmin('list partition reassignments', r.errorCode, r.errorMessage);
  const out: PartitionReassignment[] = [];
  for (const t of r.topics)
    for (const p of t.partitions)
      out.push({
        topic: t.name,
        partition: p.partitionIndex,
        replicas: p.replicas,
        addingReplicas: p.addingReplicas,
        removingReplicas: p.removingReplicas,
      });
  return out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}
