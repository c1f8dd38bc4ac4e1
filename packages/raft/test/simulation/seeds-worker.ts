// A worker thread that runs the quorum simulation's seeded schedules for one property (workerData:
// the seeds and the ScheduleOptions) and posts back what the workload achieved over them: values
// acknowledged and snapshots installed. The first violated invariant throws (its message names the
// seed), which the Worker reports as its 'error'. Why a thread: node:test tracks every promise of a
// test file's thread through an async hook (Node 20), which doubles the CPU time of a simulation
// that settles millions of them; a worker's promises are not tracked.
import { parentPort, workerData } from 'node:worker_threads';
import { runSchedule, type ScheduleOptions } from './schedules.ts';

export interface SeedsJob {
  seeds: number[];
  options: ScheduleOptions;
}

export interface SeedsResult {
  acknowledged: number;
  installed: number;
}

const { seeds, options } = workerData as SeedsJob;
const result: SeedsResult = { acknowledged: 0, installed: 0 };
for (const seed of seeds) {
  const c = await runSchedule(seed, options);
  result.acknowledged += c.acknowledged.size;
  result.installed += c.snapshotsInstalled;
}
parentPort!.postMessage(result);
