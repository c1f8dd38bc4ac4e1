// Transaction verification on the produce path (KIP-890 part 1) over a real socket, with the
// broker's own coordinator and markers: a transactional batch is appended only to a partition its
// producer added to the transaction (AddPartitionsToTxn), else INVALID_TXN_STATE and nothing is
// written; a batch without a TransactionalId cannot open a transaction; after the transaction
// ended, a late batch of the same epoch cannot reopen it (no hanging transaction); a fenced epoch
// answers INVALID_PRODUCER_EPOCH; with transaction.partition.verification.enable=false the batch is
// appended as sent.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiKey, ErrorCode, encodeRecordBatch } from '@tributary/protocol';
import { kafkaClient, type KafkaTestClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';
import { TestTopics } from './helpers/test-topics.ts';

async function withBroker(fn: (c: KafkaTestClient, b: Awaited<ReturnType<typeof startTestBroker>>) => Promise<void>, settings = {}) {
  const b = await startTestBroker({ 'transaction.state.log.num.partitions': 1, ...settings });
  await new TestTopics(b.broker.services).createTopic({ name: 't', numPartitions: 2, replicationFactor: 1 });
  const c = await kafkaClient(b.port);
  try {
    await fn(c, b);
  } finally {
    c.close();
    await b.stop();
  }
}

async function init(c: KafkaTestClient, transactionalId: string): Promise<[bigint, number]> {
  for (;;) {
    const r = await c.request(ApiKey.InitProducerId, 4, {
      transactionalId,
      transactionTimeoutMs: 60_000,
      producerId: -1n,
      producerEpoch: -1,
    });
    if (r.errorCode === ErrorCode.NONE) return [r.producerId, r.producerEpoch];
    assert.ok(
      [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.CONCURRENT_TRANSACTIONS].includes(r.errorCode),
      `InitProducerId ${r.errorCode}`,
    );
    await new Promise((res) => setTimeout(res, 10));
  }
}

async function add(c: KafkaTestClient, id: string, pid: bigint, epoch: number, partitions: number[]) {
  const r = await c.request(ApiKey.AddPartitionsToTxn, 3, {
    v3AndBelowTransactionalId: id,
    v3AndBelowProducerId: pid,
    v3AndBelowProducerEpoch: epoch,
    v3AndBelowTopics: [{ name: 't', partitions }],
  });
  assert.deepEqual(
    r.resultsByTopicV3AndBelow[0]!.resultsByPartition.map((p) => p.partitionErrorCode),
    partitions.map(() => ErrorCode.NONE),
  );
}

async function produce(c: KafkaTestClient, transactionalId: string | null, pid: bigint, epoch: number, seq: number, partition = 0) {
  const records = await encodeRecordBatch({
    producerId: pid,
    producerEpoch: epoch,
    baseSequence: seq,
    isTransactional: true,
    records: [{ value: `v${seq}`, timestamp: Date.now() }],
  });
  const res = await c.request(ApiKey.Produce, 9, {
    acks: -1,
    timeoutMs: 5000,
    transactionalId,
    topicData: [{ name: 't', partitionData: [{ index: partition, records }] }],
  });
  const p = res.responses[0]!.partitionResponses[0]!;
  return { errorCode: p.errorCode, baseOffset: Number(p.baseOffset), message: p.errorMessage };
}

async function endTxn(c: KafkaTestClient, id: string, pid: bigint, epoch: number, committed: boolean) {
  const r = await c.request(ApiKey.EndTxn, 3, { transactionalId: id, producerId: pid, producerEpoch: epoch, committed });
  assert.equal(r.errorCode, ErrorCode.NONE);
}

const logEnd = (b: Awaited<ReturnType<typeof startTestBroker>>, partition = 0) =>
  b.broker.services.replicas.getPartition('t', partition)!.logEndOffset;

describe('transaction verification on the produce path (KIP-890)', () => {
  it('a partition not added to the transaction refuses the batch with INVALID_TXN_STATE; once added it is appended', async () => {
    await withBroker(async (c, b) => {
      const [pid, epoch] = await init(c, 'v1');
      await add(c, 'v1', pid, epoch, [1]);
      assert.deepEqual(await produce(c, 'v1', pid, epoch, 0, 0), {
        errorCode: ErrorCode.INVALID_TXN_STATE,
        baseOffset: -1,
        message: 'Partition was not added to the transaction',
      });
      assert.equal(logEnd(b), 0, 'nothing written');
      assert.equal((await produce(c, 'v1', pid, epoch, 0, 1)).errorCode, ErrorCode.NONE);
      await add(c, 'v1', pid, epoch, [0]);
      assert.deepEqual(await produce(c, 'v1', pid, epoch, 0, 0), { errorCode: ErrorCode.NONE, baseOffset: 0, message: null });
      // the open transaction vouches for the next batches: no verification, appended
      assert.deepEqual(await produce(c, 'v1', pid, epoch, 1, 0), { errorCode: ErrorCode.NONE, baseOffset: 1, message: null });
      assert.equal(b.broker.services.replicas.getPartition('t', 0)!.log.producerState.verifications.size, 0, 'guards cleared');
    });
  });

  it('a transactional batch without a TransactionalId cannot open a transaction', async () => {
    await withBroker(async (c, b) => {
      const [pid, epoch] = await init(c, 'v2');
      await add(c, 'v2', pid, epoch, [0]);
      // refused before any verification, as Kafka's KafkaApis.handleProduceRequest does (with or
      // without an authorizer): transactional records need a TransactionalId
      assert.deepEqual(await produce(c, null, pid, epoch, 0), {
        errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
        baseOffset: -1,
        message: null,
      });
      assert.equal(logEnd(b), 0);
    });
  });

  it('after the transaction is aborted, a late batch of the same epoch cannot reopen it', async () => {
    await withBroker(async (c, b) => {
      const [pid, epoch] = await init(c, 'v3');
      await add(c, 'v3', pid, epoch, [0]);
      assert.equal((await produce(c, 'v3', pid, epoch, 0)).errorCode, ErrorCode.NONE);
      await endTxn(c, 'v3', pid, epoch, false);
      const p = b.broker.services.replicas.getPartition('t', 0)!;
      for (let i = 0; i < 200 && p.lastStableOffset !== 2; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(p.lastStableOffset, 2, 'the ABORT marker is written');
      const late = await produce(c, 'v3', pid, epoch, 1);
      assert.equal(late.errorCode, ErrorCode.INVALID_TXN_STATE);
      assert.equal(p.logEndOffset, 2, 'nothing written after the marker');
      assert.equal(p.lastStableOffset, 2, 'no transaction left hanging');
    });
  });

  it('a producer fenced by a newer epoch gets INVALID_PRODUCER_EPOCH from the verification', async () => {
    await withBroker(async (c, b) => {
      const [pid, epoch] = await init(c, 'v4');
      const [pid2, epoch2] = await init(c, 'v4');
      assert.deepEqual([pid2, epoch2], [pid, epoch + 1]);
      const r = await produce(c, 'v4', pid, epoch, 0);
      assert.equal(r.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
      assert.equal(logEnd(b), 0);
    });
  });

  it('with transaction.partition.verification.enable=false the batch is appended as sent', async () => {
    await withBroker(
      async (c, b) => {
        const [pid, epoch] = await init(c, 'v5');
        assert.deepEqual(await produce(c, 'v5', pid, epoch, 0), { errorCode: ErrorCode.NONE, baseOffset: 0, message: null });
        assert.equal(b.broker.services.replicas.getPartition('t', 0)!.lastStableOffset, 0, 'a transaction is open');
      },
      { 'transaction.partition.verification.enable': false },
    );
  });
});
