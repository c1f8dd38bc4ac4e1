// Seeded fault schedules for the quorum simulation: each draws, from the cluster's own seeded
// generator, a sequence of faults spread over `faultMs` of simulated time while the leader keeps
// proposing and nodes now and then snapshot what they know committed, then heals everything and requires the quorum to recover (liveness): a ready leader
// within `recoverMs`, every node caught up to its high watermark, every acknowledged value
// committed. Every draw comes from the seed, so a failing seed replays exactly.
import { SimCluster } from './sim-cluster.ts';

export type Fault = 'crash' | 'partition' | 'leader-crash' | 'leader-stop' | 'drops' | 'isolate-leader';

export interface ScheduleOptions {
  voters: number;
  observers?: number;
  faults: readonly Fault[];
  faultMs?: number;
  recoverMs?: number;
}

export async function runSchedule(seed: number, o: ScheduleOptions): Promise<SimCluster> {
  const voterIds = Array.from({ length: o.voters }, (_, i) => i + 1);
  const observerIds = Array.from({ length: o.observers ?? 0 }, (_, i) => 100 + i);
  const c = new SimCluster(seed, voterIds, observerIds);
  const r = c.random;
  // a quarter of the schedules run on a steady network (every message takes 1 ms): timers then
  // line up across nodes, which is where livelocks hide
  const steady = r() < 0.25;
  c.network.conditions = { dropRate: 0, minDelayMs: 1, maxDelayMs: steady ? 1 : 1 + Math.floor(r() * 20) };
  await c.start();
  const faultEnd = c.time.now() + (o.faultMs ?? 6_000);
  let nextFault = c.time.now() + 1500 + Math.floor(r() * 1500);
  let nextSnapshot = c.time.now() + 1000;
  while (c.time.now() < faultEnd) {
    c.propose();
    await c.runFor(50 + Math.floor(r() * 150));
    if (c.time.now() >= nextSnapshot) {
      // now and then a node snapshots: nodes down or behind catch up through FetchSnapshot
      nextSnapshot = c.time.now() + 300 + Math.floor(r() * 700);
      const ids = [...c.nodes.keys()];
      c.snapshot(ids[Math.floor(r() * ids.length)]!);
    }
    if (c.time.now() < nextFault || o.faults.length === 0) continue;
    nextFault = c.time.now() + 300 + Math.floor(r() * 2000);
    const fault = o.faults[Math.floor(r() * o.faults.length)]!;
    c.trace?.(`fault ${fault}`);
    await inject(c, fault);
  }
  await recover(c, o.recoverMs ?? 12_000);
  return c;
}

async function inject(c: SimCluster, fault: Fault): Promise<void> {
  const r = c.random;
  const ids = [...c.nodes.keys()];
  const pick = <T>(xs: T[]): T | undefined => xs[Math.floor(r() * xs.length)];
  switch (fault) {
    case 'crash': {
      const down = ids.filter((id) => !c.isUp(id));
      if (down.length > 0 && r() < 0.5) await c.startNode(pick(down)!);
      else {
        const up = pick(ids.filter((id) => c.isUp(id)));
        if (up !== undefined) c.crash(up);
      }
      return;
    }
    case 'leader-crash': {
      for (const id of ids.filter((x) => !c.isUp(x))) await c.startNode(id);
      const l = c.leader;
      if (l) c.crash(l.id);
      return;
    }
    case 'leader-stop': {
      // a clean stop (SIGTERM): the leader resigns with EndQuorumEpoch before it goes
      for (const id of ids.filter((x) => !c.isUp(x))) await c.startNode(id);
      const l = c.leader;
      if (l) await c.stop(l.id);
      return;
    }
    case 'partition': {
      if (r() < 0.3) return c.network.heal();
      const a: number[] = [];
      const b: number[] = [];
      for (const id of ids) (r() < 0.5 ? a : b).push(id);
      c.network.partition([a, b]);
      c.trace?.(`partition ${a} | ${b}`);
      return;
    }
    case 'isolate-leader': {
      const l = c.leader;
      if (!l || r() < 0.3) return c.network.heal();
      c.network.partition([[l.id], ids.filter((x) => x !== l.id)]);
      return;
    }
    case 'drops':
      c.network.conditions = { ...c.network.conditions, dropRate: r() < 0.3 ? 0 : r() * 0.3 };
      return;
  }
}

/** Heals the network, restarts every node, and waits for a ready leader that every node caught up with. */
async function recover(c: SimCluster, recoverMs: number): Promise<void> {
  c.network.heal();
  c.network.conditions = { ...c.network.conditions, dropRate: 0 };
  for (const id of c.nodes.keys()) await c.startNode(id);
  const deadline = c.time.now() + recoverMs;
  let proposed = false;
  while (c.time.now() < deadline) {
    await c.runFor(100);
    const l = c.readyLeader;
    if (!l) continue;
    if (!proposed) {
      c.propose();
      proposed = true;
      continue;
    }
    const hw = l.client!.highWatermark;
    const caughtUp = [...c.nodes.values()].every((n) => n.client!.highWatermark === hw && n.log.endOffset >= hw);
    if (caughtUp && hw === l.log.endOffset) {
      c.checkFinal();
      return;
    }
  }
  c.fail(
    `no recovery within ${recoverMs} ms: ${[...c.nodes.values()]
      .map((n) => `${n.id}:${n.client!.role}@${n.client!.epoch} hw=${n.client!.highWatermark} leo=${n.log.endOffset}`)
      .join(' ')}`,
  );
}
