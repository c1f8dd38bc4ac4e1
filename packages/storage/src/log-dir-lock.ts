// The `.lock` file of a log directory: a broker owns its log dirs while it runs (Kafka's
// LogManager.lockLogDirs, which takes an OS FileLock on `<dir>/.lock` and refuses to start with
// "Failed to acquire lock on file .lock in <dir>. A Kafka instance in another process or thread is
// using this directory."). Node has no OS-level file lock, so here the file is created exclusively
// and holds its owner's pid:
//
//   no .lock                       created with this process's pid: the dir is ours
//   .lock of a live process        refused (LogDirInUseError, naming the pid and the file)
//   .lock of this process          refused while this process holds it (a second in-process broker)
//   .lock of a dead process        stale (the owner was killed): taken over
//
// release() deletes the file (only when it still names this process). Limits: a pid reused by an
// unrelated live process keeps the dir refused (the message says to delete the file then), and two
// processes taking over the same stale file at the same instant can both succeed (the check and
// the takeover are separate steps); an OS lock has neither problem.
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const LOCK_FILE = '.lock';

export class LogDirInUseError extends Error {
  override name = 'LogDirInUseError';
}

export interface LogDirLock {
  readonly dir: string;
  /** Deletes the lock file (once; only when it still names this process). */
  release(): void;
}

/** Dirs (resolved paths) locked by this process. */
const held = new Set<string>();

/** The pid in a lock file, or null when it has none (empty, garbled, absent). */
function readOwner(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Whether a process with this pid exists (EPERM: it does, owned by another user). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function inUse(dir: string, file: string, pid: number): LogDirInUseError {
  const who = pid === process.pid ? 'this process (another broker in it)' : `process ${pid}`;
  return new LogDirInUseError(
    `Failed to acquire lock on file ${LOCK_FILE} in ${dir}: a broker in ${who} is using this directory. ` +
      `Stop it, or give this broker other log.dirs. If no broker is running, delete ${file}.`,
  );
}

/** Locks `dir` (created when missing) for this process; throws LogDirInUseError when a live broker owns it. */
export function lockLogDir(dir: string): LogDirLock {
  const path = resolve(dir);
  const file = join(path, LOCK_FILE);
  if (held.has(path)) throw inUse(path, file, process.pid);
  mkdirSync(path, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const owner = readOwner(file);
      if (owner !== null && owner !== process.pid && isAlive(owner)) throw inUse(path, file, owner);
      // stale: its owner is gone (or it names no process, or this process from a run it did not release)
      try {
        unlinkSync(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    held.add(path);
    let released = false;
    return {
      dir: path,
      release() {
        if (released) return;
        released = true;
        held.delete(path);
        if (readOwner(file) !== process.pid) return;
        try {
          unlinkSync(file);
        } catch {
          // gone already (the dir was removed): nothing to release
        }
      },
    };
  }
}

/**
 * Locks every dir, or none: throws (releasing those already locked) when a live broker owns one. A
 * dir that cannot be locked for another reason (an I/O error) goes to `onIoError` when given (Kafka
 * logs it and the LogManager takes that dir offline), else throws too.
 */
export function lockLogDirs(dirs: readonly string[], onIoError?: (dir: string, err: Error) => void): LogDirLock[] {
  const locks: LogDirLock[] = [];
  try {
    for (const dir of new Set(dirs.map((d) => resolve(d)))) {
      try {
        locks.push(lockLogDir(dir));
      } catch (err) {
        if (err instanceof LogDirInUseError || !onIoError) throw err;
        onIoError(dir, err as Error);
      }
    }
  } catch (err) {
    for (const l of locks) l.release();
    throw err;
  }
  return locks;
}
