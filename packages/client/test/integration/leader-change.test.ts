// Leader changes during produce and consume, against a 3-node test cluster (testkit startSharedLogCluster:
// the nodes share one partition layer, so a leader move loses nothing by itself; what is tested is
// the client's recovery: NOT_LEADER_OR_FOLLOWER / FENCED_LEADER_EPOCH -> metadata refresh -> the
// new leader, batches retried in order).
// - Producers (idempotent acks=all, acks=all, acks=1) sending continuously while the leadership of
//   their partitions moves 9 times: every record is acknowledged, and the log holds each exactly
//   once at the offset `send` reported, in send order per partition. Without idempotence this is
//   exactly once here only because a NOT_LEADER_OR_FOLLOWER answer means nothing was appended;
//   with lost responses (a node crash, below) it is at least once.
// - Batches appended after a move carry the new leader epoch: epochs never go down along the log,
//   and the last batch carries the partition's final epoch.
// - Consumers (assign() and a group) reading while leaders move: every offset exactly once, in
//   order, no gap. The cluster records every Fetch it answers: the consumer always sends the
//   leader epoch from its metadata as CurrentLeaderEpoch, a deposed leader fences it
//   (FENCED_LEADER_EPOCH) or refuses it (NOT_LEADER_OR_FOLLOWER), and each partition is read
//   successfully under each of its epochs 0..3.
// - A node crash (its listener closes, its partitions are re-elected, it is the group's
//   coordinator) and its return, with a producer (idempotent: each record exactly once; acks=1:
//   at least once, every record at the offset acknowledged) and a group consumer running (every
//   offset of the log exactly once).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, ErrorCode, decodeRecordBatches, type FetchRequest, type FetchResponse, type ProduceResponse } from '@tributary/protocol';
import { HandlerRegistry, createDefaultRegistry } from '@tributary/broker';
import { startSharedLogCluster, type SharedLogTestCluster } from '@tributary/testkit';
import { Kafka } from '../../src/kafka.ts';
import type { ConsumerRecord, ProducerConfig, RecordMetadata } from '../../src/api.ts';
import { drain, until } from './helpers.ts';

/** Every partition of every Fetch and Produce the cluster answered: node, CurrentLeaderEpoch sent (Fetch), error answered. */
const fetchLog: Array<{ node: number; topic: string; partition: number; currentLeaderEpoch: number; errorCode: number }> = [];
const produceLog: Array<{ node: number; topic: string; partition: number; errorCode: number }> = [];

/** The default handlers, with Fetch and Produce wrapped to fill `fetchLog` and `produceLog`. */
function recordingRegistry(): HandlerRegistry {
  const base = createDefaultRegistry();
  const registry = new HandlerRegistry();
  for (const { apiKey } of base.advertised()) {
    const h = base.get(apiKey)!;
    if (apiKey === ApiKey.Fetch) {
      registry.register({
        ...h,
        async handle(ctx, request: FetchRequest) {
          const response = (await h.handle(ctx, request)) as FetchResponse;
          for (const [i, t] of request.topics.entries()) {
            for (const [j, p] of t.partitions.entries()) {
              fetchLog.push({
                node: ctx.services.nodeId,
                topic: t.topic,
                partition: p.partition,
                currentLeaderEpoch: p.currentLeaderEpoch,
                errorCode: response.responses[i]!.partitions[j]!.errorCode,
              });
            }
          }
          return response;
        },
      });
    } else if (apiKey === ApiKey.Produce) {
      registry.register({
        ...h,
        async handle(ctx, request) {
          const response = (await h.handle(ctx, request)) as ProduceResponse;
          for (const t of response.responses)
            for (const p of t.partitionResponses)
              produceLog.push({ node: ctx.services.nodeId, topic: t.name, partition: p.index, errorCode: p.errorCode });
          return response;
        },
      });
    } else {
      registry.register(h);
    }
  }
  return registry;
}

let kafka: SharedLogTestCluster;
before(async () => {
  kafka = await startSharedLogCluster({ brokers: 3, registry: recordingRegistry() });
});
after(() => kafka.stop());

