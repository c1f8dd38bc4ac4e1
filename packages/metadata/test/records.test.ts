// Metadata record framing (Kafka's MetadataRecordSerde): round trips of every type, golden bytes
// derived from the layout (frame version, apiKey, version as unsigned varints, then the flexible
// body of the JSON spec), Kafka's parse errors, and the batch layout of the raft BatchBuilder.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Off, decodeRecordBatchSync } from '@tributary/protocol';
import {
  MetadataParseError,
  decodeMetadataBatches,
  decodeMetadataRecord,
  encodeMetadataBatch,
  encodeMetadataRecord,
  type MetadataRecord,
} from '../src/index.ts';
import {
  brokerRegistrationChangeRecord,
  configRecord,
  featureLevelRecord,
  partitionChangeRecord,
  partitionRecord,
  removeTopicRecord,
  topicRecord,
} from '../src/records/metadata-record.ts';

const ID = Buffer.from([...Array(16).keys()]).toString('base64url'); // bytes 00..0f
const ID_BYTES = '000102030405060708090a0b0c0d0e0f';

const samples: MetadataRecord[] = [
  {
    type: 'RegisterBrokerRecord',
    data: {
      brokerId: 3,
      isMigratingZkBroker: false,
      incarnationId: ID,
      brokerEpoch: 42n,
      endPoints: [{ name: 'PLAINTEXT', host: 'h1', port: 9092, securityProtocol: 0 }],
      features: [{ name: 'metadata.version', minSupportedVersion: 7, maxSupportedVersion: 14 }],
      rack: 'r1',
      fenced: true,
      inControlledShutdown: false,
      logDirs: [],
    },
  },
  { type: 'UnregisterBrokerRecord', data: { brokerId: 3, brokerEpoch: 42n } },
  topicRecord('orders', ID),
  partitionRecord({
    topicId: ID,
    partitionId: 2,
    replicas: [1, 2, 3],
    isr: [1, 2],
    leader: 1,
    leaderEpoch: 5,
    partitionEpoch: 9,
    leaderRecoveryState: 1,
  }),
  configRecord(2, 'orders', 'retention.ms', '1000'),
  configRecord(2, 'orders', 'retention.ms', null),
  partitionChangeRecord({ topicId: ID, partitionId: 2, isr: [1], leader: -1, leaderRecoveryState: 0 }),
  { type: 'FenceBrokerRecord', data: { id: 3, epoch: 42n } },
  { type: 'UnfenceBrokerRecord', data: { id: 3, epoch: 42n } },
  removeTopicRecord(ID),
  featureLevelRecord('metadata.version', 14),
  { type: 'ProducerIdsRecord', data: { brokerId: 1, brokerEpoch: 7n, nextProducerId: 2000n } },
  brokerRegistrationChangeRecord({ brokerId: 3, brokerEpoch: 42n, fenced: -1, inControlledShutdown: 1 }),
  { type: 'NoOpRecord', data: {} },
];

