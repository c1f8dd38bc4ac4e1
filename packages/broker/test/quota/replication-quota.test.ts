// Replication throttles (Kafka's ReplicationQuotaManager and its config handlers): the SimpleRate
// measure and when the quota counts as exceeded, which partitions a `partition:broker` list
// throttles on which broker, Kafka's validation of the list, the rates and lists following the
// metadata (per-broker over the cluster default; removal), and the leader's rule on a real
// ReplicaManager: an out-of-ISR follower of a throttled partition gets no records while the rate is
// exceeded, an in-sync one always does, and every throttled byte sent is recorded; the follower's
// fetcher leaves a lagging throttled partition out of its fetches while over its rate.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigResourceType, type MetadataRecord } from '@tributary/metadata';
import { ErrorCode } from '@tributary/protocol';
import { ReplicationQuotaManager, parseThrottledPartitions, throttledReplicasProblem } from '../../src/quota/replication-quota.ts';
import { validateTopicConfigValue } from '../../src/metadata/topic-config.ts';
import type { FetchMessagesResponse } from '../../src/replica/replica-manager.ts';
import { ReplicaFetcher } from '../../src/replica/fetcher/replica-fetcher.ts';
import { silentLogger } from '../../src/logger.ts';
import type { BrokerConnection } from '@tributary/client';
import { batch, harness, topicIdOf, type Harness } from '../replica/helpers.ts';

const config = (type: number, resourceName: string, name: string, value: string | null): MetadataRecord => ({
  type: 'ConfigRecord',
  data: { resourceType: type, resourceName, name, value },
});

describe('ReplicationQuotaManager', () => {
  it('measures bytes over the time since the oldest sample (at least one window); exceeded only above the bound', () => {
    let now = 1_000_000;
    const q = new ReplicationQuotaManager({ numSamples: 11, windowMs: 1000, now: () => now });
    assert.equal(q.isQuotaExceeded(), false, 'no bound: never exceeded');
    q.updateQuota(1000);
    q.record(1000);
    assert.deepEqual([q.measure(), q.isQuotaExceeded()], [1000, false]);
    q.record(1);
    assert.deepEqual([q.measure(), q.isQuotaExceeded()], [1001, true]);
    now += 1500;
    assert.deepEqual([Math.round(q.measure() * 1000) / 1000, q.isQuotaExceeded()], [667.333, false]);
    q.record(1000); // a new sample: 2001 bytes over the 1.5 s since the first one started
    assert.deepEqual([q.measure(), q.isQuotaExceeded()], [1334, true]);
    // samples older than 11 windows are forgotten
    now += 11_000;
    assert.equal(q.measure(), 0);
    q.updateQuota(Number.POSITIVE_INFINITY);
    q.record(1e9);
    assert.equal(q.isQuotaExceeded(), false);
  });

  it('throttles the listed partitions of a topic, or all of them (*)', () => {
    const q = new ReplicationQuotaManager({ numSamples: 11, windowMs: 1000, now: () => 0 });
    q.markThrottled('a', [0, 2]);
    q.markThrottled('b', '*');
    assert.deepEqual(
      [q.isThrottled('a', 0), q.isThrottled('a', 1), q.isThrottled('a', 2), q.isThrottled('b', 7), q.isThrottled('c', 0)],
      [true, false, true, true, false],
    );
    q.removeThrottle('b');
    assert.equal(q.isThrottled('b', 7), false);
  });

  it('parses the entries naming a broker; validates the list as Kafka does', () => {
    assert.deepEqual(parseThrottledPartitions('0:1, 1:2,2:1 ,3:10', 1), [0, 2]);
    assert.deepEqual(parseThrottledPartitions(' * ', 1), '*');
    assert.deepEqual(parseThrottledPartitions('0:2', 1), []);
    for (const ok of ['', '*', '0:1', '0:1,1:2', ' 0:1 , 1:2 ']) assert.equal(throttledReplicasProblem('x', ok), null, ok);
    for (const bad of ['0', '0:a', '*,0:1', '0:1:2', '-1:1'])
      assert.equal(
        throttledReplicasProblem('x', bad),
        "x must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...",
        bad,
      );
    assert.equal(validateTopicConfigValue('leader.replication.throttled.replicas', ' 0:1 , 1:2 '), '0:1,1:2');
    assert.throws(() => validateTopicConfigValue('follower.replication.throttled.replicas', '0:1,x'), {
      errorCode: ErrorCode.INVALID_CONFIG,
      message:
        "Invalid value [0:1, x] for configuration follower.replication.throttled.replicas: follower.replication.throttled.replicas must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...",
    });
  });
});

