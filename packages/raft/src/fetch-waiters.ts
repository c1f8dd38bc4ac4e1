// FetchWaiters: the leader's Fetch long poll (Kafka's FetchPurgatory for the raft partition): a
// Fetch with nothing to send waits until the leader appends, the high watermark moves, the
// leadership changes (`wakeAll`), MaxWaitMs passes, or its connection goes (`signal`); then it is
// answered with whatever there is.
import type { Time } from '@tributary/storage';

export class FetchWaiters {
  private readonly waiters = new Set<() => void>();
  private closed = false;

  constructor(private readonly time: Time) {}

  /** Registers a waiter at once (no wake-up is missed); the promise settles when it is woken. */
  park(maxWaitMs: number, signal?: AbortSignal): { parked: Promise<void> } {
    if (this.closed || signal?.aborted) return { parked: Promise.resolve() };
    const parked = new Promise<void>((resolve) => {
      const cancel = this.time.setTimeout(() => done(), maxWaitMs);
      const done = () => {
        cancel();
        signal?.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
    return { parked };
  }

  wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Wakes every waiter and answers later ones at once. */
  close(): void {
    this.closed = true;
    this.wakeAll();
  }
}
