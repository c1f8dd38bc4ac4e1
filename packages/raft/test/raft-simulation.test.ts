// The quorum core under a deterministic simulation (simulation/): for each property, SEEDS seeded
// schedules (default 1000; SEED=n runs one) of crashes, restarts, partitions, drops and delays on a
// simulated clock, with nodes snapshotting (and trimming their logs) now and then, with Kafka's invariants checked after every event (sim-cluster.ts) and
// recovery required once the faults stop (schedules.ts). A failure names its seed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runSchedule, type ScheduleOptions } from './simulation/schedules.ts';

const ONE = process.env.SEED !== undefined ? Number(process.env.SEED) : null;
const SEEDS = Number(process.env.SEEDS ?? 1000);

async function property(o: ScheduleOptions): Promise<void> {
  const seeds = ONE !== null ? [ONE] : Array.from({ length: SEEDS }, (_, i) => i + 1);
  let acknowledged = 0;
  let installed = 0;
  for (const seed of seeds) {
    const c = await runSchedule(seed, o);
    acknowledged += c.acknowledged.size;
    installed += c.snapshotsInstalled;
  }
  // the workload made progress, and nodes behind a trimmed log caught up from snapshots: the
  // properties are not vacuous
  assert.ok(acknowledged >= seeds.length, `only ${acknowledged} values acknowledged over ${seeds.length} seeds`);
  if (ONE === null && o.faults.some((f) => f !== 'drops')) assert.ok(installed > 0, `no snapshot was installed over ${seeds.length} seeds`);
}

describe('raft simulation', () => {
  it('elects a leader and commits under random delays and drops (3 voters)', () => property({ voters: 3, faults: ['drops'] }));
  it('keeps every invariant through crashes, restarts and leader stops (3 voters)', () =>
    property({ voters: 3, faults: ['crash', 'leader-stop', 'drops'] }));
  it('keeps every invariant through back-to-back leader crashes and stops (5 voters)', () =>
    property({ voters: 5, faults: ['leader-crash', 'leader-stop'] }));
  it('keeps every invariant through partitions and an isolated leader (5 voters, 2 observers)', () =>
    property({ voters: 5, observers: 2, faults: ['partition', 'isolate-leader', 'drops'] }));
  it('keeps every invariant through every fault at once (3 voters, 1 observer)', () =>
    property({ voters: 3, observers: 1, faults: ['crash', 'leader-crash', 'leader-stop', 'partition', 'isolate-leader', 'drops'] }));
});
