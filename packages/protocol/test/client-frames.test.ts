// Request frames captured from real clients (kcat/librdkafka 2.0.2, kafka-python 2.0.2,
// confluent-kafka on librdkafka 2.0.2, KafkaJS 2.2.4; see scripts/capture-client-frames.ts) must decode exactly:
// every byte consumed, the expected values, and our re-encoding equal to the client's bytes.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { encodeRequestFrame } from '../src/frames.ts';
import { API_SPECS } from '../src/generated/api-keys.ts';
import { validateBatch } from '../src/records/batch-header.ts';
import { decodeRequestHeader } from '../src/wire/headers.ts';
import { Reader } from '../src/wire/reader.ts';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/frames');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.bin'))
  .sort();

function decode(file: string): { header: ReturnType<typeof decodeRequestHeader>; body: any; frame: Buffer } {
  const frame = readFileSync(join(DIR, file));
  const r = new Reader(frame);
  const header = decodeRequestHeader(r);
  const body = API_SPECS[header.apiKey]!.decodeRequest(r, header.apiVersion);
  assert.equal(r.remaining, 0, `${file}: ${r.remaining} bytes not consumed`);
  return { header, body, frame };
}

describe('captured client request frames', () => {
  it('there are fixtures from four clients', () => {
    for (const client of ['kcat-', 'kafka-python-', 'confluent-kafka-', 'kafkajs-'])
      assert.ok(
        files.some((f) => f.startsWith(client)),
        client,
      );
  });

  for (const file of files) {
    it(`${file} decodes exactly and re-encodes to the same bytes`, () => {
      const { header, body, frame } = decode(file);
      const { headerVersion: _, ...h } = header;
      const ours = encodeRequestFrame(h as never, body);
      assert.deepEqual(ours.subarray(4), frame);
    });
  }

  it('librdkafka ApiVersions v3 names its software', () => {
    const { header, body } = decode('kcat-api-versions-v3.bin');
    assert.equal(header.headerVersion, 2);
    assert.equal(header.clientId, 'rdkafka');
    assert.equal(body.clientSoftwareName, 'librdkafka');
    assert.match(body.clientSoftwareVersion, /^2\.0\.2/);
  });

  it('Produce v7 from each client carries a valid record batch', () => {
    for (const file of ['kcat-produce-v7.bin', 'kafka-python-produce-v7.bin', 'confluent-kafka-produce-v7.bin', 'kafkajs-produce-v7.bin']) {
      const { body } = decode(file);
      const p = body.topicData[0].partitionData[0];
      assert.equal(body.topicData[0].name, 'capture', file);
      assert.equal(p.index, 0, file);
      assert.equal(validateBatch(p.records, 0), p.records.length, file);
    }
  });

  it('kcat group consumer: JoinGroup v5 and flexible OffsetFetch v7', () => {
    const join = decode('kcat-join-group-v5.bin').body;
    assert.equal(join.groupId, 'capture-group');
    assert.equal(join.protocolType, 'consumer');
    assert.ok(join.protocols.length >= 1);
    const of = decode('kcat-offset-fetch-v7.bin');
    assert.equal(of.header.headerVersion, 2);
    assert.equal(of.body.groupId, 'capture-group');
    assert.deepEqual(of.body.topics, [{ name: 'capture', partitionIndexes: [0] }]);
  });

  it('kafka-python ApiVersions v0 has an empty body', () => {
    const { header, body } = decode('kafka-python-api-versions-v0.bin');
    assert.equal(header.headerVersion, 1);
    assert.deepEqual(body, { clientSoftwareName: '', clientSoftwareVersion: '' });
  });

  it('KafkaJS: ApiVersions v2 (header v1), Produce v7 with acks -1, group consumer frames', () => {
    const av = decode('kafkajs-api-versions-v2.bin');
    assert.equal(av.header.headerVersion, 1);
    assert.equal(av.header.clientId, 'kafkajs-capture');
    const produce = decode('kafkajs-produce-v7.bin').body;
    assert.equal(produce.acks, -1);
    assert.equal(produce.transactionalId, null);
    const join = decode('kafkajs-join-group-v5.bin').body;
    assert.equal(join.groupId, 'capture-group');
    assert.equal(join.protocolType, 'consumer');
    assert.equal(join.protocols[0].name, 'RoundRobinAssigner');
    const fetch = decode('kafkajs-fetch-v11.bin').body;
    assert.equal(fetch.maxWaitMs, 100);
    assert.equal(fetch.topics[0].topic, 'capture');
    assert.equal(fetch.topics[0].partitions[0].partition, 0);
    const leave = decode('kafkajs-leave-group-v3.bin').body;
    assert.deepEqual(
      leave.members.map((m: { memberId: string }) => m.memberId),
      ['member-1'],
    );
  });
});
