// DescribeQuorum (API key 55) read by a third-party codec: @platformatic/kafka's describeQuorum
// v0, v1 and v2 APIs (its Admin client has no describeMetadataQuorum) against a testkit broker, a
// combined node: __cluster_metadata-0 led by the node itself, the only voter, no observers; v1+
// timestamps, v2 directory ids. (KafkaJS, kafka-python and confluent-kafka have no DescribeQuorum.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Connection, describeQuorumV0, describeQuorumV1, describeQuorumV2 } from '@platformatic/kafka';
import type { TestBroker } from '@tributary/testkit';
import { startTestBroker } from './harness.ts';
import './js-clients.ts'; // Promise.withResolvers for @platformatic/kafka on Node 20

const TOPICS = [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }];
let broker: TestBroker;

before(async () => {
  broker = await startTestBroker();
});
after(async () => {
  await broker.stop();
});

describe('DescribeQuorum with @platformatic/kafka', () => {
  for (const [version, api] of [
    [0, describeQuorumV0.api],
    [1, describeQuorumV1.api],
    [2, describeQuorumV2.api],
  ] as const) {
    it(`v${version}: the node leads __cluster_metadata-0 alone`, async () => {
      const conn = new Connection('interop-describe-quorum');
      try {
        await conn.connect('127.0.0.1', broker.port);
        const res = await api.async(conn, TOPICS);
        const p = res.topics[0]!.partitions[0]!;
        assert.deepEqual([res.errorCode, res.topics[0]!.topicName, p.errorCode, p.observers], [0, '__cluster_metadata', 0, []]);
        assert.deepEqual(
          p.currentVoters.map((v) => v.replicaId),
          [p.leaderId],
        );
        assert.ok(p.leaderEpoch >= 1 && p.highWatermark > 0n);
        assert.equal(p.currentVoters[0]!.logEndOffset, p.highWatermark);
        if (version >= 1) assert.ok(p.currentVoters[0]!.lastFetchTimestamp > 0n);
      } finally {
        await conn.close();
      }
    });
  }
});
