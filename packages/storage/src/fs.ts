// The filesystem seam: every byte the storage layer reads or writes goes through `FileSystem`, so
// tests can swap in an in-memory filesystem with injected faults (see memory-fs.ts). Small and hot
// operations are synchronous (positional write/read of one buffer is one syscall, and page-cache
// I/O is faster than a promise round trip); fsync has an async form so group commit can wait for
// the disk off the event loop while more appends arrive.
import * as nodeFs from 'node:fs';

export interface FileStat {
  size: number;
  mtimeMs: number;
  isDirectory: boolean;
}

export interface FileSystem {
  /** Opens read/write; creates the file when `create` is true, else fails (ENOENT) when absent. */
  openSync(path: string, create: boolean): number;
  closeSync(fd: number): void;
  /** Positional read; returns bytes read (0 at end of file). */
  readSync(fd: number, buf: Buffer, offset: number, length: number, position: number): number;
  /** Positional write; returns bytes written. */
  writeSync(fd: number, buf: Buffer, offset: number, length: number, position: number): number;
  fsyncSync(fd: number): void;
  fsync(fd: number): Promise<void>;
  ftruncateSync(fd: number, length: number): void;
  fstatSizeSync(fd: number): number;
  /** null when the path does not exist. */
  statSync(path: string): FileStat | null;
  readdirSync(path: string): string[];
  mkdirSync(path: string): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  /** Removes a directory and everything under it; no error when absent. */
  rmSync(path: string): void;
  /** null when the file does not exist. */
  readFileSync(path: string): Buffer | null;
  /** Fsyncs a directory so renames and creations in it survive a power loss. */
  fsyncDirSync(path: string): void;
  /**
   * True when the descriptors openSync returns are the kernel's, so other system calls
   * (sendfile(2) of the zero-copy fetch path) may use them; absent = not (in-memory, fault-injecting).
   */
  readonly kernelDescriptors?: boolean;
}

function enoent(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/** The real filesystem (node:fs). */
export class NodeFileSystem implements FileSystem {
  readonly kernelDescriptors = true;
  openSync(path: string, create: boolean): number {
    const { O_RDWR, O_CREAT } = nodeFs.constants;
    return nodeFs.openSync(path, create ? O_RDWR | O_CREAT : O_RDWR, 0o644);
  }
  closeSync(fd: number): void {
    nodeFs.closeSync(fd);
  }
  readSync(fd: number, buf: Buffer, offset: number, length: number, position: number): number {
    return nodeFs.readSync(fd, buf, offset, length, position);
  }
  writeSync(fd: number, buf: Buffer, offset: number, length: number, position: number): number {
    return nodeFs.writeSync(fd, buf, offset, length, position);
  }
  fsyncSync(fd: number): void {
    nodeFs.fsyncSync(fd);
  }
  fsync(fd: number): Promise<void> {
    return new Promise((resolve, reject) => nodeFs.fsync(fd, (err) => (err ? reject(err) : resolve())));
  }
  ftruncateSync(fd: number, length: number): void {
    nodeFs.ftruncateSync(fd, length);
  }
  fstatSizeSync(fd: number): number {
    return nodeFs.fstatSync(fd).size;
  }
  statSync(path: string): FileStat | null {
    try {
      const s = nodeFs.statSync(path);
      return { size: s.size, mtimeMs: s.mtimeMs, isDirectory: s.isDirectory() };
    } catch (err) {
      if (enoent(err)) return null;
      throw err;
    }
  }
  readdirSync(path: string): string[] {
    return nodeFs.readdirSync(path);
  }
  mkdirSync(path: string): void {
    nodeFs.mkdirSync(path, { recursive: true });
  }
  renameSync(from: string, to: string): void {
    nodeFs.renameSync(from, to);
  }
  unlinkSync(path: string): void {
    try {
      nodeFs.unlinkSync(path);
    } catch (err) {
      if (!enoent(err)) throw err;
    }
  }
  rmSync(path: string): void {
    nodeFs.rmSync(path, { recursive: true, force: true });
  }
  readFileSync(path: string): Buffer | null {
    try {
      return nodeFs.readFileSync(path);
    } catch (err) {
      if (enoent(err)) return null;
      throw err;
    }
  }
  fsyncDirSync(path: string): void {
    const fd = nodeFs.openSync(path, 'r');
    try {
      nodeFs.fsyncSync(fd);
    } finally {
      nodeFs.closeSync(fd);
    }
  }
}

/**
 * Crash-safe replacement of a small file: write `<path>.tmp`, fsync it, rename over `path`, fsync
 * the directory. A crash leaves either the old or the new content, never a mix.
 */
/**
 * Replaces a file crash-safely: write a .tmp, fsync it, rename it over the file, fsync the
 * directory — unless `syncDir` is false, when the caller fsyncs the directory itself afterwards.
 */
export function replaceFileAtomic(fs: FileSystem, path: string, data: Buffer, syncDir = true): void {
  const tmp = `${path}.tmp`;
  const fd = fs.openSync(tmp, true);
  try {
    fs.ftruncateSync(fd, 0);
    let off = 0;
    while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off, off);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path);
  if (syncDir) fs.fsyncDirSync(dirOf(path));
}

export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? (i === 0 ? '/' : '.') : path.slice(0, i);
}

/** Reads exactly `length` bytes at `position` (fewer only at end of file). */
export function readFully(fs: FileSystem, fd: number, buf: Buffer, offset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}
