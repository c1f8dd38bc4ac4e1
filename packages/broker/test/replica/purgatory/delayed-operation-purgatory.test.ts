// DelayedOperationPurgatory and DelayedOperation: complete at once or watch, several keys per
// operation, exactly-once completion (by a check, the timer on MockTime, or force), and nothing
// left watched afterwards.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MockTime } from '@tributary/storage';
import { DelayedOperation } from '../../../src/replica/purgatory/delayed-operation.ts';
import { DelayedOperationPurgatory } from '../../../src/replica/purgatory/delayed-operation-purgatory.ts';

class TestOp extends DelayedOperation {
  ready = false;
  checks = 0;
  completions = 0;
  expirations = 0;

  /** `journal` records `expire <name>` and `complete <name>` in call order (may be shared). */
  constructor(
    delayMs: number,
    readonly name = '',
    readonly journal: string[] = [],
  ) {
    super(delayMs);
  }

  tryComplete(): boolean {
    this.checks++;
    return this.ready && this.forceComplete();
  }

  protected onComplete(): void {
    this.completions++;
    this.journal.push(`complete ${this.name}`);
  }

  protected override onExpiration(): void {
    this.expirations++;
    this.journal.push(`expire ${this.name}`);
  }
}

function setup() {
  const time = new MockTime(0);
  return { time, purgatory: new DelayedOperationPurgatory<TestOp>('Test', time) };
}

describe('DelayedOperationPurgatory.tryCompleteElseWatch', () => {
  it('completes an operation that can complete now: not watched, no timer', () => {
    const { time, purgatory } = setup();
    const op = new TestOp(1000);
    op.ready = true;
    assert.equal(purgatory.tryCompleteElseWatch(op, ['a']), true);
    assert.deepEqual([op.isCompleted, op.completions, op.checks, purgatory.size], [true, 1, 1, 0]);
    assert.equal(time.nextTimerAt(), null);
  });

  it('an operation already completed is answered true without a check', () => {
    const { purgatory } = setup();
    const op = new TestOp(1000);
    op.forceComplete();
    assert.equal(purgatory.tryCompleteElseWatch(op, ['a']), true);
    assert.deepEqual([op.checks, op.completions, purgatory.size], [0, 1, 0]);
  });

  it('otherwise watches it on every key and arms its timer at now + delayMs', async () => {
    const { time, purgatory } = setup();
    await time.advance(50);
    const op = new TestOp(1000);
    assert.equal(purgatory.tryCompleteElseWatch(op, ['a', 'b']), false);
    assert.deepEqual([op.isCompleted, purgatory.size], [false, 1]); // one operation on two keys
    assert.equal(time.nextTimerAt(), 1050);
  });
});

describe('DelayedOperationPurgatory.checkAndComplete', () => {
  it('re-checks the operations watching a key and counts those that completed', () => {
    const { purgatory } = setup();
    const ops = [new TestOp(1000), new TestOp(1000), new TestOp(1000)];
    for (const op of ops) purgatory.tryCompleteElseWatch(op, ['a']);
    assert.equal(purgatory.checkAndComplete('a'), 0);
    ops[0]!.ready = ops[2]!.ready = true;
    assert.equal(purgatory.checkAndComplete('b'), 0); // nobody watches b
    assert.equal(purgatory.checkAndComplete('a'), 2);
    assert.deepEqual(
      ops.map((o) => [o.checks, o.completions]),
      [
        [3, 1],
        [3, 0],
        [3, 1],
      ],
    );
    assert.equal(purgatory.size, 1);
    assert.equal(purgatory.checkAndComplete('a'), 0);
    assert.deepEqual(
      ops.map((o) => o.checks),
      [3, 4, 3],
    ); // completed ones are no longer checked
  });

  it('an operation completed through one key is removed from its other keys, and its timer cancelled', async () => {
    const { time, purgatory } = setup();
    const op = new TestOp(1000);
    purgatory.tryCompleteElseWatch(op, ['a', 'b', 'c']);
    op.ready = true;
    assert.equal(purgatory.checkAndComplete('b'), 1);
    assert.equal(purgatory.size, 0);
    assert.equal(purgatory.checkAndComplete('a'), 0);
    assert.equal(purgatory.checkAndComplete('c'), 0);
    assert.equal(op.checks, 2); // the first try and key b only
    assert.equal(time.nextTimerAt(), null);
    await time.advance(5000);
    assert.deepEqual([op.completions, op.expirations], [1, 0]);
  });
});

