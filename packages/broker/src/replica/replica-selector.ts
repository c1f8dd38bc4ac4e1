// The preferred read replica of a consumer's fetch (KIP-392; Kafka's ReplicaManager
// .findPreferredReadReplica with RackAwareReplicaSelector): on the leader, for a consumer that sent
// its rack (client.rack -> Fetch RackId, v11+), when replica.selector.class is Kafka's
// RackAwareReplicaSelector. Candidates are the leader and the followers that are in the ISR, alive,
// and hold the fetch offset (their log start <= offset <= their log end). Among those in the
// consumer's rack: the leader if it is one of them, else the follower with the highest log end
// offset (then the most recently caught up). None in the rack: the leader. The answer is the
// follower's id, or -1 when the leader should serve (it never names itself).
import type { ClusterImage } from '@tributary/metadata';
import type { Partition } from './partition.ts';

export function preferredReadReplica(p: Partition, cluster: ClusterImage, clientRack: string, fetchOffset: number): number {
  if (!clientRack) return -1;
  const leaderRack = cluster.broker(p.leader)?.rack ?? null;
  if (leaderRack === clientRack) return -1;
  let best: { id: number; logEndOffset: number; lastCaughtUpTimeMs: number } | null = null;
  for (const id of p.isr) {
    if (id === p.leader) continue;
    const r = p.follower(id);
    const broker = cluster.broker(id);
    if (!r || !broker || broker.fenced || broker.rack !== clientRack) continue;
    if (r.logEndOffset < fetchOffset || r.logStartOffset > fetchOffset) continue;
    if (
      !best ||
      r.logEndOffset > best.logEndOffset ||
      (r.logEndOffset === best.logEndOffset && r.lastCaughtUpTimeMs > best.lastCaughtUpTimeMs)
    ) {
      best = { id, logEndOffset: r.logEndOffset, lastCaughtUpTimeMs: r.lastCaughtUpTimeMs };
    }
  }
  return best?.id ?? -1;
}
