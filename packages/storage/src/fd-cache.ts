// A bounded LRU of open file descriptors shared by all partitions of a LogManager, so thousands of
// partitions (three files per segment) never exceed `maxOpen` descriptors. A descriptor in use by
// an async fsync is pinned and not closed until released.
import type { FileSystem } from './fs.ts';

interface Entry {
  fd: number;
  pins: number;
  doomed: boolean;
}

export class FdCache {
  private open = new Map<string, Entry>();
  private mruPath: string | null = null;
  private mruFd = -1;
  constructor(
    readonly fs: FileSystem,
    readonly maxOpen = 1024,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** The descriptor for `path` (read/write), opening it (and creating the file when `create`) if needed. */
  get(path: string, create = false): number {
    if (path === this.mruPath) return this.mruFd; // hot path: the same file again (appends, scans)
    const e = this.open.get(path);
    if (e) {
      this.open.delete(path);
      this.open.set(path, e);
      this.mruPath = path;
      this.mruFd = e.fd;
      return e.fd;
    }
    this.evict(this.maxOpen - 1);
    const fd = this.fs.openSync(path, create);
    this.open.set(path, { fd, pins: 0, doomed: false });
    this.mruPath = path;
    this.mruFd = fd;
    return fd;
  }

  /**
   * Like get, but the descriptor stays open until `release()` is called, even if the path is
   * closed or evicted meanwhile (for async operations such as fsync).
   */
  pin(path: string, create = false): { fd: number; release: () => void } {
    const fd = this.get(path, create);
    const e = this.open.get(path)!;
    e.pins++;
    let released = false;
    return {
      fd,
      release: () => {
        if (released) return;
        released = true;
        e.pins--;
        if (e.pins === 0 && e.doomed) this.fs.closeSync(e.fd);
        else if (this.open.size > this.maxOpen) this.evict(this.maxOpen);
      },
    };
  }

  private evict(target: number): void {
    if (this.open.size <= target) return;
    for (const [path, e] of this.open) {
      if (this.open.size <= target) break;
      if (e.pins > 0) continue;
      this.open.delete(path);
      if (this.mruPath === path) this.mruPath = null;
      this.fs.closeSync(e.fd);
    }
  }

  /** Closes the descriptor of `path` if open (before delete or rename). */
  close(path: string): void {
    const e = this.open.get(path);
    if (!e) return;
    this.open.delete(path);
    if (this.mruPath === path) this.mruPath = null;
    this.closeEntry(e);
  }

  /** Closes now, or when the last pin is released. */
  private closeEntry(e: Entry): void {
    if (e.pins > 0) e.doomed = true;
    else this.fs.closeSync(e.fd);
  }

  /** Closes every descriptor whose path starts with `prefix`. */
  closeUnder(prefix: string): void {
    for (const path of [...this.open.keys()]) if (path.startsWith(prefix)) this.close(path);
  }

  closeAll(): void {
    for (const e of this.open.values()) this.closeEntry(e);
    this.open.clear();
    this.mruPath = null;
  }
}
