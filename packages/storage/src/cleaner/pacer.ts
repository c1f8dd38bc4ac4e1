// How cleaning jobs share the broker's one event loop (the CleanerPacer of clean-job.ts). Kafka
// cleans on its own threads; here a job is an async function on the loop that awaits
// `pacer.step(bytesRead, bytesWritten)` after each unit of work, and the pacer decides:
//
//   - abort: the job was aborted (its log truncated, deleted, offline) or the cleaner is shutting
//     down -> step throws CleanAbortedError, before and after every pause;
//   - throttle: the shared Throttler (log.cleaner.io.max.bytes.per.second across all jobs) asks
//     for a sleep -> step returns a promise resolving after it (a Time timer, so MockTime makes
//     it exact; an abort cuts it short);
//   - yield: the job has run `sliceMs` since it last resumed -> step returns a promise resolving
//     on setImmediate, after the loop has served every I/O callback that was ready; when that
//     turn shows the loop busy with other work (it took `BUSY_TURN_MS` or more), the job also
//     waits until the others have had (1 - busyShare) / busyShare times its slice: under load
//     the cleaner holds about `busyShare` of the loop per job, idle it runs flat out;
//   - otherwise step returns undefined and the job goes on synchronously.
//
// So a job never holds the loop for much more than one slice (plus one unit of work), and with
// `threads` jobs the loop waits at most threads x sliceMs per turn for the cleaner: produce and
// fetch see a few ms of added latency, never a stall. When the loop has nothing else to do the
// cleaner runs flat out. Slices are measured with a monotonic clock (performance.now; injectable
// for tests), since a mock Time does not move during synchronous work.
import { performance } from 'node:perf_hooks';
import type { Time } from '../time.ts';
import { CleanAbortedError, type CleanerPacer } from './clean-job.ts';
import { CLEANER_THROTTLE_CHECK_INTERVAL_MS, Throttler } from './throttler.ts';

/** Default slice: how long a job runs before yielding the loop. */
export const DEFAULT_CLEANER_SLICE_MS = 2;
/** Default share of a busy loop a job takes (0.25: produce and fetch keep about three quarters of it). */
export const DEFAULT_CLEANER_BUSY_SHARE = 0.25;
/** A yield turn at least this long means other work was waiting. */
const BUSY_TURN_MS = 1;

export interface PacingOptions {
  time: Time;
  /** log.cleaner.io.max.bytes.per.second, across all jobs (Number.MAX_VALUE: unthrottled). */
  ioMaxBytesPerSecond: number;
  /** How long a job runs before it yields (default DEFAULT_CLEANER_SLICE_MS). */
  sliceMs?: number;
  /** Share of the loop a job takes while other work is waiting, in (0, 1] (default DEFAULT_CLEANER_BUSY_SHARE; 1: no backing off). */
  busyShare?: number;
  /** The monotonic clock slices are measured with, in ms (default performance.now). */
  clock?: () => number;
  /** How a job yields the loop (default: a setImmediate turn). */
  yieldToLoop?: () => Promise<void>;
  /** The throttler's check interval (default 300 ms, as Kafka's LogCleaner). */
  throttleCheckIntervalMs?: number;
}

const setImmediateTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** What every job shares: the throttle, the slice length, the clocks. Makes one JobPacer per job. */
export class CleanerPacing {
  readonly time: Time;
  readonly throttler: Throttler;
  readonly sliceMs: number;
  readonly busyShare: number;
  readonly clock: () => number;
  readonly yieldToLoop: () => Promise<void>;

  constructor(o: PacingOptions) {
    this.time = o.time;
    this.throttler = new Throttler(o.ioMaxBytesPerSecond, o.throttleCheckIntervalMs ?? CLEANER_THROTTLE_CHECK_INTERVAL_MS, o.time);
    this.sliceMs = Math.max(0, o.sliceMs ?? DEFAULT_CLEANER_SLICE_MS);
    this.busyShare = Math.min(1, Math.max(0.01, o.busyShare ?? DEFAULT_CLEANER_BUSY_SHARE));
    this.clock = o.clock ?? (() => performance.now());
    this.yieldToLoop = o.yieldToLoop ?? setImmediateTurn;
  }

  /** A pacer for one job; `abortReason` returns why the job must stop, null while it may go on. */
  pacer(name: string, abortReason: () => string | null): JobPacer {
    return new JobPacer(this, name, abortReason);
  }
}

export class JobPacer implements CleanerPacer {
  /** Counters of this job: steps reported, pauses (yields + throttle sleeps), the longest slice run between pauses. */
  steps = 0;
  yields = 0;
  sleeps = 0;
  sleptMs = 0;
  /** Waits to leave a busy loop to others (see the header), and their total. */
  backoffs = 0;
  backoffMs = 0;
  longestSliceMs = 0;
  bytesRead = 0;
  bytesWritten = 0;
  private sliceStart: number;
  private wakeSleep: (() => void) | null = null;

  constructor(
    private readonly pacing: CleanerPacing,
    readonly name: string,
    private readonly abortReason: () => string | null,
  ) {
    this.sliceStart = pacing.clock();
  }

  step(bytesRead: number, bytesWritten: number): void | Promise<void> {
    this.checkAborted();
    this.steps++;
    this.bytesRead += bytesRead;
    this.bytesWritten += bytesWritten;
    const sleepMs = this.pacing.throttler.maybeThrottle(bytesRead + bytesWritten);
    const ran = this.pacing.clock() - this.sliceStart;
    if (sleepMs > 0 || ran >= this.pacing.sliceMs) return this.pause(ran, sleepMs);
    return undefined;
  }

  /** Throws CleanAbortedError when the job must stop. */
  checkAborted(): void {
    const reason = this.abortReason();
    if (reason !== null) throw new CleanAbortedError(`cleaning of ${this.name} aborted: ${reason}`);
  }

  /** Cuts a throttle sleep short (the job was aborted: it throws as soon as it resumes). */
  wake(): void {
    this.wakeSleep?.();
  }

  private async pause(ranMs: number, sleepMs: number): Promise<void> {
    if (ranMs > this.longestSliceMs) this.longestSliceMs = ranMs;
    if (sleepMs > 0) {
      this.sleeps++;
      this.sleptMs += sleepMs;
      await this.sleep(sleepMs);
    } else {
      this.yields++;
      const yielded = this.pacing.clock();
      await this.pacing.yieldToLoop();
      const othersMs = this.pacing.clock() - yielded;
      const share = this.pacing.busyShare;
      if (othersMs >= BUSY_TURN_MS && share < 1) {
        const owedMs = (ranMs * (1 - share)) / share - othersMs;
        if (owedMs >= 1) {
          this.checkAborted();
          this.backoffs++;
          this.backoffMs += owedMs;
          await this.sleep(Math.round(owedMs));
        }
      }
    }
    this.checkAborted();
    this.sliceStart = this.pacing.clock();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.wakeSleep = null;
        resolve();
      };
      const cancel = this.pacing.time.setTimeout(done, ms);
      this.wakeSleep = () => {
        cancel();
        done();
      };
    });
  }
}
