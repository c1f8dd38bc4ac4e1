// The `.lock` file of a log dir (log-dir-lock.ts): created with this process's pid, refused while a
// live process (or this one) holds it, taken over from a dead owner, deleted on release.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_FILE, LogDirInUseError, lockLogDir, lockLogDirs } from '../src/index.ts';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tributary-lock-'));
}

/** The pid of a process that has exited (so no process has it, barring reuse). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('lockLogDir', () => {
  it('creates .lock with this pid (and the dir when missing) and deletes it on release', () => {
    const root = tempDir();
    try {
      const dir = join(root, 'a', 'b');
      const lock = lockLogDir(dir);
      assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8'), `${process.pid}\n`);
      lock.release();
      assert.equal(existsSync(join(dir, LOCK_FILE)), false);
      lock.release(); // idempotent
      lockLogDir(dir).release(); // free again
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses a dir this process holds (a second in-process broker), with the file named', () => {
    const dir = tempDir();
    try {
      const lock = lockLogDir(dir);
      assert.throws(
        () => lockLogDir(`${dir}/.`),
        (err: Error) =>
          err instanceof LogDirInUseError &&
          err.message.includes(`Failed to acquire lock on file .lock in ${dir}`) &&
          err.message.includes('this process'),
      );
      lock.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a dir whose .lock names a live process, and leaves the file alone', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, LOCK_FILE), `${child.pid}\n`);
      assert.throws(
        () => lockLogDir(dir),
        (err: Error) =>
          err instanceof LogDirInUseError &&
          err.message.includes(`a broker in process ${child.pid} is using this directory`) &&
          err.message.includes(`delete ${join(dir, LOCK_FILE)}`),
      );
      assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8'), `${child.pid}\n`);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes over a stale .lock (its owner is dead, or it names no process)', () => {
    const dir = tempDir();
    try {
      for (const stale of [`${deadPid()}\n`, '', 'garbage']) {
        writeFileSync(join(dir, LOCK_FILE), stale);
        const lock = lockLogDir(dir);
        assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8'), `${process.pid}\n`);
        lock.release();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lockLogDirs locks all or none', () => {
    const [a, b] = [tempDir(), tempDir()];
    try {
      const held = lockLogDir(b);
      assert.throws(() => lockLogDirs([a, b]), LogDirInUseError);
      assert.equal(existsSync(join(a, LOCK_FILE)), false, 'the first dir was released again');
      held.release();
      const locks = lockLogDirs([a, b, a]);
      assert.equal(locks.length, 2);
      for (const l of locks) l.release();
    } finally {
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }
  });
});
