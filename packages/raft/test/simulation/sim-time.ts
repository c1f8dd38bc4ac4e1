// SimTime: the simulation's clock (a Time): events in a binary heap by (time, sequence), run one
// at a time by the simulation loop, which lets every promise settle between two events. Nothing
// depends on the real clock or the event loop's timing, so a seed replays exactly.
import type { Cancel, Task, Time } from '@tributary/storage';

interface SimEvent {
  at: number;
  seq: number;
  run: () => void;
  cancelled: boolean;
}

export class SimTime implements Time {
  private current = 0;
  private seq = 0;
  private readonly heap: SimEvent[] = [];

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, delayMs: number): Cancel {
    const e: SimEvent = { at: this.current + Math.max(0, delayMs), seq: ++this.seq, run: fn, cancelled: false };
    this.push(e);
    return () => {
      e.cancelled = true;
    };
  }

  schedule(_name: string, periodMs: number, task: Task, initialDelayMs = periodMs): Cancel {
    let cancel: Cancel = () => {};
    let stopped = false;
    const run = () => {
      if (stopped) return;
      void Promise.resolve(task()).finally(() => {
        if (!stopped) cancel = this.setTimeout(run, periodMs);
      });
    };
    cancel = this.setTimeout(run, initialDelayMs);
    return () => {
      stopped = true;
      cancel();
    };
  }

  /** Runs the next event (moving the clock to it); false when none is left at or before `until`. */
  runNext(until: number): boolean {
    for (;;) {
      const top = this.heap[0];
      if (!top || top.at > until) {
        this.current = Math.max(this.current, Math.min(until, top?.at ?? until));
        return false;
      }
      this.pop();
      if (top.cancelled) continue;
      this.current = top.at;
      top.run();
      return true;
    }
  }

  private push(e: SimEvent): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && less(h[l]!, h[m]!)) m = l;
      if (r < h.length && less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

function less(a: SimEvent, b: SimEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** A seeded generator of uniform numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
