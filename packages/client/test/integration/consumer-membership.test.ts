// Group membership against a Tributary broker's group coordinator: a pattern subscription picks up
// a topic created later (metadata.max.age.ms); a list of topics with roundrobin and with sticky
// (eager: everything revoked, then a subset of the old partitions kept); static membership
// (group.instance.id: close leaves no gap, the same instance id gets its partitions back without
// a rebalance of the others); partitions reported lost (not revoked) after a session timeout, after
// max.poll.interval.ms without a pull (the member leaves the group, and rejoins on the next pull),
// and after being fenced by another consumer with the same group.instance.id, which stops the fenced
// consumer with FENCED_INSTANCE_ID instead of fencing the other one back; NOT_COORDINATOR on a
// heartbeat sends the consumer to FindCoordinator again without losing its membership.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '@tributary/protocol';
import { Kafka } from '../../src/kafka.ts';
import { KafkaClientError } from '../../src/network/errors.ts';
import type { ConsumerRecord, RebalanceListener } from '../../src/api.ts';
import type { TopicPartition } from '../../src/assignors/types.ts';
import { drain, take, until } from './helpers.ts';
import { ApiKey, startInstrumentedBroker, type InstrumentedBroker } from './instrumented-broker.ts';

let broker: InstrumentedBroker;
let kafka: Kafka;
const FAST = { heartbeatIntervalMs: 100, sessionTimeoutMs: 6000, maxPollIntervalMs: 20_000 } as const;

before(async () => {
  broker = await startInstrumentedBroker({
    settings: { 'num.partitions': 1, 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 500 },
  });
  kafka = new Kafka({ bootstrapServers: broker.bootstrap });
});
after(async () => {
  await kafka.close();
  await broker.stop();
});

const tps = (ps: TopicPartition[]) => ps.map((p) => `${p.topic}-${p.partition}`).sort();

function recorder(events: string[], who: string): RebalanceListener {
  return {
    assigned: (ps) => void events.push(`${who} assigned ${tps(ps)}`),
    revoked: (ps) => void events.push(`${who} revoked ${tps(ps)}`),
    lost: (ps) => void events.push(`${who} lost ${tps(ps)}`),
  };
}

async function produce(topic: string, partitions: number, values: string[]): Promise<void> {
  const producer = kafka.producer({ lingerMs: 0 });
  await producer.send({ topic, messages: values.map((value, i) => ({ value, partition: i % partitions })) });
  await producer.close();
}

