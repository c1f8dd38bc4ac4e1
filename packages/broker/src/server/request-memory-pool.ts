// RequestMemoryPool: the broker-wide bound on request bytes held in memory, queued.max.request.bytes
// (Kafka's MemoryPool / SimpleMemoryPool in non-strict mode). A connection reserves a request's
// size as soon as the frame's size prefix has arrived and keeps it until the request is answered
// (the frame, partial or whole, and whatever the handler keeps of it); every connection shares the
// one pool.
//
// Non-strict, as Kafka's: a reservation is granted while anything is left (used < size), so the
// pool may go over its size by at most one request (socket.request.max.bytes), and any request
// up to socket.request.max.bytes can be received however large the pool. A reservation refused
// leaves the connection muted (it reads nothing more) until memory is released: waiters are woken
// in the order they started waiting. A connection that stays muted is closed by its request-read
// timeout (connection.ts), so memory held by a stalled sender comes back.
//
// size <= 0 means unbounded (Kafka's default, -1): every reservation is granted.

export class RequestMemoryPool {
  private usedBytes = 0;
  /** Connections muted until memory is released, in the order they asked. */
  private readonly waiters = new Set<() => void>();

  constructor(readonly size: number) {}

  /** Bytes reserved now. */
  get used(): number {
    return this.usedBytes;
  }

  /** Connections waiting for memory. */
  get waiting(): number {
    return this.waiters.size;
  }

  get isOutOfMemory(): boolean {
    return this.size > 0 && this.usedBytes >= this.size;
  }

  /** Reserves `bytes` when anything is left (non-strict); false when the pool is out of memory. */
  tryAllocate(bytes: number): boolean {
    if (bytes > 0 && this.isOutOfMemory) return false;
    this.usedBytes += bytes;
    return true;
  }

  /** Gives back a reservation, then wakes waiters while memory is left. */
  release(bytes: number): void {
    if (bytes <= 0) return;
    this.usedBytes -= bytes;
    for (const wake of this.waiters) {
      if (this.isOutOfMemory) break;
      this.waiters.delete(wake);
      wake();
    }
  }

  /** Calls `wake` once memory is released (it then tries again; it may wait again). */
  waitForMemory(wake: () => void): void {
    this.waiters.add(wake);
  }

  /** Stops waiting (the connection closed). */
  cancelWait(wake: () => void): void {
    this.waiters.delete(wake);
  }
}

/** A pool that grants everything (queued.max.request.bytes <= 0, and connections built without one). */
export const UNBOUNDED_REQUEST_MEMORY = new RequestMemoryPool(-1);
