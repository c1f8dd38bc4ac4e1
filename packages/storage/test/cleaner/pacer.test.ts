// The pacer: Kafka's Throttler arithmetic on a MockTime (exact sleeps, shared by every job), the
// event-loop slice on a fake clock (how much a job runs between yields), and aborts (before a step,
// after a yield, during a throttle sleep).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MockTime } from '../../src/mock-time.ts';
import { CleanAbortedError } from '../../src/cleaner/clean-job.ts';
import { Throttler } from '../../src/cleaner/throttler.ts';
import { CleanerPacing } from '../../src/cleaner/pacer.ts';

/** Whether a promise has settled, after the microtasks queued so far ran. */
async function isSettled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
}

test('Throttler: sleeps round(observed / desired-per-ms - elapsed) once a check interval passed, as Kafka', () => {
  const time = new MockTime(0);
  const t = new Throttler(1000, 300, time);
  assert.equal(t.maybeThrottle(500), 0); // elapsed 0
  time.advance(300);
  assert.equal(t.maybeThrottle(500), 0); // elapsed 300: not past the interval
  time.advance(1);
  // 1500 bytes in 301 ms (4983 B/s) > 1000 B/s: sleep until 1500 ms have passed
  assert.equal(t.maybeThrottle(500), 1199);
  time.advance(100);
  assert.equal(t.maybeThrottle(200), 1099); // another job during the pause waits for its end
  time.advance(1099 + 301); // the next interval starts at the pause's end: 300 bytes in 301 ms
  assert.equal(t.maybeThrottle(100), 0);
  assert.equal(t.sleptMs, 1199);
  assert.equal(t.sleeps, 1);
});

test('Throttler: below the desired rate, and unthrottled (Double.MAX_VALUE), never sleeps', () => {
  const time = new MockTime(0);
  const slow = new Throttler(1000, 300, time);
  time.advance(1000);
  assert.equal(slow.maybeThrottle(999), 0); // 999 B/s
  const free = new Throttler(Number.MAX_VALUE, 300, time);
  time.advance(301);
  assert.equal(free.maybeThrottle(1e12), 0);
  assert.equal(free.throttling, false);
  assert.equal(slow.sleptMs + free.sleptMs, 0);
});

test('pacer: the throttle holds io.max.bytes.per.second across two jobs, the sleeps on the Time', async () => {
  const time = new MockTime(0);
  const pacing = new CleanerPacing({ time, ioMaxBytesPerSecond: 1000, clock: () => 0, sliceMs: 1000 });
  const a = pacing.pacer('a-0', () => null);
  const b = pacing.pacer('b-0', () => null);
  assert.equal(a.step(400, 100), undefined);
  await time.advance(301);
  const pauseA = a.step(600, 400); // 1500 bytes read + written by both jobs in 301 ms
  assert.ok(pauseA instanceof Promise);
  await time.advance(500);
  const pauseB = b.step(0, 0); // b reports during a's pause: it waits until the same deadline
  assert.ok(pauseB instanceof Promise);
  await time.advance(698);
  assert.equal(await isSettled(pauseA), false);
  assert.equal(await isSettled(pauseB), false);
  await time.advance(1); // 1500 ms after the start: 1500 bytes at 1000 B/s
  assert.equal(await isSettled(pauseA), true);
  assert.equal(await isSettled(pauseB), true);
  assert.equal(time.now(), 1500);
  assert.equal(pacing.throttler.sleptMs, 1199);
  assert.deepEqual([a.sleeps, a.sleptMs, b.sleeps, b.sleptMs], [1, 1199, 1, 699]);
  assert.deepEqual([a.bytesRead + a.bytesWritten, b.bytesRead + b.bytesWritten], [1500, 0]);
});