describe('consumer group membership against a Tributary broker', () => {
  it('a pattern subscription picks up a matching topic created later', async () => {
    const admin = kafka.admin();
    await admin.createTopics([
      { name: 'logs-a', partitions: 1 },
      { name: 'metrics-a', partitions: 1 },
    ]);
    await produce('logs-a', 1, ['a1']);
    await produce('metrics-a', 1, ['m1']);
    const k = new Kafka({ bootstrapServers: broker.bootstrap, metadataMaxAgeMs: 200 });
    const consumer = k.consumer({ groupId: 'pattern', autoOffsetReset: 'earliest', ...FAST });
    await consumer.subscribe({ pattern: /^logs-/ });
    const it = consumer[Symbol.asyncIterator]();
    assert.deepEqual(
      (await take(it, 1)).map((r) => `${r.topic}:${r.value}`),
      ['logs-a:a1'],
    );
    await admin.createTopics([{ name: 'logs-b', partitions: 2 }]);
    await produce('logs-b', 2, ['b1', 'b2']);
    assert.deepEqual((await take(it, 2)).map((r) => `${r.topic}:${r.value}`).sort(), ['logs-b:b1', 'logs-b:b2']);
    assert.deepEqual(tps(consumer.assignment()), ['logs-a-0', 'logs-b-0', 'logs-b-1']);
    await consumer.close();
    await k.close();
  });

  it('roundrobin over a list of topics: partitions dealt alternately to the two members', async () => {
    await kafka.admin().createTopics([
      { name: 'rr-a', partitions: 2 },
      { name: 'rr-b', partitions: 2 },
    ]);
    const cfg = { groupId: 'rr', autoOffsetReset: 'earliest' as const, assignors: ['roundrobin' as const], ...FAST };
    const c1 = kafka.consumer(cfg);
    const c2 = kafka.consumer(cfg);
    await c1.subscribe(['rr-a', 'rr-b']);
    await c2.subscribe(['rr-a', 'rr-b']);
    const got: ConsumerRecord[] = [];
    const d1 = drain(c1, got);
    const d2 = drain(c2, got);
    await until(
      () => c1.assignment().length === 2 && c2.assignment().length === 2,
      'a 2/2 split',
      20_000,
      () => [d1.error, d2.error],
    );
    // Kafka's RoundRobinAssignor: sorted partitions rr-a-0, rr-a-1, rr-b-0, rr-b-1 dealt in member order
    assert.deepEqual([tps(c1.assignment()), tps(c2.assignment())].sort(), [
      ['rr-a-0', 'rr-b-0'],
      ['rr-a-1', 'rr-b-1'],
    ]);
    const [desc] = await kafka.admin().describeGroups(['rr']);
    assert.deepEqual([desc!.protocol, desc!.state, desc!.members.length], ['roundrobin', 'Stable', 2]);
    await produce('rr-a', 2, ['a0', 'a1']);
    await produce('rr-b', 2, ['b0', 'b1']);
    await until(
      () => got.length === 4,
      'the 4 records',
      20_000,
      () => [d1.error, d2.error],
    );
    assert.deepEqual(got.map((r) => r.value!.toString()).sort(), ['a0', 'a1', 'b0', 'b1']);
    await d1.stop();
    await d2.stop();
    await c1.close();
    await c2.close();
  });

  it('sticky (eager): the first member keeps two of its partitions when the second joins', async () => {
    await kafka.admin().createTopics([{ name: 'sticky-t', partitions: 4 }]);
    const events: string[] = [];
    const cfg = { groupId: 'sticky', autoOffsetReset: 'earliest' as const, assignors: ['sticky' as const], ...FAST };
    const c1 = kafka.consumer(cfg);
    await c1.subscribe('sticky-t', recorder(events, 'c1'));
    const d1 = drain(c1, []);
    await until(
      () => c1.assignment().length === 4,
      'c1 owning all 4',
      20_000,
      () => [d1.error],
    );
    const c2 = kafka.consumer(cfg);
    await c2.subscribe('sticky-t', recorder(events, 'c2'));
    const d2 = drain(c2, []);
    await until(
      () => c1.assignment().length === 2 && c2.assignment().length === 2,
      'a 2/2 split',
      20_000,
      () => [d1.error, d2.error],
    );
    const kept = tps(c1.assignment());
    const moved = tps(c2.assignment());
    assert.deepEqual([...kept, ...moved].sort(), ['sticky-t-0', 'sticky-t-1', 'sticky-t-2', 'sticky-t-3']);
    const all = 'sticky-t-0,sticky-t-1,sticky-t-2,sticky-t-3';
    // eager: c1 gives everything up before the rejoin, then gets two of them back
    assert.deepEqual(events.slice(0, 2), [`c1 assigned ${all}`, `c1 revoked ${all}`]);
    assert.deepEqual(events.slice(2).sort(), [`c1 assigned ${kept}`, `c2 assigned ${moved}`]);
    assert.equal((await kafka.admin().describeGroups(['sticky']))[0]!.protocol, 'sticky');
    // c2 leaves: c1 keeps its two and gets c2's back
    await d2.stop();
    await c2.close();
    await until(
      () => c1.assignment().length === 4,
      'c1 owning all 4 again',
      20_000,
      () => [d1.error],
    );
    assert.deepEqual(events.slice(-2), [`c1 revoked ${kept}`, `c1 assigned ${all}`]);
    await d1.stop();
    await c1.close();
  });

  it('static membership: a restarted instance gets its partitions back, the other member is not disturbed', async () => {
    await kafka.admin().createTopics([{ name: 'static-t', partitions: 4 }]);
    const events: string[] = [];
    const cfg = { groupId: 'static', autoOffsetReset: 'earliest' as const, assignors: ['range' as const], ...FAST };
    const c1 = kafka.consumer({ ...cfg, groupInstanceId: 'instance-1' });
    const c2 = kafka.consumer({ ...cfg, groupInstanceId: 'instance-2' });
    await c1.subscribe('static-t', recorder(events, 'c1'));
    const d1 = drain(c1, []);
    await until(
      () => c1.assignment().length === 4,
      'c1 owning all 4',
      20_000,
      () => [d1.error],
    );
    await c2.subscribe('static-t', recorder(events, 'c2'));
    const d2 = drain(c2, []);
    await until(
      () => c1.assignment().length === 2 && c2.assignment().length === 2,
      'a 2/2 split',
      20_000,
      () => [d1.error, d2.error],
    );
    // range orders static members by group.instance.id
    assert.deepEqual(
      [tps(c1.assignment()), tps(c2.assignment())],
      [
        ['static-t-0', 'static-t-1'],
        ['static-t-2', 'static-t-3'],
      ],
    );
    const settled = events.length;
    const leavesBefore = broker.of(ApiKey.LeaveGroup).length;

    await d1.stop();
    await c1.close();
    assert.equal(broker.of(ApiKey.LeaveGroup).length, leavesBefore, 'a static member does not leave on close');
    const [during] = await kafka.admin().describeGroups(['static']);
    assert.deepEqual(during!.members.map((m) => m.groupInstanceId).sort(), ['instance-1', 'instance-2']);

    const c1b = kafka.consumer({ ...cfg, groupInstanceId: 'instance-1' });
    await c1b.subscribe('static-t', recorder(events, 'c1b'));
    const d1b = drain(c1b, []);
    await until(
      () => c1b.assignment().length === 2,
      'the restarted instance to get its partitions',
      20_000,
      () => [d1b.error, d2.error],
    );
    assert.deepEqual(tps(c1b.assignment()), ['static-t-0', 'static-t-1']);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(events.slice(settled), ['c1b assigned static-t-0,static-t-1'], 'c2 saw no rebalance');
    assert.deepEqual(tps(c2.assignment()), ['static-t-2', 'static-t-3']);
    await d1b.stop();
    await d2.stop();
    await c1b.close();
    await c2.close();
  });

  it('a session timeout: the partitions are lost (not revoked), then assigned again', async () => {
    await kafka.admin().createTopics([{ name: 'expiring', partitions: 1 }]);
    const events: string[] = [];
    const consumer = kafka.consumer({
      groupId: 'expiring',
      autoOffsetReset: 'earliest',
      autoCommit: false,
      heartbeatIntervalMs: 100,
      sessionTimeoutMs: 1000,
      maxPollIntervalMs: 20_000,
    });
    await consumer.subscribe('expiring', recorder(events, 'c'));
    const d = drain(consumer, []);
    await until(
      () => events.length === 1,
      'the assignment',
      20_000,
      () => [d.error],
    );
    // heartbeats stop reaching the coordinator (answered here, not by it): the session expires
    broker.intercept(ApiKey.Heartbeat, () => ({ errorCode: ErrorCode.NONE }));
    const admin = kafka.admin();
    let members = 1;
    await until(
      () => members === 0,
      'the coordinator to expire the member',
      20_000,
      () => {
        void admin.describeGroups(['expiring']).then(([g]) => (members = g!.members.length));
        return [d.error];
      },
    );
    broker.intercept(ApiKey.Heartbeat, null);
    await until(
      () => events.length === 3,
      'lost, then assigned again',
      20_000,
      () => [d.error],
    );
    assert.deepEqual(events, ['c assigned expiring-0', 'c lost expiring-0', 'c assigned expiring-0']);
    await d.stop();
    await consumer.close();
  });

  it('NOT_COORDINATOR on a heartbeat: the coordinator is looked up again, the membership kept', async () => {
    await kafka.admin().createTopics([{ name: 'coord-moved', partitions: 1 }]);
    const events: string[] = [];
    const consumer = kafka.consumer({ groupId: 'coord-moved', autoOffsetReset: 'earliest', ...FAST });
    await consumer.subscribe('coord-moved', recorder(events, 'c'));
    const d = drain(consumer, []);
    await until(
      () => events.length === 1,
      'the assignment',
      20_000,
      () => [d.error],
    );
    const finds = broker.of(ApiKey.FindCoordinator).length;
    const beats = broker.of(ApiKey.Heartbeat).length;
    let refused = 0;
    broker.intercept(ApiKey.Heartbeat, () => (refused++ === 0 ? { errorCode: ErrorCode.NOT_COORDINATOR } : undefined));
    await until(
      () => broker.of(ApiKey.Heartbeat).length >= beats + 3,
      'heartbeats after the refusal',
      20_000,
      () => [d.error],
    );
    broker.intercept(ApiKey.Heartbeat, null);
    assert.ok(broker.of(ApiKey.FindCoordinator).length > finds, 'FindCoordinator sent again');
    assert.deepEqual(events, ['c assigned coord-moved-0'], 'no rebalance, nothing lost');
    await d.stop();
    await consumer.close();
  });

  it('max.poll.interval.ms exceeded: the member leaves, its partitions are lost; the next pull rejoins', async () => {
    await kafka.admin().createTopics([{ name: 'slow-poll', partitions: 1 }]);
    await produce('slow-poll', 1, ['s0', 's1']);
    const events: string[] = [];
    const consumer = kafka.consumer({
      groupId: 'slow-poll',
      autoOffsetReset: 'earliest',
      autoCommit: false,
      heartbeatIntervalMs: 100,
      sessionTimeoutMs: 6000,
      maxPollIntervalMs: 1000,
    });
    await consumer.subscribe('slow-poll', recorder(events, 'c'));
    const it = consumer[Symbol.asyncIterator]();
    assert.deepEqual(
      (await take(it, 1)).map((r) => r.value!.toString()),
      ['s0'],
    );
    const leaves = broker.of(ApiKey.LeaveGroup).length;
    // the application stops pulling for longer than max.poll.interval.ms
    await until(() => events.length === 2, 'the poll timeout', 20_000);
    assert.deepEqual(events, ['c assigned slow-poll-0', 'c lost slow-poll-0']);
    // the 'lost' event comes first; the LeaveGroup reaches the broker just after (a loaded machine can tell)
    await until(() => broker.of(ApiKey.LeaveGroup).length > leaves, 'the LeaveGroup', 5_000);
    const leave = broker.of(ApiKey.LeaveGroup).slice(leaves);
    assert.equal(leave.length, 1);
    assert.equal(leave[0]!.body.members[0].reason, 'consumer poll timeout has expired');
    assert.deepEqual(consumer.assignment(), []);
    // pulling again rejoins; nothing was committed, so the partition starts over (auto.offset.reset)
    // instead of continuing with the data fetched before it was lost
    assert.deepEqual(
      (await take(it, 2)).map((r) => [r.offset, r.value!.toString()]),
      [
        [0n, 's0'],
        [1n, 's1'],
      ],
    );
    assert.deepEqual(events, ['c assigned slow-poll-0', 'c lost slow-poll-0', 'c assigned slow-poll-0']);
    await consumer.close();
  });

  it('fenced by another consumer with the same group.instance.id: lost, then FENCED_INSTANCE_ID', async () => {
    await kafka.admin().createTopics([{ name: 'fenced-t', partitions: 1 }]);
    await produce('fenced-t', 1, ['f0']);
    const events: string[] = [];
    const cfg = { groupId: 'fenced', groupInstanceId: 'same-id', autoOffsetReset: 'earliest' as const, ...FAST };
    const c1 = kafka.consumer(cfg);
    await c1.subscribe('fenced-t', recorder(events, 'c1'));
    const it1 = c1[Symbol.asyncIterator]();
    assert.deepEqual(
      (await take(it1, 1)).map((r) => r.value!.toString()),
      ['f0'],
    );
    const c2 = kafka.consumer(cfg);
    await c2.subscribe('fenced-t', recorder(events, 'c2'));
    const got2: ConsumerRecord[] = [];
    const d2 = drain(c2, got2);
    await until(
      () => events.includes('c1 lost fenced-t-0'),
      'c1 to be fenced',
      20_000,
      () => [d2.error],
    );
    await assert.rejects(it1.next(), (err: unknown) => {
      assert.ok(err instanceof KafkaClientError);
      assert.deepEqual([err.type, err.code, err.retriable], ['FENCED_INSTANCE_ID', 82, false]);
      assert.match(err.message, /^group fenced: another consumer joined with group\.instance\.id same-id; this one is fenced/);
      return true;
    });
    await produce('fenced-t', 1, ['f1']);
    await until(
      () => got2.some((r) => r.value!.toString() === 'f1'),
      'c2 to read on',
      20_000,
      () => [d2.error],
    );
    await new Promise((r) => setTimeout(r, 500));
    // and nothing after: c1 did not rejoin and fence c2 in turn
    assert.deepEqual(events[0], 'c1 assigned fenced-t-0');
    assert.deepEqual(events.slice(1).sort(), ['c1 lost fenced-t-0', 'c2 assigned fenced-t-0']);
    assert.deepEqual(tps(c2.assignment()), ['fenced-t-0']);
    await d2.stop();
    await c1.close();
    await c2.close();
  });
});
