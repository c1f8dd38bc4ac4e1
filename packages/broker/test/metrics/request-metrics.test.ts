// Request metrics (per API: requests by version, TotalTimeMs percentiles, count and sum) and the
// broker topic stats (bytes and records in and out per topic and broker-wide), as families read
// back with a real Prometheus text-format parser.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiKey } from '@tributary/protocol';
import { BrokerTopicStats } from '../../src/metrics/broker-topic-stats.ts';
import { formatExposition } from '../../src/metrics/exposition.ts';
import { bucketIndex, bucketUpperBound } from '../../src/metrics/latency-histogram.ts';
import { RequestMetrics } from '../../src/metrics/request-metrics.ts';
import { parseMetrics } from '../helpers/prometheus-text.ts';

describe('RequestMetrics', () => {
  it("names requests with Kafka's API names, Fetch split into FetchConsumer and FetchFollower", () => {
    const m = new RequestMetrics();
    assert.equal(m.entry(ApiKey.Produce).name, 'Produce');
    assert.equal(m.entry(ApiKey.Fetch).name, 'FetchConsumer');
    assert.equal(m.entry(ApiKey.Fetch, true).name, 'FetchFollower');
    assert.equal(m.entry(ApiKey.Metadata, true).name, 'Metadata', 'only Fetch has a follower variant');
    assert.equal(m.entry(ApiKey.ListOffsets).name, 'ListOffsets');
    assert.equal(m.entry(ApiKey.Produce), m.entry(ApiKey.Produce), 'one entry per API');
  });

  it('counts requests by version and reports TotalTimeMs percentiles, count and sum', () => {
    const m = new RequestMetrics();
    const produce = m.entry(ApiKey.Produce);
    for (let i = 0; i < 3; i++) produce.record(9, 2, 1000);
    produce.record(7, 40, 1000);
    m.entry(ApiKey.Fetch, true).record(12, 500, 1000);
    const text = formatExposition(m.families(1000));
    const p = parseMetrics(text);
    assert.equal(p.family('kafka_network_requestmetrics_requests_total').type, 'COUNTER');
    assert.deepEqual(p.labelSets('kafka_network_requestmetrics_requests_total'), [
      { request: 'FetchFollower', version: '12' },
      { request: 'Produce', version: '7' },
      { request: 'Produce', version: '9' },
    ]);
    assert.equal(p.value('kafka_network_requestmetrics_requests_total', { request: 'Produce', version: '9' }), 3);
    assert.equal(p.value('kafka_network_requestmetrics_requests_total', { request: 'Produce', version: '7' }), 1);
    const q = (request: string, quantile: string) => p.value('kafka_network_requestmetrics_totaltimems', { request, quantile });
    assert.equal(q('Produce', '0.50'), bucketUpperBound(bucketIndex(2)));
    assert.equal(q('Produce', '0.75'), bucketUpperBound(bucketIndex(2)));
    assert.equal(q('Produce', '0.95'), 40);
    assert.equal(q('Produce', '0.999'), 40);
    assert.equal(q('FetchFollower', '0.50'), 500);
    assert.deepEqual(
      p
        .labelSets('kafka_network_requestmetrics_totaltimems')
        .filter((l) => l.request === 'Produce')
        .map((l) => l.quantile),
      ['0.50', '0.75', '0.95', '0.98', '0.99', '0.999'],
    );
    assert.equal(p.value('kafka_network_requestmetrics_totaltimems_count', { request: 'Produce' }), 4);
    assert.equal(p.value('kafka_network_requestmetrics_totaltimems_sum', { request: 'Produce' }), 46);
    assert.equal(p.value('kafka_network_requestmetrics_totaltimems_count', { request: 'FetchFollower' }), 1);
  });

  it('writes no request families before the first request', () => {
    assert.equal(formatExposition(new RequestMetrics().families(0)), '');
  });
});

describe('BrokerTopicStats', () => {
  it('counts per topic and broker-wide; replication bytes broker-wide; a removed topic goes', () => {
    const s = new BrokerTopicStats();
    s.recordProduceRequest('a');
    s.recordAppend('a', 100, 3);
    s.recordProduceRequest('b');
    s.recordAppend('b', 50, 1);
    s.recordFetch([{ topic: 'a', partitions: [{ records: Buffer.alloc(70) }, { records: null }] }], false);
    s.recordFetch([{ topic: 'a', partitions: [{ records: Buffer.alloc(30) }] }], true);
    s.replicationBytesIn += 11;
    const p = parseMetrics(formatExposition(s.families()));
    const v = (name: string, topic?: string) => p.value(`kafka_server_brokertopicmetrics_${name}_total`, topic ? { topic } : {});
    assert.deepEqual([v('bytesin'), v('bytesin', 'a'), v('bytesin', 'b')], [150, 100, 50]);
    assert.deepEqual([v('messagesin'), v('messagesin', 'a'), v('messagesin', 'b')], [4, 3, 1]);
    assert.deepEqual([v('bytesout'), v('bytesout', 'a'), v('bytesout', 'b')], [70, 70, 0], "a follower's fetch is not bytes out");
    assert.deepEqual([v('totalfetchrequests'), v('totalfetchrequests', 'a')], [3, 3]);
    assert.deepEqual([v('totalproducerequests'), v('totalproducerequests', 'a')], [2, 1]);
    assert.deepEqual([v('replicationbytesout'), v('replicationbytesin')], [30, 11]);
    s.removeTopic('b');
    const after = parseMetrics(formatExposition(s.families()));
    assert.deepEqual(after.labelSets('kafka_server_brokertopicmetrics_bytesin_total'), [{}, { topic: 'a' }]);
    assert.equal(after.value('kafka_server_brokertopicmetrics_bytesin_total'), 150, 'the broker-wide count keeps what was counted');
  });
});