/** Broker 1 leading t-0 with replicas [1, 2, 3] and ISR [1, 2], 8 records of 1000 bytes appended. */
async function leading(h: Harness) {
  h.host('t', { replicas: [1, 2, 3], isr: [1, 2] });
  await h.replicas.appendRecords({
    requiredAcks: 1,
    internalTopicsAllowed: false,
    origin: 'client',
    produceVersion: 11,
    topics: [{ name: 't', partitionData: [{ index: 0, records: await batch(8, { valueBytes: 1000 }) }] }],
  });
}

function fetchAs(h: Harness, replicaId: number, offset: number) {
  const partitions = [
    { partition: 0, fetchOffset: BigInt(offset), partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, logStartOffset: 0n },
  ];
  const req = {
    replicaId,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [{ topic: 't', topicId: topicIdOf('t'), partitions }],
  };
  return (h.replicas.fetchMessages(req, new AbortController().signal) as FetchMessagesResponse)[0]!.partitions[0]!.records!.length;
}

describe('ReplicationQuotas from the metadata', () => {
  it('this broker rate over the cluster default; a topic list naming this broker; removals restore no limit and no throttle', () => {
    const h = harness();
    const { leader, follower } = h.replicas.replicationQuotas;
    assert.deepEqual([leader.upperBound, follower.upperBound], [Infinity, Infinity]);
    h.publish([
      config(ConfigResourceType.BROKER, '', 'leader.replication.throttled.rate', '5000'),
      config(ConfigResourceType.BROKER, '', 'follower.replication.throttled.rate', '6000'),
      config(ConfigResourceType.BROKER, '1', 'leader.replication.throttled.rate', '1000'),
      config(ConfigResourceType.BROKER, '2', 'follower.replication.throttled.rate', '1'),
    ]);
    assert.deepEqual([leader.upperBound, follower.upperBound], [1000, 6000]);
    h.host('t', { configs: { 'leader.replication.throttled.replicas': '0:1,1:2', 'follower.replication.throttled.replicas': '*' } });
    assert.deepEqual([leader.isThrottled('t', 0), leader.isThrottled('t', 1), follower.isThrottled('t', 5)], [true, false, true]);
    h.publish([
      config(ConfigResourceType.BROKER, '1', 'leader.replication.throttled.rate', null),
      config(ConfigResourceType.BROKER, '', 'follower.replication.throttled.rate', null),
      config(ConfigResourceType.TOPIC, 't', 'leader.replication.throttled.replicas', ''),
      config(ConfigResourceType.TOPIC, 't', 'follower.replication.throttled.replicas', null),
    ]);
    assert.deepEqual(
      [leader.upperBound, follower.upperBound, leader.isThrottled('t', 0), follower.isThrottled('t', 5)],
      [5000, Infinity, false, false],
    );
  });

  it('the leader sends nothing to an out-of-ISR follower of a throttled partition while over the rate; an in-sync follower always gets records', async () => {
    const h = harness();
    h.publish([config(ConfigResourceType.BROKER, '1', 'leader.replication.throttled.rate', '10000')]);
    await leading(h);
    const all = fetchAs(h, 2, 0);
    assert.ok(all > 8000, `the whole log: ${all} bytes`);
    // not throttled yet: nothing counts
    assert.deepEqual([fetchAs(h, 3, 0), h.replicas.replicationQuotas.leader.measure()], [all, 0]);
    h.alter('t', { 'leader.replication.throttled.replicas': '0:1' });
    // follower 3 (out of the ISR): its bytes count; at 10000 bytes/s over one window it may take
    // one more read, then it is over the rate and gets nothing
    assert.equal(fetchAs(h, 3, 0), all);
    assert.equal(h.replicas.replicationQuotas.leader.measure(), all);
    assert.equal(fetchAs(h, 3, 0), all);
    assert.equal(h.replicas.replicationQuotas.leader.measure(), 2 * all);
    assert.equal(fetchAs(h, 3, 0), 0, 'over the rate: throttled');
    // follower 2 is in the ISR: never throttled, and what it gets counts too
    assert.equal(fetchAs(h, 2, 0), all);
    assert.equal(h.replicas.replicationQuotas.leader.measure(), 3 * all);
    // a second later the rate is 3 x all / 2 s (> 10000): still throttled; after 5 s it is below
    await h.time.advance(1000);
    assert.equal(fetchAs(h, 3, 0), 0);
    await h.time.advance(4000);
    assert.equal(fetchAs(h, 3, 0), all);
  });
});

