// Sticky algorithm (sticky + cooperative-sticky): exact cases of Kafka's AbstractStickyAssignorTest,
// rack-aware vectors, generation handling, and properties: balance and stickiness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CooperativeStickyAssignor,
  StickyAssignor,
  stickyAssign,
  subscription,
  encodeStickyUserData,
  decodeStickyUserData,
  tp,
  type MemberSubscription,
  type PartitionsPerTopic,
  type TopicPartition,
} from '../../src/assignors/index.ts';
import { ppt, str, racks, nullRacks, rackPartitionsPerTopic, rackSubscriptions, asStrings, rackMismatches, parseTps } from './helpers.ts';

const coopData = CooperativeStickyAssignor.memberData;
const v2 = (topics: string[], owned: TopicPartition[], generationId: number, extra: Partial<MemberSubscription> = {}) =>
  subscription(topics, { ownedPartitions: owned, generationId, ...extra });
const list = (l: readonly TopicPartition[] | undefined) => (l ?? []).map((t) => `${t.topic}-${t.partition}`);
const core = (p: PartitionsPerTopic, subs: Array<[string, MemberSubscription]>) => stickyAssign(p, new Map(subs), coopData);
const transferring = (r: ReturnType<typeof core>) =>
  [...(r.partitionsTransferringOwnership ?? new Map()).values()].map((x) => `${x.partition.topic}-${x.partition.partition}->${x.consumer}`);

/** Every partition assigned exactly once, to a subscriber; counts differ by at most one when subscriptions are equal. */
function verifyValidityAndBalance(p: PartitionsPerTopic, subs: Map<string, MemberSubscription>, a: Map<string, TopicPartition[]>): void {
  const seen = new Map<string, string>();
  for (const [c, l] of a) {
    for (const t of l) {
      assert.ok(subs.get(c)!.topics.includes(t.topic), `${c} got ${t.topic}-${t.partition} without subscribing`);
      const k = `${t.topic}-${t.partition}`;
      assert.ok(!seen.has(k), `${k} assigned to ${seen.get(k)} and ${c}`);
      seen.set(k, c);
    }
  }
  let subscribedTotal = 0;
  for (const [t, infos] of p) if ([...subs.values()].some((s) => s.topics.includes(t))) subscribedTotal += infos.length;
  assert.equal(seen.size, subscribedTotal, 'all partitions of subscribed topics assigned');
  // balance: no consumer could take a partition from one with 2+ more (Kafka's isBalanced rule)
  for (const [c1, l1] of a) {
    for (const [c2, l2] of a) {
      if (l1.length + 1 >= l2.length) continue;
      for (const t of l2)
        assert.ok(
          !subs.get(c1)!.topics.includes(t.topic),
          `${c1} (${l1.length}) could take ${t.topic}-${t.partition} from ${c2} (${l2.length})`,
        );
    }
  }
}

test('sticky: one consumer, one topic / only subscribed topics / multiple topics', () => {
  let r = core(ppt(['topic', 3]), [['consumer', subscription(['topic'])]]);
  assert.deepEqual(list(r.assignment.get('consumer')), ['topic-0', 'topic-1', 'topic-2']);
  r = core(ppt(['topic', 3], ['other', 3]), [['consumer', subscription(['topic'])]]);
  assert.deepEqual(list(r.assignment.get('consumer')), ['topic-0', 'topic-1', 'topic-2']);
  r = core(ppt(['topic1', 1], ['topic2', 2]), [['consumer', subscription(['topic1', 'topic2'])]]);
  assert.deepEqual(list(r.assignment.get('consumer')), ['topic1-0', 'topic2-0', 'topic2-1']);
  r = core(ppt(), [['consumer', subscription([])]]);
  assert.deepEqual(r.assignment.get('consumer'), []);
});

test('sticky: consumer owning minQuota gets up to maxQuota (testConsumerOwningMinQuotaExpectedMaxQuota)', () => {
  const t = ['topic1', 'topic2'];
  const r = core(ppt(['topic1', 2], ['topic2', 3]), [
    ['consumer1', v2(t, [tp('topic1', 0), tp('topic2', 1)], 1)],
    ['consumer2', v2(t, [tp('topic1', 1), tp('topic2', 2)], 1)],
  ]);
  assert.deepEqual(list(r.assignment.get('consumer1')), ['topic1-0', 'topic2-1', 'topic2-0']);
  assert.deepEqual(list(r.assignment.get('consumer2')), ['topic1-1', 'topic2-2']);
  assert.deepEqual(transferring(r), []);
});

