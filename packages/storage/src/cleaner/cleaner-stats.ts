// What the log cleaner did, for metrics and benches (Kafka's CleanerStats per run and its
// LogCleaner gauges): each run (CleanRun: the job's offsets and CleanResult), the last run of each
// log, and totals since startup. describeCleanRun is the one-line summary logged per clean, Kafka's
// recordStats message ("Log cleaner thread 0 cleaned log X (dirty section = [a, b]) ...").
import type { CleanResult } from './clean-job.ts';
import type { CleanReason } from './cleaner-manager.ts';

export interface CleanRun {
  /** The worker that ran it (Kafka's cleaner thread id); -1 for cleanNow outside the workers. */
  thread: number;
  topic: string;
  partition: number;
  reason: CleanReason;
  /** The job's dirty section as picked, and where the cleaner stopped (the new checkpoint). */
  firstDirtyOffset: number;
  firstUncleanableOffset: number;
  endOffset: number;
  /** Time readings (the Time seam) when the job started and ended. */
  startMs: number;
  endMs: number;
  result: CleanResult;
  /** Its pacer: yields to the event loop, throttle sleeps and their total length. */
  yields: number;
  sleeps: number;
  sleptMs: number;
}

export interface CleanerTotals {
  /** Runs that completed (and were checkpointed), were aborted, or failed (partition marked uncleanable or offline). */
  runs: number;
  aborted: number;
  failed: number;
  bytesRead: number;
  bytesWritten: number;
  messagesRead: number;
  messagesWritten: number;
  elapsedMs: number;
}

export class CleanerStats {
  readonly totals: CleanerTotals = {
    runs: 0,
    aborted: 0,
    failed: 0,
    bytesRead: 0,
    bytesWritten: 0,
    messagesRead: 0,
    messagesWritten: 0,
    elapsedMs: 0,
  };
  /** The last completed run of each log, keyed `<topic>-<partition>`. */
  readonly lastRuns = new Map<string, CleanRun>();
  lastRun: CleanRun | null = null;

  record(key: string, run: CleanRun): void {
    const t = this.totals;
    const r = run.result;
    t.runs++;
    t.bytesRead += r.bytesRead;
    t.bytesWritten += r.bytesWritten;
    t.messagesRead += r.messagesRead;
    t.messagesWritten += r.messagesWritten;
    t.elapsedMs += r.elapsedMs;
    this.lastRuns.set(key, run);
    this.lastRun = run;
  }

  /** Kafka's cleaner-recopy-percent: bytes written / bytes read of all runs, in percent. */
  get recopyPercent(): number {
    return Math.trunc((100 * this.totals.bytesWritten) / Math.max(this.totals.bytesRead, 1));
  }

  forget(key: string): void {
    this.lastRuns.delete(key);
  }
}

const MB = 1024 * 1024;
const fmt1 = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const pct = (part: number, whole: number) => (whole > 0 ? (100 * (1 - part / whole)).toFixed(1) : '0.0');

/** The line logged after a clean (Kafka's recordStats, on one line). */
export function describeCleanRun(run: CleanRun): string {
  const r = run.result;
  const secs = r.elapsedMs / 1000;
  const rate = secs > 0 ? `${fmt1(r.bytesRead / MB / secs)} MB/sec` : 'n/a MB/sec';
  return (
    `Log cleaner thread ${run.thread} cleaned log ${run.topic}-${run.partition} (dirty section = [${run.firstDirtyOffset}, ${run.endOffset}]): ` +
    `${fmt1(r.bytesRead / MB)} MB of log processed in ${fmt1(secs)} seconds (${rate}); ` +
    `start size ${fmt1(r.bytesRead / MB)} MB (${r.messagesRead.toLocaleString('en-US')} messages), ` +
    `end size ${fmt1(r.bytesWritten / MB)} MB (${r.messagesWritten.toLocaleString('en-US')} messages); ` +
    `${pct(r.bytesWritten, r.bytesRead)}% size reduction (${pct(r.messagesWritten, r.messagesRead)}% fewer messages)`
  );
}
