// KeyedTimer: Kafka's coordinator timer over the broker's Time, where scheduling a key replaces
// the previous timer of that key (e.g. "heartbeat-<group>-<member>").
import type { Cancel, Time } from '@tributary/storage';

export class KeyedTimer {
  private readonly timers = new Map<string, Cancel>();
  constructor(private readonly time: Time) {}

  /** Runs `fn` after `delayMs` unless cancelled or rescheduled under the same key. */
  schedule(key: string, delayMs: number, fn: () => void): void {
    this.cancel(key);
    const cancel = this.time.setTimeout(
      () => {
        if (this.timers.get(key) !== cancel) return;
        this.timers.delete(key);
        fn();
      },
      Math.max(0, delayMs),
    );
    this.timers.set(key, cancel);
  }

  cancel(key: string): void {
    const cancel = this.timers.get(key);
    if (cancel !== undefined) {
      cancel();
      this.timers.delete(key);
    }
  }

  isScheduled(key: string): boolean {
    return this.timers.has(key);
  }

  cancelAll(): void {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }
}