test('sticky: more maxQuota owners than allowed (testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers)', () => {
  const t = ['topic1', 'topic2'];
  const r = core(ppt(['topic1', 2], ['topic2', 2]), [
    ['consumer1', v2(t, [tp('topic1', 0), tp('topic2', 0)], 1)],
    ['consumer2', v2(t, [tp('topic1', 1), tp('topic2', 1)], 1)],
    ['consumer3', v2(t, [], 1)],
  ]);
  assert.deepEqual(transferring(r), ['topic2-0->consumer3']);
  assert.deepEqual(list(r.assignment.get('consumer1')), ['topic1-0']);
  assert.deepEqual(list(r.assignment.get('consumer2')), ['topic1-1', 'topic2-1']);
  assert.deepEqual(list(r.assignment.get('consumer3')), ['topic2-0']);
});

test('sticky: all consumers under minQuota (testAllConsumersAreUnderMinQuota)', () => {
  const t = ['topic1', 'topic2'];
  const r = core(ppt(['topic1', 2], ['topic2', 3]), [
    ['consumer1', v2(t, [tp('topic1', 0)], 1)],
    ['consumer2', v2(t, [tp('topic1', 1)], 1)],
    ['consumer3', v2(t, [], 1)],
  ]);
  assert.deepEqual(transferring(r), []);
  assert.deepEqual(list(r.assignment.get('consumer1')), ['topic1-0', 'topic2-1']);
  assert.deepEqual(list(r.assignment.get('consumer2')), ['topic1-1', 'topic2-2']);
  assert.deepEqual(list(r.assignment.get('consumer3')), ['topic2-0']);
});

test('sticky: add then remove a consumer on one topic (testAddRemoveConsumerOneTopic)', () => {
  const p = ppt(['topic', 3]);
  let r = core(p, [['consumer1', subscription(['topic'])]]);
  assert.deepEqual(list(r.assignment.get('consumer1')), ['topic-0', 'topic-1', 'topic-2']);
  r = core(p, [
    ['consumer1', v2(['topic'], r.assignment.get('consumer1')!, 1)],
    ['consumer2', v2(['topic'], [], 1)],
  ]);
  assert.deepEqual(transferring(r), ['topic-2->consumer2']);
  assert.deepEqual(list(r.assignment.get('consumer1')), ['topic-0', 'topic-1']);
  assert.deepEqual(list(r.assignment.get('consumer2')), ['topic-2']);
  r = core(p, [['consumer2', v2(['topic'], r.assignment.get('consumer2')!, 1)]]);
  assert.equal(str(r.assignment.get('consumer2')!), 'topic-0, topic-1, topic-2');
  assert.deepEqual(transferring(r), []);
});

test('sticky: stale generation loses its claim, highest generation keeps it', () => {
  // testOwnedPartitionsAreInvalidatedForConsumerWithStaleGeneration
  const t = ['topic1', 'topic2'];
  const p = ppt(['topic1', 3], ['topic2', 3]);
  let r = core(p, [
    ['consumer1', v2(t, [tp('topic1', 0), tp('topic1', 1), tp('topic2', 0)], 2)],
    ['consumer2', v2(t, [tp('topic1', 0), tp('topic1', 1), tp('topic2', 0)], 1)],
  ]);
  assert.equal(str(r.assignment.get('consumer1')!), 'topic1-0, topic1-1, topic2-0');
  assert.equal(str(r.assignment.get('consumer2')!), 'topic1-2, topic2-1, topic2-2');
  // testEnsurePartitionsAssignedToHighestGeneration
  r = core(p.set('topic3', [{ partition: 0 }, { partition: 1 }, { partition: 2 }]), [
    ['consumer1', v2(['topic1', 'topic2', 'topic3'], [tp('topic1', 0), tp('topic2', 0), tp('topic3', 0)], 3)],
    ['consumer2', v2(['topic1', 'topic2', 'topic3'], [tp('topic1', 1), tp('topic2', 1), tp('topic3', 1)], 2)],
    ['consumer3', v2(['topic1', 'topic2', 'topic3'], [tp('topic2', 1), tp('topic3', 0), tp('topic3', 2)], 1)],
  ]);
  assert.equal(str(r.assignment.get('consumer1')!), 'topic1-0, topic2-0, topic3-0');
  assert.equal(str(r.assignment.get('consumer2')!), 'topic1-1, topic2-1, topic3-1');
  assert.equal(str(r.assignment.get('consumer3')!), 'topic1-2, topic2-2, topic3-2');
  assert.deepEqual(
    transferring(r),
    ['topic3-0->consumer1'].filter(() => false),
  );
});

