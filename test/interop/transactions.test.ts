// Transactions with real clients (issue 15): librdkafka's transactional producer and read_committed
// consumer (confluent-kafka, test/interop/py/txn_driver.py), KafkaJS's transactions with
// sendOffsets, checked through our own wire view (Fetch with isolation_level 1, ListOffsets,
// DescribeTransactions, OffsetFetch). Every check is exact: offsets, values, markers, LSO.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiKey, ControlRecordType, decodeControlKey, decodeRecordBatches, ErrorCode } from '@tributary/protocol';
import { consoleLogger } from '@tributary/broker';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { runPython, uniqueTopic, waitFor } from './harness.ts';
import { kafkajs } from './js-clients.ts';
import { needTool } from './tools.ts';
import { createTopic, readPartition, withWire } from './wire-client.ts';

const TXN = 'txn_driver.py';

interface Seen {
  offset: number;
  value: string;
}

/** One Fetch (v11) of a partition from `offset` with the given isolation level, decoded. */
async function fetchOnce(port: number, topic: string, partition: number, isolationLevel: 0 | 1, offset = 0n) {
  return withWire(port, async (c) => {
    const res = await c.request(ApiKey.Fetch, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 16 << 20,
      isolationLevel,
      topics: [
        {
          topic,
          partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 16 << 20, logStartOffset: -1n, currentLeaderEpoch: -1 }],
        },
      ],
    });
    const p = res.responses[0]!.partitions[0]!;
    assert.equal(p.errorCode, ErrorCode.NONE);
    const batches = p.records ? await decodeRecordBatches(p.records) : [];
    return {
      batches,
      highWatermark: Number(p.highWatermark),
      lastStableOffset: Number(p.lastStableOffset),
      aborted: (p.abortedTransactions ?? []).map((a) => ({ producerId: a.producerId, firstOffset: Number(a.firstOffset) })),
    };
  });
}

/** ListOffsets v5 LATEST of one partition with the given isolation level. */
async function latestOffset(port: number, topic: string, partition: number, isolationLevel: 0 | 1): Promise<number> {
  return withWire(port, async (c) => {
    const res = await c.request(ApiKey.ListOffsets, 5, {
      replicaId: -1,
      isolationLevel,
      topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: -1n }] }],
    });
    const p = res.topics[0]!.partitions[0]!;
    assert.equal(p.errorCode, ErrorCode.NONE);
    return Number(p.offset);
  });
}

/** The data records of decoded batches (control batches left out), as {offset, value}. */
function dataRecords(batches: Awaited<ReturnType<typeof fetchOnce>>['batches']): Seen[] {
  return batches
    .filter((b) => !b.isControl)
    .flatMap((b) => b.records.map((r) => ({ offset: Number(r.offset), value: r.value!.toString() })));
}

/** The control batches of a partition: [offset, 'COMMIT' | 'ABORT']. */
async function markers(port: number, topic: string, partition: number): Promise<Array<[number, string]>> {
  const { batches } = await readPartition(port, topic, partition);
  return batches
    .filter((b) => b.isControl)
    .map((b) => {
      assert.ok(b.isTransactional, 'a marker batch is transactional');
      assert.equal(b.records.length, 1);
      const type = decodeControlKey(b.records[0]!.key).type;
      return [Number(b.baseOffset), type === ControlRecordType.Commit ? 'COMMIT' : 'ABORT'];
    });
}

async function consumeConfluent(bootstrap: string, topic: string, partitions: number[], isolation: string) {
  const r = await runPython<{ partitions: { partition: number; records: Seen[]; eof: boolean }[] }>(
    TXN,
    { op: 'consume', bootstrap, topic, partitions, isolation, timeout_ms: 20_000 },
    40_000,
  );
  return r.partitions;
}

const recs = (tag: string, parts: number[]) => parts.map((partition, i) => ({ partition, value: `${tag}${i}` }));

