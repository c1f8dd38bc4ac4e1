// What keeps a running clean honest while it shares the event loop with the log it cleans: after
// every unit of work it hands the bytes to the pacer (which may sleep, yield, or abort the job)
// and, after every await, checks that the log is still the one the job began on — not closed,
// not offline, not truncated (a truncation invalidates the offset map: the newer records it
// points at may be gone), and that the segment being read was not deleted (retention,
// DeleteRecords). Any of these ends the job with CleanAbortedError.
import type { LogSegment } from '../log-segment.ts';
import type { PartitionLog } from '../partition-log.ts';
import { CleanAbortedError, type CleanerPacer } from './clean-job.ts';

export class JobGuard {
  private readonly truncations: number;

  constructor(
    readonly log: PartitionLog,
    private readonly pacer: CleanerPacer,
  ) {
    this.truncations = log.truncationCount;
    this.check();
  }

  /** Throws CleanAbortedError when the job must stop (see the header). */
  check(segment?: LogSegment): void {
    const log = this.log;
    const name = `${log.topic}-${log.partition}`;
    if (log.isOffline) throw new CleanAbortedError(`log ${name} went offline`);
    if (log.isClosed) throw new CleanAbortedError(`log ${name} was closed`);
    if (log.truncationCount !== this.truncations) throw new CleanAbortedError(`log ${name} was truncated`);
    if (segment?.deleted) throw new CleanAbortedError(`segment ${segment.baseOffset} of log ${name} was deleted`);
  }

  /** One unit of work done: the pacer's step (awaited when it returns a promise), then check. */
  async step(bytesRead: number, bytesWritten: number, segment?: LogSegment): Promise<void> {
    const wait = this.pacer.step(bytesRead, bytesWritten);
    if (wait) await wait;
    this.check(segment);
  }
}