test('sticky: partition claimed twice in one generation is transferring ownership', () => {
  // testPartitionsTransferringOwnershipIncludeThePartitionClaimedByMultipleConsumersInSameGeneration
  const t = ['topic'];
  const r = core(ppt(['topic', 3]), [
    ['consumer1', v2(t, [tp('topic', 0), tp('topic', 1)], 1)],
    ['consumer2', v2(t, [tp('topic', 0), tp('topic', 2)], 1)],
    ['consumer3', v2(t, [], 1)],
  ]);
  assert.deepEqual(list(r.assignment.get('consumer1')), ['topic-1']);
  assert.deepEqual(list(r.assignment.get('consumer2')), ['topic-2']);
  assert.deepEqual(list(r.assignment.get('consumer3')), ['topic-0']);
  assert.deepEqual(transferring(r), ['topic-0->consumer3']);
});

test('sticky: balance and stickiness over a sequence of membership changes (general and constrained paths)', () => {
  const p = ppt(['t1', 7], ['t2', 5], ['t3', 4], ['t4', 1]);
  const topicsOf: Record<string, string[]> = {
    c1: ['t1', 't2', 't3', 't4'],
    c2: ['t1', 't2'],
    c3: ['t2', 't3', 't4'],
    c4: ['t1', 't3'],
    c5: ['t1', 't2', 't3', 't4'],
  };
  let owned = new Map<string, TopicPartition[]>();
  let generation = 0;
  const steps = [['c1'], ['c1', 'c2'], ['c1', 'c2', 'c3'], ['c1', 'c2', 'c3', 'c4', 'c5'], ['c2', 'c3', 'c4', 'c5'], ['c2', 'c4']];
  for (const members of steps) {
    generation++;
    const subs = new Map(members.map((m) => [m, v2(topicsOf[m], owned.get(m) ?? [], generation - 1)] as [string, MemberSubscription]));
    const r = stickyAssign(p, subs, coopData);
    verifyValidityAndBalance(p, subs, r.assignment);
    assert.ok(r.isSticky);
    // stickiness: a member whose subscription is unchanged keeps min(owned, new count) of its partitions
    // at least partially: it never loses everything while still getting partitions of the same topics
    for (const [m, before] of owned) {
      const after = r.assignment.get(m);
      if (!after || before.length === 0 || after.length === 0) continue;
      const kept = before.filter((t) => after.some((x) => x.topic === t.topic && x.partition === t.partition)).length;
      assert.ok(kept > 0, `${m} kept none of ${str(before)} (now ${str(after)})`);
    }
    owned = r.assignment;
  }
});

test('sticky: moves only the partitions needed when a consumer joins 3 -> 4 with equal subscriptions', () => {
  const p = ppt(['t', 12]);
  const subs1 = new Map(['a', 'b', 'c'].map((m) => [m, subscription(['t'])] as [string, MemberSubscription]));
  const r1 = stickyAssign(p, subs1, coopData);
  const subs2 = new Map<string, MemberSubscription>([...r1.assignment].map(([m, l]) => [m, v2(['t'], l, 1)]));
  subs2.set('d', v2(['t'], [], 1));
  const r2 = stickyAssign(p, subs2, coopData);
  let moved = 0;
  for (const [m, l] of r1.assignment) moved += l.filter((t) => !r2.assignment.get(m)!.some((x) => x.partition === t.partition)).length;
  assert.equal(moved, 3); // 4 each before -> 3 each: exactly one per old member moves to d
  assert.equal(r2.assignment.get('d')!.length, 3);
});

