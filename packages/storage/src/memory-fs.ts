// An in-memory FileSystem for tests, with fault injection: torn writes (only part of a write lands,
// then an error), failed fsyncs, a full disk (ENOSPC), and `crash()` which throws away everything
// not fsynced (what a power loss does to the page cache). Paths are plain strings; directories are
// tracked so readdir works.
import type { FileStat, FileSystem } from './fs.ts';
import { MockTime } from './mock-time.ts';
import type { Time } from './time.ts';

interface MemFile {
  data: Buffer;
  length: number;
  synced: Buffer;
  mtimeMs: number;
}

export interface Faults {
  /** The next write lands only this many bytes, then throws EIO. */
  tornWriteAfterBytes?: number;
  /** Every fsync throws EIO while true. */
  failFsync?: boolean;
  /** Writes that would make the total stored bytes exceed this throw ENOSPC (writing nothing). */
  diskCapacityBytes?: number;
}

function fsError(code: string, message: string): NodeJS.ErrnoException {
  const err = new Error(`${code}: ${message}`) as NodeJS.ErrnoException;
  err.code = code;
  return err;
}

function norm(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

export class MemoryFileSystem implements FileSystem {
  private files = new Map<string, MemFile>();
  private dirs = new Set<string>(['/']);
  private fds = new Map<number, { path: string; file: MemFile }>();
  private nextFd = 3;
  readonly faults: Faults = {};
  /** Counters for assertions. */
  stats = { writes: 0, fsyncs: 0, dirFsyncs: 0, opens: 0 };

  /** File mtimes come from `time` (default: always 0). */
  constructor(private readonly time: Time = new MockTime(0)) {}

  get openFdCount(): number {
    return this.fds.size;
  }

  private storedBytes(): number {
    let n = 0;
    for (const f of this.files.values()) n += f.length;
    return n;
  }

  private fd(fd: number): MemFile {
    const e = this.fds.get(fd);
    if (!e) throw fsError('EBADF', `bad file descriptor ${fd}`);
    return e.file;
  }

  openSync(path: string, create: boolean): number {
    path = norm(path);
    let file = this.files.get(path);
    if (!file) {
      if (!create) throw fsError('ENOENT', `no such file '${path}'`);
      const parent = path.slice(0, Math.max(1, path.lastIndexOf('/')));
      if (!this.dirs.has(parent)) throw fsError('ENOENT', `no such directory '${parent}'`);
      file = { data: Buffer.alloc(0), length: 0, synced: Buffer.alloc(0), mtimeMs: this.time.now() };
      this.files.set(path, file);
    }
    const fd = this.nextFd++;
    this.fds.set(fd, { path, file });
    this.stats.opens++;
    return fd;
  }
  closeSync(fd: number): void {
    if (!this.fds.delete(fd)) throw fsError('EBADF', `bad file descriptor ${fd}`);
  }
  readSync(fd: number, buf: Buffer, offset: number, length: number, position: number): number {
    const f = this.fd(fd);
    if (position >= f.length) return 0;
    const n = Math.min(length, f.length - position);
    f.data.copy(buf, offset, position, position + n);
    return n;
  }
  writeSync(fd: number, buf: Buffer, offset: number, length: number, position: number): number {
    const f = this.fd(fd);
    this.stats.writes++;
    const growth = Math.max(0, position + length - f.length);
    if (this.faults.diskCapacityBytes !== undefined && this.storedBytes() + growth > this.faults.diskCapacityBytes) {
      throw fsError('ENOSPC', 'no space left on device');
    }
    let n = length;
    let torn = false;
    if (this.faults.tornWriteAfterBytes !== undefined) {
      n = Math.min(length, this.faults.tornWriteAfterBytes);
      this.faults.tornWriteAfterBytes = undefined;
      torn = true;
    }
    this.ensure(f, position + n);
    buf.copy(f.data, position, offset, offset + n);
    if (position + n > f.length) f.length = position + n;
    f.mtimeMs = this.time.now();
    if (torn) throw fsError('EIO', `torn write: ${n} of ${length} bytes written`);
    return n;
  }
  private ensure(f: MemFile, size: number): void {
    if (size <= f.data.length) return;
    const next = Buffer.alloc(Math.max(size, f.data.length * 2, 256));
    f.data.copy(next, 0, 0, f.length);
    f.data = next;
  }
  fsyncSync(fd: number): void {
    const f = this.fd(fd);
    this.stats.fsyncs++;
    if (this.faults.failFsync) throw fsError('EIO', 'fsync failed');
    f.synced = Buffer.from(f.data.subarray(0, f.length));
  }
  fsync(fd: number): Promise<void> {
    return new Promise((resolve, reject) => {
      setImmediate(() => {
        try {
          this.fsyncSync(fd);
          resolve();
        } catch (err) {
          reject(err);
        }
      });
    });
  }
  ftruncateSync(fd: number, length: number): void {
    const f = this.fd(fd);
    if (length > f.length) {
      this.ensure(f, length);
      f.data.fill(0, f.length, length);
    }
    f.length = length;
  }
  fstatSizeSync(fd: number): number {
    return this.fd(fd).length;
  }
  statSync(path: string): FileStat | null {
    path = norm(path);
    if (this.dirs.has(path)) return { size: 0, mtimeMs: 0, isDirectory: true };
    const f = this.files.get(path);
    return f ? { size: f.length, mtimeMs: f.mtimeMs, isDirectory: false } : null;
  }
  readdirSync(path: string): string[] {
    path = norm(path);
    if (!this.dirs.has(path)) throw fsError('ENOENT', `no such directory '${path}'`);
    const prefix = path === '/' ? '/' : `${path}/`;
    const out = new Set<string>();
    for (const p of [...this.files.keys(), ...this.dirs]) {
      if (p.startsWith(prefix) && p.length > prefix.length) {
        const rest = p.slice(prefix.length);
        if (!rest.includes('/')) out.add(rest);
      }
    }
    return [...out].sort();
  }
  mkdirSync(path: string): void {
    path = norm(path);
    const parts = path.split('/').filter(Boolean);
    let cur = '';
    for (const p of parts) {
      cur += `/${p}`;
      this.dirs.add(cur);
    }
  }
  renameSync(from: string, to: string): void {
    from = norm(from);
    to = norm(to);
    const f = this.files.get(from);
    if (f) {
      this.files.delete(from);
      this.files.set(to, f);
      return;
    }
    if (!this.dirs.has(from)) throw fsError('ENOENT', `no such file '${from}'`);
    const moves: Array<[string, string]> = [];
    for (const p of this.files.keys()) if (p.startsWith(`${from}/`)) moves.push([p, to + p.slice(from.length)]);
    for (const [a, b] of moves) {
      this.files.set(b, this.files.get(a)!);
      this.files.delete(a);
    }
    for (const d of [...this.dirs]) {
      if (d === from || d.startsWith(`${from}/`)) {
        this.dirs.delete(d);
        this.dirs.add(to + d.slice(from.length));
      }
    }
  }
  unlinkSync(path: string): void {
    this.files.delete(norm(path));
  }
  rmSync(path: string): void {
    path = norm(path);
    this.files.delete(path);
    for (const p of [...this.files.keys()]) if (p.startsWith(`${path}/`)) this.files.delete(p);
    for (const d of [...this.dirs]) if (d === path || d.startsWith(`${path}/`)) this.dirs.delete(d);
  }
  readFileSync(path: string): Buffer | null {
    const f = this.files.get(norm(path));
    return f ? Buffer.from(f.data.subarray(0, f.length)) : null;
  }
  fsyncDirSync(_path: string): void {
    this.stats.dirFsyncs++;
    if (this.faults.failFsync) throw fsError('EIO', 'fsync failed');
  }

  /** Test helper: raw bytes of a file (a copy). */
  bytes(path: string): Buffer {
    const b = this.readFileSync(path);
    if (!b) throw fsError('ENOENT', `no such file '${path}'`);
    return b;
  }
  /** Test helper: create or replace a file with `data` (not fsynced). */
  put(path: string, data: Buffer | string): void {
    const fd = this.openSync(path, true);
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    this.ftruncateSync(fd, 0);
    this.writeSync(fd, buf, 0, buf.length, 0);
    this.closeSync(fd);
  }
  /** Test helper: overwrite bytes in a file directly (simulated bit rot). */
  poke(path: string, position: number, data: Buffer): void {
    const f = this.files.get(norm(path));
    if (!f) throw fsError('ENOENT', `no such file '${path}'`);
    this.ensure(f, position + data.length);
    data.copy(f.data, position);
    f.length = Math.max(f.length, position + data.length);
  }
  /** Test helper: shorten or extend a file directly. */
  setLength(path: string, length: number): void {
    const f = this.files.get(norm(path));
    if (!f) throw fsError('ENOENT', `no such file '${path}'`);
    this.ensure(f, length);
    if (length > f.length) f.data.fill(0, f.length, length);
    f.length = length;
  }
  /**
   * Simulates a power loss: every file reverts to its last fsynced content, open descriptors are
   * gone. (Files never fsynced become empty.)
   */
  crash(): void {
    this.fds.clear();
    for (const f of this.files.values()) {
      f.data = Buffer.from(f.synced);
      f.length = f.synced.length;
    }
  }
}
