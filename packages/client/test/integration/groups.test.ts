// Consumer groups against a Tributary broker's group coordinator: commit and resume (manual and
// auto-commit on close), two members sharing the partitions (each partition owned by exactly one,
// every record read once, with both eager range and cooperative-sticky), the survivor taking over
// when a member leaves, independent groups, and the admin view of groups and their offsets.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { Kafka } from '../../src/kafka.ts';
import type { ConsumerRecord } from '../../src/api.ts';
import type { AssignorName } from '../../src/assignors/index.ts';
import { drain, take, until } from './helpers.ts';

let broker: TestBroker;
let kafka: Kafka;
const FAST = { heartbeatIntervalMs: 100, sessionTimeoutMs: 6000, maxPollIntervalMs: 10_000 } as const;

before(async () => {
  broker = await startBroker({ settings: { 'num.partitions': 1, 'group.initial.rebalance.delay.ms': 0 } });
  kafka = new Kafka({ bootstrapServers: broker.bootstrap });
});
after(async () => {
  await kafka.close();
  await broker.stop();
});

async function fill(topic: string, partitions: number, perPartition: number, prefix: string): Promise<void> {
  const producer = kafka.producer({ lingerMs: 1 });
  await producer.send({
    topic,
    messages: Array.from({ length: partitions * perPartition }, (_, i) => ({ value: `${prefix}${i}`, partition: i % partitions })),
  });
  await producer.close();
}

