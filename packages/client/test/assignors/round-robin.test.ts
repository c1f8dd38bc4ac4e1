// RoundRobinAssignor: the assignments of Kafka's RoundRobinAssignorTest and its javadoc examples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoundRobinAssignor, subscription, type MemberSubscription } from '../../src/assignors/index.ts';
import { ppt } from './helpers.ts';

const rr = (p: ReturnType<typeof ppt>, subs: Array<[string, MemberSubscription]>) =>
  new RoundRobinAssignor().assign(p, new Map(subs)).assignment;
const l = (a: Map<string, { topic: string; partition: number }[]>, m: string) => a.get(m)!.map((t) => `${t.topic}-${t.partition}`);

test('roundrobin: javadoc examples', () => {
  let a = rr(ppt(['t0', 3], ['t1', 3]), [
    ['C0', subscription(['t0', 't1'])],
    ['C1', subscription(['t0', 't1'])],
  ]);
  assert.deepEqual(l(a, 'C0'), ['t0-0', 't0-2', 't1-1']);
  assert.deepEqual(l(a, 'C1'), ['t0-1', 't1-0', 't1-2']);
  a = rr(ppt(['t0', 1], ['t1', 2], ['t2', 3]), [
    ['C0', subscription(['t0'])],
    ['C1', subscription(['t0', 't1'])],
    ['C2', subscription(['t0', 't1', 't2'])],
  ]);
  assert.deepEqual(l(a, 'C0'), ['t0-0']);
  assert.deepEqual(l(a, 'C1'), ['t1-0']);
  assert.deepEqual(l(a, 'C2'), ['t1-1', 't2-0', 't2-1', 't2-2']);
});

test('roundrobin: one consumer; only subscribed topics; nonexistent topic', () => {
  assert.deepEqual(l(rr(ppt(['topic', 3]), [['consumer', subscription(['topic'])]]), 'consumer'), ['topic-0', 'topic-1', 'topic-2']);
  assert.deepEqual(l(rr(ppt(['topic', 3], ['other', 3]), [['consumer', subscription(['topic'])]]), 'consumer'), [
    'topic-0',
    'topic-1',
    'topic-2',
  ]);
  assert.deepEqual(l(rr(ppt(), [['consumer', subscription(['topic'])]]), 'consumer'), []);
  assert.deepEqual(l(rr(ppt(['topic1', 1], ['topic2', 2]), [['consumer', subscription(['topic1', 'topic2'])]]), 'consumer'), [
    'topic1-0',
    'topic2-0',
    'topic2-1',
  ]);
});

test('roundrobin: two consumers, one and two partitions; mixed topics', () => {
  let a = rr(ppt(['topic', 1]), [
    ['consumer1', subscription(['topic'])],
    ['consumer2', subscription(['topic'])],
  ]);
  assert.deepEqual(l(a, 'consumer1'), ['topic-0']);
  assert.deepEqual(l(a, 'consumer2'), []);
  a = rr(ppt(['topic1', 3], ['topic2', 2]), [
    ['consumer1', subscription(['topic1'])],
    ['consumer2', subscription(['topic1', 'topic2'])],
    ['consumer3', subscription(['topic1'])],
  ]);
  assert.deepEqual(l(a, 'consumer1'), ['topic1-0']);
  assert.deepEqual(l(a, 'consumer2'), ['topic1-1', 'topic2-0', 'topic2-1']);
  assert.deepEqual(l(a, 'consumer3'), ['topic1-2']);
});

test('roundrobin: static members by instance id, then dynamic (testStaticMemberRoundRobinAssignmentPersistent)', () => {
  const t = ['topic1', 'topic2'];
  let a = rr(ppt(['topic1', 3], ['topic2', 3]), [
    ['consumer-b', subscription(t, { groupInstanceId: 'instance1' })],
    ['consumer-a', subscription(t)],
  ]);
  assert.deepEqual(l(a, 'consumer-b'), ['topic1-0', 'topic1-2', 'topic2-1']);
  assert.deepEqual(l(a, 'consumer-a'), ['topic1-1', 'topic2-0', 'topic2-2']);
  const subs: Array<[string, MemberSubscription]> = [
    ['consumer1', subscription(t, { groupInstanceId: 'instance1' })],
    ['consumer2', subscription(t, { groupInstanceId: 'instance2' })],
    ['consumer3', subscription(t, { groupInstanceId: 'instance3' })],
    ['consumer4', subscription(t)],
  ];
  a = rr(ppt(['topic1', 3], ['topic2', 3]), subs);
  assert.deepEqual(l(a, 'consumer1'), ['topic1-0', 'topic2-1']);
  assert.deepEqual(l(a, 'consumer2'), ['topic1-1', 'topic2-2']);
  assert.deepEqual(l(a, 'consumer3'), ['topic1-2']);
  assert.deepEqual(l(a, 'consumer4'), ['topic2-0']);
  // member ids change, instance ids stay: same assignment per instance (5 + 5 partitions)
  const byInstance = (ids: string[]) => {
    const s: Array<[string, MemberSubscription]> = ids.map((id, i) => [id, subscription(t, { groupInstanceId: `instance${i + 1}` })]);
    const r = rr(ppt(['topic1', 5], ['topic2', 5]), s);
    return ids.map((id) => l(r, id).join(','));
  };
  const first = byInstance(['consumer1', 'consumer2', 'consumer3']);
  assert.deepEqual(first, ['topic1-0,topic1-3,topic2-1,topic2-4', 'topic1-1,topic1-4,topic2-2', 'topic1-2,topic2-0,topic2-3']);
  assert.deepEqual(byInstance(['consumer1', 'consumer5', 'consumer4']), first);
});
