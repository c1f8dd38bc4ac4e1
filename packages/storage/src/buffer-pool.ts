// BufferPool: reusable large buffers for the data path (fetch reads from segments, produce request
// frames assembled from several socket chunks). Allocating a fresh multi-megabyte Buffer per
// request makes V8 count it as external memory and run a full mark-compact every few dozen
// megabytes; reusing them keeps the heap quiet.
//
// Buffers come in power-of-two size classes from 64 KiB to 64 MiB; `acquire(n)` returns a Buffer
// of exactly n bytes viewing a pooled ArrayBuffer (or a plain allocation when n is outside the
// classes). The pool only takes back what it handed out and is not yet returned: `release(buf)`
// with any view of such an ArrayBuffer returns it once (later calls, and foreign buffers, are
// ignored). The caller that releases must know nothing else still reads the bytes — e.g. the
// connection after the socket write of a response completed. Unreleased buffers are simply
// garbage collected. Free buffers are kept up to `maxFreeBytes` in all.
const MIN_CLASS = 16; // 64 KiB
const MAX_CLASS = 26; // 64 MiB

export class BufferPool {
  private readonly free: ArrayBuffer[][] = [];
  private readonly lent = new WeakSet<ArrayBuffer>();
  private freeBytes = 0;

  constructor(private readonly maxFreeBytes = 128 * 1024 * 1024) {
    for (let c = 0; c <= MAX_CLASS; c++) this.free.push([]);
  }

  /** A buffer of exactly `n` bytes (contents undefined). */
  acquire(n: number): Buffer {
    if (n < 1 << MIN_CLASS || n > 1 << MAX_CLASS) return Buffer.allocUnsafe(n);
    const c = Math.max(MIN_CLASS, 32 - Math.clz32(n - 1));
    const list = this.free[c]!;
    let ab = list.pop();
    if (ab) this.freeBytes -= ab.byteLength;
    else ab = Buffer.allocUnsafeSlow(1 << c).buffer as ArrayBuffer; // not zero-filled
    this.lent.add(ab);
    return Buffer.from(ab, 0, n);
  }

  /** Returns the pooled ArrayBuffer behind `buf` (once); anything else is ignored. */
  release(buf: Uint8Array): void {
    const ab = buf.buffer as ArrayBuffer;
    if (!this.lent.has(ab)) return;
    this.lent.delete(ab);
    if (this.freeBytes + ab.byteLength > this.maxFreeBytes) return;
    this.free[31 - Math.clz32(ab.byteLength)]!.push(ab);
    this.freeBytes += ab.byteLength;
  }

  /** True while `buf` views a buffer lent by this pool and not yet released. */
  owns(buf: Uint8Array): boolean {
    return this.lent.has(buf.buffer as ArrayBuffer);
  }
}

/** The process-wide pool the data path shares. */
export const dataBufferPool = new BufferPool();
