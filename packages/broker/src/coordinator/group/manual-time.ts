// A fake `Time` for tests: time only moves when `advance(ms)` is called, which fires the due
// timers in deadline order (ties in scheduling order), including timers scheduled while firing.
import type { Time } from './time.ts';

interface Pending { id: number; at: number; fn: () => void }

export class ManualTime implements Time {
  private current: number;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(startMs = 1_700_000_000_000) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, delayMs: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { id, at: this.current + Math.max(0, delayMs), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Moves the clock forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      let next: Pending | undefined;
      for (const p of this.pending.values()) {
        if (p.at <= target && (!next || p.at < next.at || (p.at === next.at && p.id < next.id))) next = p;
      }
      if (!next) break;
      this.pending.delete(next.id);
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = target;
  }

  /** When the earliest pending timer falls due, or null when none is pending. */
  nextTimerAt(): number | null {
    let at: number | null = null;
    for (const p of this.pending.values()) if (at === null || p.at < at) at = p.at;
    return at;
  }

  get pendingTimers(): number {
    return this.pending.size;
  }
}
