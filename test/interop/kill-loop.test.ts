// Faults against a broker process, in a loop: each round starts `tributary start` on the same data
// directory, changes the cluster metadata (CreateTopics; every third round a DeleteTopics), runs
// producers with acks=all on every topic, pauses the broker with SIGSTOP mid-flow (every other
// round), resumes it with SIGCONT, then SIGKILLs it while requests are in flight. After each
// restart everything acknowledged must be there: every topic whose creation was answered (with its
// partition count), no topic whose deletion was answered, and every acknowledged batch at its
// offset with its records. KILL_ROUNDS sets the number of rounds (default 4); a run seeded with
// KILL_SEED reproduces the same schedule (topics, partitions, pause and kill delays).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApiKey, ErrorCode, encodeRecordBatch } from '@tributary/protocol';
import { startBrokerProcess, type BrokerProcess } from './harness.ts';
import { WireClient, createTopic, readPartition, withWire } from './wire-client.ts';

const ROUNDS = Number(process.env.KILL_ROUNDS ?? 4);
const SEED = Number(process.env.KILL_SEED ?? 1);

/** A small deterministic generator (mulberry32), so a failing seed replays the same schedule. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Acked {
  offset: bigint;
  values: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SIGSTOP / SIGKILL loop against a broker process', { timeout: 30_000 + ROUNDS * 20_000 }, () => {
  it(`${ROUNDS} rounds (seed ${SEED}): nothing acknowledged is lost — topics created and deleted, batches at their offsets`, async (t) => {
    const random = rng(SEED);
    const dir = mkdtempSync(join(tmpdir(), 'tributary-kill-loop-'));
    let broker: BrokerProcess | null = null;
    t.after(async () => {
      await broker?.kill();
      rmSync(dir, { recursive: true, force: true });
    });
    /** Topics whose creation was acknowledged and not deleted: name -> partition count. */
    const topics = new Map<string, number>();
    /** Acknowledged batches per `topic-partition`. */
    const acked = new Map<string, Acked[]>();
    let kills = 0;
    let pauses = 0;
    let batches = 0;

    for (let round = 0; round < ROUNDS; round++) {
      broker = await startBrokerProcess(dir);
      const port = broker.port;

      // Everything acknowledged before the last kill is there.
      const md = await withWire(port, (c) => c.request(ApiKey.Metadata, 12, { topics: null, allowAutoTopicCreation: false }));
      const present = new Map(md.topics.filter((x) => !x.isInternal).map((x) => [x.name!, x.partitions.length]));
      assert.deepEqual([...present].sort(), [...topics].sort(), `round ${round}: the topics acknowledged`);
      for (const [key, list] of acked) {
        const [topic, partition] = [key.slice(0, key.lastIndexOf('-')), Number(key.slice(key.lastIndexOf('-') + 1))];
        const { batches: stored } = await readPartition(port, topic, partition);
        const byOffset = new Map(stored.map((b) => [b.baseOffset, b.records.map((r) => r.value!.toString())]));
        for (const a of list) assert.deepEqual(byOffset.get(a.offset), a.values, `round ${round}: ${key} batch at ${a.offset}`);
      }

      // Metadata changes, each acknowledged before the producers start.
      const name = `kill-${round}`;
      const partitions = 1 + Math.floor(random() * 3);
      await createTopic(port, name, partitions);
      topics.set(name, partitions);
      if (round % 3 === 2) {
        const victim = `kill-${round - 2}`;
        const res = await withWire(port, (c) => c.request(ApiKey.DeleteTopics, 6, { topics: [{ name: victim }], timeoutMs: 5000 }));
        assert.equal(res.responses[0]!.errorCode, ErrorCode.NONE);
        topics.delete(victim);
        for (const key of [...acked.keys()]) if (key.startsWith(`${victim}-`)) acked.delete(key);
      }

      // Producers with acks=all until the kill; only answered batches count.
      let stop = false;
      const names = [...topics.keys()];
      const producer = async (w: number) => {
        let c: WireClient;
        try {
          c = await WireClient.connect(port);
        } catch {
          return;
        }
        for (let i = 0; !stop; i++) {
          const topic = names[(w + i) % names.length]!;
          const partition = i % topics.get(topic)!;
          const values = Array.from({ length: 5 }, (_, k) => `r${round}-w${w}-${i}-${k}`);
          const batch = await encodeRecordBatch({ records: values.map((v) => ({ value: v, timestamp: 1_700_000_000_000 })) });
          let res: Awaited<ReturnType<typeof c.request<typeof ApiKey.Produce>>>;
          try {
            res = await c.request(ApiKey.Produce, 7, {
              acks: -1,
              timeoutMs: 5000,
              transactionalId: null,
              topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
            });
          } catch {
            break; // the broker went away: this batch was not acknowledged
          }
          const p = res.responses[0]!.partitionResponses[0]!;
          assert.equal(p.errorCode, ErrorCode.NONE, `${topic}-${partition}`);
          const key = `${topic}-${partition}`;
          if (!acked.has(key)) acked.set(key, []);
          acked.get(key)!.push({ offset: p.baseOffset, values });
          batches++;
        }
        c.close();
      };
      const running = [0, 1, 2].map(producer);
      await sleep(100 + random() * 300);
      if (round % 2 === 1) {
        broker.child.kill('SIGSTOP');
        pauses++;
        await sleep(100 + random() * 200);
        broker.child.kill('SIGCONT');
        await sleep(random() * 100);
      }
      await broker.kill(); // SIGKILL with requests in flight
      kills++;
      stop = true;
      await Promise.all(running);
    }

    // A last start: the final state is whole.
    broker = await startBrokerProcess(dir);
    const md = await withWire(broker.port, (c) => c.request(ApiKey.Metadata, 12, { topics: null, allowAutoTopicCreation: false }));
    assert.deepEqual(
      md.topics
        .filter((x) => !x.isInternal)
        .map((x) => x.name)
        .sort(),
      [...topics.keys()].sort(),
    );
    let checked = 0;
    for (const [key, list] of acked) {
      const cut = key.lastIndexOf('-');
      const { batches: stored } = await readPartition(broker.port, key.slice(0, cut), Number(key.slice(cut + 1)));
      const byOffset = new Map(stored.map((b) => [b.baseOffset, b.records.map((r) => r.value!.toString())]));
      for (const a of list) {
        assert.deepEqual(byOffset.get(a.offset), a.values, `${key} batch at ${a.offset}`);
        checked++;
      }
    }
    assert.ok(checked > 0, 'batches were acknowledged');
    t.diagnostic(
      `${kills} kills, ${pauses} SIGSTOP pauses, ${batches} acknowledged batches (${checked} still in live topics, all found), ${topics.size} topics`,
    );
  });
});
