// The ReplicaManager's metrics on a fake clock (the replica test harness): a follower that stops
// fetching makes its partition under-replicated and counts an ISR shrink once the controller
// accepts it; its return counts an expansion; a refused change counts as failed. Appends and
// fetches count bytes and records in and out; the log gauges follow the log.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '@tributary/protocol';
import { formatExposition } from '../../src/metrics/exposition.ts';
import { replicaManagerFamilies } from '../../src/metrics/replica-manager-metrics.ts';
import type { FetchMessagesResponse } from '../../src/replica/replica-manager.ts';
import { parseMetrics } from '../helpers/prometheus-text.ts';
import { batch, harness, topicIdOf, type Harness } from '../replica/helpers.ts';

const LAG = 10_000;

async function produce(h: Harness, records: Buffer) {
  return h.replicas.appendRecords({
    requiredAcks: 1,
    internalTopicsAllowed: false,
    origin: 'client',
    produceVersion: 11,
    topics: [{ name: 't', partitionData: [{ index: 0, records }] }],
  });
}

function fetchAs(h: Harness, replicaId: number, offset: number): FetchMessagesResponse {
  return h.replicas.fetchMessages(
    {
      replicaId,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      topics: [
        {
          topic: 't',
          topicId: topicIdOf('t'),
          partitions: [
            { partition: 0, fetchOffset: BigInt(offset), partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, logStartOffset: 0n },
          ],
        },
      ],
    },
    new AbortController().signal,
  ) as FetchMessagesResponse;
}

function registerBrokers(h: Harness): void {
  for (const brokerId of [1, 2]) {
    const reg = h.controller.registerBroker(
      h.image,
      { brokerId, incarnationId: `inc-${brokerId}`, endpoints: [] },
      h.image.provenance.lastOffset + 1,
    );
    h.publish(reg.records);
    h.publish(h.controller.unfenceBroker(h.image, brokerId).records);
  }
}

const metrics = (h: Harness) => {
  const m = parseMetrics(formatExposition([...replicaManagerFamilies(h.replicas), ...h.replicas.brokerTopicStats.families()]));
  const rm = (name: string) => m.value(`kafka_server_replicamanager_${name}`);
  const tp = { topic: 't', partition: '0' };
  return { m, rm, tp };
};

describe('ReplicaManager metrics', () => {
  it('under-replicated while a follower is out of the ISR; shrinks and expands counted when the controller accepts them', async () => {
    const h = harness({ settings: { 'replica.lag.time.max.ms': LAG, 'min.insync.replicas': 2 }, alterIsr: true });
    registerBrokers(h);
    h.host('t', { replicas: [1, 2], isr: [1, 2] });
    h.host('other', { replicas: [2, 1], isr: [2, 1], leader: 2 });
    fetchAs(h, 2, 0);
    let s = metrics(h);
    assert.deepEqual(
      ['partitioncount', 'leadercount', 'underreplicatedpartitions', 'atminisrpartitioncount', 'underminisrpartitioncount'].map(s.rm),
      [2, 1, 0, 1, 0],
    );
    assert.deepEqual(['isrshrinks_total', 'isrexpands_total', 'failedisrupdates_total', 'offlinereplicacount'].map(s.rm), [0, 0, 0, 0]);
    assert.deepEqual(
      [
        s.m.value('kafka_cluster_partition_underreplicated', s.tp),
        s.m.value('kafka_cluster_partition_insyncreplicascount', s.tp),
        s.m.value('kafka_cluster_partition_replicascount', s.tp),
        s.m.value('kafka_cluster_partition_insyncreplicascount', { topic: 'other', partition: '0' }),
      ],
      [0, 2, 2, 0],
    );
    // the follower stops fetching: out of the ISR after 1.5 x LAG at most
    await produce(h, await batch(2));
    await h.time.advance(LAG * 1.5);
    assert.deepEqual(h.image.partition('t', 0)!.isr, [1]);
    s = metrics(h);
    assert.deepEqual(
      ['underreplicatedpartitions', 'underminisrpartitioncount', 'atminisrpartitioncount', 'isrshrinks_total'].map(s.rm),
      [1, 1, 0, 1],
    );
    assert.equal(s.m.value('kafka_cluster_partition_underreplicated', s.tp), 1);
    // it fetches up to the HW again: back in the ISR
    fetchAs(h, 2, 2);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(h.image.partition('t', 0)!.isr, [1, 2]);
    s = metrics(h);
    assert.deepEqual(
      ['underreplicatedpartitions', 'isrshrinks_total', 'isrexpands_total', 'failedisrupdates_total'].map(s.rm),
      [0, 1, 1, 0],
    );
  });

  it('a change the controller refuses counts as failed, not as a shrink', async () => {
    const h = harness({
      settings: { 'replica.lag.time.max.ms': LAG },
      alterIsr: async () => ({ errorCode: ErrorCode.INVALID_UPDATE_VERSION }),
    });
    registerBrokers(h);
    h.host('t', { replicas: [1, 2], isr: [1, 2] });
    fetchAs(h, 2, 0);
    await produce(h, await batch(1));
    await h.time.advance(LAG * 1.5);
    const s = metrics(h);
    assert.deepEqual(['failedisrupdates_total', 'isrshrinks_total', 'underreplicatedpartitions'].map(s.rm), [1, 0, 0]);
  });

  it('bytes and records in and out, and the log gauges, follow appends and fetches', async () => {
    const h = harness({ settings: { 'replica.lag.time.max.ms': LAG } });
    registerBrokers(h);
    h.host('t', { replicas: [1, 2], isr: [1, 2] });
    const a = await batch(3);
    const b = await batch(2, { valueBytes: 100 });
    await produce(h, a);
    await produce(h, b);
    const consumer = fetchAs(h, -1, 0)[0]!.partitions[0]!; // below the HW: nothing yet (the follower has not fetched)
    const follower = fetchAs(h, 2, 0)[0]!.partitions[0]!;
    fetchAs(h, 2, 5); // the HW moves to 5
    const consumed = fetchAs(h, -1, 0)[0]!.partitions[0]!;
    assert.deepEqual(
      [consumer.records!.length, follower.records!.length, consumed.records!.length],
      [0, a.length + b.length, a.length + b.length],
    );
    const { m, tp } = metrics(h);
    const bt = (name: string, labels: Record<string, string> = { topic: 't' }) =>
      m.value(`kafka_server_brokertopicmetrics_${name}_total`, labels);
    assert.deepEqual([bt('bytesin'), bt('messagesin'), bt('totalproducerequests')], [a.length + b.length, 5, 2]);
    assert.deepEqual([bt('bytesout'), bt('totalfetchrequests')], [a.length + b.length, 4]);
    assert.deepEqual([bt('replicationbytesout', {}), bt('replicationbytesin', {})], [a.length + b.length, 0]);
    assert.deepEqual(
      ['size', 'logstartoffset', 'logendoffset', 'numlogsegments'].map((n) => m.value(`kafka_log_log_${n}`, tp)),
      [a.length + b.length, 0, 5, 1],
    );
  });
});
