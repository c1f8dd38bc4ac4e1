// RangeAssignor: the assignments of Kafka's RangeAssignorTest (documented cases, static members,
// rack-aware vectors of testRackAwareAssignmentWith*).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RangeAssignor, subscription, type MemberSubscription } from '../../src/assignors/index.ts';
import { ppt, str, racks, nullRacks, rackPartitionsPerTopic, rackSubscriptions, asStrings, rackMismatches } from './helpers.ts';

const assign = (p: ReturnType<typeof ppt>, subs: Array<[string, MemberSubscription]>, a = new RangeAssignor()) =>
  a.assign(p, new Map(subs)).assignment;

test('range: javadoc example C0 [t0p0, t0p1, t1p0, t1p1], C1 [t0p2, t1p2]', () => {
  const a = assign(ppt(['t0', 3], ['t1', 3]), [
    ['C0', subscription(['t0', 't1'])],
    ['C1', subscription(['t0', 't1'])],
  ]);
  assert.equal(str(a.get('C0')!), 't0-0, t0-1, t1-0, t1-1');
  assert.equal(str(a.get('C1')!), 't0-2, t1-2');
});

test('range: no topic, nonexistent topic, only subscribed topics', () => {
  assert.deepEqual(assign(ppt(), [['consumer1', subscription([])]]), new Map([['consumer1', []]]));
  assert.deepEqual(assign(ppt(), [['consumer1', subscription(['topic1'])]]), new Map([['consumer1', []]]));
  const a = assign(ppt(['topic1', 3], ['other', 3]), [['consumer1', subscription(['topic1'])]]);
  assert.equal(str(a.get('consumer1')!), 'topic1-0, topic1-1, topic1-2');
});

test('range: one consumer multiple topics; two consumers one partition / two partitions', () => {
  assert.equal(
    str(assign(ppt(['topic1', 1], ['topic2', 2]), [['consumer1', subscription(['topic1', 'topic2'])]]).get('consumer1')!),
    'topic1-0, topic2-0, topic2-1',
  );
  let a = assign(ppt(['topic1', 1]), [
    ['consumer1', subscription(['topic1'])],
    ['consumer2', subscription(['topic1'])],
  ]);
  assert.equal(str(a.get('consumer1')!), 'topic1-0');
  assert.equal(str(a.get('consumer2')!), '');
  a = assign(ppt(['topic1', 2]), [
    ['consumer1', subscription(['topic1'])],
    ['consumer2', subscription(['topic1'])],
  ]);
  assert.equal(str(a.get('consumer1')!), 'topic1-0');
  assert.equal(str(a.get('consumer2')!), 'topic1-1');
});

test('range: multiple consumers mixed topics', () => {
  const a = assign(ppt(['topic1', 3], ['topic2', 2]), [
    ['consumer1', subscription(['topic1'])],
    ['consumer2', subscription(['topic1', 'topic2'])],
    ['consumer3', subscription(['topic1'])],
  ]);
  assert.equal(str(a.get('consumer1')!), 'topic1-0');
  assert.equal(str(a.get('consumer2')!), 'topic1-1, topic2-0, topic2-1');
  assert.equal(str(a.get('consumer3')!), 'topic1-2');
});

test('range: static members ordered by instance id, before dynamic members', () => {
  let a = assign(ppt(['topic1', 3], ['topic2', 3]), [
    ['consumer-b', subscription(['topic1', 'topic2'], { groupInstanceId: 'instance1' })],
    ['consumer-a', subscription(['topic1', 'topic2'], { groupInstanceId: 'instance2' })],
  ]);
  assert.equal(str(a.get('consumer-b')!), 'topic1-0, topic1-1, topic2-0, topic2-1');
  assert.equal(str(a.get('consumer-a')!), 'topic1-2, topic2-2');
  a = assign(ppt(['topic1', 3], ['topic2', 3]), [
    ['consumer-b', subscription(['topic1', 'topic2'], { groupInstanceId: 'instance1' })],
    ['consumer-a', subscription(['topic1', 'topic2'])],
  ]);
  assert.equal(str(a.get('consumer-b')!), 'topic1-0, topic1-1, topic2-0, topic2-1');
  assert.equal(str(a.get('consumer-a')!), 'topic1-2, topic2-2');
});

