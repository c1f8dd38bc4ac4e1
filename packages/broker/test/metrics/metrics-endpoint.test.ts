// The broker's /metrics endpoint (tributary.metrics.port), scraped over HTTP and read with a real
// Prometheus text-format parser: exact values after known traffic — bytes and records in, bytes
// out, requests per API and version, log size equal to the bytes on disk, partition and
// controller gauges, consumer group lag after a commit — plus the HTTP answers (404, 405, HEAD),
// no endpoint without the setting, a port in use failing the start, and the endpoint closed on stop.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiKey, ErrorCode, encodeRecordBatch } from '@tributary/protocol';
import { kafkaClient, type KafkaTestClient } from '../helpers/kafka-client.ts';
import { scrape } from '../helpers/prometheus-text.ts';
import { startTestBroker } from '../helpers/test-broker.ts';

const SETTINGS = { 'tributary.metrics.port': 0, 'offsets.topic.num.partitions': 1, 'group.initial.rebalance.delay.ms': 0 };

const records = (n: number, tag: string) =>
  encodeRecordBatch({
    records: Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `${tag}-${i}`, timestamp: 1_700_000_000_000 + i })),
  });

/** Bytes of the segment files of `<topic>-<partition>` on disk. */
function logBytesOnDisk(dataDir: string, topic: string, partition: number): number {
  const dir = join(dataDir, `${topic}-${partition}`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

describe('the /metrics endpoint', () => {
  let kafka: Awaited<ReturnType<typeof startTestBroker>>;
  let c: KafkaTestClient;
  let url: string;
  let a: Buffer;
  let b: Buffer;

  before(async () => {
    kafka = await startTestBroker(SETTINGS);
    url = kafka.broker.metricsUrl!;
    c = await kafkaClient(kafka.port);
    const created = await c.request(ApiKey.CreateTopics, 5, {
      topics: [{ name: 'm', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE);
    a = await records(3, 'a');
    b = await records(2, 'bb');
    for (const [index, batch] of [
      [0, a],
      [1, b],
    ] as const) {
      const r = await c.request(ApiKey.Produce, 9, {
        acks: 1,
        timeoutMs: 5000,
        topicData: [{ name: 'm', partitionData: [{ index, records: batch }] }],
      });
      assert.equal(r.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
    }
    const f = await c.request(ApiKey.Fetch, 12, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: 'm',
          partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
    assert.equal(f.responses[0]!.partitions[0]!.records!.length, a.length);
  });
  after(async () => {
    c.close();
    await kafka.stop();
  });

  it('is served on the broker host at the port bound', () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    assert.notEqual(new URL(url).port, String(kafka.port));
  });

  it('counts bytes and records in and out, and requests per API and version', async () => {
    const m = await scrape(url);
    const bt = (name: string, labels: Record<string, string> = { topic: 'm' }) =>
      m.value(`kafka_server_brokertopicmetrics_${name}_total`, labels);
    assert.deepEqual([bt('bytesin'), bt('messagesin'), bt('bytesout')], [a.length + b.length, 5, a.length]);
    assert.deepEqual([bt('totalproducerequests'), bt('totalfetchrequests')], [2, 1]);
    assert.deepEqual([bt('bytesin', {}), bt('messagesin', {}), bt('bytesout', {})], [a.length + b.length, 5, a.length]);
    assert.deepEqual([bt('replicationbytesin', {}), bt('replicationbytesout', {})], [0, 0]);
    assert.deepEqual(m.labelSets('kafka_network_requestmetrics_requests_total'), [
      { request: 'CreateTopics', version: '5' },
      { request: 'FetchConsumer', version: '12' },
      { request: 'Produce', version: '9' },
    ]);
    assert.equal(m.value('kafka_network_requestmetrics_requests_total', { request: 'Produce', version: '9' }), 2);
    assert.equal(m.value('kafka_network_requestmetrics_totaltimems_count', { request: 'Produce' }), 2);
    assert.equal(m.value('kafka_network_requestmetrics_totaltimems_count', { request: 'FetchConsumer' }), 1);
    const p99 = m.value('kafka_network_requestmetrics_totaltimems', { request: 'Produce', quantile: '0.99' })!;
    const sum = m.value('kafka_network_requestmetrics_totaltimems_sum', { request: 'Produce' })!;
    assert.ok(p99 > 0 && p99 <= sum, `p99 ${p99} ms within the two requests' ${sum} ms`);
  });

  it('reports the log size as the bytes on disk, the offsets, and the partition and controller gauges', async () => {
    const m = await scrape(url);
    for (const [partition, batch, end] of [
      ['0', a, 3],
      ['1', b, 2],
    ] as const) {
      const tp = { topic: 'm', partition };
      assert.equal(m.value('kafka_log_log_size', tp), logBytesOnDisk(kafka.dataDir, 'm', Number(partition)));
      assert.equal(m.value('kafka_log_log_size', tp), batch.length);
      assert.deepEqual(
        ['logstartoffset', 'logendoffset', 'numlogsegments'].map((n) => m.value(`kafka_log_log_${n}`, tp)),
        [0, end, 1],
      );
    }
    const rm = (name: string) => m.value(`kafka_server_replicamanager_${name}`);
    assert.deepEqual(
      ['partitioncount', 'leadercount', 'underreplicatedpartitions', 'offlinereplicacount', 'isrshrinks_total', 'isrexpands_total'].map(rm),
      [2, 2, 0, 0, 0, 0],
    );
    const kc = (name: string) => m.value(`kafka_controller_kafkacontroller_${name}`);
    assert.deepEqual(
      [
        'activecontrollercount',
        'offlinepartitionscount',
        'globaltopiccount',
        'globalpartitioncount',
        'activebrokercount',
        'fencedbrokercount',
      ].map(kc),
      [1, 0, 1, 2, 1, 0],
    );
    const nodeId = kafka.broker.config.nodeId;
    assert.deepEqual(m.labelSets('kafka_server_raftmetrics_current_state'), [{ current_state: 'leader' }]);
    assert.equal(m.value('kafka_server_raftmetrics_current_leader'), nodeId);
    assert.equal(m.value('kafka_server_kafkaserver_brokerstate'), 3, 'RUNNING');
    // the node's own controller (combined): its log, all of it committed and applied
    const end = m.value('kafka_server_raftmetrics_log_end_offset')!;
    assert.ok(end > 0 && m.value('kafka_server_raftmetrics_current_epoch')! >= 1);
    assert.deepEqual(
      ['current_vote', 'high_watermark'].map((n) => m.value(`kafka_server_raftmetrics_${n}`)),
      [nodeId, end],
    );
    assert.deepEqual(['lastappliedrecordoffset', 'lastcommittedrecordoffset', 'metadataerrorcount', 'lastappliedrecordlagms'].map(kc), [
      end - 1,
      end - 1,
      0,
      0,
    ]);
    assert.ok(kc('eventqueueoperationsstartedcount')! > 0);
  });

  it('reports the lag of a committed consumer group per partition', async () => {
    const coord = await c.request(ApiKey.FindCoordinator, 1, { key: 'g', keyType: 0 });
    assert.equal(coord.errorCode, ErrorCode.NONE);
    let commits = 0;
    const commit = () => {
      commits++;
      return c.request(ApiKey.OffsetCommit, 8, {
        groupId: 'g',
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [
          {
            name: 'm',
            partitions: [
              { partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null },
              { partitionIndex: 1, committedOffset: 2n, committedLeaderEpoch: -1, committedMetadata: null },
            ],
          },
        ],
      });
    };
    let r = await commit();
    for (let i = 0; i < 50 && r.topics[0]!.partitions[0]!.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS; i++) {
      await new Promise((res) => setTimeout(res, 20));
      r = await commit();
    }
    assert.deepEqual(
      r.topics[0]!.partitions.map((p) => p.errorCode),
      [ErrorCode.NONE, ErrorCode.NONE],
    );
    const m = await scrape(url);
    const g = (partition: string) => ({ consumergroup: 'g', topic: 'm', partition });
    assert.deepEqual(
      [m.value('kafka_consumergroup_current_offset', g('0')), m.value('kafka_consumergroup_current_offset', g('1'))],
      [1, 2],
    );
    assert.deepEqual([m.value('kafka_consumergroup_lag', g('0')), m.value('kafka_consumergroup_lag', g('1'))], [2, 0]);
    assert.equal(m.value('kafka_consumergroup_lag_sum', { consumergroup: 'g', topic: 'm' }), 2);
    // the commit went to __consumer_offsets: bytes in there too, and the broker-wide total is the sum
    const bytesIn = (labels: Record<string, string>) => m.value('kafka_server_brokertopicmetrics_bytesin_total', labels)!;
    const offsetsIn = bytesIn({ topic: '__consumer_offsets' });
    assert.ok(offsetsIn > 0);
    assert.equal(bytesIn({}), a.length + b.length + offsetsIn);
    assert.equal(
      m.value('kafka_log_log_size', { topic: '__consumer_offsets', partition: '0' }),
      logBytesOnDisk(kafka.dataDir, '__consumer_offsets', 0),
    );
    assert.equal(m.value('kafka_network_requestmetrics_requests_total', { request: 'OffsetCommit', version: '8' }), commits);
    assert.equal(m.value('kafka_network_requestmetrics_requests_total', { request: 'FindCoordinator', version: '1' }), 1);
  });

  it('answers 404 elsewhere, 405 to other methods, headers only to HEAD', async () => {
    const base = new URL(url);
    assert.equal((await fetch(new URL('/', base))).status, 404);
    assert.equal((await fetch(new URL('/metricsx', base))).status, 404);
    const post = await fetch(url, { method: 'POST' });
    assert.deepEqual([post.status, post.headers.get('allow')], [405, 'GET, HEAD']);
    const head = await fetch(url, { method: 'HEAD' });
    assert.deepEqual(
      [head.status, head.headers.get('content-type'), await head.text()],
      [200, 'text/plain; version=0.0.4; charset=utf-8', ''],
    );
    assert.ok(Number(head.headers.get('content-length')) > 0);
    assert.equal((await fetch(`${url}?name[]=x`)).status, 200, 'a query string is ignored');
  });
});

describe('the /metrics endpoint: on and off', () => {
  it('is off by default', async () => {
    const kafka = await startTestBroker();
    try {
      assert.equal(kafka.broker.metricsUrl, null);
    } finally {
      await kafka.stop();
    }
  });

  it('closes on stop', async () => {
    const kafka = await startTestBroker(SETTINGS);
    const url = kafka.broker.metricsUrl!;
    assert.equal((await fetch(url)).status, 200);
    await kafka.stop();
    await assert.rejects(fetch(url), /fetch failed/);
  });

  it('a port in use fails the start', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as AddressInfo).port;
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-metrics-test-'));
    try {
      await assert.rejects(startTestBroker({ 'tributary.metrics.port': port, 'log.dirs': dataDir }), /EADDRINUSE/);
    } finally {
      taken.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
