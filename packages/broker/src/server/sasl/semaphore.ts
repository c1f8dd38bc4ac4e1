// Semaphore: bounds how many authentication steps run at once on the broker, so a flood of
// logins (1,000 failing clients) queues instead of monopolising the event loop and the libuv
// thread pool that node:crypto's async PBKDF2/HMAC work runs on (Kafka bounds the same work by its
// fixed pool of network threads). Waiters are served in arrival order.

export class Semaphore {
  private available: number;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly permits: number) {
    if (permits < 1) throw new Error('a semaphore needs at least one permit');
    this.available = permits;
  }

  /** Waiting callers. */
  get queued(): number {
    return this.waiters.length;
  }

  /** Runs `fn` once a permit is free, and frees it when `fn` settles. */
  async run<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.available > 0) this.available--;
    else await new Promise<void>((resolve) => this.waiters.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.waiters.shift();
      if (next) next();
      else this.available++;
    }
  }
}
