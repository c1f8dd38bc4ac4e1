// Our consumers and other clients' consumers in one consumer group, coordinated by a Tributary
// broker: KafkaJS (protocol "RoundRobinAssigner", in-process) and kafka-python (range, a child
// process) each share a 4-partition topic with a @tributary/client consumer: the partitions are
// split between the two members (each owned by exactly one), and together they read every
// record produced after the split exactly once, each from its own partitions.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import kafkajs from 'kafkajs';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { Kafka, type Consumer, type ConsumerRecord } from '@tributary/client';
import { PYTHON, needTool } from './tools.ts';

let broker: TestBroker;
let kafka: Kafka;

before(async () => {
  broker = await startBroker({ settings: { 'num.partitions': 4, 'group.initial.rebalance.delay.ms': 0 } });
  kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'interop-groups' });
});
after(async () => {
  await kafka.close();
  await broker.stop();
});

async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Pulls records from our consumer in the background until stopped. */
function pull(c: Consumer, into: ConsumerRecord[]) {
  let stop = false;
  const it = c[Symbol.asyncIterator]();
  const done = (async () => {
    let pending: Promise<IteratorResult<ConsumerRecord>> | null = null;
    while (!stop) {
      pending ??= it.next();
      let timer: NodeJS.Timeout | undefined;
      const r = await Promise.race([pending, new Promise<null>((res) => (timer = setTimeout(() => res(null), 50)))]);
      clearTimeout(timer);
      if (r === null) continue;
      pending = null;
      if (r.done) return;
      into.push(r.value);
    }
  })();
  return async () => {
    stop = true;
    await done;
  };
}

async function produce(topic: string, prefix: string, n: number): Promise<void> {
  const p = kafka.producer({ lingerMs: 1 });
  await p.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ value: `${prefix}${i}`, partition: i % 4 })) });
  await p.close();
}

/** Checks the split and the exactly-once reading of the records with `prefix`. */
function checkShare(
  ours: Array<{ partition: number; value: string }>,
  theirs: Array<{ partition: number; value: string }>,
  ourParts: number[],
  theirParts: number[],
  prefix: string,
  n: number,
) {
  assert.equal(ourParts.length, 2);
  assert.equal(theirParts.length, 2);
  assert.deepEqual([...ourParts, ...theirParts].sort(), [0, 1, 2, 3], 'each partition owned by exactly one member');
  const o = ours.filter((r) => r.value.startsWith(prefix));
  const t = theirs.filter((r) => r.value.startsWith(prefix));
  assert.deepEqual(
    [...o, ...t].map((r) => r.value).sort(),
    Array.from({ length: n }, (_, i) => `${prefix}${i}`).sort(),
    'every record exactly once',
  );
  for (const r of o) assert.ok(ourParts.includes(r.partition), `ours read ${r.value} from partition ${r.partition}`);
  for (const r of t) assert.ok(theirParts.includes(r.partition), `theirs read ${r.value} from partition ${r.partition}`);
  assert.ok(o.length > 0 && t.length > 0);
}

