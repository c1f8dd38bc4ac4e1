// Consumer groups with real clients (issue 5): for kafka-python, confluent-kafka (range,
// roundrobin, cooperative-sticky), KafkaJS and @platformatic/kafka, three members over a topic of 6
// partitions own each partition exactly once; a killed member (session timeout) and a leaving
// member have their partitions taken over; with commits after processing no record is lost.
// Members of different client libraries in one group agree on the assignment.
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { needTool } from './tools.ts';
import {
  Member,
  createTopic,
  describeAssignment,
  expectedRecords,
  missing,
  ownedExactlyOnce,
  produce,
  waitFor,
  type Lib,
} from './groups/members.ts';

const PARTITIONS = 6;
const BATCH = 4; // records per partition per round

function available(t: TestContext, lib: Lib): boolean {
  if (lib === 'kafka-python' || lib === 'confluent-kafka') return needTool(t, lib);
  return true;
}

describe('consumer groups with real clients', () => {
  let kafka: TestBroker;
  const members: Member[] = [];
  before(async () => {
    kafka = await startBroker({
      settings: { 'group.initial.rebalance.delay.ms': 100, 'group.min.session.timeout.ms': 1000, 'offsets.topic.num.partitions': 10 },
    });
  });
  after(async () => {
    await Promise.all(members.map((m) => m.kill()));
    await kafka.stop();
  });

  const start = (cfg: ConstructorParameters<typeof Member>[0]) => {
    const m = new Member(cfg);
    members.push(m);
    return m;
  };
  const settle = (ms: Member[], what: string) =>
    waitFor(
      () => ownedExactlyOnce(ms, PARTITIONS),
      25_000,
      () =>
        `${what}: ${describeAssignment(ms)}\n${ms
          .map((m) =>
            m.output
              .filter((l) => !l.includes('"rec"'))
              .slice(-5)
              .join('\n'),
          )
          .join('\n')}`,
    );

  const cases: Array<[Lib, string | undefined]> = [
    ['kafka-python', 'range'],
    ['confluent-kafka', 'range'],
    ['confluent-kafka', 'roundrobin'],
    ['confluent-kafka', 'cooperative-sticky'],
    ['kafkajs', undefined],
    ['platformatic', undefined],
  ];
  for (const [lib, strategy] of cases) {
    it(`${lib}${strategy ? ` (${strategy})` : ''}: 3 members own 6 partitions once; killed and leaving members are taken over; no record lost`, async (t) => {
      if (!available(t, lib)) return;
      const topic = `g-${lib}-${strategy ?? 'default'}`;
      const cfg = { lib, bootstrap: kafka.bootstrap, group: `group-${topic}`, topic, strategy };
      await createTopic(kafka.bootstrap, topic, PARTITIONS);
      await produce(kafka.bootstrap, topic, PARTITIONS, BATCH);
      const ms = [start(cfg), start(cfg), start(cfg)];
      await settle(ms, 'three members');
      assert.deepEqual(
        ms.map((m) => m.assigned.length),
        [2, 2, 2],
      );

      await ms[0]!.kill(); // no LeaveGroup: evicted after its 2 s session timeout
      await settle(ms, 'after a member was killed');
      await produce(kafka.bootstrap, topic, PARTITIONS, BATCH);
      await ms[1]!.stop(); // LeaveGroup
      await settle(ms, 'after a member left');
      assert.deepEqual(ms[2]!.assigned, [0, 1, 2, 3, 4, 5]);
      await produce(kafka.bootstrap, topic, PARTITIONS, BATCH);
      const expected = expectedRecords(PARTITIONS, 3 * BATCH);
      await waitFor(
        () => missing(ms, expected).length === 0,
        20_000,
        () => `records ${missing(ms, expected).join(' ')}`,
      );
      await ms[2]!.stop();
    });
  }

  it('kafka-python, confluent-kafka and @platformatic/kafka members in one group (roundrobin) agree on the assignment', async (t) => {
    if (!needTool(t, 'kafka-python') || !needTool(t, 'confluent-kafka')) return;
    const topic = 'g-mixed';
    await createTopic(kafka.bootstrap, topic, PARTITIONS);
    await produce(kafka.bootstrap, topic, PARTITIONS, BATCH);
    const base = { bootstrap: kafka.bootstrap, group: 'group-mixed', topic, strategy: 'roundrobin' };
    const ms = [
      start({ ...base, lib: 'kafka-python' }),
      start({ ...base, lib: 'confluent-kafka' }),
      start({ ...base, lib: 'platformatic' }),
    ];
    await settle(ms, 'mixed group');
    assert.deepEqual(
      ms.map((m) => m.assigned.length),
      [2, 2, 2],
    );
    const expected = expectedRecords(PARTITIONS, BATCH);
    await waitFor(
      () => missing(ms, expected).length === 0,
      20_000,
      () => `records ${missing(ms, expected).join(' ')}`,
    );
    await Promise.all(ms.map((m) => m.stop()));
  });
});
