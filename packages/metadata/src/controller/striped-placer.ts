// Rack-aware striped replica placement: the goals of Kafka's StripedReplicaPlacer (spread each
// partition over racks first, then spread replicas and leaders over brokers), made deterministic
// and load-aware so that topics created one after another balance with those already there.
//
// * The brokers form a ring that alternates racks: racks in name order (no rack first), brokers
//   by id within a rack, one broker of each rack in turn (a0 b0 c0 a1 b1 ...).
// * Leader first: the broker with the fewest leaders (then fewest replicas, then ring order)
//   among those that can take a replica without unbalancing replicas (see pickLeader).
// * Then the followers, one at a time: from the racks holding the fewest replicas of this
//   partition so far (so replicas are on distinct racks whenever there are at least rf racks,
//   and spread as evenly as the racks allow otherwise), the broker with the fewest replicas;
//   on a tie the one with more leaders (brokers still short of leaders keep room to lead a later
//   partition), then ring order. They follow the leader in ring order from it.
// * `load` (leaders and replicas per broker, the image's current counts) is updated as
//   partitions are placed, so a CreateTopics with several topics balances across them too.
// On a fresh cluster without racks this lays partition k on ring positions k*rf .. k*rf+rf-1,
// Kafka's stripes. For one replication factor, leaders per broker and replicas per broker stay
// within one of each other after every partition (replicas: within each rack when racks have
// different sizes, where whole-cluster balance is impossible), checked by randomized search over
// up to 16 brokers; one known exception: with racks of equal size and rf above the number of
// racks, replica counts can differ by two. Mixing replication factors is best effort.
// Kafka starts at a random rack and broker and reshuffles after each round; this placer has no
// randomness, so the same image always gets the same placement.

export interface PlacementBroker {
  id: number;
  rack: string | null;
}

export interface BrokerLoad {
  leaders: number;
  replicas: number;
}

/** The brokers in rack-alternating order. */
export function rackAlternatedOrder(brokers: readonly PlacementBroker[]): PlacementBroker[] {
  const racks = new Map<string | null, PlacementBroker[]>();
  for (const b of [...brokers].sort((x, y) => x.id - y.id)) {
    const list = racks.get(b.rack);
    if (list) list.push(b);
    else racks.set(b.rack, [b]);
  }
  const names = [...racks.keys()].sort((a, b) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1));
  const out: PlacementBroker[] = [];
  for (let i = 0; out.length < brokers.length; i++) {
    for (const name of names) {
      const b = racks.get(name)![i];
      if (b) out.push(b);
    }
  }
  return out;
}

/**
 * Places `count` partitions of `rf` replicas on `brokers` (rf <= brokers.length), updating
 * `load` (missing brokers count as empty). Returns each partition's replicas, leader first.
 */
export function placeReplicas(brokers: readonly PlacementBroker[], load: Map<number, BrokerLoad>, count: number, rf: number): number[][] {
  if (rf > brokers.length) throw new Error(`cannot place ${rf} replicas on ${brokers.length} broker(s)`);
  const ring = rackAlternatedOrder(brokers);
  for (const b of ring) if (!load.has(b.id)) load.set(b.id, { leaders: 0, replicas: 0 });
  const out: number[][] = [];
  for (let p = 0; p < count; p++) {
    const leader = pickLeader(ring, load, rf);
    const after = (b: PlacementBroker) => (ring.indexOf(b) - ring.indexOf(leader) + ring.length) % ring.length;
    const followers = pickFollowers(ring, load, rf, leader).sort((a, b) => after(a) - after(b));
    const replicas = [leader, ...followers].map((b) => b.id);
    for (const id of replicas) load.get(id)!.replicas++;
    load.get(leader.id)!.leaders++;
    out.push(replicas);
  }
  return out;
}

/**
 * The broker with the fewest leaders (then replicas, then ring order) among those that may take
 * one more replica without unbalancing replicas: the ones with the fewest replicas of their group,
 * or one more while fewer brokers of the group than it has slots in this partition have the
 * fewest. The group is the whole cluster when every rack has as many brokers (no racks at all
 * included); with racks of different sizes whole-cluster balance is out of reach and each rack
 * balances on its own (with ceil(rf / racks) slots).
 */
function pickLeader(ring: readonly PlacementBroker[], load: ReadonlyMap<number, BrokerLoad>, rf: number): PlacementBroker {
  const rackSizes = new Map<string | null, number>();
  for (const b of ring) rackSizes.set(b.rack, (rackSizes.get(b.rack) ?? 0) + 1);
  const sizes = [...rackSizes.values()];
  const perRack = sizes.some((s) => s !== sizes[0]);
  const groupOf = (b: PlacementBroker) => (perRack ? b.rack : 0);
  const slots = perRack ? Math.ceil(rf / rackSizes.size) : rf;
  const least = new Map<string | null | 0, { replicas: number; brokers: number }>();
  for (const b of ring) {
    const r = load.get(b.id)!.replicas;
    const g = least.get(groupOf(b));
    if (!g || r < g.replicas) least.set(groupOf(b), { replicas: r, brokers: 1 });
    else if (r === g.replicas) g.brokers++;
  }
  let best: PlacementBroker | undefined;
  for (const b of ring) {
    const l = load.get(b.id)!;
    const g = least.get(groupOf(b))!;
    if (l.replicas > g.replicas + (g.brokers < slots ? 1 : 0)) continue;
    const bl = best && load.get(best.id)!;
    if (!bl || l.leaders < bl.leaders || (l.leaders === bl.leaders && l.replicas < bl.replicas)) best = b;
  }
  return best!;
}

/**
 * rf - 1 followers, one at a time: from the racks holding the fewest replicas of the partition,
 * the broker with the fewest replicas; on a tie the one with more leaders (those still short of
 * leaders keep room to lead later partitions), then ring order.
 */
function pickFollowers(
  ring: readonly PlacementBroker[],
  load: ReadonlyMap<number, BrokerLoad>,
  rf: number,
  leader: PlacementBroker,
): PlacementBroker[] {
  const picked: PlacementBroker[] = [leader];
  const perRack = new Map<string | null, number>([[leader.rack, 1]]);
  const rank = (b: PlacementBroker) => {
    const l = load.get(b.id)!;
    return [perRack.get(b.rack) ?? 0, l.replicas, -l.leaders];
  };
  while (picked.length < rf) {
    let best: PlacementBroker | undefined;
    let bestRank: number[] = [];
    for (const b of ring) {
      if (picked.includes(b)) continue;
      const r = rank(b);
      if (!best || lexLess(r, bestRank)) {
        best = b;
        bestRank = r;
      }
    }
    picked.push(best!);
    perRack.set(best!.rack, (perRack.get(best!.rack) ?? 0) + 1);
  }
  return picked.slice(1);
}

function lexLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}