describe('metadata record framing', () => {
  it('every record type round-trips at the version written, with its apiKey and version in the frame', () => {
    const frames = samples.map((r) => encodeMetadataRecord(r));
    assert.deepEqual(
      frames.map((f) => [f[0], f[1], f[2]]),
      [
        [1, 0, 2],
        [1, 1, 0],
        [1, 2, 0],
        [1, 3, 0],
        [1, 4, 0],
        [1, 4, 0],
        [1, 5, 0],
        [1, 7, 0],
        [1, 8, 0],
        [1, 9, 0],
        [1, 12, 0],
        [1, 15, 0],
        [1, 17, 1],
        [1, 20, 0],
      ],
    );
    assert.deepEqual(
      frames.map((f) => decodeMetadataRecord(f)),
      samples,
    );
  });

  it('golden bytes: TopicRecord v0 and a leader-only PartitionChangeRecord v0', () => {
    // frame 1, apiKey 2, version 0 | Name compact string (len+1 = 4) "foo" | TopicId 16 bytes | no tagged fields
    assert.equal(encodeMetadataRecord(topicRecord('foo', ID)).toString('hex'), `010200` + `04666f6f` + ID_BYTES + '00');
    // frame 1, apiKey 5, version 0 | PartitionId int32 7 | TopicId | 1 tagged field: tag 1 (Leader), size 4, int32 2
    assert.equal(
      encodeMetadataRecord(partitionChangeRecord({ topicId: ID, partitionId: 7, leader: 2 })).toString('hex'),
      '010500' + '00000007' + ID_BYTES + '01' + '01' + '04' + '00000002',
    );
    // a change with nothing in it: only the required fields and an empty tagged-field section
    assert.equal(
      encodeMetadataRecord(partitionChangeRecord({ topicId: ID, partitionId: 0 })).toString('hex'),
      '010500' + '00000000' + ID_BYTES + '00',
    );
  });

  it('newer versions are read: a RegisterBrokerRecord v3 with log dirs', () => {
    // BrokerId 1 | IsMigratingZkBroker false | IncarnationId | BrokerEpoch 5 | no endpoints | no features | Rack null |
    // Fenced true | InControlledShutdown true | 1 tagged field: tag 0 (LogDirs), size 17, compact array of 1 uuid
    const v3 = Buffer.from(
      '010003' +
        '00000001' +
        '00' +
        ID_BYTES +
        '0000000000000005' +
        '01' +
        '01' +
        '00' +
        '01' +
        '01' +
        '01' +
        '00' +
        '11' +
        '02' +
        ID_BYTES,
      'hex',
    );
    const r = decodeMetadataRecord(v3);
    assert.equal(r.type, 'RegisterBrokerRecord');
    if (r.type !== 'RegisterBrokerRecord') return;
    assert.deepEqual(
      [r.data.brokerId, r.data.brokerEpoch, r.data.endPoints, r.data.rack, r.data.fenced, r.data.inControlledShutdown, r.data.logDirs],
      [1, 5n, [], null, true, true, [ID]],
    );
  });

  it("Kafka's parse errors: frame version 0, unknown frame version, unknown type, trailing garbage", () => {
    const ok = encodeMetadataRecord(topicRecord('foo', ID));
    assert.throws(() => decodeMetadataRecord(Buffer.from([0, 2, 0])), {
      name: 'MetadataParseError',
      message: /frame version 0\. Note that upgrades from the preview release of KRaft in 2\.8/,
    });
    assert.throws(() => decodeMetadataRecord(Buffer.from([2, 2, 0])), {
      message: 'Could not deserialize metadata record due to unknown frame version 2(only frame version 1 is supported)',
    });
    assert.throws(() => decodeMetadataRecord(Buffer.from([1, 99, 0])), { message: 'Unknown metadata id 99' });
    assert.throws(() => decodeMetadataRecord(Buffer.concat([ok, Buffer.from([0xff])])), { message: 'Found 1 byte(s) of garbage after 2' });
    assert.throws(() => decodeMetadataRecord(ok.subarray(0, 10)), MetadataParseError);
    assert.throws(() => decodeMetadataRecord(Buffer.from([1, 2, 1])), /unsupported version 1/);
  });

  it('batches: null keys, no headers, CreateTime with every timestamp delta 0, no producer, the leader epoch; decoded back', () => {
    const batch = encodeMetadataBatch({ records: samples.slice(2, 5), leaderEpoch: 3, appendTimeMs: 1_700_000_000_123, baseOffset: 10 });
    const b = decodeRecordBatchSync(batch);
    assert.deepEqual(
      [
        b.baseOffset,
        b.lastOffsetDelta,
        b.partitionLeaderEpoch,
        b.baseTimestamp,
        b.maxTimestamp,
        b.producerId,
        b.producerEpoch,
        b.baseSequence,
        b.timestampType,
        b.isControl,
        b.compression,
      ],
      [10n, 2, 3, 1_700_000_000_123n, 1_700_000_000_123n, -1n, -1, -1, 'CreateTime', false, 0],
    );
    assert.deepEqual(
      b.records.map((r) => [r.offsetDelta, r.timestampDelta, r.key, r.headers.length]),
      [
        [0, 0, null, 0],
        [1, 0, null, 0],
        [2, 0, null, 0],
      ],
    );
    // record layout: length | attributes 0 | timestampDelta 0 | offsetDelta 0 | key length -1 (zigzag 0x01) | value length | value | 0 headers
    const value = encodeMetadataRecord(samples[2]!);
    const size = 5 + value.length + 1;
    const first = batch.subarray(61, 61 + 1 + size);
    assert.equal(
      first.toString('hex'),
      Buffer.from([size * 2, 0, 0, 0, 1, value.length * 2]).toString('hex') + value.toString('hex') + '00',
    );
    const two = Buffer.concat([batch, encodeMetadataBatch({ records: [samples[9]!], leaderEpoch: 4, appendTimeMs: 5, baseOffset: 13 })]);
    const decoded = decodeMetadataBatches(two);
    assert.deepEqual(
      decoded.map((d) => [d.baseOffset, d.lastOffset, d.leaderEpoch, d.appendTimeMs, d.records.map((r) => r.offset)]),
      [
        [10, 12, 3, 1_700_000_000_123, [10, 11, 12]],
        [13, 13, 4, 5, [13]],
      ],
    );
    assert.deepEqual(
      decoded[0]!.records.map((r) => r.record),
      samples.slice(2, 5),
    );
    assert.equal(batch.readInt32BE(Off.RecordsCount), 3);
    assert.deepEqual(decodeMetadataBatches(two.subarray(0, two.length - 1)).length, 1); // a partial trailing batch is left out
  });
});
