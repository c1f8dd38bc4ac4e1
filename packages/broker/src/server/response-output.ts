// ResponseOutput: writes a connection's responses to its socket, strictly in order, as a list of
// parts: bytes (response headers and fields, records read into buffers), or regions of segment
// files (FileRecords, a zero-copy Fetch answer's records).
//
// Bytes go to socket.write as before. A region is sent with sendfile(2) through the
// @tributary/sendfile addon, from the segment's descriptor straight to the socket's:
//   - the socket's own writes must not interleave with it: a region starts only once every write
//     ahead of it has completed (its callback ran, so libuv's queue is empty), and parts written
//     after it wait in `queue` until it is sent;
//   - the addon sends without blocking the event loop: on a full socket buffer it waits for
//     writability through libuv (a poll handle on the loop), so a consumer that does not read
//     holds up only its own connection. While a region is being sent the connection reads no
//     more requests (`busy`), as Kafka mutes a channel until its response is sent;
//   - the region's descriptor stays pinned until the send ends (FileRecords.release), so a
//     segment deleted meanwhile is still sent whole; one truncated meanwhile ends before the
//     region does: the connection is closed (`onFailure`), nothing is sent in place of the
//     missing bytes (the response's size was announced);
//   - a connection closed meanwhile cancels the send (`destroy`): the addon's duplicate of the
//     socket's descriptor is closed, the region released.
// Without the addon (no sender), a region that reaches it anyway is read into a pooled buffer and
// written like bytes.
import type { Duplex } from 'node:stream';
import type { PendingSend, Sendfile } from '@tributary/sendfile';
import { FileRecords, dataBufferPool } from '@tributary/storage';

/** Test hook: what sendfile did in this process (regions and bytes sent whole, sends waiting for their socket now). */
export const zeroCopyStats = { regions: 0, bytes: 0, waiting: 0 };

/** One piece of a response frame: bytes, or a region of a segment file. */
export type ResponsePart = Buffer | FileRecords;

interface Queued {
  part: ResponsePart;
  /** Runs once the part is handed to the kernel, or dropped (gives pooled buffers back). */
  done: (() => void) | undefined;
}

/** The socket's descriptor (a net.Socket's TCP handle on Unix), -1 when it has none (closed). */
function socketFd(socket: Duplex): number {
  const fd = (socket as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' ? fd : -1;
}

export class ResponseOutput {
  private readonly queue: Queued[] = [];
  /** Socket writes whose callbacks have not run: a region waits for them. */
  private unfinished = 0;
  /** The region being sent. */
  private active: FileRecords | null = null;
  private pending: PendingSend | null = null;
  private destroyed = false;
  /** run() stopped with parts waiting: the connection hears when they are out (onIdle). */
  private held = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly socket: Duplex,
    /** The addon; null: regions are read and written as bytes. */
    private readonly sender: Sendfile | null,
    /** A region was sent and nothing waits behind it any more. */
    private readonly onIdle: () => void,
    /** The connection must close (sendfile failed, the file was truncated). */
    private readonly onFailure: (reason: string) => void,
  ) {}

  /** A region is being sent, or parts wait for one. */
  get busy(): boolean {
    return this.active !== null || this.queue.length > 0;
  }

  /** Writes `part` after everything written before; `done` runs once it is out (or dropped). */
  write(part: ResponsePart, done?: () => void): void {
    if (this.destroyed) {
      if (part instanceof FileRecords) part.release();
      done?.();
      return;
    }
    if (this.busy || part instanceof FileRecords) {
      this.queue.push({ part, done });
      this.run();
    } else {
      this.writeBytes(part, done);
    }
  }

  /** Runs `fn` once no region is being sent or waiting (at once when none is). */
  whenIdle(fn: () => void): void {
    if (this.busy && !this.destroyed) this.idleWaiters.push(fn);
    else fn();
  }

  /** Stops: a send in flight is cancelled, regions are released, nothing more is written. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.pending) {
      this.sender?.cancel(this.pending);
      zeroCopyStats.waiting--;
    }
    this.pending = null;
    this.active?.release();
    this.active = null;
    for (const q of this.queue.splice(0)) {
      if (q.part instanceof FileRecords) q.part.release();
      q.done?.();
    }
    this.idleWaiters = [];
  }

  private writeBytes(b: Buffer, done: (() => void) | undefined): void {
    if (this.sender === null) {
      this.socket.write(b, done);
      return;
    }
    this.unfinished++;
    this.socket.write(b, () => {
      this.unfinished--;
      done?.();
      if (this.unfinished === 0 && this.active === null && this.queue.length > 0) this.run();
    });
  }

  /** Writes queued parts in order until a region has to wait (for earlier writes, or for the socket). */
  private run(): void {
    while (!this.destroyed && this.active === null && this.queue.length > 0) {
      const head = this.queue[0]!;
      const part = head.part;
      if (!(part instanceof FileRecords)) {
        this.queue.shift();
        this.writeBytes(part, head.done);
        continue;
      }
      if (this.sender === null) {
        this.queue.shift();
        const bytes = part.read(dataBufferPool);
        part.release();
        if (bytes === null) {
          head.done?.();
          this.fail('segment file shorter than the fetched region (truncated)');
          return;
        }
        this.writeBytes(bytes, () => {
          dataBufferPool.release(bytes);
          head.done?.();
        });
        continue;
      }
      if (this.unfinished > 0) {
        this.held = true; // the last write's callback runs this again
        return;
      }
      this.queue.shift();
      if (!this.send(part, head.done)) {
        this.held = true; // the addon's callback runs this again
        return;
      }
    }
    if (!this.busy && !this.destroyed) this.becameIdle();
  }

  /** Starts sending `region`; true when it was sent at once. */
  private send(region: FileRecords, done: (() => void) | undefined): boolean {
    const fd = socketFd(this.socket);
    if (fd < 0) {
      region.release();
      done?.();
      this.fail('socket closed');
      return false;
    }
    this.active = region;
    let result: number | PendingSend;
    try {
      result = this.sender!.send(fd, region.fd, region.position, region.length, (error, sent) => {
        this.pending = null;
        zeroCopyStats.waiting--;
        this.finished(region, done, error, sent);
        this.run();
      });
    } catch (err) {
      this.finished(region, done, (err as NodeJS.ErrnoException).code ?? (err as Error).message, 0);
      return false;
    }
    if (typeof result !== 'number') {
      this.pending = result;
      zeroCopyStats.waiting++;
      return false;
    }
    return this.finished(region, done, null, result);
  }

  /** A send ended: true when the whole region went out. */
  private finished(region: FileRecords, done: (() => void) | undefined, error: string | null, sent: number): boolean {
    this.active = null;
    region.release();
    done?.();
    if (this.destroyed) return false;
    if (error !== null) {
      this.fail(`sendfile: ${error}`);
      return false;
    }
    if (sent < region.length) {
      this.fail(`segment file shorter than the fetched region (truncated): ${sent} of ${region.length} bytes sent`);
      return false;
    }
    zeroCopyStats.regions++;
    zeroCopyStats.bytes += sent;
    return true;
  }

  private becameIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const fn of waiters) fn();
    if (this.held) {
      this.held = false;
      this.onIdle();
    }
  }

  private fail(reason: string): void {
    if (this.destroyed) return;
    this.destroy();
    this.onFailure(reason);
  }
}