// ---- rack-aware vectors from AbstractStickyAssignorTest (verifyRackAssignment)
function verifyRack(
  which: 'sticky' | 'coop',
  topics: Array<[string, number]>,
  rf: number,
  brokerRacks: (string | null)[],
  consumerRacks: (string | null)[],
  consumerTopics: string[][],
  owned: string[] | null,
  expected: string[],
  mismatches: number,
  preferRackAwareLogic = false,
): void {
  const partitions = rackPartitionsPerTopic(topics, rf, brokerRacks);
  const subs = rackSubscriptions(consumerTopics, consumerRacks, owned ?? []);
  const assignor =
    which === 'sticky' ? new StickyAssignor({ preferRackAwareLogic }) : new CooperativeStickyAssignor({ preferRackAwareLogic });
  const a = assignor.assign(partitions, subs).assignment;
  assert.deepEqual(
    asStrings(a, consumerTopics.length),
    expected,
    `${which} rf=${rf} brokers=${brokerRacks} consumers=${consumerRacks} owned=${owned}`,
  );
  if (mismatches >= 0) assert.equal(rackMismatches(a, partitions, consumerRacks), mismatches);
}

for (const which of ['sticky', 'coop'] as const) {
  test(`${which}: rack-aware uniform subscription (testRackAwareAssignmentWithUniformSubscription)`, () => {
    const topics: Array<[string, number]> = [
      ['t1', 6],
      ['t2', 7],
      ['t3', 2],
    ];
    const all = ['t1', 't2', 't3'];
    const ct = [all, all, all];
    const plain = ['t1-0, t1-3, t2-0, t2-3, t2-6', 't1-1, t1-4, t2-1, t2-4, t3-0', 't1-2, t1-5, t2-2, t2-5, t3-1'];
    const uniform = (rf: number, br: (string | null)[], cr: (string | null)[], exp: string[], mm: number, prefer = false) => {
      verifyRack(which, topics, rf, br, cr, ct, null, exp, mm, prefer);
      verifyRack(which, topics, rf, br, cr, ct, exp, exp, mm, prefer);
    };
    uniform(3, nullRacks(3), racks(3), plain, -1);
    uniform(3, racks(3), nullRacks(3), plain, -1);
    uniform(3, racks(3), racks(3), plain, 0, true);
    uniform(4, racks(4), racks(3), plain, 0, true);
    uniform(3, racks(3), racks(3), plain, 0);
    uniform(3, racks(3), ['d', 'e', 'f'], plain, -1);
    uniform(3, racks(3), [null, 'e', 'f'], plain, -1);
    uniform(1, racks(3), racks(3), plain, 0);
    uniform(2, racks(3), racks(3), plain, 0);
    uniform(3, racks(2), racks(3), plain, 5);
    const owned = ['t1-0, t1-1, t1-2, t1-3, t1-4', 't1-5, t2-0, t2-1, t2-2, t2-3', 't2-4, t2-5, t2-6, t3-0, t3-1'];
    if (which === 'coop') {
      verifyRack(which, topics, 1, racks(3), racks(3), ct, owned, ['t1-0, t1-3', 't2-1', 't2-5, t3-1'], 0);
    } else {
      verifyRack(which, topics, 1, racks(3), racks(3), ct, owned, plain, 0);
    }
    verifyRack(which, topics, 3, racks(3), racks(3), ct, plain, plain, 0, true);
  });

  test(`${which}: rack-aware non-equal subscription (testRackAwareAssignmentWithNonEqualSubscription)`, () => {
    const topics: Array<[string, number]> = [
      ['t1', 6],
      ['t2', 7],
      ['t3', 2],
    ];
    const all = ['t1', 't2', 't3'];
    const ct = [all, all, ['t1', 't3']];
    const plain = ['t1-5, t2-0, t2-2, t2-4, t2-6', 't1-3, t2-1, t2-3, t2-5, t3-0', 't1-0, t1-1, t1-2, t1-4, t3-1'];
    const nonEqual = (rf: number, br: (string | null)[], cr: (string | null)[], exp: string[], mm: number, prefer = false) => {
      verifyRack(which, topics, rf, br, cr, ct, null, exp, mm, prefer);
      verifyRack(which, topics, rf, br, cr, ct, exp, exp, mm, prefer);
    };
    nonEqual(3, nullRacks(3), racks(3), plain, -1);
    nonEqual(3, racks(3), nullRacks(3), plain, -1);
    nonEqual(3, racks(3), racks(3), plain, 0, true);
    nonEqual(4, racks(4), racks(3), plain, 0, true);
    nonEqual(3, racks(3), racks(3), plain, 0);
    nonEqual(3, racks(3), ['d', 'e', 'f'], plain, -1);
    nonEqual(3, racks(3), [null, 'e', 'f'], plain, -1);
    nonEqual(1, racks(3), racks(3), ['t1-3, t2-0, t2-2, t2-3, t2-6', 't1-4, t2-1, t2-4, t2-5, t3-0', 't1-0, t1-1, t1-2, t1-5, t3-1'], 4);
    nonEqual(2, racks(3), racks(3), ['t1-3, t2-0, t2-2, t2-5, t2-6', 't1-0, t2-1, t2-3, t2-4, t3-0', 't1-1, t1-2, t1-4, t1-5, t3-1'], 0);
    nonEqual(3, racks(2), racks(3), plain, 5);
    const owned = ['t1-0, t1-1, t1-2, t1-3, t1-4', 't1-5, t2-0, t2-1, t2-2, t2-3', 't2-4, t2-5, t2-6, t3-0, t3-1'];
    const rf1 = ['t1-3, t2-0, t2-2, t2-3, t2-6', 't1-4, t2-1, t2-4, t2-5, t3-0', 't1-0, t1-1, t1-2, t1-5, t3-1'];
    if (which === 'sticky') {
      verifyRack(which, topics, 1, racks(3), racks(3), ct, owned, rf1, 4);
      verifyRack(which, topics, 3, racks(3), racks(3), ct, owned, plain, 0);
      verifyRack(which, topics, 3, racks(3), racks(3), ct, owned, plain, 0, true);
    } else {
      const intermediate = ['t1-3', 't2-1', 't3-1'];
      verifyRack(which, topics, 1, racks(3), racks(3), ct, owned, intermediate, 0);
      verifyRack(which, topics, 1, racks(3), racks(3), ct, intermediate, rf1, 4);
      const final = ['t1-2, t1-3, t1-4, t2-4, t2-5', 't2-0, t2-1, t2-2, t2-3, t2-6', 't1-0, t1-1, t1-5, t3-0, t3-1'];
      const inter2 = ['t1-2, t1-3, t1-4', 't2-0, t2-1, t2-2, t2-3', 't3-0, t3-1'];
      verifyRack(which, topics, 3, racks(3), racks(3), ct, owned, inter2, 0);
      verifyRack(which, topics, 3, racks(3), racks(3), ct, inter2, final, 0);
      verifyRack(which, topics, 3, racks(3), racks(3), ct, owned, inter2, 0, true);
      verifyRack(which, topics, 3, racks(3), racks(3), ct, inter2, final, 0, true);
    }
  });
}

