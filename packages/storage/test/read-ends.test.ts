// ReadEnds: remembers where up to 32 recent reads ended (next offset -> position), forgets the
// least recent beyond that, and everything on clear.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReadEnds } from '../src/read-ends.ts';

test('remembers the ends of many readers, forgets the oldest beyond 32, and all on clear', () => {
  const ends = new ReadEnds();
  assert.equal(ends.positionOf(5), -1);
  for (let i = 0; i < 32; i++) ends.remember(100 + i, 1000 * i);
  for (let i = 0; i < 32; i++) assert.equal(ends.positionOf(100 + i), 1000 * i);
  assert.equal(ends.lastOffset, 131);
  ends.remember(100, 0); // already known: now the most recent
  ends.remember(500, 77_000);
  assert.equal(ends.positionOf(101), -1, 'the least recent pair went');
  assert.equal(ends.positionOf(100), 0);
  assert.equal(ends.positionOf(102), 2000);
  assert.equal(ends.positionOf(500), 77_000);
  ends.clear();
  assert.equal(ends.positionOf(500), -1);
  assert.equal(ends.lastOffset, -1);
});
