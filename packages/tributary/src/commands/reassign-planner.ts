// Plans for `partitions reassign --generate` and `cluster decommission`:
//   generatePlan       Kafka's --generate: a fresh placement of whole topics over a broker list,
//                      rack-aware unless told otherwise (the controller's striped placer, so a plan
//                      balances replicas and leaders as topic creation does), keeping each topic's
//                      replication factor.
//   decommissionPlan   the fewest moves that empty one broker: each replica it holds is replaced,
//                      at the same position of the replica list (a preferred leader stays first),
//                      by the broker that keeps the partition on distinct racks when it can, then
//                      holds the fewest replicas (leaders too, when the replaced one was the
//                      preferred leader), then has the lowest id. Loads are counted as the plan goes.
import { placeReplicas, type BrokerLoad, type PlacementBroker } from '@tributary/metadata';
import type { TopicDescription } from '@tributary/client';
import type { PlannedPartition } from './reassign-plan.ts';

export function generatePlan(topics: readonly TopicDescription[], brokers: readonly PlacementBroker[]): PlannedPartition[] {
  const load = new Map<number, BrokerLoad>();
  const out: PlannedPartition[] = [];
  for (const t of topics) {
    const rf = t.partitions[0]?.replicas.length ?? 0;
    if (rf > brokers.length)
      throw new Error(`topic ${t.name} has replication factor ${rf}, more than the ${brokers.length} broker(s) given`);
    const placed = placeReplicas(brokers, load, t.partitions.length, rf);
    t.partitions.forEach((p, i) => {
      out.push({ topic: t.name, partition: p.partition, replicas: placed[i]! });
    });
  }
  return out;
}

export function decommissionPlan(
  topics: readonly TopicDescription[],
  brokers: readonly PlacementBroker[],
  leaving: number,
): PlannedPartition[] {
  const rackOf = new Map(brokers.map((b) => [b.id, b.rack]));
  const targets = brokers.filter((b) => b.id !== leaving);
  const load = new Map<number, BrokerLoad>(targets.map((b) => [b.id, { leaders: 0, replicas: 0 }]));
  for (const t of topics)
    for (const p of t.partitions)
      p.replicas.forEach((r, i) => {
        const l = load.get(r);
        if (!l) return;
        l.replicas++;
        if (i === 0) l.leaders++;
      });
  const out: PlannedPartition[] = [];
  for (const t of topics) {
    for (const p of t.partitions) {
      const at = p.replicas.indexOf(leaving);
      if (at < 0) continue;
      const others = p.replicas.filter((r) => r !== leaving);
      const usedRacks = new Set(others.map((r) => rackOf.get(r) ?? null));
      const candidates = targets.filter((b) => !others.includes(b.id));
      if (candidates.length === 0)
        throw new Error(`cannot move ${t.name}-${p.partition} off broker ${leaving}: every other broker already holds a replica of it`);
      const score = (b: PlacementBroker) => {
        const l = load.get(b.id)!;
        return [usedRacks.has(b.rack) ? 1 : 0, at === 0 ? l.leaders : 0, l.replicas, b.id];
      };
      const best = candidates.reduce((x, y) => (compare(score(y), score(x)) < 0 ? y : x));
      const l = load.get(best.id)!;
      l.replicas++;
      if (at === 0) l.leaders++;
      const replicas = [...p.replicas];
      replicas[at] = best.id;
      out.push({ topic: t.name, partition: p.partition, replicas });
    }
  }
  return out;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