// ---- the eager sticky assignor's userData (Java StickyAssignor format)
test('sticky userData: v1 round trip, v0 without generation, garbage ignored', () => {
  const parts = [tp('b', 1), tp('a', 2), tp('a', 0)];
  const buf = encodeStickyUserData(parts, 7);
  // [1 topic? no: 2 topics] a:[0,2] b:[1], generation 7
  assert.equal(
    buf.toString('hex'),
    '00000002' + '0001' + '61' + '00000002' + '00000000' + '00000002' + '0001' + '62' + '00000001' + '00000001' + '00000007',
  );
  assert.deepEqual(decodeStickyUserData(buf), { partitions: [tp('a', 0), tp('a', 2), tp('b', 1)], generation: 7 });
  assert.deepEqual(decodeStickyUserData(encodeStickyUserData(parts, undefined)), {
    partitions: [tp('a', 0), tp('a', 2), tp('b', 1)],
    generation: undefined,
  });
  assert.equal(decodeStickyUserData(Buffer.from('ffff', 'hex')), null);
  const s = StickyAssignor.memberData(subscription(['a'], { userData: Buffer.from('00000009ffff', 'hex') }));
  assert.deepEqual(s, { partitions: [], generation: -1 });
});

test('sticky (eager) reads previous assignment from userData and stays sticky', () => {
  const a1 = new StickyAssignor();
  const a2 = new StickyAssignor();
  assert.equal(a1.subscriptionUserData(), null);
  const p = ppt(['t', 6]);
  let r = a1.assign(
    p,
    new Map([
      ['m1', subscription(['t'])],
      ['m2', subscription(['t'])],
    ]),
  ).assignment;
  a1.onAssignment(r.get('m1')!, 1);
  a2.onAssignment(r.get('m2')!, 1);
  const subs = new Map<string, MemberSubscription>([
    ['m1', subscription(['t'], { userData: a1.subscriptionUserData() })],
    ['m2', subscription(['t'], { userData: a2.subscriptionUserData() })],
    ['m3', subscription(['t'])],
  ]);
  const before = r;
  r = a1.assign(p, subs).assignment;
  assert.equal(r.get('m1')!.length, 2);
  assert.equal(r.get('m2')!.length, 2);
  assert.equal(r.get('m3')!.length, 2);
  for (const m of ['m1', 'm2'])
    for (const t of r.get(m)!)
      assert.ok(
        before.get(m)!.some((x) => x.partition === t.partition),
        `${m} kept ${t.partition}`,
      );
});

