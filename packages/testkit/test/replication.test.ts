// Replication across the in-process cluster's brokers (each with its own data dir, fetching over
// 127.0.0.1 like separate processes do): an acks=all write is answered once every ISR member has
// it; followers' logs are byte-identical to the leader's; a stopped follower leaves the ISR after
// replica.lag.time.max.ms and rejoins once caught up; with the ISR below min.insync.replicas
// acks=all is refused (NOT_ENOUGH_REPLICAS, 19) and the HW does not move; a stopped leader's
// successor serves every acknowledged record at its offset.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApiKey, ErrorCode, encodeRecordBatch } from '@tributary/protocol';
import { kafkaClient } from '../../broker/test/helpers/kafka-client.ts';
import { startCluster, type TestCluster } from '../src/index.ts';

const batch = (from: number, n: number) =>
  encodeRecordBatch({ records: Array.from({ length: n }, (_, i) => ({ value: `v${from + i}`, timestamp: 1_700_000_000_000 + i })) });

async function produce(kafka: TestCluster, nodeId: number, topic: string, from: number, n: number, acks = -1, timeoutMs = 5000) {
  const c = await kafkaClient(kafka.nodes[nodeId - 1]!.port);
  try {
    const r = await c.request(ApiKey.Produce, 9, {
      acks,
      timeoutMs,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: await batch(from, n) }] }],
    });
    return r.responses[0]!.partitionResponses[0]!;
  } finally {
    c.close();
  }
}

async function fetchValues(kafka: TestCluster, nodeId: number, topic: string, offset: number, version = 11, rackId = '') {
  const c = await kafkaClient(kafka.nodes[nodeId - 1]!.port);
  try {
    const r = await c.request(ApiKey.Fetch, version, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          partitions: [
            { partition: 0, currentLeaderEpoch: -1, fetchOffset: BigInt(offset), logStartOffset: -1n, partitionMaxBytes: 1 << 20 },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId,
    });
    return r.responses[0]!.partitions[0]!;
  } finally {
    c.close();
  }
}

