// MockTime: the Time of tests (Kafka's MockTime and MockScheduler in one). The clock moves only
// when `advance(ms)` is called, which runs every timer and periodic task that falls due on the
// way, in deadline order (ties in the order they were first scheduled), with the clock set to
// each deadline as it runs; timers scheduled while advancing run too when they fall due before
// the end. Nothing depends on the event loop, so a test is deterministic.
//
// A periodic task is re-armed `periodMs` after its deadline (before it runs). A task that returns
// a promise is awaited before the next timer runs; when none does, every due timer has run by the
// time advance() returns. Errors are not caught: they reach the caller of advance().
import type { Cancel, Task, Time } from './time.ts';

interface Pending {
  seq: number;
  at: number;
  run: Task;
  periodMs: number | null;
}

export class MockTime implements Time {
  private current: number;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(startMs = 1_700_000_000_000) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, delayMs: number): Cancel {
    return this.add({ seq: ++this.seq, at: this.current + Math.max(0, delayMs), run: fn, periodMs: null });
  }

  schedule(_name: string, periodMs: number, task: Task, initialDelayMs = periodMs): Cancel {
    return this.add({ seq: ++this.seq, at: this.current + Math.max(0, initialDelayMs), run: task, periodMs });
  }

  /** Moves the clock forward by `ms`, running every timer and task that falls due on the way. */
  advance(ms: number): Promise<void> {
    const target = this.current + ms;
    const running = this.runUntil(target);
    return running ?? Promise.resolve();
  }

  /** When the earliest pending timer or task falls due, or null when none is pending. */
  nextTimerAt(): number | null {
    let at: number | null = null;
    for (const p of this.pending.values()) if (at === null || p.at < at) at = p.at;
    return at;
  }

  private add(p: Pending): Cancel {
    this.pending.set(p.seq, p);
    return () => {
      this.pending.delete(p.seq);
    };
  }

  /** Runs what is due up to `target`; returns a promise only once a task returned one. */
  private runUntil(target: number): Promise<void> | undefined {
    for (;;) {
      let next: Pending | undefined;
      for (const p of this.pending.values()) {
        if (p.at <= target && (!next || p.at < next.at || (p.at === next.at && p.seq < next.seq))) next = p;
      }
      if (!next) break;
      this.current = Math.max(this.current, next.at);
      if (next.periodMs === null) this.pending.delete(next.seq);
      else next.at += next.periodMs;
      const result = next.run();
      if (result instanceof Promise) return result.then(() => this.runUntil(target));
    }
    this.current = target;
    return undefined;
  }
}