describe('mixed consumer groups', () => {
  it('KafkaJS and @tributary/client share a group (RoundRobinAssigner)', async () => {
    const topic = 'mixed-kafkajs';
    await kafka.admin().createTopics([{ name: topic, partitions: 4 }]);
    const theirs = new kafkajs.Kafka({ brokers: [broker.bootstrap], clientId: 'kjs', logLevel: kafkajs.logLevel.NOTHING });
    const kjs = theirs.consumer({ groupId: 'mixed-kjs', heartbeatInterval: 100, sessionTimeout: 6000, rebalanceTimeout: 10000 });
    const kjsGot: Array<{ partition: number; value: string }> = [];
    let kjsParts: number[] = [];
    kjs.on(kjs.events.GROUP_JOIN, (e) => {
      kjsParts = (e.payload.memberAssignment[topic] ?? []).slice().sort();
    });
    await kjs.connect();
    await kjs.subscribe({ topic, fromBeginning: true });
    await kjs.run({ eachMessage: async ({ partition, message }) => void kjsGot.push({ partition, value: message.value!.toString() }) });
    await until(() => kjsParts.length === 4, 'KafkaJS to own all 4 partitions');

    const ours = kafka.consumer({
      groupId: 'mixed-kjs',
      autoOffsetReset: 'earliest',
      assignors: ['RoundRobinAssigner'],
      heartbeatIntervalMs: 100,
      sessionTimeoutMs: 6000,
      maxPollIntervalMs: 10000,
    });
    await ours.subscribe(topic);
    const ourGot: ConsumerRecord[] = [];
    const stop = pull(ours, ourGot);
    await until(() => ours.assignment().length === 2 && kjsParts.length === 2, 'a 2/2 split');
    await produce(topic, 'k', 40);
    await until(() => ourGot.length + kjsGot.length >= 40, 'all 40 records');
    await new Promise((r) => setTimeout(r, 300)); // a duplicate would show up here
    await stop();
    checkShare(
      ourGot.map((r) => ({ partition: r.partition, value: r.value!.toString() })),
      kjsGot,
      ours.assignment().map((p) => p.partition),
      kjsParts,
      'k',
      40,
    );
    await ours.close();
    await kjs.disconnect();
  });

  it('kafka-python and @tributary/client share a group (range)', async (t) => {
    if (!needTool(t, 'kafka-python')) return;
    const topic = 'mixed-python';
    await kafka.admin().createTopics([{ name: topic, partitions: 4 }]);
    const script = String.raw`
import json, sys, threading
from kafka import KafkaConsumer
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
c = KafkaConsumer(sys.argv[2], group_id=sys.argv[3], bootstrap_servers=sys.argv[1], auto_offset_reset='earliest',
                  session_timeout_ms=6000, heartbeat_interval_ms=100, max_poll_interval_ms=10000, client_id='kafka-python')
last = None
while not stop.is_set():
    batches = c.poll(timeout_ms=100)
    parts = sorted(tp.partition for tp in c.assignment())
    if parts != last:
        last = parts
        print(json.dumps({'assignment': parts}), flush=True)
    for tp, msgs in batches.items():
        for m in msgs:
            print(json.dumps({'partition': m.partition, 'offset': m.offset, 'value': m.value.decode()}), flush=True)
c.close()
print(json.dumps({'closed': True}), flush=True)
`;
    const child = spawn(PYTHON, ['-c', script, broker.bootstrap, topic, 'mixed-py'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const pyGot: Array<{ partition: number; value: string }> = [];
    let pyParts: number[] = [];
    let closed = false;
    let stderr = '';
    let buf = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = JSON.parse(line) as { assignment?: number[]; partition?: number; value?: string; closed?: boolean };
        if (m.assignment) pyParts = m.assignment;
        else if (m.closed) closed = true;
        else pyGot.push({ partition: m.partition!, value: m.value! });
      }
    });
    const exited = new Promise<number | null>((r) => child.on('close', r));
    try {
      await until(() => pyParts.length === 4, `kafka-python to own all 4 partitions (${stderr.slice(-300)})`);
      const ours = kafka.consumer({
        groupId: 'mixed-py',
        autoOffsetReset: 'earliest',
        assignors: ['range'],
        heartbeatIntervalMs: 100,
        sessionTimeoutMs: 6000,
        maxPollIntervalMs: 10000,
      });
      await ours.subscribe(topic);
      const ourGot: ConsumerRecord[] = [];
      const stop = pull(ours, ourGot);
      await until(() => ours.assignment().length === 2 && pyParts.length === 2, 'a 2/2 split');
      await produce(topic, 'p', 40);
      await until(() => ourGot.length + pyGot.length >= 40, 'all 40 records');
      await new Promise((r) => setTimeout(r, 300));
      await stop();
      // range over one topic: the first member (by member id) gets partitions 0-1, the other 2-3
      assert.ok([JSON.stringify([0, 1]), JSON.stringify([2, 3])].includes(JSON.stringify(pyParts)), `kafka-python got ${pyParts}`);
      checkShare(
        ourGot.map((r) => ({ partition: r.partition, value: r.value!.toString() })),
        pyGot,
        ours
          .assignment()
          .map((p) => p.partition)
          .sort(),
        pyParts,
        'p',
        40,
      );
      await ours.close();
      child.stdin.end();
      assert.equal(await exited, 0, stderr);
      assert.ok(closed);
    } finally {
      child.kill();
    }
  });
});