describe('the follower throttle', () => {
  it('a lagging throttled partition is left out of the fetch while over the rate, fetched again once under it', async () => {
    const h = harness({ settings: { 'replica.fetch.backoff.ms': 5 } });
    h.publish([config(ConfigResourceType.BROKER, '1', 'follower.replication.throttled.rate', '2000')]);
    // broker 1 follows t-0 led by 2 (no endpoint in this image: its own fetcher never starts)
    const p = h.host('t', { leader: 2, replicas: [2, 1], isr: [2, 1], configs: { 'follower.replication.throttled.replicas': '0:1' } });
    const fetches: number[] = [];
    const connection = {
      isClosed: false,
      close() {},
      async request(_api: number, body: { topics: Array<{ partitions: Array<{ fetchOffset: bigint }> }> }) {
        const offset = body.topics[0]!.partitions[0]!.fetchOffset;
        fetches.push(Number(offset));
        const records = await batch(1, { valueBytes: 900, baseOffset: offset });
        const partition = { partitionIndex: 0, errorCode: 0, highWatermark: 1000n, lastStableOffset: 1000n, logStartOffset: 0n };
        return {
          throttleTimeMs: 0,
          errorCode: 0,
          sessionId: 0,
          responses: [{ topic: 't', partitions: [{ ...partition, abortedTransactions: null, preferredReadReplica: -1, records }] }],
        };
      },
    };
    const fetcher = new ReplicaFetcher({
      nodeId: 1,
      sourceBrokerId: 2,
      connect: () => connection as unknown as BrokerConnection,
      log: silentLogger,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      partitionMaxBytes: 1 << 20,
      backoffMs: 5,
      current: () => true,
      quota: h.replicas.replicationQuotas.follower,
    });
    const size = (await batch(1, { valueBytes: 900 })).length;
    try {
      fetcher.addPartition(p);
      // the clock stands still: 2000 bytes/s over one window allows floor(2000 / size) + 1 fetches
      await new Promise((r) => setTimeout(r, 200));
      const allowed = Math.floor(2000 / size) + 1;
      assert.deepEqual(
        fetches,
        Array.from({ length: allowed }, (_, i) => i),
      );
      assert.equal(h.replicas.replicationQuotas.follower.measure(), allowed * size);
      // two seconds on, the rate is below 2000 bytes/s again: it fetches until over it again
      await h.time.advance(2000);
      await new Promise((r) => setTimeout(r, 200));
      // over 2 s (the oldest sample's age) the bound is 4000 bytes in all
      assert.deepEqual(
        fetches,
        Array.from({ length: Math.floor(4000 / size) + 1 }, (_, i) => i),
      );
      assert.equal(h.replicas.replicationQuotas.follower.isQuotaExceeded(), true);
      assert.equal(p.logEndOffset, fetches.length);
    } finally {
      await fetcher.shutdown();
    }
  });
});
