// VerifiedRanges: sorted disjoint ranges, merged on touch/overlap, truncation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VerifiedRanges } from '../src/verified-ranges.ts';

test('ranges merge when they touch or overlap; covers needs one range holding the whole span', () => {
  const r = new VerifiedRanges();
  r.add(100, 200);
  r.add(300, 400);
  assert.equal(r.count, 2);
  assert.equal(r.covers(100, 200), true);
  assert.equal(r.covers(150, 250), false);
  assert.equal(r.covers(0, 10), false);
  r.add(200, 300); // fills the gap
  assert.equal(r.count, 1);
  assert.equal(r.covers(100, 400), true);
  r.add(0, 50);
  r.add(500, 600);
  r.add(40, 550); // overlaps three
  assert.equal(r.count, 1);
  assert.equal(r.covers(0, 600), true);
  r.truncate(450);
  assert.equal(r.covers(0, 450), true);
  assert.equal(r.covers(0, 451), false);
  r.add(700, 800);
  r.truncate(700);
  assert.equal(r.count, 1);
  r.clear();
  assert.equal(r.covers(0, 1), false);
});