test('pacer: a job runs at most one slice between yields to the event loop', async () => {
  let clock = 0;
  let yields = 0;
  const pacing = new CleanerPacing({
    time: new MockTime(0),
    ioMaxBytesPerSecond: Number.MAX_VALUE,
    sliceMs: 3,
    clock: () => clock,
    yieldToLoop: async () => {
      yields++;
      clock += 10; // the loop serves others meanwhile: not the job's time
    },
  });
  const pacer = pacing.pacer('t-0', () => null);
  // a job of 20 units of work, each 1 ms on the fake clock; record what step returned
  const kinds: string[] = [];
  let sinceResume = 0;
  let longestRun = 0;
  for (let i = 0; i < 20; i++) {
    clock += 1;
    sinceResume += 1;
    longestRun = Math.max(longestRun, sinceResume);
    const r = pacer.step(100, 0);
    kinds.push(r === undefined ? 's' : 'Y');
    if (r) {
      await r;
      sinceResume = 0;
    }
  }
  assert.equal(kinds.join(''), 'ssYssYssYssYssYssYss');
  assert.equal(longestRun, 3);
  assert.equal(yields, 6);
  assert.equal(pacer.yields, 6);
  assert.equal(pacer.longestSliceMs, 3);
  assert.equal(pacer.steps, 20);
  assert.equal(pacer.sleeps, 0);
});

test('pacer: on a busy loop a job takes about busyShare of it (it waits for the others), on an idle one it runs on', async () => {
  let clock = 0;
  let othersMs = 0;
  const time = new MockTime(0);
  const pacing = new CleanerPacing({
    time,
    ioMaxBytesPerSecond: Number.MAX_VALUE,
    sliceMs: 2,
    busyShare: 0.25,
    clock: () => clock,
    yieldToLoop: async () => {
      clock += othersMs; // what the rest of the loop did during the yield
    },
  });
  const pacer = pacing.pacer('t-0', () => null);
  // idle loop: a 0.5 ms turn; the job goes on at once
  othersMs = 0.5;
  clock += 2;
  await pacer.step(0, 0);
  assert.equal(pacer.backoffs, 0);
  // busy loop: the others took 2 ms of the turn after a 2 ms slice; at a 25% share they are owed
  // 2 x 3 = 6 ms, so the job waits 4 ms more (on the Time)
  othersMs = 2;
  clock += 2;
  const paused = pacer.step(0, 0)!;
  assert.equal(await isSettled(paused), false);
  time.advance(3);
  assert.equal(await isSettled(paused), false);
  time.advance(1);
  assert.equal(await isSettled(paused), true);
  assert.deepEqual([pacer.yields, pacer.backoffs, pacer.backoffMs], [2, 1, 4]);
});

test('pacer: step throws CleanAbortedError once aborted, also right after a yield', async () => {
  let reason: string | null = null;
  let clock = 0;
  const pacing = new CleanerPacing({
    time: new MockTime(0),
    ioMaxBytesPerSecond: Number.MAX_VALUE,
    sliceMs: 1,
    clock: () => clock,
    yieldToLoop: async () => {
      reason = 'the log was truncated to 5'; // aborted while the job was off the loop
    },
  });
  const pacer = pacing.pacer('t-0', () => reason);
  clock = 1;
  await assert.rejects(
    Promise.resolve(pacer.step(10, 0)),
    (e) => e instanceof CleanAbortedError && e.message === 'cleaning of t-0 aborted: the log was truncated to 5',
  );
  assert.throws(
    () => pacer.step(10, 0),
    (e) => e instanceof CleanAbortedError,
  );
  assert.equal(pacer.steps, 1);
});

test('pacer: an abort cuts a throttle sleep short', async () => {
  const time = new MockTime(0);
  let reason: string | null = null;
  const pacing = new CleanerPacing({ time, ioMaxBytesPerSecond: 10, clock: () => 0 });
  const pacer = pacing.pacer('t-0', () => reason);
  await time.advance(301);
  const pause = pacer.step(1000, 0); // 1000 bytes at 10 B/s: a 99699 ms sleep
  assert.ok(pause instanceof Promise);
  assert.equal(pacer.sleptMs, 99699);
  reason = 'the log cleaner is shutting down';
  pacer.wake();
  await assert.rejects(pause, CleanAbortedError);
  assert.equal(time.now(), 301);
  assert.equal(time.nextTimerAt(), null); // the sleep's timer was cancelled
});