describe('consumer groups against a Tributary broker', () => {
  it('commit and resume: manual commit, then auto-commit on close', async () => {
    const topic = 'g-resume';
    await kafka.admin().createTopics([{ name: topic, partitions: 2 }]);
    await fill(topic, 2, 5, 'a');
    const c1 = kafka.consumer({ groupId: 'resume', autoOffsetReset: 'earliest', autoCommit: false, ...FAST });
    await c1.subscribe([topic]);
    const first = await take(c1[Symbol.asyncIterator](), 10);
    assert.deepEqual(first.map((r) => r.value!.toString()).sort(), Array.from({ length: 10 }, (_, i) => `a${i}`).sort());
    await c1.commit();
    assert.deepEqual(
      (
        await c1.committed([
          { topic, partition: 0 },
          { topic, partition: 1 },
        ])
      ).map((c) => c?.offset),
      [5n, 5n],
    );
    await c1.close();
    assert.deepEqual(
      (await kafka.admin().listGroupOffsets('resume')).map((o) => [o.partition, o.offset]),
      [
        [0, 5n],
        [1, 5n],
      ],
    );

    await fill(topic, 2, 2, 'b');
    const c2 = kafka.consumer({ groupId: 'resume', autoOffsetReset: 'earliest', ...FAST });
    await c2.subscribe(topic);
    const next = await take(c2[Symbol.asyncIterator](), 4);
    assert.deepEqual(next.map((r) => r.value!.toString()).sort(), ['b0', 'b1', 'b2', 'b3']);
    assert.deepEqual(next.map((r) => r.offset).sort(), [5n, 5n, 6n, 6n]);
    await c2.close(); // auto-commit on close
    assert.deepEqual(
      (await kafka.admin().listGroupOffsets('resume')).map((o) => [o.partition, o.offset]),
      [
        [0, 7n],
        [1, 7n],
      ],
    );
  });

  for (const assignor of ['range', 'cooperative-sticky'] as AssignorName[]) {
    it(`two members (${assignor}) share the partitions; each record read once; the survivor takes over`, async () => {
      const topic = `g-share-${assignor}`;
      const group = `share-${assignor}`;
      await kafka.admin().createTopics([{ name: topic, partitions: 4 }]);
      await fill(topic, 4, 10, 'x');
      const got1: ConsumerRecord[] = [];
      const got2: ConsumerRecord[] = [];
      const c1 = kafka.consumer({ groupId: group, autoOffsetReset: 'earliest', assignors: [assignor], ...FAST });
      await c1.subscribe([topic]);
      const d1 = drain(c1, got1);
      await until(
        () => c1.assignment().length === 4,
        'the first member to own all 4 partitions',
        20_000,
        () => [d1.error],
      );
      const c2 = kafka.consumer({ groupId: group, autoOffsetReset: 'earliest', assignors: [assignor], ...FAST });
      await c2.subscribe([topic]);
      const d2 = drain(c2, got2);
      await until(
        () => c1.assignment().length === 2 && c2.assignment().length === 2,
        'a 2/2 split',
        20_000,
        () => [d1.error, d2.error],
      );
      const p1 = c1.assignment().map((p) => p.partition);
      const p2 = c2.assignment().map((p) => p.partition);
      assert.deepEqual([...p1, ...p2].sort(), [0, 1, 2, 3], 'each partition owned by exactly one member');

      await fill(topic, 4, 10, 'y');
      const ys = () => [...got1, ...got2].filter((r) => r.value!.toString().startsWith('y'));
      await until(
        () => ys().length >= 40,
        'the 40 records produced after the split',
        20_000,
        () => [d1.error, d2.error],
      );
      assert.equal(new Set(ys().map((r) => r.value!.toString())).size, 40);
      assert.equal(ys().length, 40, 'no record twice');
      for (const r of got1.filter((x) => x.value!.toString().startsWith('y'))) assert.ok(p1.includes(r.partition));
      for (const r of got2.filter((x) => x.value!.toString().startsWith('y'))) assert.ok(p2.includes(r.partition));
      const xs = [...got1, ...got2].filter((r) => r.value!.toString().startsWith('x')).map((r) => r.value!.toString());
      assert.equal(new Set(xs).size, 40, 'every earlier record read');

      // the second member leaves: the first gets everything back and reads what follows
      await d2.stop();
      await c2.close();
      await until(
        () => c1.assignment().length === 4,
        'the survivor to own all 4 partitions',
        20_000,
        () => [d1.error],
      );
      await fill(topic, 4, 2, 'z');
      await until(
        () => got1.filter((r) => r.value!.toString().startsWith('z')).length === 8,
        'the survivor to read the 8 new records',
        20_000,
        () => [d1.error],
      );
      await d1.stop();
      await c1.close();
    });
  }

  it('groups are independent; admin lists, describes and deletes them', async () => {
    const topic = 'g-indep';
    await kafka.admin().createTopics([{ name: topic, partitions: 1 }]);
    await fill(topic, 1, 3, 'i');
    const a = kafka.consumer({ groupId: 'indep-a', autoOffsetReset: 'earliest', ...FAST });
    const b = kafka.consumer({ groupId: 'indep-b', autoOffsetReset: 'earliest', ...FAST });
    await a.subscribe(topic);
    await b.subscribe(topic);
    const [ra, rb] = await Promise.all([take(a[Symbol.asyncIterator](), 3), take(b[Symbol.asyncIterator](), 3)]);
    assert.deepEqual(
      ra.map((r) => r.offset),
      [0n, 1n, 2n],
    );
    assert.deepEqual(
      rb.map((r) => r.offset),
      [0n, 1n, 2n],
    );

    const admin = kafka.admin();
    const groups = await admin.listGroups();
    const mine = groups.filter((g) => g.groupId.startsWith('indep-'));
    assert.deepEqual(
      mine.map((g) => [g.groupId, g.protocolType, g.state]),
      [
        ['indep-a', 'consumer', 'Stable'],
        ['indep-b', 'consumer', 'Stable'],
      ],
    );
    const [desc] = await admin.describeGroups(['indep-a']);
    assert.equal(desc!.state, 'Stable');
    assert.equal(desc!.members.length, 1);
    assert.deepEqual(desc!.members[0]!.assignment, [{ topic, partition: 0 }]);
    assert.equal(desc!.members[0]!.clientId, 'tributary');

    await a.close();
    await b.close();
    assert.deepEqual(
      (await admin.listGroupOffsets('indep-a')).map((o) => o.offset),
      [3n],
    );
    await admin.alterGroupOffsets('indep-a', [{ topic, partition: 0, offset: 1n }]);
    const again = kafka.consumer({ groupId: 'indep-a', autoOffsetReset: 'earliest', ...FAST });
    await again.subscribe(topic);
    assert.deepEqual(
      (await take(again[Symbol.asyncIterator](), 2)).map((r) => r.offset),
      [1n, 2n],
    );
    await again.close();
    await admin.deleteGroups(['indep-b']);
    assert.ok(!(await admin.listGroups()).some((g) => g.groupId === 'indep-b'));
  });
});
