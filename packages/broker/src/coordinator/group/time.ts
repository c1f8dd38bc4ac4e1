// Time seams of the group coordinator: a clock + one-shot timers (`Time`), the real
// implementation over Node's timers, and `KeyedTimer`, Kafka's coordinator timer where
// scheduling a key replaces the previous timer of that key (e.g. "heartbeat-<group>-<member>").
import type { Clock } from '@tributary/storage';

/** The broker's Clock plus one-shot timers. */
export interface Time extends Clock {
  setTimeout(fn: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTime: Time = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class KeyedTimer {
  private readonly timers = new Map<string, unknown>();
  constructor(private readonly time: Time) {}

  /** Runs `fn` after `delayMs` unless cancelled or rescheduled under the same key. */
  schedule(key: string, delayMs: number, fn: () => void): void {
    this.cancel(key);
    const handle = this.time.setTimeout(() => {
      if (this.timers.get(key) !== handle) return;
      this.timers.delete(key);
      fn();
    }, Math.max(0, delayMs));
    this.timers.set(key, handle);
  }

  cancel(key: string): void {
    const h = this.timers.get(key);
    if (h !== undefined) {
      this.time.clearTimeout(h);
      this.timers.delete(key);
    }
  }

  isScheduled(key: string): boolean {
    return this.timers.has(key);
  }

  cancelAll(): void {
    for (const h of this.timers.values()) this.time.clearTimeout(h);
    this.timers.clear();
  }
}
