// The time seam (Kafka's org.apache.kafka.common.utils.Time and its Scheduler in one): the wall
// clock, one-shot timers and periodic background tasks. Everything that reads the clock or waits
// takes a `Time`: storage (segment roll and retention ages, flush.ms, the background tasks), the
// broker (LogAppendTime), the group coordinator (heartbeat, join and sync deadlines, offset
// expiry). `systemTime` runs on Date.now and unref'd Node timers (a broker's sockets, not its
// timers, keep the process alive); tests use MockTime (mock-time.ts), where time moves only when
// told to and timers fire in deadline order.

/** Cancels a timer or a periodic task; a no-op once a one-shot timer has run or after a first call. */
export type Cancel = () => void;

/** A periodic task; a returned promise delays the task's next run until it settles. */
export type Task = () => void | Promise<void>;

export interface Time {
  /** Wall-clock milliseconds since the epoch (Kafka's Time.milliseconds()). */
  now(): number;
  /** Runs `fn` once after `delayMs`. */
  setTimeout(fn: () => void, delayMs: number): Cancel;
  /**
   * Runs `task` every `periodMs`, the first time after `initialDelayMs` (default `periodMs`); a
   * run never overlaps the previous one of the same task. `name` identifies it in error reports.
   */
  schedule(name: string, periodMs: number, task: Task, initialDelayMs?: number): Cancel;
}

export interface SystemTimeOptions {
  /** Where the errors of periodic tasks go (default console.error); the task keeps running. */
  onError?: (name: string, err: unknown) => void;
  /** Whether pending timers let the process exit (default true). */
  unref?: boolean;
}

/** Date.now and Node timers. A periodic task's next run is armed `periodMs` after its run ends. */
export class SystemTime implements Time {
  private readonly onError: (name: string, err: unknown) => void;
  private readonly unref: boolean;

  constructor(options: SystemTimeOptions = {}) {
    this.onError = options.onError ?? ((name, err) => console.error(`scheduled task ${name} failed`, err));
    this.unref = options.unref ?? true;
  }

  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, delayMs: number): Cancel {
    const timer = setTimeout(fn, delayMs);
    if (this.unref) timer.unref();
    return () => clearTimeout(timer);
  }

  schedule(name: string, periodMs: number, task: Task, initialDelayMs = periodMs): Cancel {
    let timer: NodeJS.Timeout | null = null;
    let cancelled = false;
    const run = async () => {
      try {
        await task();
      } catch (err) {
        this.onError(name, err);
      }
      if (!cancelled) {
        timer = setTimeout(run, periodMs);
        if (this.unref) timer.unref();
      }
    };
    timer = setTimeout(run, initialDelayMs);
    if (this.unref) timer.unref();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }
}

/** The default Time: the system clock, unref'd timers, task errors to console.error. */
export const systemTime: Time = new SystemTime();
