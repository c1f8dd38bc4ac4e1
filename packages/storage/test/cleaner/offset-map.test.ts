// SkimpyOffsetMap: capacity from bytes and load factor, put/get/update, refusal when full,
// latestOffset, clear, large offsets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SkimpyOffsetMap } from '../../src/cleaner/offset-map.ts';

const key = (s: string) => Buffer.from(s);

test('capacity is floor(slots * load factor) with 24-byte slots', () => {
  const m = new SkimpyOffsetMap(1000, 0.9);
  assert.equal(m.slots, 41);
  assert.equal(m.capacity, 36);
  assert.equal(new SkimpyOffsetMap(24 * 10, 1).capacity, 10);
  assert.throws(() => new SkimpyOffsetMap(23, 1), /holds no key; increase log.cleaner.dedupe.buffer.size/);
  assert.throws(() => new SkimpyOffsetMap(1000, 0), RangeError);
});

test('put, get, update: size counts keys; latestOffset follows puts and updateLatestOffset', () => {
  const m = new SkimpyOffsetMap(24 * 100, 0.9);
  assert.equal(m.get(key('a')), -1);
  assert.equal(m.latestOffset, -1);
  assert.equal(m.put(key('a'), 0), true);
  assert.equal(m.put(key('b'), 1), true);
  assert.equal(m.put(key('a'), 2), true);
  assert.equal(m.size, 2);
  assert.equal(m.get(key('a')), 2);
  assert.equal(m.get(key('b')), 1);
  assert.equal(m.get(key('c')), -1);
  assert.equal(m.latestOffset, 2);
  m.updateLatestOffset(9);
  assert.equal(m.latestOffset, 9);
  // an empty key is a key
  assert.equal(m.put(Buffer.alloc(0), 10), true);
  assert.equal(m.get(Buffer.alloc(0)), 10);
  // offsets beyond 2^32
  assert.equal(m.put(key('big'), 2 ** 40 + 5), true);
  assert.equal(m.get(key('big')), 2 ** 40 + 5);
  m.clear();
  assert.equal(m.size, 0);
  assert.equal(m.latestOffset, -1);
  assert.equal(m.get(key('a')), -1);
});

test('a full map refuses new keys but still updates the ones it has', () => {
  const m = new SkimpyOffsetMap(24 * 10, 0.5);
  for (let i = 0; i < 5; i++) assert.equal(m.put(key(`k${i}`), i), true);
  assert.equal(m.put(key('k5'), 5), false);
  assert.equal(m.size, 5);
  assert.equal(m.latestOffset, 4);
  assert.equal(m.get(key('k5')), -1);
  assert.equal(m.put(key('k2'), 6), true);
  assert.equal(m.get(key('k2')), 6);
});

test('a table filled to every slot (load factor 1) finds every key and refuses more', () => {
  const m = new SkimpyOffsetMap(24 * 64, 1);
  for (let i = 0; i < 64; i++) assert.equal(m.put(key(`key-${i}`), i * 3), true);
  assert.equal(m.size, 64);
  for (let i = 0; i < 64; i++) assert.equal(m.get(key(`key-${i}`)), i * 3);
  assert.equal(m.put(key('one-more'), 1), false);
  assert.equal(m.get(key('one-more')), -1);
});

test('100,000 keys at load factor 0.9: all found with their latest offset', () => {
  const m = new SkimpyOffsetMap(Math.ceil((100_000 / 0.9) * 24) + 24, 0.9);
  for (let i = 0; i < 100_000; i++) assert.equal(m.put(key(`key-${i}`), i), true);
  for (let i = 0; i < 100_000; i += 2) m.put(key(`key-${i}`), 100_000 + i);
  assert.equal(m.size, 100_000);
  for (let i = 0; i < 100_000; i++) {
    const expected = i % 2 === 0 ? 100_000 + i : i;
    if (m.get(key(`key-${i}`)) !== expected) assert.fail(`key-${i}`);
  }
});
