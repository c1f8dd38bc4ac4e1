import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { crc32c, crc32cJs } from '../src/records/crc32c.ts';

test('crc32c of "123456789" is the Castagnoli check value 0xE3069283', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32cJs(Buffer.from('123456789')), 0xe3069283);
});

test('native and JavaScript CRC-32C agree on random inputs of every length 0..300 and 1 MiB', () => {
  for (let n = 0; n <= 300; n++) {
    const b = randomBytes(n);
    assert.equal(crc32c(b), crc32cJs(b), `length ${n}`);
  }
  const big = randomBytes(1 << 20);
  assert.equal(crc32c(big), crc32cJs(big));
});

test('crc32c continues from an initial value', () => {
  const b = randomBytes(1000);
  assert.equal(crc32c(b.subarray(500), crc32c(b.subarray(0, 500))), crc32c(b));
  assert.equal(crc32cJs(b.subarray(500), crc32cJs(b.subarray(0, 500))), crc32cJs(b));
});
