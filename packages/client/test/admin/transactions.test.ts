// The admin client's transaction operations against a scripted broker: describeTransactions
// (FindCoordinator key type 1, then DescribeTransactions to the coordinator; -1 start time read as
// null; TRANSACTIONAL_ID_NOT_FOUND thrown naming the id; NOT_COORDINATOR retried), listTransactions
// (filters on the wire, each listing tagged with its broker) and describeProducers (to the leader;
// -1 coordinator epoch and transaction start offset read as null; a partition error thrown).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { Kafka } from '../../src/kafka.ts';
import { singleNodeMetadata, startFakeBroker, type FakeBroker } from '../helpers/fake-broker.ts';

async function broker(opts: { describeErrors?: number[] } = {}) {
  let self: FakeBroker;
  const describeErrors = [...(opts.describeErrors ?? [])];
  self = await startFakeBroker(async (h, body) => {
    switch (h.apiKey) {
      case ApiKey.Metadata:
        return singleNodeMetadata(self.port, body, 2);
      case ApiKey.FindCoordinator:
        return { body: { errorCode: 0, errorMessage: null, nodeId: 1, host: '127.0.0.1', port: self.port, coordinators: [] } };
      case ApiKey.DescribeTransactions:
        return {
          body: {
            transactionStates: body.transactionalIds.map((id: string) => {
              const code = describeErrors.shift() ?? (id === 'missing' ? ErrorCode.TRANSACTIONAL_ID_NOT_FOUND : 0);
              return {
                errorCode: code,
                transactionalId: id,
                transactionState: id === 'idle' ? 'Empty' : 'Ongoing',
                transactionTimeoutMs: 60000,
                transactionStartTimeMs: id === 'idle' ? -1n : 1_700_000_000_000n,
                producerId: 12n,
                producerEpoch: 3,
                topics: id === 'idle' ? [] : [{ topic: 'orders', partitions: [0, 2] }],
              };
            }),
          },
        };
      case ApiKey.ListTransactions:
        return {
          body: {
            errorCode: 0,
            unknownStateFilters: [],
            transactionStates: [
              { transactionalId: 'a', producerId: 1n, transactionState: 'Ongoing' },
              { transactionalId: 'b', producerId: 2n, transactionState: 'CompleteCommit' },
            ],
          },
        };
      case ApiKey.DescribeProducers:
        return {
          body: {
            topics: body.topics.map((t: any) => ({
              name: t.name,
              partitions: t.partitionIndexes.map((p: number) => ({
                partitionIndex: p,
                errorCode: p === 1 ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : 0,
                errorMessage: null,
                activeProducers: [
                  {
                    producerId: 5n,
                    producerEpoch: 0,
                    lastSequence: 9,
                    lastTimestamp: 1_700_000_000_123n,
                    coordinatorEpoch: -1,
                    currentTxnStartOffset: -1n,
                  },
                  {
                    producerId: 6n,
                    producerEpoch: 2,
                    lastSequence: 0,
                    lastTimestamp: 1_700_000_000_456n,
                    coordinatorEpoch: 4,
                    currentTxnStartOffset: 17n,
                  },
                ],
              })),
            })),
          },
        };
    }
    return undefined;
  });
  return self;
}

const of = (b: FakeBroker, apiKey: number) => b.requests.filter((r) => r.header.apiKey === apiKey).map((r) => r.body);

test('describeTransactions: from the coordinator found with key type 1; missing ids thrown; NOT_COORDINATOR retried', async () => {
  const b = await broker({ describeErrors: [ErrorCode.NOT_COORDINATOR] });
  const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${b.port}` });
  try {
    const admin = kafka.admin({ retryBackoffMs: 5 });
    const [ongoing, idle] = await admin.describeTransactions(['tx', 'idle']);
    assert.deepEqual(ongoing, {
      transactionalId: 'tx',
      coordinatorId: 1,
      state: 'Ongoing',
      producerId: 12n,
      producerEpoch: 3,
      transactionTimeoutMs: 60000,
      transactionStartTimeMs: 1_700_000_000_000,
      topicPartitions: [
        { topic: 'orders', partition: 0 },
        { topic: 'orders', partition: 2 },
      ],
    });
    assert.deepEqual([idle!.state, idle!.transactionStartTimeMs, idle!.topicPartitions], ['Empty', null, []]);
    assert.deepEqual(
      of(b, ApiKey.FindCoordinator).map((f) => [f.keyType, f.key]),
      [
        [1, 'tx'],
        [1, 'idle'],
        [1, 'tx'],
        [1, 'idle'],
      ],
      'looked up again after NOT_COORDINATOR',
    );
    await assert.rejects(
      admin.describeTransactions(['missing']),
      (e: any) => e.type === 'TRANSACTIONAL_ID_NOT_FOUND' && /missing/.test(e.message),
    );
  } finally {
    await kafka.close();
    await b.close();
  }
});

test('listTransactions: every broker, filters on the wire; describeProducers: from the leader, -1 read as null', async () => {
  const b = await broker();
  const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${b.port}` });
  try {
    const admin = kafka.admin();
    assert.deepEqual(await admin.listTransactions(), [
      { transactionalId: 'a', producerId: 1n, state: 'Ongoing', coordinatorId: 1 },
      { transactionalId: 'b', producerId: 2n, state: 'CompleteCommit', coordinatorId: 1 },
    ]);
    await admin.listTransactions({ states: ['Ongoing'], producerIds: [1n], durationMs: 5000 });
    assert.deepEqual(of(b, ApiKey.ListTransactions).at(-1), { stateFilters: ['Ongoing'], producerIdFilters: [1n], durationFilter: 5000n });
    const [p0] = await admin.describeProducers([{ topic: 'orders', partition: 0 }]);
    assert.deepEqual(p0, {
      topic: 'orders',
      partition: 0,
      activeProducers: [
        {
          producerId: 5n,
          producerEpoch: 0,
          lastSequence: 9,
          lastTimestamp: 1_700_000_000_123,
          coordinatorEpoch: null,
          currentTransactionStartOffset: null,
        },
        {
          producerId: 6n,
          producerEpoch: 2,
          lastSequence: 0,
          lastTimestamp: 1_700_000_000_456,
          coordinatorEpoch: 4,
          currentTransactionStartOffset: 17n,
        },
      ],
    });
    await assert.rejects(
      admin.describeProducers([{ topic: 'orders', partition: 1 }]),
      (e: any) => e.type === 'UNKNOWN_TOPIC_OR_PARTITION' && e.partition === 1,
    );
  } finally {
    await kafka.close();
    await b.close();
  }
});