test('range: static member assignment persists (testStaticMemberRangeAssignmentPersistent)', () => {
  const subs: Array<[string, MemberSubscription]> = [
    ['consumer1', subscription(['topic1', 'topic2'], { groupInstanceId: 'instance1' })],
    ['consumer2', subscription(['topic1', 'topic2'], { groupInstanceId: 'instance2' })],
    ['consumer3', subscription(['topic1', 'topic2'], { groupInstanceId: 'instance3' })],
    ['consumer4', subscription(['topic1', 'topic2'])],
  ];
  let a = assign(ppt(['topic1', 5], ['topic2', 4]), subs);
  assert.deepEqual(
    ['consumer1', 'consumer2', 'consumer3', 'consumer4'].map((c) => str(a.get(c)!)),
    ['topic1-0, topic1-1, topic2-0', 'topic1-2, topic2-1', 'topic1-3, topic2-2', 'topic1-4, topic2-3'],
  );
  subs[3] = ['consumer5', subscription(['topic1', 'topic2'])];
  a = assign(ppt(['topic1', 5], ['topic2', 4]), subs);
  assert.equal(str(a.get('consumer5')!), 'topic1-4, topic2-3');
  assert.equal(str(a.get('consumer1')!), 'topic1-0, topic1-1, topic2-0');
});

// verifyRackAssignment(assignor, topics, replicationFactor, brokerRacks, consumerRacks, consumerTopics, expected, mismatches)
function verifyRack(
  topics: Array<[string, number]>,
  rf: number,
  brokerRacks: (string | null)[],
  consumerRacks: (string | null)[],
  consumerTopics: string[][],
  expected: string[],
  mismatches: number,
  preferRackAwareLogic = false,
): void {
  const partitions = rackPartitionsPerTopic(topics, rf, brokerRacks);
  const a = new RangeAssignor({ preferRackAwareLogic }).assign(partitions, rackSubscriptions(consumerTopics, consumerRacks)).assignment;
  assert.deepEqual(asStrings(a, consumerTopics.length), expected, `rf=${rf} brokers=${brokerRacks} consumers=${consumerRacks}`);
  if (mismatches >= 0) assert.equal(rackMismatches(a, partitions, consumerRacks), mismatches);
}

function verifyNonRackAware(topics: Array<[string, number]>, consumerTopics: string[][], expected: string[]): void {
  verifyRack(topics, 3, nullRacks(3), racks(3), consumerTopics, expected, -1);
  verifyRack(topics, 3, racks(3), nullRacks(3), consumerTopics, expected, -1);
  verifyRack(topics, 3, racks(3), racks(3), consumerTopics, expected, 0);
  verifyRack(topics, 4, racks(4), racks(3), consumerTopics, expected, 0);
  verifyRack(topics, 3, racks(3), ['d', 'e', 'f'], consumerTopics, expected, -1);
  verifyRack(topics, 3, racks(3), [null, 'e', 'f'], consumerTopics, expected, -1);
  verifyRack(topics, 3, racks(3), racks(3), consumerTopics, expected, 0, true);
}

test('range rack-aware: uniform subscription (testRackAwareAssignmentWithUniformSubscription)', () => {
  const topics: Array<[string, number]> = [
    ['t1', 6],
    ['t2', 7],
    ['t3', 2],
  ];
  const all = ['t1', 't2', 't3'];
  const ct = [all, all, all];
  verifyNonRackAware(topics, ct, ['t1-0, t1-1, t2-0, t2-1, t2-2, t3-0', 't1-2, t1-3, t2-3, t2-4, t3-1', 't1-4, t1-5, t2-5, t2-6']);
  verifyRack(
    topics,
    1,
    racks(3),
    racks(3),
    ct,
    ['t1-0, t1-3, t2-0, t2-3, t2-6', 't1-1, t1-4, t2-1, t2-4, t3-0', 't1-2, t1-5, t2-2, t2-5, t3-1'],
    0,
  );
  verifyRack(
    topics,
    2,
    racks(3),
    racks(3),
    ct,
    ['t1-0, t1-2, t2-0, t2-2, t2-3, t3-1', 't1-1, t1-3, t2-1, t2-4, t3-0', 't1-4, t1-5, t2-5, t2-6'],
    1,
  );
  verifyRack(
    topics,
    3,
    racks(2),
    racks(3),
    ct,
    ['t1-0, t1-1, t2-0, t2-1, t2-2, t3-0', 't1-2, t1-3, t2-3, t2-4, t3-1', 't1-4, t1-5, t2-5, t2-6'],
    4,
  );
});

