// Admin.electLeaders against a scripted broker: ElectLeaders to the controller at v2 with the
// partitions grouped by topic (null for all), each partition answered null or a KafkaClientError
// naming it; a top-level error is thrown (NOT_CONTROLLER retried); v0 (a broker without v1)
// refuses UNCLEAN before sending anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { Kafka } from '../../src/kafka.ts';
import { KafkaClientError } from '../../src/network/errors.ts';
import { defaultApiVersions, singleNodeMetadata, startFakeBroker } from '../helpers/fake-broker.ts';

type Answer = { errorCode: number; replicaElectionResults: unknown[] };

async function withBroker(answers: Answer[], run: (kafka: Kafka, sent: () => any[]) => Promise<void>, apiVersions = defaultApiVersions()) {
  const broker = await startFakeBroker((h, body) => {
    if (h.apiKey === ApiKey.Metadata) return singleNodeMetadata(broker.port, body);
    if (h.apiKey === ApiKey.ElectLeaders) return { body: { throttleTimeMs: 0, ...answers.shift()! } };
    return undefined;
  }, apiVersions);
  const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${broker.port}` });
  try {
    await run(kafka, () => broker.requests.filter((r) => r.header.apiKey === ApiKey.ElectLeaders));
  } finally {
    await kafka.close();
    await broker.close();
  }
}

test('electLeaders: per-partition results, the request grouped by topic at v2', async () => {
  const answer = {
    errorCode: 0,
    replicaElectionResults: [
      {
        topic: 'a',
        partitionResult: [
          { partitionId: 0, errorCode: 0, errorMessage: null },
          { partitionId: 2, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: 'Leader election not needed for topic partition.' },
        ],
      },
      { topic: 'b', partitionResult: [{ partitionId: 1, errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, errorMessage: null }] },
    ],
  };
  await withBroker([answer, { errorCode: 0, replicaElectionResults: [] }], async (kafka, sent) => {
    const admin = kafka.admin();
    const r = await admin.electLeaders('preferred', [
      { topic: 'a', partition: 0 },
      { topic: 'b', partition: 1 },
      { topic: 'a', partition: 2 },
    ]);
    const [req] = sent();
    assert.equal(req.header.apiVersion, 2);
    assert.deepEqual(req.body.electionType, 0);
    assert.deepEqual(req.body.topicPartitions, [
      { topic: 'a', partitions: [0, 2] },
      { topic: 'b', partitions: [1] },
    ]);
    assert.deepEqual(
      r.map((x) => [x.topic, x.partition, x.error?.type ?? null, x.error?.details ?? null]),
      [
        ['a', 0, null, null],
        ['a', 2, 'ELECTION_NOT_NEEDED', { code: ErrorCode.ELECTION_NOT_NEEDED, topic: 'a', partition: 2 }],
        ['b', 1, 'PREFERRED_LEADER_NOT_AVAILABLE', { code: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, topic: 'b', partition: 1 }],
      ],
    );
    assert.ok(r[1]!.error instanceof KafkaClientError);
    assert.equal(
      r[1]!.error!.message,
      'elect preferred leader of a-2: ELECTION_NOT_NEEDED (Leader election not needed for topic partition.)',
    );
    assert.deepEqual(await admin.electLeaders('unclean', null), []);
    assert.deepEqual([sent()[1].body.electionType, sent()[1].body.topicPartitions], [1, null]);
  });
});

test('electLeaders: a top-level error is thrown; NOT_CONTROLLER is retried', async () => {
  const notController = { errorCode: ErrorCode.NOT_CONTROLLER, replicaElectionResults: [] };
  const denied = { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, replicaElectionResults: [] };
  const ok = {
    errorCode: 0,
    replicaElectionResults: [{ topic: 'a', partitionResult: [{ partitionId: 0, errorCode: 0, errorMessage: null }] }],
  };
  await withBroker([notController, ok, denied], async (kafka, sent) => {
    const admin = kafka.admin({ retryBackoffMs: 10 });
    assert.deepEqual(await admin.electLeaders('preferred', [{ topic: 'a', partition: 0 }]), [{ topic: 'a', partition: 0, error: null }]);
    assert.equal(sent().length, 2);
    await assert.rejects(admin.electLeaders('preferred', [{ topic: 'a', partition: 0 }]), (e: unknown) => {
      assert.ok(e instanceof KafkaClientError);
      assert.deepEqual([e.type, e.message], ['CLUSTER_AUTHORIZATION_FAILED', 'elect preferred leaders: CLUSTER_AUTHORIZATION_FAILED']);
      return true;
    });
  });
});

test('electLeaders: a broker with v0 only refuses UNCLEAN without sending it', async () => {
  const answer = { errorCode: 0, replicaElectionResults: [] };
  await withBroker(
    [answer],
    async (kafka, sent) => {
      const admin = kafka.admin();
      await assert.rejects(admin.electLeaders('unclean', [{ topic: 'a', partition: 0 }]), /only supports PREFERRED/);
      assert.equal(sent().length, 0);
      assert.deepEqual(await admin.electLeaders('preferred', [{ topic: 'a', partition: 0 }]), []);
      assert.equal(sent()[0].header.apiVersion, 0);
    },
    defaultApiVersions({ [ApiKey.ElectLeaders]: [0, 0] }),
  );
});
