// The quorum core under a deterministic simulation (simulation/): for each property, SEEDS seeded
// schedules (default 1000; SEED=n runs one) of crashes, restarts, partitions, drops and delays on a
// simulated clock, with nodes snapshotting (and trimming their logs) now and then, with Kafka's invariants checked after every event (sim-cluster.ts) and
// recovery required once the faults stop (schedules.ts). A failure names its seed. Each property's
// seeds run in a worker thread (simulation/seeds-worker.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { ScheduleOptions } from './simulation/schedules.ts';
import type { SeedsJob, SeedsResult } from './simulation/seeds-worker.ts';

const ONE = process.env.SEED !== undefined ? Number(process.env.SEED) : null;
const SEEDS = Number(process.env.SEEDS ?? 1000);

async function property(o: ScheduleOptions): Promise<void> {
  const seeds = ONE !== null ? [ONE] : Array.from({ length: SEEDS }, (_, i) => i + 1);
  const { acknowledged, installed } = await runSeeds({ seeds, options: o });
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

/** Runs the seeds in a worker thread (simulation/seeds-worker.ts says why); rejects with its first violation. */
function runSeeds(job: SeedsJob): Promise<SeedsResult> {
  // the worker loads the TypeScript through tsx too (whose --import registers it in the main thread
  // only): tsx's register() first, then the worker module
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./simulation/seeds-worker.ts', import.meta.url).href);
  const boot = `import { register } from ${tsx}; register(); await import(${entry});`;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData: job });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the simulation worker exited (${code}) without a result`)));
  });
}
