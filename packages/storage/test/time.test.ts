// The time seam: MockTime's deterministic timers and periodic tasks, SystemTime's periodic tasks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MockTime } from '../src/mock-time.ts';
import { SystemTime } from '../src/time.ts';

test('MockTime: timers fire in deadline order (ties in scheduling order) with the clock at their deadline', async () => {
  const time = new MockTime(1000);
  const fired: string[] = [];
  const at = (name: string) => () => {
    fired.push(`${name}@${time.now()}`);
  };
  time.setTimeout(at('c'), 30);
  time.setTimeout(at('a'), 10);
  time.setTimeout(at('b1'), 20);
  time.setTimeout(at('b2'), 20);
  const cancel = time.setTimeout(at('never'), 15);
  cancel();
  assert.equal(time.nextTimerAt(), 1010);
  await time.advance(20);
  assert.deepEqual(fired, ['a@1010', 'b1@1020', 'b2@1020']);
  assert.equal(time.now(), 1020);
  await time.advance(100);
  assert.deepEqual(fired.slice(3), ['c@1030']);
  assert.equal(time.now(), 1120);
  assert.equal(time.nextTimerAt(), null);
});

test('MockTime: timers scheduled while advancing fire in the same advance when due; sync timers run before advance returns', () => {
  const time = new MockTime(0);
  const fired: number[] = [];
  time.setTimeout(() => {
    fired.push(time.now());
    time.setTimeout(() => fired.push(time.now()), 5);
  }, 10);
  void time.advance(20); // no task returns a promise: everything ran synchronously
  assert.deepEqual(fired, [10, 15]);
  assert.equal(time.now(), 20);
});

test('MockTime: periodic tasks re-arm after their deadline, async runs are awaited in order, cancel stops them', async () => {
  const time = new MockTime(0);
  const runs: string[] = [];
  const cancelSlow = time.schedule('slow', 100, async () => {
    runs.push(`slow@${time.now()}`);
    await new Promise((r) => setImmediate(r));
    runs.push(`slow-done@${time.now()}`);
  });
  time.schedule(
    'fast',
    40,
    () => {
      runs.push(`fast@${time.now()}`);
    },
    0,
  );
  await time.advance(200);
  assert.deepEqual(runs, [
    'fast@0',
    'fast@40',
    'fast@80',
    'slow@100',
    'slow-done@100',
    'fast@120',
    'fast@160',
    'slow@200',
    'slow-done@200',
    'fast@200',
  ]);
  cancelSlow();
  runs.length = 0;
  await time.advance(100);
  assert.deepEqual(runs, ['fast@240', 'fast@280']);
});

test('MockTime: errors reach the caller of advance', async () => {
  const time = new MockTime(0);
  time.setTimeout(() => {
    throw new Error('sync boom');
  }, 1);
  assert.throws(() => time.advance(1), /sync boom/);
  time.schedule('t', 10, async () => {
    throw new Error('async boom');
  });
  await assert.rejects(time.advance(10), /async boom/);
});

test('SystemTime: a periodic task never overlaps itself, errors go to onError and the task keeps running', async () => {
  const errors: string[] = [];
  const time = new SystemTime({ onError: (name, err) => errors.push(`${name}: ${(err as Error).message}`), unref: false });
  let running = 0;
  let maxRunning = 0;
  let runs = 0;
  let cancel = () => {};
  await new Promise<void>((resolve) => {
    cancel = time.schedule(
      't',
      1,
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        if (++runs === 3) resolve();
        throw new Error(`run ${runs}`);
      },
      0,
    );
  });
  cancel();
  assert.equal(maxRunning, 1);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(errors, ['t: run 1', 't: run 2', 't: run 3']);
  assert.ok(time.now() - Date.now() <= 1);
  let fired = false;
  time.setTimeout(() => {
    fired = true;
  }, 1)();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(fired, false, 'cancelled before it fired');
});