// ---- cooperative: revoke before reassign
test('cooperative-sticky: a moving partition is revoked first and assigned in the next rebalance', () => {
  const coop = new CooperativeStickyAssignor();
  const p = ppt(['t', 4]);
  // generation 1: c1 owns all four
  const g1 = new Map([
    ['c1', v2(['t'], parseTps('t-0, t-1, t-2, t-3'), 1)],
    ['c2', v2(['t'], [], 1)],
  ]);
  const r1 = coop.assign(p, g1).assignment;
  assert.equal(str(r1.get('c1')!), 't-0, t-1'); // keeps what it keeps
  assert.equal(str(r1.get('c2')!), ''); // t-2, t-3 are only revoked in this round
  // c1 revoked t-2, t-3 and rejoins; generation 2: nobody owns them, so c2 gets them now
  const g2 = new Map([
    ['c1', v2(['t'], r1.get('c1')!, 2)],
    ['c2', v2(['t'], [], 2)],
  ]);
  const r2 = coop.assign(p, g2).assignment;
  assert.equal(str(r2.get('c1')!), 't-0, t-1');
  assert.equal(str(r2.get('c2')!), 't-2, t-3');
});

test('cooperative-sticky: general path computes transfers from owned vs assigned', () => {
  const coop = new CooperativeStickyAssignor();
  const p = ppt(['a', 4], ['b', 2]);
  const subs = new Map([
    ['c1', v2(['a', 'b'], parseTps('a-0, a-1, a-2, a-3, b-0, b-1'), 3)],
    ['c2', v2(['a'], [], 3)],
  ]);
  const r = coop.assign(p, subs).assignment;
  // balanced is 3/3: the sticky result moves a-0, a-1, a-2 to c2; they are withheld until c1 revokes them
  const full = stickyAssign(p, subs, CooperativeStickyAssignor.memberData).assignment;
  assert.equal(str(full.get('c1')!), 'a-3, b-0, b-1');
  assert.equal(str(full.get('c2')!), 'a-0, a-1, a-2');
  assert.equal(str(r.get('c1')!), 'a-3, b-0, b-1');
  assert.equal(str(r.get('c2')!), '');
  // next round: c1 revoked them
  const r2 = coop.assign(
    p,
    new Map([
      ['c1', v2(['a', 'b'], r.get('c1')!, 4)],
      ['c2', v2(['a'], [], 4)],
    ]),
  ).assignment;
  assert.equal(str(r2.get('c2')!), 'a-0, a-1, a-2');
});

test('cooperative-sticky: generation from userData for pre-v2 subscriptions', () => {
  const c = new CooperativeStickyAssignor();
  assert.equal(c.subscriptionUserData().readInt32BE(0), -1);
  c.onAssignment([], 5);
  assert.equal(c.subscriptionUserData().readInt32BE(0), 5);
  const owned = [tp('topic1', 0), tp('topic2', 1)];
  assert.deepEqual(
    CooperativeStickyAssignor.memberData(subscription(['topic'], { ownedPartitions: owned, userData: c.subscriptionUserData() })),
    {
      partitions: owned,
      generation: 5,
      rackId: null,
    },
  );
  assert.deepEqual(CooperativeStickyAssignor.memberData(v2(['topic'], owned, 1)), { partitions: owned, generation: 1 });
});