test('range rack-aware: non-equal subscription (testRackAwareAssignmentWithNonEqualSubscription)', () => {
  const topics: Array<[string, number]> = [
    ['t1', 6],
    ['t2', 7],
    ['t3', 2],
  ];
  const all = ['t1', 't2', 't3'];
  const ct = [all, all, ['t1', 't3']];
  verifyNonRackAware(topics, ct, ['t1-0, t1-1, t2-0, t2-1, t2-2, t2-3, t3-0', 't1-2, t1-3, t2-4, t2-5, t2-6, t3-1', 't1-4, t1-5']);
  verifyRack(
    topics,
    1,
    racks(3),
    racks(3),
    ct,
    ['t1-0, t1-3, t2-0, t2-2, t2-3, t2-6', 't1-1, t1-4, t2-1, t2-4, t2-5, t3-0', 't1-2, t1-5, t3-1'],
    2,
  );
  verifyRack(
    topics,
    2,
    racks(3),
    racks(3),
    ct,
    ['t1-0, t1-2, t2-0, t2-2, t2-3, t2-5, t3-1', 't1-1, t1-3, t2-1, t2-4, t2-6, t3-0', 't1-4, t1-5'],
    0,
  );
  verifyRack(
    topics,
    3,
    racks(2),
    racks(3),
    ct,
    ['t1-0, t1-1, t2-0, t2-1, t2-2, t2-3, t3-0', 't1-2, t1-3, t2-4, t2-5, t2-6, t3-1', 't1-4, t1-5'],
    2,
  );
});

test('range rack-aware: co-partitioning wins over rack alignment (testRackAwareAssignmentWithUniformPartitions)', () => {
  const topics: Array<[string, number]> = [
    ['t1', 5],
    ['t2', 5],
    ['t3', 5],
  ];
  const all = ['t1', 't2', 't3'];
  const ct = [all, all, all];
  const plain = ['t1-0, t1-1, t2-0, t2-1, t3-0, t3-1', 't1-2, t1-3, t2-2, t2-3, t3-2, t3-3', 't1-4, t2-4, t3-4'];
  verifyNonRackAware(topics, ct, plain);
  verifyRack(topics, 1, racks(3), racks(3), ct, plain, 10);
  verifyRack(topics, 2, racks(3), racks(3), ct, plain, 5);
  verifyRack(topics, 3, racks(2), racks(3), ct, plain, 3);
});

test('range rack-aware: uniform partitions, non-equal subscription', () => {
  const topics: Array<[string, number]> = [
    ['t1', 5],
    ['t2', 5],
    ['t3', 5],
  ];
  const all = ['t1', 't2', 't3'];
  const ct = [all, all, ['t1', 't3']];
  verifyNonRackAware(topics, ct, ['t1-0, t1-1, t2-0, t2-1, t2-2, t3-0, t3-1', 't1-2, t1-3, t2-3, t2-4, t3-2, t3-3', 't1-4, t3-4']);
  verifyRack(
    topics,
    1,
    racks(3),
    racks(3),
    ct,
    ['t1-0, t1-1, t2-0, t2-1, t2-4, t3-0, t3-1', 't1-2, t1-3, t2-2, t2-3, t3-2, t3-3', 't1-4, t3-4'],
    9,
  );
  verifyRack(
    topics,
    2,
    racks(3),
    racks(3),
    ct,
    ['t1-2, t2-0, t2-1, t2-3, t3-2', 't1-0, t1-3, t2-2, t2-4, t3-0, t3-3', 't1-1, t1-4, t3-1, t3-4'],
    0,
  );
  verifyRack(
    topics,
    3,
    racks(2),
    racks(3),
    ct,
    ['t1-0, t1-1, t2-0, t2-1, t2-2, t3-0, t3-1', 't1-2, t1-3, t2-3, t2-4, t3-2, t3-3', 't1-4, t3-4'],
    2,
  );
});

