// Test helper: a fake LogCleaning for the scheduler's tests. cleanableRange answers from a table the
// test sets per partition (dirty and clean bytes, where cleaning must stop, max.compaction.lag) and
// records every call; cleanLog records the job, optionally waits for the test to release it, takes
// one pacer step (which throws when the job was aborted), then "cleans": the partition's dirty
// bytes become clean and the result's end offset is the job's first uncleanable offset.
import { tpKey } from '../../src/checkpoint-file.ts';
import type { CleanableRange, CleanerPacer, CleanJob, CleanResult } from '../../src/cleaner/clean-job.ts';
import type { LogCleaning } from '../../src/cleaner/log-cleaner.ts';
import type { PartitionLog } from '../../src/partition-log.ts';

export interface RangeSpec {
  cleanBytes: number;
  dirtyBytes: number;
  /** Default 10. */
  firstUncleanableOffset?: number;
  needCompactionNow?: boolean;
  /** cleanableRange throws this. */
  throws?: Error;
}

export interface FakeJob {
  key: string;
  job: CleanJob;
  pacer: CleanerPacer;
  /** Lets a held job go on. */
  release(): void;
  /** Settles when cleanLog does (never rejects). */
  settled: Promise<void>;
  outcome?: 'cleaned' | 'error';
  error?: unknown;
}

export interface RangeCall {
  key: string;
  checkpoint: number | undefined;
  lastStableOffset: number;
  now: number;
}

export class FakeCleaning implements LogCleaning {
  readonly specs = new Map<string, RangeSpec>();
  readonly rangeCalls: RangeCall[] = [];
  readonly jobs: FakeJob[] = [];
  /** Partitions whose jobs wait for release() before their step. */
  readonly hold = new Set<string>();
  /** Partitions whose jobs take no pacer step (an abort after their last step goes unseen by them). */
  readonly stepless = new Set<string>();
  /** Partitions whose cleanLog throws. */
  readonly fail = new Map<string, Error>();
  /** The delete horizon the next result of a partition reports. */
  readonly horizons = new Map<string, number>();
  /** Partitions being cleaned now, and whether one was ever cleaned twice at once. */
  readonly active = new Set<string>();
  maxConcurrent = 0;
  sameLogTwice = false;

  set(key: string, spec: RangeSpec): void {
    this.specs.set(key, spec);
  }

  cleanableRange(log: PartitionLog, checkpoint: number | undefined, lastStableOffset: number, now: number): CleanableRange {
    const key = tpKey(log.topic, log.partition);
    this.rangeCalls.push({ key, checkpoint, lastStableOffset, now });
    const s = this.specs.get(key) ?? { cleanBytes: 0, dirtyBytes: 0 };
    if (s.throws) throw s.throws;
    const firstDirtyOffset = checkpoint ?? 0;
    const total = s.cleanBytes + s.dirtyBytes;
    return {
      firstDirtyOffset,
      firstUncleanableOffset: Math.max(firstDirtyOffset, s.firstUncleanableOffset ?? 10),
      cleanBytes: s.cleanBytes,
      dirtyBytes: s.dirtyBytes,
      cleanableRatio: total === 0 ? 0 : s.dirtyBytes / total,
      needCompactionNow: s.needCompactionNow ?? false,
    };
  }

  rangeCallsFor(key: string): RangeCall[] {
    return this.rangeCalls.filter((c) => c.key === key);
  }

  jobsFor(key: string): FakeJob[] {
    return this.jobs.filter((j) => j.key === key);
  }

  async cleanLog(log: PartitionLog, job: CleanJob, pacer: CleanerPacer): Promise<CleanResult> {
    const key = tpKey(log.topic, log.partition);
    if (this.active.has(key)) this.sameLogTwice = true;
    this.active.add(key);
    this.maxConcurrent = Math.max(this.maxConcurrent, this.active.size);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let settle!: () => void;
    const fj: FakeJob = { key, job, pacer, release, settled: new Promise((r) => (settle = r)) };
    this.jobs.push(fj);
    try {
      const failure = this.fail.get(key);
      if (failure) throw failure;
      if (this.hold.has(key)) await gate;
      if (!this.stepless.has(key)) await pacer.step(100, 40);
      const spec = this.specs.get(key);
      if (spec) this.specs.set(key, { ...spec, cleanBytes: spec.cleanBytes + spec.dirtyBytes, dirtyBytes: 0, needCompactionNow: false });
      fj.outcome = 'cleaned';
      return {
        endOffset: job.firstUncleanableOffset,
        bytesRead: 100,
        bytesWritten: 40,
        messagesRead: 10,
        messagesWritten: 4,
        mapKeys: 4,
        mapMessages: 10,
        mapBytesRead: 60,
        invalidMessages: 0,
        segmentsBefore: 2,
        segmentsAfter: 1,
        nextDeleteHorizonMs: this.horizons.get(key) ?? -1,
        elapsedMs: 250,
      };
    } catch (err) {
      fj.outcome = 'error';
      fj.error = err;
      throw err;
    } finally {
      this.active.delete(key);
      settle();
    }
  }
}

/** Lets pending setImmediate turns and promise chains run (the cleaner's workers yield with setImmediate). */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

/** A logger that keeps its lines. */
export function recordingLogger(): {
  lines: Array<{ level: string; msg: string }>;
  info: (m: string) => void;
  warn: (m: string) => void;
  error: (m: string) => void;
} {
  const lines: Array<{ level: string; msg: string }> = [];
  return {
    lines,
    info: (msg) => lines.push({ level: 'info', msg }),
    warn: (msg) => lines.push({ level: 'warn', msg }),
    error: (msg) => lines.push({ level: 'error', msg }),
  };
}
