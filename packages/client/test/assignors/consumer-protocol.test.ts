// The embedded consumer protocol (ConsumerProtocolSubscription / ConsumerProtocolAssignment v0-v3):
// exact bytes, round trips per version, newer versions read as v3, malformed input rejected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodeSubscription,
  decodeSubscription,
  encodeAssignment,
  decodeAssignment,
  groupByTopic,
  flattenTopicPartitions,
  ConsumerProtocolError,
  tp,
} from '../../src/assignors/index.ts';

test('subscription v0 bytes: version, topics (sorted), null userData', () => {
  const b = encodeSubscription({ topics: ['b', 'a'] }, 0);
  assert.equal(b.toString('hex'), '0000' + '00000002' + '000161' + '000162' + 'ffffffff');
  assert.deepEqual(decodeSubscription(b), {
    version: 0,
    topics: ['a', 'b'],
    userData: null,
    ownedPartitions: [],
    generationId: -1,
    rackId: null,
  });
});

test('subscription v3 bytes: owned partitions, generation, rack', () => {
  const b = encodeSubscription(
    { topics: ['t'], userData: Buffer.from([1, 2]), ownedPartitions: [{ topic: 't', partitions: [0, 3] }], generationId: 5, rackId: 'r1' },
    3,
  );
  const hex =
    '0003' +
    '00000001' +
    '000174' +
    '00000002' +
    '0102' +
    '00000001' +
    '000174' +
    '00000002' +
    '00000000' +
    '00000003' +
    '00000005' +
    '0002' +
    '7231';
  assert.equal(b.toString('hex'), hex);
  const d = decodeSubscription(b);
  assert.deepEqual(
    { ...d, userData: d.userData && [...d.userData] },
    {
      version: 3,
      topics: ['t'],
      userData: [1, 2],
      ownedPartitions: [{ topic: 't', partitions: [0, 3] }],
      generationId: 5,
      rackId: 'r1',
    },
  );
});

test('subscription round trips drop fields the version lacks', () => {
  const full = { topics: ['x', 'y'], userData: null, ownedPartitions: [{ topic: 'x', partitions: [1] }], generationId: 9, rackId: 'rack' };
  assert.deepEqual(decodeSubscription(encodeSubscription(full, 1)), { ...full, version: 1, generationId: -1, rackId: null });
  assert.deepEqual(decodeSubscription(encodeSubscription(full, 2)), { ...full, version: 2, rackId: null });
  assert.deepEqual(decodeSubscription(encodeSubscription(full, 3)), { ...full, version: 3 });
});

test('a newer version (e.g. 4 with an extra field) is read as v3', () => {
  const v3 = encodeSubscription({ topics: ['t'], generationId: 2, rackId: null }, 3);
  const v4 = Buffer.concat([Buffer.from([0, 4]), v3.subarray(2), Buffer.from('deadbeef', 'hex')]);
  const d = decodeSubscription(v4);
  assert.equal(d.version, 4);
  assert.deepEqual(d.topics, ['t']);
  assert.equal(d.generationId, 2);
});

test('assignment bytes and round trip; empty bytes = empty assignment', () => {
  const b = encodeAssignment({ assignedPartitions: groupByTopic([tp('b', 0), tp('a', 1), tp('a', 0)]) }, 0);
  assert.equal(
    b.toString('hex'),
    '0000' + '00000002' + '000161' + '00000002' + '00000000' + '00000001' + '000162' + '00000001' + '00000000' + 'ffffffff',
  );
  const d = decodeAssignment(b);
  assert.deepEqual(flattenTopicPartitions(d.assignedPartitions), [tp('a', 0), tp('a', 1), tp('b', 0)]);
  assert.deepEqual(decodeAssignment(Buffer.alloc(0)), { version: 0, assignedPartitions: [], userData: null });
});

test('malformed input throws ConsumerProtocolError, never over-allocates', () => {
  assert.throws(() => decodeSubscription(Buffer.from('00', 'hex')), ConsumerProtocolError);
  assert.throws(() => decodeSubscription(Buffer.from('0000' + '7fffffff', 'hex')), ConsumerProtocolError);
  assert.throws(() => decodeSubscription(Buffer.from('ffff' + '00000000' + 'ffffffff', 'hex')), ConsumerProtocolError);
  assert.throws(() => decodeAssignment(Buffer.from('0001' + '00000001' + '000174' + '00000005', 'hex')), ConsumerProtocolError);
  assert.throws(
    () => decodeSubscription(Buffer.from('0000' + '00000001' + 'ffff' + 'ffffffff', 'hex')),
    /malformed subscription: null or negative string length/,
  );
});
