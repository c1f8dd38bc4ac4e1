// Two consumers in one group, rebalanced by the broker's real classic group coordinator (served
// through the mini Kafka): cooperative-sticky moves only the partitions the new member needs,
// revoking them first and assigning them in the next rebalance, while the first member keeps
// consuming the rest; eager range revokes everything and reassigns. Every record is consumed once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka } from '../../src/kafka.ts';
import type { Consumer, ConsumerRecord } from '../../src/api.ts';
import type { TopicPartition } from '../../src/assignors/types.ts';
import { startMiniKafka } from '../helpers/mini-kafka.ts';

const names = (ps: TopicPartition[]) => ps.map((p) => p.partition).sort((a, b) => a - b);

/** Pulls from a consumer in the background, collecting records, until stopped (one pull at a time). */
function drain(c: Consumer, into: ConsumerRecord[]) {
  let stop = false;
  let error: unknown = null;
  const it = c[Symbol.asyncIterator]();
  const done = (async () => {
    let pending: Promise<IteratorResult<ConsumerRecord>> | null = null;
    while (!stop) {
      pending ??= it.next();
      const r = await Promise.race([pending, new Promise<null>((res) => setTimeout(() => res(null), 50))]);
      if (r === null) continue;
      pending = null;
      if (r.done) return;
      into.push(r.value);
    }
  })().catch((e) => {
    error = e;
  });
  return {
    stop: async () => {
      stop = true;
      await done;
      if (error) throw error;
    },
    get error() {
      return error;
    },
  };
}

async function until(cond: () => boolean, what: string, ms = 10000, errors: () => unknown[] = () => []) {
  const end = Date.now() + ms;
  while (!cond()) {
    const e = errors().find((x) => x);
    if (e) throw e;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const assignor of ['cooperative-sticky', 'range'] as const) {
  test(`${assignor}: a second member joins; partitions split 2/2; records consumed once`, async () => {
    const mk = await startMiniKafka(4, { realGroups: true });
    const kafka = new Kafka({ bootstrapServers: mk.address });
    const events: string[] = [];
    const listener = (who: string) => ({
      assigned: (ps: TopicPartition[]) => void events.push(`${who} assigned ${names(ps)}`),
      revoked: (ps: TopicPartition[]) => void events.push(`${who} revoked ${names(ps)}`),
      lost: (ps: TopicPartition[]) => void events.push(`${who} lost ${names(ps)}`),
    });
    const cfg = {
      groupId: 'g',
      autoOffsetReset: 'earliest' as const,
      assignors: [assignor],
      heartbeatIntervalMs: 50,
      sessionTimeoutMs: 3000,
      maxPollIntervalMs: 10000,
    };
    const got1: ConsumerRecord[] = [];
    const got2: ConsumerRecord[] = [];
    const producer = kafka.producer({ lingerMs: 0 });
    try {
      await producer.send({ topic: 't', messages: [0, 1, 2, 3].map((p) => ({ value: `a${p}`, partition: p })) });
      const c1 = kafka.consumer(cfg);
      await c1.subscribe('t', listener('c1'));
      const d1 = drain(c1, got1);
      await until(
        () => got1.length === 4,
        'c1 to read the first records',
        10000,
        () => [d1.error],
      );
      assert.deepEqual(names(c1.assignment()), [0, 1, 2, 3]);

      const c2 = kafka.consumer(cfg);
      await c2.subscribe('t', listener('c2'));
      const d2 = drain(c2, got2);
      await until(
        () => c1.assignment().length === 2 && c2.assignment().length === 2,
        `a 2/2 split (${events.join(' | ')})`,
        10000,
        () => [d1.error, d2.error],
      );
      await producer.send({ topic: 't', messages: [0, 1, 2, 3].map((p) => ({ value: `b${p}`, partition: p })) });
      await until(
        () => got1.length + got2.length >= 8,
        'all records',
        10000,
        () => [d1.error, d2.error],
      );
      await new Promise((r) => setTimeout(r, 200));
      await d1.stop();
      await d2.stop();
      const all = [...got1, ...got2].map((r) => r.value!.toString()).sort();
      assert.deepEqual(all, ['a0', 'a1', 'a2', 'a3', 'b0', 'b1', 'b2', 'b3']);
      const c1Parts = names(c1.assignment());
      const c2Parts = names(c2.assignment());
      assert.deepEqual([...c1Parts, ...c2Parts].sort(), [0, 1, 2, 3]);
      if (assignor === 'cooperative-sticky') {
        // c1 only ever gave up the two partitions c2 got; it was never told to drop everything
        assert.ok(events.includes(`c1 revoked ${c2Parts}`), events.join(' | '));
        assert.ok(!events.includes('c1 revoked 0,1,2,3'), events.join(' | '));
        assert.ok(events.includes(`c2 assigned ${c2Parts}`), events.join(' | '));
      } else {
        // eager: everything is revoked before the rejoin; range gives each member a contiguous pair
        assert.ok(events.includes('c1 revoked 0,1,2,3'), events.join(' | '));
        assert.ok(
          [c1Parts, c2Parts].every((ps) => ps[1] === ps[0] + 1 && ps[0] % 2 === 0),
          `${c1Parts} / ${c2Parts}`,
        );
      }
      await c1.close();
      await c2.close();
    } finally {
      await kafka.close();
      await mk.close();
    }
  });
}
