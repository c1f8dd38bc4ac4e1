// Injected time: a Clock for "now" and a Scheduler for periodic background tasks (retention,
// flush, checkpoints). The system versions use Date.now and unref'd timers; the manual versions
// let tests move time by hand and run due tasks deterministically.

export interface Clock { now(): number }

export const systemClock: Clock = { now: () => Date.now() };

export type Task = () => void | Promise<void>;

export interface Scheduler {
  /** Runs `task` every `periodMs` (first run after `initialDelayMs`, default `periodMs`); returns a cancel function. */
  schedule(name: string, periodMs: number, task: Task, initialDelayMs?: number): () => void;
}

/** Node timers; a task never overlaps itself (a slow run delays the next one). Errors go to `onError`. */
export class SystemScheduler implements Scheduler {
  constructor(private onError: (name: string, err: unknown) => void = (name, err) => console.error(`scheduled task ${name} failed`, err)) {}
  schedule(name: string, periodMs: number, task: Task, initialDelayMs = periodMs): () => void {
    let timer: NodeJS.Timeout | null = null;
    let cancelled = false;
    const run = async () => {
      try { await task(); } catch (err) { this.onError(name, err); }
      if (!cancelled) { timer = setTimeout(run, periodMs); timer.unref(); }
    };
    timer = setTimeout(run, initialDelayMs);
    timer.unref();
    return () => { cancelled = true; if (timer) clearTimeout(timer); };
  }
}

export class ManualClock implements Clock {
  constructor(public time = 0) {}
  now(): number { return this.time; }
  advance(ms: number): void { this.time += ms; }
}

interface ManualTask { name: string; periodMs: number; next: number; task: Task; cancelled: boolean }

/** A scheduler driven by a ManualClock: `advance(ms)` moves the clock and runs every task that came due, in time order. */
export class ManualScheduler implements Scheduler {
  private tasks: ManualTask[] = [];
  constructor(readonly clock: ManualClock) {}
  schedule(name: string, periodMs: number, task: Task, initialDelayMs = periodMs): () => void {
    const t: ManualTask = { name, periodMs, next: this.clock.now() + initialDelayMs, task, cancelled: false };
    this.tasks.push(t);
    return () => { t.cancelled = true; this.tasks = this.tasks.filter((x) => x !== t); };
  }
  get taskNames(): string[] { return this.tasks.map((t) => t.name); }
  async advance(ms: number): Promise<void> {
    const end = this.clock.now() + ms;
    for (;;) {
      const due = this.tasks.filter((t) => !t.cancelled && t.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      if (due.next > this.clock.now()) this.clock.time = due.next;
      due.next += due.periodMs;
      await due.task();
    }
    this.clock.time = end;
  }
}
