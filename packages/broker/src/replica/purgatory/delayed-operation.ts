// DelayedOperation: a request parked until it can complete (Kafka's DelayedOperation): a Fetch
// waiting for min.bytes, later an acks=all Produce waiting for the ISR. An operation completes
// exactly once, by whichever comes first:
//   - tryComplete() returns true (the purgatory calls it whenever a watched key changes);
//   - its delay expires (onExpiration, then onComplete);
//   - forceComplete() (abort, shutdown, the watched partition deleted or its leader moved).
// Subclasses implement tryComplete (check, and call forceComplete when satisfied) and onComplete
// (answer the request). The timer is armed by the purgatory (tryCompleteElseWatch), on its Time.
import type { Cancel, Time } from '@tributary/storage';

export abstract class DelayedOperation {
  private completed = false;
  private cancelTimer: Cancel | null = null;
  private unwatch: (() => void) | null = null;

  constructor(readonly delayMs: number) {}

  get isCompleted(): boolean {
    return this.completed;
  }

  /**
   * Checks whether the operation can complete now; if so calls forceComplete() and returns true.
   * Called under no lock: the event loop runs one check at a time.
   */
  abstract tryComplete(): boolean;

  /** Answers the request. Called exactly once. */
  protected abstract onComplete(): void;

  /** Called once when the delay expires, before onComplete. */
  protected onExpiration(): void {}

  /** Completes the operation unless it already completed; true when this call completed it. */
  forceComplete(): boolean {
    if (this.completed) return false;
    this.completed = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.unwatch?.();
    this.unwatch = null;
    this.onComplete();
    return true;
  }

  /** Called by the purgatory that watches this operation: how to stop watching it once complete. */
  watched(unwatch: () => void): void {
    this.unwatch = unwatch;
  }

  /** Arms the expiration timer (the purgatory does, once the operation is watched). */
  startTimer(time: Time): void {
    if (this.completed || this.cancelTimer) return;
    this.cancelTimer = time.setTimeout(() => {
      if (this.completed) return;
      this.onExpiration();
      this.forceComplete();
    }, this.delayMs);
  }
}