async function until(what: string, cond: () => boolean, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The bytes of a replica's segment files, concatenated in offset order. */
function logBytes(kafka: TestCluster, nodeId: number, topic: string): Buffer {
  const dir = join(kafka.dataDir, `broker-${nodeId}`, `${topic}-0`);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort();
  return Buffer.concat(files.map((f) => readFileSync(join(dir, f))));
}

describe('replication between brokers', () => {
  it('acks=all waits for the ISR; followers copy the leader byte for byte; a stopped leader loses no acknowledged record', async () => {
    const kafka = await startCluster({ brokers: 3, settings: { 'replica.lag.time.max.ms': 1000 } });
    try {
      const [r] = await kafka.controller.createTopics([
        { name: 'r', numPartitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
      ]);
      assert.equal(r!.errorCode, ErrorCode.NONE);
      const leader = kafka.partition('r', 0).leader;
      let next = 0;
      for (let i = 0; i < 5; i++) {
        const res = await produce(kafka, leader, 'r', next, 10);
        assert.equal(res.errorCode, ErrorCode.NONE);
        assert.equal(res.baseOffset, BigInt(next));
        next += 10;
      }
      // acknowledged = committed: the leader's HW covers it at once
      const lp = kafka.broker(leader)!.services.replicas.getPartition('r', 0)!;
      assert.equal(lp.highWatermark, 50);
      const followers = [1, 2, 3].filter((id) => id !== leader);
      await until('followers at the HW', () =>
        followers.every((id) => kafka.broker(id)!.services.replicas.getPartition('r', 0)!.highWatermark === 50),
      );
      for (const id of followers) assert.deepEqual(logBytes(kafka, id, 'r'), logBytes(kafka, leader, 'r'), `broker ${id}`);
      // KIP-392: a consumer's Fetch v11+ is served by a follower, up to its HW; v10 needs the leader
      const fromFollower = await fetchValues(kafka, followers[0]!, 'r', 0);
      assert.deepEqual([fromFollower.errorCode, fromFollower.highWatermark], [ErrorCode.NONE, 50n]);
      assert.deepEqual(fromFollower.records, logBytes(kafka, leader, 'r').subarray(0, fromFollower.records!.length));
      assert.ok(fromFollower.records!.length > 0);
      assert.equal((await fetchValues(kafka, followers[0]!, 'r', 0, 10)).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);

      // the leader stops: an ISR member takes over with every acknowledged record
      await kafka.stopNode(leader);
      const successor = kafka.partition('r', 0).leader;
      assert.ok(followers.includes(successor), `successor ${successor}`);
      assert.ok(kafka.partition('r', 0).leaderEpoch >= 1);
      await until('the new leader commits', () => kafka.broker(successor)!.services.replicas.getPartition('r', 0)!.highWatermark === 50);
      const res = await produce(kafka, successor, 'r', 50, 10);
      assert.deepEqual([res.errorCode, res.baseOffset], [ErrorCode.NONE, 50n]);
      const f = await fetchValues(kafka, successor, 'r', 0);
      assert.equal(f.highWatermark, 60n);
    } finally {
      await kafka.stop();
    }
  });

  it('a follower that stops fetching leaves the ISR after replica.lag.time.max.ms; with ISR < min.insync.replicas acks=all is refused; it rejoins when back', async () => {
    // heartbeats well inside the session: with the default interval (2000 ms, the session's length)
    // one late heartbeat on a loaded machine fenced the leader itself and moved its leadership
    const kafka = await startCluster({
      brokers: 2,
      settings: { 'replica.lag.time.max.ms': 600, 'broker.session.timeout.ms': 2000, 'broker.heartbeat.interval.ms': 300 },
    });
    try {
      const [r] = await kafka.controller.createTopics([
        { name: 's', numPartitions: 1, replicationFactor: 2, configs: { 'min.insync.replicas': '2' } },
      ]);
      assert.equal(r!.errorCode, ErrorCode.NONE);
      const leader = kafka.partition('s', 0).leader;
      const follower = leader === 1 ? 2 : 1;
      assert.equal((await produce(kafka, leader, 's', 0, 5)).errorCode, ErrorCode.NONE);
      // stop the follower without fencing it: only the leader's lag check removes it
      await kafka.stopNode(follower, { fence: false });
      const stoppedAt = Date.now();
      // a write the follower never fetches: it is no longer caught up
      const one = await produce(kafka, leader, 's', 5, 1, 1);
      assert.deepEqual([one.errorCode, one.baseOffset], [ErrorCode.NONE, 5n]);
      await until('the ISR shrinks', () => kafka.partition('s', 0).isr.length === 1, 5000);
      const shrunkAfter = Date.now() - stoppedAt;
      assert.ok(shrunkAfter >= 600, `shrunk after ${shrunkAfter} ms`);
      assert.deepEqual(kafka.partition('s', 0).isr, [leader]);
      const refused = await produce(kafka, leader, 's', 6, 1);
      assert.equal(refused.errorCode, ErrorCode.NOT_ENOUGH_REPLICAS);
      // the acks=1 record is in the log, but with ISR < min.insync.replicas the HW stays (strict min ISR)
      const lp = kafka.broker(leader)!.services.replicas.getPartition('s', 0)!;
      assert.deepEqual([lp.logEndOffset, lp.highWatermark], [6, 5]);
      // back: it catches up, rejoins the ISR, and the HW moves
      await kafka.startNode(follower);
      await until('the ISR expands', () => kafka.partition('s', 0).isr.length === 2, 5000);
      await until('the HW covers the acks=1 record', () => lp.highWatermark === 6);
      const ok = await produce(kafka, leader, 's', 6, 1);
      assert.deepEqual([ok.errorCode, ok.baseOffset], [ErrorCode.NONE, 6n]);
    } finally {
      await kafka.stop();
    }
  });

  it('KIP-392: with RackAwareReplicaSelector the leader sends a consumer of another rack to the in-sync follower there', async () => {
    const kafka = await startCluster({
      brokers: 3,
      settings: { 'replica.selector.class': 'org.apache.kafka.common.replica.RackAwareReplicaSelector' },
      settingsFor: (id) => ({ 'broker.rack': `rack-${id}` }),
    });
    try {
      const [r] = await kafka.controller.createTopics([{ name: 'k', numPartitions: 1, replicationFactor: 3 }]);
      assert.equal(r!.errorCode, ErrorCode.NONE);
      const leader = kafka.partition('k', 0).leader;
      assert.equal((await produce(kafka, leader, 'k', 0, 5)).errorCode, ErrorCode.NONE);
      const follower = [1, 2, 3].find((id) => id !== leader)!;
      // the followers' positions reach the leader with their next fetch
      await until('both followers caught up on the leader', () =>
        [1, 2, 3]
          .filter((id) => id !== leader)
          .every((id) => kafka.broker(leader)!.services.replicas.getPartition('k', 0)!.follower(id)?.logEndOffset === 5),
      );
      const redirected = await fetchValues(kafka, leader, 'k', 0, 11, `rack-${follower}`);
      assert.deepEqual([redirected.errorCode, redirected.preferredReadReplica, redirected.records!.length], [ErrorCode.NONE, follower, 0]);
      // the leader's own rack, an unknown rack, or no rack: the leader serves
      for (const rack of [`rack-${leader}`, 'rack-x', '']) {
        const served = await fetchValues(kafka, leader, 'k', 0, 11, rack);
        assert.deepEqual([served.preferredReadReplica, served.records!.length > 0], [-1, true], `rack ${rack}`);
      }
      // the follower serves the consumer sent there, up to its own HW (learnt with its fetches)
      await until('the follower knows the HW', () => kafka.broker(follower)!.services.replicas.getPartition('k', 0)!.highWatermark === 5);
      const there = await fetchValues(kafka, follower, 'k', 0, 11, `rack-${follower}`);
      assert.deepEqual([there.errorCode, there.highWatermark, there.preferredReadReplica], [ErrorCode.NONE, 5n, -1]);
      assert.ok(there.records!.length > 0);
    } finally {
      await kafka.stop();
    }
  });
});
