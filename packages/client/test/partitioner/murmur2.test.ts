// murmur2 and key partitioning: Kafka's own UtilsTest.testMurmur2 vectors, and the partitions the
// Java client / KafkaJS's DefaultPartitioner pick for a fixed set of keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { murmur2, toPositive, partitionForKey } from '../../src/partitioner/murmur2.ts';

// apache/kafka clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java testMurmur2
const KAFKA_VECTORS: Array<[Uint8Array, number]> = [
  [Buffer.from('21'), -973932308],
  [Buffer.from('foobar'), -790332482],
  [Buffer.from('a-little-bit-long-string'), -985981536],
  [Buffer.from('a-little-bit-longer-string'), -1486304829],
  [Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'), -58897971],
  [Uint8Array.of(0x61, 0x62, 0x63), 479470107],
];

test('murmur2 equals Kafka UtilsTest.testMurmur2 vectors', () => {
  for (const [key, expected] of KAFKA_VECTORS) assert.equal(murmur2(key), expected, Buffer.from(key).toString());
});

test('murmur2 of empty input and toPositive', () => {
  // seed ^ 0, then the final mix only; a stable value that must not change
  assert.equal(murmur2(new Uint8Array(0)), murmur2(Buffer.alloc(0)));
  assert.equal(toPositive(-973932308), -973932308 & 0x7fffffff);
  assert.equal(toPositive(-1), 0x7fffffff);
  assert.equal(toPositive(5), 5);
});

test('keyed partition = toPositive(murmur2) % n, for the Kafka vectors', () => {
  // worked by hand from the vectors: toPositive(-973932308) = 1173551340
  assert.equal(toPositive(-973932308), 1173551340);
  assert.equal(partitionForKey(Buffer.from('21'), 3), 1173551340 % 3);
  const expected: Record<string, number[]> = {};
  for (const [key, h] of KAFKA_VECTORS) {
    const pos = toPositive(h);
    expected[Buffer.from(key).toString()] = [1, 2, 3, 5, 6, 10, 12, 32, 100].map((n) => pos % n);
  }
  for (const [key] of KAFKA_VECTORS) {
    const got = [1, 2, 3, 5, 6, 10, 12, 32, 100].map((n) => partitionForKey(key, n));
    assert.deepEqual(got, expected[Buffer.from(key).toString()]);
  }
});

test('keyed partitions equal KafkaJS DefaultPartitioner (Java-compatible) for many keys', () => {
  const kjs = kafkajs.Partitioners.DefaultPartitioner();
  const keys: Buffer[] = [];
  for (let i = 0; i < 300; i++) keys.push(Buffer.from(`key-${i}`));
  for (let len = 0; len < 16; len++) keys.push(Buffer.from(Array.from({ length: len }, (_, j) => (j * 37 + 200) & 0xff)));
  keys.push(Buffer.from('ключ-üñíçødé-🔑'));
  for (const n of [1, 3, 7, 12, 64]) {
    const partitionMetadata = Array.from({ length: n }, (_, i) => ({
      partitionId: i,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }));
    for (const key of keys) {
      const theirs = kjs({ topic: 't', partitionMetadata, message: { key, value: null } });
      assert.equal(partitionForKey(key, n), theirs, `key ${key.toString('hex')} n=${n}`);
    }
  }
});
