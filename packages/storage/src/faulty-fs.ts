// A FileSystem decorator that fails every operation under chosen directories with an errno code
// (EIO, ENOSPC, EROFS...), as a failing or full disk does: the seam JBOD tests use to take one log
// directory offline while the others keep working. Wraps any FileSystem (the real one in broker
// tests, MemoryFileSystem in storage tests). Operations on a descriptor fail when the file it was
// opened on is under a failed directory; `heal` clears a failure (the disk is back).
//
// For fault matrices (every step of an operation): `record` lists the operations under a dir that
// a fault of a given code would refuse (the steps), `failAtStep` lets the first `n` of them pass and
// fails the dir from the next one on, and `tornWrites` makes a refused write land half its bytes
// first (a torn write, as a full or failing disk may leave).
import type { FileStat, FileSystem } from './fs.ts';

export type FaultCode = 'EIO' | 'ENOSPC' | 'EROFS';

function fault(code: FaultCode, op: string, path: string): NodeJS.ErrnoException {
  const messages: Record<FaultCode, string> = {
    EIO: 'i/o error',
    ENOSPC: 'no space left on device',
    EROFS: 'read-only file system',
  };
  const err = new Error(`${code}: ${messages[code]}, ${op} '${path}'`) as NodeJS.ErrnoException;
  err.code = code;
  err.syscall = op;
  err.path = path;
  return err;
}

export class FaultyFileSystem implements FileSystem {
  private failed = new Map<string, { code: FaultCode; reads: boolean }>();
  private paths = new Map<number, string>();
  /** Operations refused so far. */
  faultsRaised = 0;
  /** A refused write lands half its bytes before the error (a torn write). */
  tornWrites = false;
  private armed: { dir: string; code: FaultCode; reads: boolean; passes: number } | null = null;
  private recording: { dir: string; reads: boolean; steps: string[] } | null = null;

  constructor(readonly inner: FileSystem) {}

  /**
   * Makes every write, fsync, create, rename and delete under `dir` fail with `code`; reads too
   * unless `reads` is false (ENOSPC and EROFS leave reads working, EIO usually does not).
   */
  fail(dir: string, code: FaultCode, reads = code === 'EIO'): void {
    this.failed.set(dir.endsWith('/') ? dir.slice(0, -1) : dir, { code, reads });
  }
  heal(dir: string): void {
    this.failed.delete(dir.endsWith('/') ? dir.slice(0, -1) : dir);
    if (this.armed?.dir === trim(dir)) this.armed = null;
  }

  /**
   * Starts listing the operations under `dir` that a fault of `code` would refuse ("<op> <path
   * relative to dir>"); `stopRecording` returns them. Reads count only for EIO (as `fail`).
   */
  record(dir: string, code: FaultCode): void {
    this.recording = { dir: trim(dir), reads: code === 'EIO', steps: [] };
  }
  stopRecording(): string[] {
    const steps = this.recording?.steps ?? [];
    this.recording = null;
    return steps;
  }

  /** The next `n` operations under `dir` that `code` would refuse pass; from the one after, the dir fails as with `fail`. */
  failAtStep(dir: string, code: FaultCode, n: number): void {
    this.armed = { dir: trim(dir), code, reads: code === 'EIO', passes: n };
  }

  private check(path: string | undefined, op: string, read = false): void {
    if (path === undefined) return;
    const rec = this.recording;
    if (rec && under(path, rec.dir) && (!read || rec.reads)) rec.steps.push(`${op} ${path.slice(rec.dir.length + 1) || '.'}`);
    const a = this.armed;
    if (a && under(path, a.dir) && (!read || a.reads)) {
      if (a.passes-- <= 0) {
        this.armed = null;
        this.fail(a.dir, a.code, a.reads);
      }
    }
    for (const [dir, f] of this.failed) {
      if ((path === dir || path.startsWith(`${dir}/`)) && (!read || f.reads)) {
        this.faultsRaised++;
        throw fault(f.code, op, path);
      }
    }
  }
  private checkFd(fd: number, op: string, read = false): void {
    this.check(this.paths.get(fd), op, read);
  }

  openSync(path: string, create: boolean): number {
    this.check(path, 'open', !create);
    const fd = this.inner.openSync(path, create);
    this.paths.set(fd, path);
    return fd;
  }
  closeSync(fd: number): void {
    this.paths.delete(fd);
    this.inner.closeSync(fd);
  }
  readSync(fd: number, buf: Buffer, offset: number, length: number, position: number): number {
    this.checkFd(fd, 'read', true);
    return this.inner.readSync(fd, buf, offset, length, position);
  }
  writeSync(fd: number, buf: Buffer, offset: number, length: number, position: number): number {
    try {
      this.checkFd(fd, 'write');
    } catch (err) {
      if (this.tornWrites && length > 1) this.inner.writeSync(fd, buf, offset, length >> 1, position);
      throw err;
    }
    return this.inner.writeSync(fd, buf, offset, length, position);
  }
  fsyncSync(fd: number): void {
    this.checkFd(fd, 'fsync');
    this.inner.fsyncSync(fd);
  }
  async fsync(fd: number): Promise<void> {
    this.checkFd(fd, 'fsync');
    return this.inner.fsync(fd);
  }
  ftruncateSync(fd: number, length: number): void {
    this.checkFd(fd, 'ftruncate');
    this.inner.ftruncateSync(fd, length);
  }
  fstatSizeSync(fd: number): number {
    this.checkFd(fd, 'fstat', true);
    return this.inner.fstatSizeSync(fd);
  }
  statSync(path: string): FileStat | null {
    this.check(path, 'stat', true);
    return this.inner.statSync(path);
  }
  readdirSync(path: string): string[] {
    this.check(path, 'scandir', true);
    return this.inner.readdirSync(path);
  }
  mkdirSync(path: string): void {
    this.check(path, 'mkdir');
    this.inner.mkdirSync(path);
  }
  renameSync(from: string, to: string): void {
    this.check(from, 'rename');
    this.check(to, 'rename');
    this.inner.renameSync(from, to);
  }
  unlinkSync(path: string): void {
    this.check(path, 'unlink');
    this.inner.unlinkSync(path);
  }
  rmSync(path: string): void {
    this.check(path, 'rm');
    this.inner.rmSync(path);
  }
  readFileSync(path: string): Buffer | null {
    this.check(path, 'open', true);
    return this.inner.readFileSync(path);
  }
  fsyncDirSync(path: string): void {
    this.check(path, 'fsync');
    this.inner.fsyncDirSync(path);
  }
}

function trim(dir: string): string {
  return dir.endsWith('/') ? dir.slice(0, -1) : dir;
}

function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}