describe('DelayedOperation expiry', () => {
  it("the timer calls onExpiration once, then onComplete, at exactly delayMs on the purgatory's Time", async () => {
    const { time, purgatory } = setup();
    const op = new TestOp(300, 'x');
    purgatory.tryCompleteElseWatch(op, ['a', 'b']);
    await time.advance(299);
    assert.equal(op.isCompleted, false);
    await time.advance(1);
    assert.deepEqual(op.journal, ['expire x', 'complete x']);
    assert.equal(purgatory.size, 0); // no leak of a timed-out operation
    await time.advance(10_000);
    assert.deepEqual([op.expirations, op.completions], [1, 1]);
    op.ready = true;
    assert.equal(op.tryComplete(), false);
    assert.equal(op.forceComplete(), false);
    assert.equal(op.completions, 1);
  });

  it('a zero delay expires on the next advance', async () => {
    const { time, purgatory } = setup();
    const op = new TestOp(0);
    purgatory.tryCompleteElseWatch(op, ['a']);
    assert.equal(op.isCompleted, false);
    await time.advance(0);
    assert.deepEqual([op.expirations, purgatory.size], [1, 0]);
  });

  it('many operations expire in deadline order and all leave the purgatory', async () => {
    const { time, purgatory } = setup();
    const journal: string[] = [];
    const ops = [500, 100, 300].map((d) => {
      const op = new TestOp(d, String(d), journal);
      purgatory.tryCompleteElseWatch(op, [`k${d}`, 'shared']);
      return op;
    });
    await time.advance(1000);
    assert.deepEqual(journal, ['expire 100', 'complete 100', 'expire 300', 'complete 300', 'expire 500', 'complete 500']);
    assert.deepEqual(
      ops.map((o) => o.expirations),
      [1, 1, 1],
    );
    assert.equal(purgatory.size, 0);
  });
});

describe('forced completion', () => {
  it('completeKey forces only the operations watching that key; no onExpiration', async () => {
    const { time, purgatory } = setup();
    const onA = new TestOp(1000);
    const onAB = new TestOp(1000);
    const onB = new TestOp(1000);
    purgatory.tryCompleteElseWatch(onA, ['a']);
    purgatory.tryCompleteElseWatch(onAB, ['a', 'b']);
    purgatory.tryCompleteElseWatch(onB, ['b']);
    purgatory.completeKey('zzz');
    assert.equal(purgatory.size, 3);
    purgatory.completeKey('a');
    assert.deepEqual(
      [onA, onAB, onB].map((o) => o.completions),
      [1, 1, 0],
    );
    assert.equal(purgatory.size, 1);
    assert.equal(purgatory.checkAndComplete('b'), 0);
    assert.equal(onAB.checks, 1); // gone from b as well
    await time.advance(1000);
    assert.deepEqual(
      [onA, onAB, onB].map((o) => [o.expirations, o.completions]),
      [
        [0, 1],
        [0, 1],
        [1, 1],
      ],
    );
  });

  it('completeAll forces every waiting operation once (broker stop)', async () => {
    const { time, purgatory } = setup();
    const ops = Array.from({ length: 5 }, (_, i) => new TestOp(1000 + i));
    for (const [i, op] of ops.entries()) purgatory.tryCompleteElseWatch(op, [`k${i % 2}`, 'all']);
    purgatory.completeAll();
    assert.deepEqual(
      ops.map((o) => o.completions),
      [1, 1, 1, 1, 1],
    );
    assert.equal(purgatory.size, 0);
    assert.equal(time.nextTimerAt(), null);
    await time.advance(5000);
    assert.deepEqual(
      ops.map((o) => o.expirations),
      [0, 0, 0, 0, 0],
    );
  });

  it('forceComplete by the operation itself (an abort) unwatches it', () => {
    const { purgatory } = setup();
    const op = new TestOp(1000);
    purgatory.tryCompleteElseWatch(op, ['a', 'b']);
    assert.equal(op.forceComplete(), true);
    assert.equal(op.forceComplete(), false);
    assert.deepEqual([op.completions, purgatory.size], [1, 0]);
  });
});