describe('transactions with real clients', { timeout: 180_000 }, () => {
  let kafka: TestBroker;
  before(async () => {
    kafka = await startBroker({
      log: consoleLogger('warn'), // (the coordinator's warnings explain a failure)
      settings: {
        'num.partitions': 1,
        'transaction.state.log.num.partitions': 4,
        'transaction.abort.timed.out.transaction.cleanup.interval.ms': 200,
        'group.initial.rebalance.delay.ms': 0,
      },
    });
  });
  after(() => kafka.stop());

  it('confluent-kafka: committed, aborted and plain batches on two partitions read exactly by read_committed and read_uncommitted', async (t) => {
    if (!needTool(t, 'confluent-kafka')) return;
    const topic = uniqueTopic('txn-mix');
    await createTopic(kafka.port, topic, 2);
    const base = { bootstrap: kafka.bootstrap, topic, transactional_id: `${topic}-producer` };
    await runPython(TXN, {
      ...base,
      op: 'transactions',
      transactions: [
        { records: recs('a', [0, 0, 0, 1, 1]), end: 'commit' },
        { records: recs('b', [0, 0, 0, 1]), end: 'abort' },
      ],
    });
    await runPython(TXN, { ...base, op: 'plain', records: recs('c', [0, 0]) });
    await runPython(TXN, { ...base, op: 'transactions', transactions: [{ records: recs('d', [0, 1]), end: 'commit' }] });

    // p0: a0-a2 at 0-2, COMMIT 3, b0-b2 at 4-6, ABORT 7, c0-c1 at 8-9, d0 at 10, COMMIT 11
    // p1: a3-a4 at 0-1, COMMIT 2, b3 at 3, ABORT 4, d1 at 5, COMMIT 6
    assert.deepEqual(await markers(kafka.port, topic, 0), [
      [3, 'COMMIT'],
      [7, 'ABORT'],
      [11, 'COMMIT'],
    ]);
    assert.deepEqual(await markers(kafka.port, topic, 1), [
      [2, 'COMMIT'],
      [4, 'ABORT'],
      [6, 'COMMIT'],
    ]);
    const committed = await consumeConfluent(kafka.bootstrap, topic, [0, 1], 'read_committed');
    assert.deepEqual(committed[0]!.records, [
      { offset: 0, value: 'a0' },
      { offset: 1, value: 'a1' },
      { offset: 2, value: 'a2' },
      { offset: 8, value: 'c0' },
      { offset: 9, value: 'c1' },
      { offset: 10, value: 'd0' },
    ]);
    assert.deepEqual(committed[1]!.records, [
      { offset: 0, value: 'a3' },
      { offset: 1, value: 'a4' },
      { offset: 5, value: 'd1' },
    ]);
    const uncommitted = await consumeConfluent(kafka.bootstrap, topic, [0, 1], 'read_uncommitted');
    assert.deepEqual(
      uncommitted[0]!.records.map((r) => `${r.offset}:${r.value}`),
      ['0:a0', '1:a1', '2:a2', '4:b0', '5:b1', '6:b2', '8:c0', '9:c1', '10:d0'],
    );
    assert.deepEqual(
      uncommitted[1]!.records.map((r) => `${r.offset}:${r.value}`),
      ['0:a3', '1:a4', '3:b3', '5:d1'],
    );

    // Our wire view: nothing open, so the LSO is the HW; the aborted transaction is listed for a
    // read_committed fetch from 0 (at its first offset) and not for a fetch past it.
    const f = await fetchOnce(kafka.port, topic, 0, 1);
    assert.equal(f.highWatermark, 12);
    assert.equal(f.lastStableOffset, 12);
    assert.equal(f.aborted.length, 1);
    assert.equal(f.aborted[0]!.firstOffset, 4);
    assert.equal(f.aborted[0]!.producerId, f.batches[0]!.producerId);
    assert.deepEqual((await fetchOnce(kafka.port, topic, 0, 1, 8n)).aborted, []);
    assert.deepEqual((await fetchOnce(kafka.port, topic, 0, 0)).aborted, []);
    assert.equal(await latestOffset(kafka.port, topic, 0, 1), 12);
  });

  it('KafkaJS: an open transaction holds read_committed reads at its first offset until it commits', async () => {
    const topic = uniqueTopic('txn-lso');
    await createTopic(kafka.port, topic, 1);
    const client = kafkajs(kafka.bootstrap);
    const plain = client.producer();
    const txnProducer = client.producer({ transactionalId: `${topic}-tx`, idempotent: true, maxInFlightRequests: 1 });
    await plain.connect();
    await txnProducer.connect();
    try {
      await plain.send({ topic, messages: [{ value: 'p0' }, { value: 'p1' }, { value: 'p2' }] });
      const txn = await txnProducer.transaction();
      await txn.send({ topic, messages: [{ value: 't0' }, { value: 't1' }] }); // offsets 3-4
      await plain.send({ topic, messages: [{ value: 'p3' }] }); // offset 5
      const open = await fetchOnce(kafka.port, topic, 0, 1);
      assert.equal(open.highWatermark, 6);
      assert.equal(open.lastStableOffset, 3);
      assert.deepEqual(dataRecords(open.batches), [
        { offset: 0, value: 'p0' },
        { offset: 1, value: 'p1' },
        { offset: 2, value: 'p2' },
      ]);
      assert.equal(await latestOffset(kafka.port, topic, 0, 1), 3);
      assert.equal(await latestOffset(kafka.port, topic, 0, 0), 6);

      await txn.commit(); // COMMIT at 6
      const done = await fetchOnce(kafka.port, topic, 0, 1);
      assert.equal(done.highWatermark, 7);
      assert.equal(done.lastStableOffset, 7);
      assert.deepEqual(
        dataRecords(done.batches).map((r) => `${r.offset}:${r.value}`),
        ['0:p0', '1:p1', '2:p2', '3:t0', '4:t1', '5:p3'],
      );
      assert.deepEqual(await markers(kafka.port, topic, 0), [[6, 'COMMIT']]);
      assert.equal(await latestOffset(kafka.port, topic, 0, 1), 7);
    } finally {
      await plain.disconnect();
      await txnProducer.disconnect();
    }
  });

  it('confluent-kafka: a second producer with the same transactional.id fences the first; its open transaction is aborted', async (t) => {
    if (!needTool(t, 'confluent-kafka')) return;
    const topic = uniqueTopic('txn-zombie');
    await createTopic(kafka.port, topic, 1);
    const r = await runPython<{ first_committed: boolean; first_error?: { name: string; fatal: boolean }; second_committed: boolean }>(
      TXN,
      { op: 'zombie', bootstrap: kafka.bootstrap, topic, transactional_id: `${topic}-tx` },
      60_000,
    );
    assert.equal(r.first_committed, false, 'the zombie could not commit');
    assert.equal(r.first_error?.fatal, true, `fenced is fatal: ${JSON.stringify(r.first_error)}`);
    assert.equal(r.second_committed, true);
    const [p] = await consumeConfluent(kafka.bootstrap, topic, [0], 'read_committed');
    assert.deepEqual(
      p!.records.map((x) => x.value),
      ['second-0'],
    );
    // zombie-0 at 0, then the abort the fencing wrote, then second-0 and its commit
    assert.deepEqual(await markers(kafka.port, topic, 0), [
      [1, 'ABORT'],
      [3, 'COMMIT'],
    ]);
  });

  it('KafkaJS: a fenced producer cannot commit', async () => {
    const topic = uniqueTopic('txn-fence-js');
    await createTopic(kafka.port, topic, 1);
    const client = kafkajs(kafka.bootstrap);
    const first = client.producer({ transactionalId: `${topic}-tx`, idempotent: true, maxInFlightRequests: 1 });
    const second = client.producer({ transactionalId: `${topic}-tx`, idempotent: true, maxInFlightRequests: 1 });
    await first.connect();
    try {
      const t1 = await first.transaction();
      await t1.send({ topic, messages: [{ value: 'old' }] });
      await second.connect();
      // KafkaJS initialises a transactional producer on its first transaction(): that fences `first`
      const t2 = await second.transaction();
      const err = await t1.commit().then(
        () => null,
        (e: { type?: string }) => e,
      );
      assert.ok(err, 'the fenced producer failed to commit');
      assert.ok(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH'].includes(err.type ?? ''), `error type ${err.type}`);
      await t2.send({ topic, messages: [{ value: 'new' }] });
      await t2.commit();
      // old at 0, the ABORT the fencing wrote at 1, new at 2 and its COMMIT at 3; a read_committed
      // fetch returns the aborted batch with its transaction listed, for the client to drop
      assert.deepEqual(await markers(kafka.port, topic, 0), [
        [1, 'ABORT'],
        [3, 'COMMIT'],
      ]);
      const f = await fetchOnce(kafka.port, topic, 0, 1);
      assert.deepEqual(dataRecords(f.batches), [
        { offset: 0, value: 'old' },
        { offset: 2, value: 'new' },
      ]);
      assert.deepEqual(
        f.aborted.map((a) => a.firstOffset),
        [0],
      );
      assert.equal(f.lastStableOffset, 4);
    } finally {
      await first.disconnect().catch(() => {});
      await second.disconnect();
    }
  });

  it('confluent-kafka: a transaction abandoned by its producer is aborted by the coordinator after transaction.timeout.ms', async (t) => {
    if (!needTool(t, 'confluent-kafka')) return;
    const topic = uniqueTopic('txn-timeout');
    await createTopic(kafka.port, topic, 1);
    const txnId = `${topic}-tx`;
    // (2 s: the records must reach the partition before the coordinator may abort, even on a busy machine)
    const abandoned = await runPython<{ abandoned: number; errors: string[] }>(TXN, {
      op: 'abandon',
      bootstrap: kafka.bootstrap,
      topic,
      transactional_id: txnId,
      transaction_timeout_ms: 2000,
      records: recs('x', [0, 0, 0]),
    });
    assert.deepEqual(abandoned, { abandoned: 3, errors: [] });
    const open = await fetchOnce(kafka.port, topic, 0, 1);
    assert.equal(open.lastStableOffset, 0, 'held at the open transaction');
    const started = Date.now();
    await waitFor(
      'the coordinator to abort the transaction',
      async () => (await fetchOnce(kafka.port, topic, 0, 1)).lastStableOffset === 4,
      15_000,
      100,
    ).catch(async (err: Error) => {
      // what the coordinator and the partition say, for the failure message
      const d = await withWire(kafka.port, (c) => c.request(ApiKey.DescribeTransactions, 0, { transactionalIds: [txnId] }));
      const f = await fetchOnce(kafka.port, topic, 0, 1);
      const states = JSON.stringify(d.transactionStates, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
      throw new Error(`${err.message}; transaction ${states}; partition HW ${f.highWatermark} LSO ${f.lastStableOffset}`);
    });
    assert.ok(Date.now() - started < 10_000);
    assert.deepEqual(await markers(kafka.port, topic, 0), [[3, 'ABORT']]);
    const done = await fetchOnce(kafka.port, topic, 0, 1);
    assert.deepEqual(dataRecords(done.batches).length, 3, 'the records stay in the log');
    assert.deepEqual(
      done.aborted.map((a) => a.firstOffset),
      [0],
    );
    const described = await withWire(kafka.port, (c) => c.request(ApiKey.DescribeTransactions, 0, { transactionalIds: [txnId] }));
    const s = described.transactionStates[0]!;
    assert.equal(s.errorCode, ErrorCode.NONE);
    assert.equal(s.transactionState, 'CompleteAbort');
    assert.equal(s.producerEpoch, 1, 'the coordinator bumped the epoch to abort');
  });

  it('confluent-kafka: consume-transform-produce with offsets in the transaction, one transaction aborted and redone', async (t) => {
    if (!needTool(t, 'confluent-kafka')) return;
    const input = uniqueTopic('txn-in');
    const output = uniqueTopic('txn-out');
    await createTopic(kafka.port, input, 1);
    await createTopic(kafka.port, output, 1);
    const values = Array.from({ length: 20 }, (_, i) => `v${String(i).padStart(2, '0')}`);
    await runPython(TXN, {
      op: 'plain',
      bootstrap: kafka.bootstrap,
      topic: input,
      records: values.map((value) => ({ partition: 0, value })),
    });
    const group = `${input}-group`;
    const r = await runPython<{ done: number; aborted: number[] }>(
      TXN,
      {
        op: 'transform',
        bootstrap: kafka.bootstrap,
        input,
        output,
        group,
        transactional_id: `${input}-tx`,
        count: 20,
        per_txn: 5,
        abort: [1],
        timeout_ms: 60_000,
      },
      90_000,
    );
    assert.equal(r.done, 20);
    assert.deepEqual(r.aborted, [1]);
    const [out] = await consumeConfluent(kafka.bootstrap, output, [0], 'read_committed');
    assert.deepEqual(
      out!.records.map((x) => x.value),
      values.map((v) => v.toUpperCase()),
      'every input record transformed exactly once, in order',
    );
    const committed = await withWire(kafka.port, (c) =>
      c.request(ApiKey.OffsetFetch, 8, {
        groups: [{ groupId: group, topics: [{ name: input, partitionIndexes: [0] }] }],
        requireStable: true,
      }),
    );
    const gp = committed.groups[0]!.topics[0]!.partitions[0]!;
    assert.equal(gp.errorCode, ErrorCode.NONE);
    assert.equal(gp.committedOffset, 20n);
  });

  it('KafkaJS: sendOffsets commits group offsets only with the transaction', async () => {
    const topic = uniqueTopic('txn-offsets-js');
    await createTopic(kafka.port, topic, 1);
    const group = `${topic}-group`;
    const client = kafkajs(kafka.bootstrap);
    const producer = client.producer({ transactionalId: `${topic}-tx`, idempotent: true, maxInFlightRequests: 1 });
    const admin = client.admin();
    await producer.connect();
    await admin.connect();
    const committedOffset = async () => (await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]!.partitions[0]!.offset;
    try {
      const t1 = await producer.transaction();
      await t1.send({ topic, messages: [{ value: 'one' }] });
      await t1.sendOffsets({ consumerGroupId: group, topics: [{ topic, partitions: [{ partition: 0, offset: '5' }] }] });
      assert.equal(await committedOffset(), '-1', 'invisible while the transaction is open');
      await t1.commit();
      assert.equal(await committedOffset(), '5');
      const t2 = await producer.transaction();
      await t2.sendOffsets({ consumerGroupId: group, topics: [{ topic, partitions: [{ partition: 0, offset: '8' }] }] });
      await t2.abort();
      assert.equal(await committedOffset(), '5', 'an aborted transaction commits no offsets');
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });

  it('ListTransactions and DescribeProducers see an open transaction', async () => {
    const topic = uniqueTopic('txn-list');
    await createTopic(kafka.port, topic, 1);
    const client = kafkajs(kafka.bootstrap);
    const producer = client.producer({ transactionalId: `${topic}-tx`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const txn = await producer.transaction();
      await txn.send({ topic, messages: [{ value: 'a' }, { value: 'b' }] });
      const listed = await withWire(kafka.port, (c) =>
        c.request(ApiKey.ListTransactions, 0, { stateFilters: ['Ongoing'], producerIdFilters: [] }),
      );
      const mine = listed.transactionStates.find((s) => s.transactionalId === `${topic}-tx`);
      assert.ok(mine, 'the open transaction is listed');
      assert.equal(mine.transactionState, 'Ongoing');
      const producers = await withWire(kafka.port, (c) =>
        c.request(ApiKey.DescribeProducers, 0, { topics: [{ name: topic, partitionIndexes: [0] }] }),
      );
      const pp = producers.topics[0]!.partitions[0]!;
      assert.equal(pp.errorCode, ErrorCode.NONE);
      assert.equal(pp.activeProducers.length, 1);
      assert.equal(pp.activeProducers[0]!.producerId, mine.producerId);
      assert.equal(pp.activeProducers[0]!.lastSequence, 1);
      assert.equal(pp.activeProducers[0]!.currentTxnStartOffset, 0n);
      await txn.abort();
    } finally {
      await producer.disconnect();
    }
  });
});