const client = () =>
  new Kafka({ bootstrapServers: kafka.nodes[0]!.host + ':' + kafka.nodes[0]!.port, reconnectBackoffMaxMs: 200, requestTimeoutMs: 5_000 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Moves the partition's leader to the next node (1 -> 2 -> 3 -> 1); returns the new epoch. */
function rotate(topic: string, partition: number): Promise<number> {
  const { leader } = kafka.leaderOf(topic, partition);
  return kafka.moveLeader(topic, partition, (leader % 3) + 1);
}

/** What the shared log holds for a partition: values with offsets, and each batch's leader epoch. */
async function logOf(topic: string, partition: number) {
  const p = kafka.cluster.core.replicas.getPartition(topic, partition)!;
  const batches = await decodeRecordBatches(p.log.read(0, 1 << 30).records);
  return {
    values: batches.flatMap((b) => b.records.map((r) => r.value!.toString())),
    offsets: batches.flatMap((b) => b.records.map((r) => r.offset)),
    epochs: batches.map((b) => b.partitionLeaderEpoch),
  };
}

function assertNonDecreasing(xs: number[], what: string): void {
  for (let i = 1; i < xs.length; i++) assert.ok(xs[i]! >= xs[i - 1]!, `${what}: ${xs[i - 1]} then ${xs[i]} at ${i}`);
}

/** Per partition: offsets exactly 0..count-1 in order and the values sent, in send order. */
function assertExactlyOnce(got: ConsumerRecord[], expected: Map<number, string[]>): void {
  for (const [p, values] of expected) {
    const mine = got.filter((r) => r.partition === p);
    assert.deepEqual(
      mine.map((r) => r.offset),
      values.map((_, i) => BigInt(i)),
      `partition ${p}: every offset once, in order`,
    );
    assert.deepEqual(
      mine.map((r) => r.value!.toString()),
      values,
      `partition ${p}: values`,
    );
    assertNonDecreasing(
      mine.map((r) => r.leaderEpoch),
      `partition ${p} record leader epochs`,
    );
  }
  assert.equal(
    got.length,
    [...expected.values()].reduce((n, v) => n + v.length, 0),
  );
}

const PRODUCERS: Array<{ name: string; config: ProducerConfig }> = [
  { name: 'idempotent, acks=all', config: { idempotent: true, acks: 'all' } },
  { name: 'acks=all', config: { acks: 'all' } },
  { name: 'acks=1', config: { acks: 1 } },
];

describe('leader change', () => {
  for (const [n, mode] of PRODUCERS.entries()) {
    it(`during produce (${mode.name}): every acknowledged record is in the log once, at its offset, in order`, async () => {
      const topic = `lc-produce-${n}`;
      const k = client();
      await k.admin().createTopics([{ name: topic, partitions: 3 }]);
      const producer = k.producer({ ...mode.config, lingerMs: 1, retryBackoffMs: 20, deliveryTimeoutMs: 30_000 });
      const sent = new Map<number, string[]>([
        [0, []],
        [1, []],
        [2, []],
      ]);
      const acked = new Map<string, RecordMetadata>();
      const failed: unknown[] = [];
      const sends: Promise<void>[] = [];
      for (let i = 0; i < 900; i++) {
        const partition = i % 3;
        const value = `v${i}`;
        sent.get(partition)!.push(value);
        sends.push(
          producer.send({ topic, messages: [{ value, partition }] }).then(
            ([m]) => void acked.set(value, m!),
            (e) => void failed.push(e),
          ),
        );
        if (i % 10 === 9) await sleep(2);
        // every 90 records the leader of one partition moves on, while batches are in flight
        if (i % 90 === 45) {
          const p = Math.floor(i / 90) % 3;
          await rotate(topic, p);
        }
      }
      await Promise.all(sends);
      await producer.close();
      await k.close();
      assert.deepEqual(failed, []);
      assert.equal(acked.size, 900);
      assert.deepEqual(
        [0, 1, 2].map((p) => kafka.leaderOf(topic, p).leaderEpoch),
        [4, 3, 3],
        'leader epochs after the moves',
      );
      // the moves did catch batches on their way: old leaders refused them, and they were retried
      const produced = produceLog.filter((x) => x.topic === topic);
      assert.deepEqual([...new Set(produced.map((x) => x.errorCode))].sort(), [ErrorCode.NONE, ErrorCode.NOT_LEADER_OR_FOLLOWER]);
      for (const [p, values] of sent) {
        const log = await logOf(topic, p);
        assert.deepEqual(log.values, values, `partition ${p}: each record once, in send order`);
        assert.deepEqual(
          log.offsets,
          values.map((_, i) => BigInt(i)),
        );
        for (const [i, v] of values.entries())
          assert.deepEqual([acked.get(v)!.partition, acked.get(v)!.offset], [p, BigInt(i)], `offset acknowledged for ${v}`);
        assertNonDecreasing(log.epochs, `partition ${p} batch leader epochs`);
        assert.equal(log.epochs.at(-1), kafka.leaderOf(topic, p).leaderEpoch, `partition ${p}: the last batch carries the final epoch`);
        // each accepted batch is one batch in the log; the refused ones appended nothing
        assert.equal(produced.filter((x) => x.partition === p && x.errorCode === ErrorCode.NONE).length, log.epochs.length);
      }
    });
  }

  for (const group of [false, true]) {
    it(`during consume (${group ? 'group' : 'assign()'}): every offset exactly once, in order, no gap`, async () => {
      const topic = `lc-consume-${group ? 'group' : 'assign'}`;
      const k = client();
      await k.admin().createTopics([{ name: topic, partitions: 3 }]);
      const producer = k.producer({ idempotent: true, lingerMs: 1 });
      const expected = new Map<number, string[]>([
        [0, []],
        [1, []],
        [2, []],
      ]);
      const produce = async (from: number, count: number) => {
        const messages = Array.from({ length: count }, (_, j) => ({ value: `c${from + j}`, partition: (from + j) % 3 }));
        for (const m of messages) expected.get(m.partition)!.push(m.value);
        await producer.send({ topic, messages });
      };
      await produce(0, 300);
      const consumer = group
        ? k.consumer({ groupId: `lc-group`, autoOffsetReset: 'earliest', maxPartitionFetchBytes: 1024, fetchMaxWaitMs: 200 })
        : k.consumer({ autoOffsetReset: 'earliest', maxPartitionFetchBytes: 1024, fetchMaxWaitMs: 200 });
      if (group) await consumer.subscribe([topic]);
      else consumer.assign([0, 1, 2].map((partition) => ({ topic, partition })));
      const got: ConsumerRecord[] = [];
      const d = drain(consumer, got);
      // nine moves (three per partition) while the consumer reads and more records arrive
      for (let m = 0; m < 9; m++) {
        await until(
          () => got.length >= 30 * (m + 1),
          `${30 * (m + 1)} records`,
          20_000,
          () => [d.error],
        );
        await rotate(topic, m % 3);
        await produce(300 + 30 * m, 30);
      }
      await until(
        () => got.length >= 570,
        'every record',
        30_000,
        () => [d.error],
      );
      await sleep(300); // nothing more may arrive
      await d.stop();
      await consumer.close();
      await producer.close();
      await k.close();
      assertExactlyOnce(got, expected);
      for (const p of [0, 1, 2]) assert.equal(kafka.leaderOf(topic, p).leaderEpoch, 3);
      const fetches = fetchLog.filter((f) => f.topic === topic);
      assert.deepEqual(
        fetches.filter((f) => f.currentLeaderEpoch < 0),
        [],
        'every fetch carries a leader epoch',
      );
      assert.deepEqual(
        fetches.filter(
          (f) => f.errorCode !== 0 && f.errorCode !== ErrorCode.FENCED_LEADER_EPOCH && f.errorCode !== ErrorCode.NOT_LEADER_OR_FOLLOWER,
        ),
        [],
      );
      assert.ok(
        fetches.some((f) => f.errorCode === ErrorCode.FENCED_LEADER_EPOCH),
        'a deposed leader fenced a fetch',
      );
      for (const p of [0, 1, 2]) {
        const epochs = [...new Set(fetches.filter((f) => f.partition === p && f.errorCode === 0).map((f) => f.currentLeaderEpoch))].sort();
        assert.deepEqual(epochs, [0, 1, 2, 3], `partition ${p}: read under each leader epoch`);
      }
    });
  }

  for (const [n, mode] of [PRODUCERS[0]!, PRODUCERS[2]!].entries()) {
    const idempotent = mode.config.idempotent === true;
    it(`a node crash (leader of a partition, group coordinator) and its return (${mode.name}): nothing lost${idempotent ? ', nothing twice' : ''}`, async () => {
      const topic = `lc-crash-${n}`;
      const groupId = `lc-crash-group-${n}`;
      const k = client();
      await k.admin().createTopics([{ name: topic, partitions: 3 }]);
      const producer = k.producer({ ...mode.config, lingerMs: 1, retryBackoffMs: 20, deliveryTimeoutMs: 30_000 });
      const consumer = k.consumer({
        groupId,
        autoOffsetReset: 'earliest',
        fetchMaxWaitMs: 200,
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 200,
      });
      await consumer.subscribe([topic]);
      const got: ConsumerRecord[] = [];
      const d = drain(consumer, got);
      const sent = new Map<number, string[]>([
        [0, []],
        [1, []],
        [2, []],
      ]);
      const acked = new Map<string, RecordMetadata>();
      const failed: unknown[] = [];
      const sends: Promise<void>[] = [];
      // the node to crash coordinates the group and leads one partition
      const coordinatorPartition = kafka.cluster.core.groupCoordinator.partitionFor(groupId);
      const victim = kafka.leaderOf('__consumer_offsets', coordinatorPartition).leader;
      // placement balances with the leaders earlier tests left: the victim may lead none of the topic yet
      let victimPartition = [0, 1, 2].find((p) => kafka.leaderOf(topic, p).leader === victim);
      if (victimPartition === undefined) {
        victimPartition = 0;
        await kafka.moveLeader(topic, 0, victim);
      }
      const victimEpoch = kafka.leaderOf(topic, victimPartition).leaderEpoch;
      for (let i = 0; i < 600; i++) {
        const partition = i % 3;
        const value = `x${i}`;
        sent.get(partition)!.push(value);
        sends.push(
          producer.send({ topic, messages: [{ value, partition }] }).then(
            ([m]) => void acked.set(value, m!),
            (e) => void failed.push(e),
          ),
        );
        if (i % 10 === 9) await sleep(2);
        if (i === 200) await kafka.stopNode(victim);
        if (i === 400) await kafka.startNode(victim);
        if (i === 450) await kafka.moveLeader(topic, victimPartition, victim); // and it leads again
      }
      await Promise.all(sends);
      assert.deepEqual(failed, []);
      assert.equal(acked.size, 600);
      assert.notEqual(kafka.leaderOf('__consumer_offsets', coordinatorPartition).leader, victim, 'the coordinator moved');
      assert.deepEqual(kafka.leaderOf(topic, victimPartition), { leader: victim, leaderEpoch: victimEpoch + 2 });
      const logs = new Map<number, string[]>();
      for (const [p, values] of sent) {
        const log = (await logOf(topic, p)).values;
        logs.set(p, log);
        if (idempotent) {
          assert.deepEqual(log, values, `partition ${p}: the log holds each record once, in send order`);
        } else {
          // at least once: a batch the crashed node appended but could not acknowledge is sent
          // again; every record is there, first copies in send order, acknowledged offsets hold it
          assert.deepEqual(
            log.filter((v, i) => log.indexOf(v) === i),
            values,
            `partition ${p}: every record, first copies in send order`,
          );
        }
        for (const v of values) assert.equal(log[Number(acked.get(v)!.offset)], v, `${v} is at the offset acknowledged`);
      }
      const total = [...logs.values()].reduce((a, l) => a + l.length, 0);
      await until(
        () => got.length >= total,
        'every record consumed',
        30_000,
        () => [d.error],
      );
      await sleep(300);
      await d.stop();
      await consumer.close();
      await producer.close();
      await k.close();
      assertExactlyOnce(got, logs);
    });
  }
});
