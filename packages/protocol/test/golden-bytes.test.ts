// Hand-computed frames, checked byte for byte in both directions: our encoder writes exactly these
// bytes and our decoder reads them back to the same value. Layouts are spelled out per line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeRequestFrame, decodeResponseFrame, encodeRequestFrame, encodeResponseFrame } from '../src/frames.ts';
import { ApiKey } from '../src/generated/api-keys.ts';
import {
  decodeConsumerGroupMemberMetadataValue,
  encodeConsumerGroupMemberMetadataValue,
} from '../src/generated/consumer-group-member-metadata-value.ts';
import { Reader } from '../src/wire/reader.ts';
import { Writer } from '../src/wire/writer.ts';

const hex = (s: string) => Buffer.from(s.replace(/#[^\n]*/g, '').replace(/\s+/g, ''), 'hex');

describe('golden request frames', () => {
  it('ApiVersions v0 (header v1, empty body)', () => {
    const bytes = hex(`
      0000000e            # size 14
      0012 0000 00000001  # api key 18, version 0, correlation id 1
      0004 6b636174       # client id "kcat" (int16 length)
    `);
    const header = { apiKey: ApiKey.ApiVersions, apiVersion: 0, correlationId: 1, clientId: 'kcat' };
    assert.deepEqual(encodeRequestFrame(header, {}), bytes);
    assert.deepEqual(decodeRequestFrame(bytes.subarray(4)), { header, body: { clientSoftwareName: '', clientSoftwareVersion: '' } });
  });

  it('ApiVersions v3 (header v2, compact strings, tagged sections)', () => {
    const bytes = hex(`
      0000001e                      # size 30
      0012 0003 00000002            # api key 18, version 3, correlation id 2
      0002 7463                     # client id "tc": int16 length even in header v2
      00                            # header tagged fields: none
      0a 7472696275746172 79        # ClientSoftwareName "tributary" (compact: length+1 = 10)
      06 302e312e30                 # ClientSoftwareVersion "0.1.0"
      00                            # body tagged fields: none
    `);
    const header = { apiKey: ApiKey.ApiVersions, apiVersion: 3, correlationId: 2, clientId: 'tc' };
    const body = { clientSoftwareName: 'tributary', clientSoftwareVersion: '0.1.0' };
    assert.deepEqual(encodeRequestFrame(header, body), bytes);
    assert.deepEqual(decodeRequestFrame(bytes.subarray(4)), { header, body });
  });

  it('Metadata v0 (one topic) and v1 (null topics = all)', () => {
    const v0 = hex(`
      00000011                # size 17
      0003 0000 00000003      # api key 3, version 0, correlation id 3
      ffff                    # client id null
      00000001 0001 74        # topics: [ "t" ] (int32 count, int16-length name)
    `);
    const h0 = { apiKey: ApiKey.Metadata, apiVersion: 0, correlationId: 3, clientId: null };
    assert.deepEqual(encodeRequestFrame(h0, { topics: [{ name: 't' }] }), v0);
    const d0 = decodeRequestFrame(v0.subarray(4)).body as { topics: unknown };
    assert.deepEqual(d0.topics, [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 't' }]);

    const v1 = hex('0000000e 0003 0001 00000004 ffff ffffffff');
    const h1 = { apiKey: ApiKey.Metadata, apiVersion: 1, correlationId: 4, clientId: null };
    assert.deepEqual(encodeRequestFrame(h1, { topics: null }), v1);
    assert.equal((decodeRequestFrame(v1.subarray(4)).body as { topics: unknown }).topics, null);
  });

  it('Fetch v12 with the tagged ClusterId field', () => {
    const bytes = hex(`
      00000053                # size 83
      0001 000c 00000005      # api key 1, version 12, correlation id 5
      0001 63 00              # client id "c", header tagged fields: none
      ffffffff                # ReplicaId -1
      000001f4 00000001       # MaxWaitMs 500, MinBytes 1
      7fffffff 01             # MaxBytes, IsolationLevel 1 (read committed)
      00000000 ffffffff       # SessionId 0, SessionEpoch -1
      02                      # Topics: 1 (compact)
        02 74                 #   Topic "t"
        02                    #   Partitions: 1
          00000000            #     Partition 0
          00000005            #     CurrentLeaderEpoch 5
          000000000000000a    #     FetchOffset 10
          ffffffff            #     LastFetchedEpoch -1
          ffffffffffffffff    #     LogStartOffset -1
          00100000            #     PartitionMaxBytes 1 MiB
          00                  #     tagged fields: none
        00                    #   tagged fields: none
      01                      # ForgottenTopicsData: empty
      01                      # RackId ""
      01 00 03 03 6b31        # tagged fields: 1; tag 0 (ClusterId), size 3, compact "k1" (length+1 = 3)
    `);
    const header = { apiKey: ApiKey.Fetch, apiVersion: 12, correlationId: 5, clientId: 'c' };
    const body = {
      clusterId: 'k1',
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 0x7fffffff,
      isolationLevel: 1,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: 't',
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: 5,
              fetchOffset: 10n,
              lastFetchedEpoch: -1,
              logStartOffset: -1n,
              partitionMaxBytes: 1048576,
            },
          ],
        },
      ],
    };
    assert.deepEqual(encodeRequestFrame(header, body), bytes);
    const decoded = decodeRequestFrame(bytes.subarray(4)).body as Record<string, unknown>;
    assert.equal(decoded.clusterId, 'k1');
    assert.equal(decoded.isolationLevel, 1);
    assert.deepEqual(decoded.forgottenTopicsData, []);
    const t = (decoded.topics as { partitions: Record<string, unknown>[] }[])[0]!;
    assert.equal(t.partitions[0]!.fetchOffset, 10n);
    assert.equal(t.partitions[0]!.replicaDirectoryId, 'AAAAAAAAAAAAAAAAAAAAAA');
  });
});