test('range rack-aware: co-partitioning (testRackAwareAssignmentWithCoPartitioning)', () => {
  const topics: Array<[string, number]> = [
    ['t1', 6],
    ['t2', 6],
    ['t3', 2],
    ['t4', 2],
  ];
  let ct = [
    ['t1', 't2'],
    ['t1', 't2'],
    ['t3', 't4'],
    ['t3', 't4'],
  ];
  const cr = ['a', 'b', 'b', 'a'];
  let plain = ['t1-0, t1-1, t1-2, t2-0, t2-1, t2-2', 't1-3, t1-4, t1-5, t2-3, t2-4, t2-5', 't3-0, t4-0', 't3-1, t4-1'];
  verifyRack(topics, 3, racks(2), cr, ct, plain, -1);
  verifyRack(topics, 2, racks(2), cr, ct, plain, 0);
  verifyRack(
    topics,
    1,
    racks(2),
    cr,
    ct,
    ['t1-0, t1-2, t1-4, t2-0, t2-2, t2-4', 't1-1, t1-3, t1-5, t2-1, t2-3, t2-5', 't3-1, t4-1', 't3-0, t4-0'],
    0,
  );
  const all = ['t1', 't2', 't3', 't4'];
  ct = [all, all, all, all];
  plain = ['t1-0, t1-1, t2-0, t2-1, t3-0, t4-0', 't1-2, t1-3, t2-2, t2-3, t3-1, t4-1', 't1-4, t2-4', 't1-5, t2-5'];
  verifyRack(topics, 3, racks(2), cr, ct, plain, -1);
  verifyRack(topics, 2, racks(2), cr, ct, plain, 0);
  verifyRack(
    topics,
    1,
    racks(2),
    cr,
    ct,
    ['t1-0, t1-2, t2-0, t2-2, t3-0, t4-0', 't1-1, t1-3, t2-1, t2-3, t3-1, t4-1', 't1-5, t2-5', 't1-4, t2-4'],
    0,
  );
  verifyRack(
    topics,
    1,
    racks(3),
    cr,
    ct,
    ['t1-0, t1-3, t2-0, t2-3, t3-0, t4-0', 't1-1, t1-4, t2-1, t2-4, t3-1, t4-1', 't1-2, t2-2', 't1-5, t2-5'],
    6,
  );
});

test('range rack-aware: co-partitioned topics with the same subscription (testCoPartitionedAssignmentWithSameSubscription)', () => {
  const topics: Array<[string, number]> = [
    ['t1', 6],
    ['t2', 6],
    ['t3', 2],
    ['t4', 2],
    ['t5', 4],
    ['t6', 4],
  ];
  const list = ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9'];
  const ct = [list, list, list];
  const cr = ['a', 'b', 'c'];
  const plain = [
    't1-0, t1-1, t2-0, t2-1, t3-0, t4-0, t5-0, t5-1, t6-0, t6-1',
    't1-2, t1-3, t2-2, t2-3, t3-1, t4-1, t5-2, t6-2',
    't1-4, t1-5, t2-4, t2-5, t5-3, t6-3',
  ];
  verifyRack(topics, 3, nullRacks(3), cr, ct, plain, -1);
  verifyRack(topics, 3, racks(3), cr, ct, plain, 0, true);
  verifyRack(
    topics,
    2,
    racks(3),
    cr,
    ct,
    [
      't1-0, t1-2, t2-0, t2-2, t3-0, t4-0, t5-1, t6-1',
      't1-1, t1-3, t2-1, t2-3, t3-1, t4-1, t5-2, t6-2',
      't1-4, t1-5, t2-4, t2-5, t5-0, t5-3, t6-0, t6-3',
    ],
    0,
    true,
  );
});