describe('golden response frames', () => {
  it('ApiVersions v3 response: header v0, tagged FinalizedFeaturesEpoch', () => {
    const bytes = hex(`
      0000001d                # size 29
      00000009                # correlation id 9 (response header v0, no tagged fields)
      0000                    # ErrorCode 0
      02 0000 0000 000b 00    # ApiKeys: [{ Produce 0-11 }], entry tagged fields: none
      00000000                # ThrottleTimeMs 0
      01 01 08 0000000000000005  # tagged fields: 1; tag 1 (FinalizedFeaturesEpoch) size 8 = 5
    `);
    const body = { apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 11 }], finalizedFeaturesEpoch: 5n };
    assert.deepEqual(encodeResponseFrame(ApiKey.ApiVersions, 3, 9, body), bytes);
    const { correlationId, body: decoded } = decodeResponseFrame(ApiKey.ApiVersions, 3, bytes.subarray(4));
    assert.equal(correlationId, 9);
    assert.equal(decoded.finalizedFeaturesEpoch, 5n);
    assert.deepEqual(decoded.apiKeys, [{ apiKey: 0, minVersion: 0, maxVersion: 11 }]);
    assert.deepEqual(decoded.supportedFeatures, []);
    assert.equal(decoded.zkMigrationReady, false);
  });

  it('Produce v9 response: flexible header v1, int64 defaults, null error message', () => {
    const bytes = hex(`
      00000030                # size 48
      00000001 00             # correlation id 1, header tagged fields: none
      02 02 74                # Responses: 1; Name "t"
        02                    #   PartitionResponses: 1
          00000000 0000       #     Index 0, ErrorCode 0
          0000000000000064    #     BaseOffset 100
          ffffffffffffffff    #     LogAppendTimeMs -1
          ffffffffffffffff    #     LogStartOffset -1 (default)
          01 00 00            #     RecordErrors [], ErrorMessage null, tagged: none
        00                    #   tagged fields: none
      00000000 00             # ThrottleTimeMs 0, tagged fields: none
    `);
    const body = { responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 100n }] }] };
    assert.deepEqual(encodeResponseFrame(ApiKey.Produce, 9, 1, body), bytes);
    const decoded = decodeResponseFrame(ApiKey.Produce, 9, bytes.subarray(4)).body;
    assert.equal(decoded.responses[0]!.partitionResponses[0]!.baseOffset, 100n);
    assert.equal(decoded.responses[0]!.partitionResponses[0]!.logAppendTimeMs, -1n);
    assert.equal(decoded.responses[0]!.partitionResponses[0]!.errorMessage, null);
  });
});

describe('tagged nullable struct', () => {
  it('is written as tag, size, uvarint 1 presence marker, struct (Kafka: readUnsignedVarint() <= 0 is null)', () => {
    const w = new Writer();
    encodeConsumerGroupMemberMetadataValue(w, 0, { classicMemberMetadata: { sessionTimeoutMs: 10000 } });
    const bytes = w.finish();
    // tagged fields: 1; tag 0, size 7: marker 01, SessionTimeoutMs 10000, SupportedProtocols [], tagged: none
    assert.deepEqual(bytes.subarray(bytes.length - 10), hex('01 00 07 01 00002710 01 00'));
    const decoded = decodeConsumerGroupMemberMetadataValue(new Reader(bytes), 0);
    assert.deepEqual(decoded.classicMemberMetadata, { sessionTimeoutMs: 10000, supportedProtocols: [] });
    // null (the default) is not written at all
    const w2 = new Writer();
    encodeConsumerGroupMemberMetadataValue(w2, 0, { classicMemberMetadata: null });
    assert.equal(w2.finish().at(-1), 0);
  });
});
