// isolation.level=read_committed with hand-built fetch responses (record batches and COMMIT/ABORT
// markers from @tributary/protocol's encoders): exactly which records are yielded and the next
// fetch offset, as Java's CompletedFetch decides — batches of aborted transactions skipped (by
// the response's abortedTransactions, whatever their order), a producer's later transaction after
// its ABORT marker kept, compressed aborted batches skipped, control batches never yielded; then
// a consumer against a fake broker: Fetch sent with isolation level 1, and the position moved past
// a fetch that held only an aborted transaction and its marker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, CompressionType, ControlRecordType, buildEndTxnMarkerBatch, encodeRecordBatch } from '@tributary/protocol';
import { decodeFetch, type AbortedTransaction } from '../../src/consumer/fetch-decoder.ts';
import { Kafka } from '../../src/kafka.ts';
import { singleNodeMetadata, startFakeBroker, type FakeBroker } from '../helpers/fake-broker.ts';

const T = 1_700_000_000_000n;

/** A data batch at `baseOffset` of `values`; transactional when `producerId` is given. */
function data(baseOffset: bigint, values: string[], producerId?: bigint, compression = CompressionType.None): Promise<Buffer> {
  return encodeRecordBatch({
    baseOffset,
    compression,
    isTransactional: producerId !== undefined,
    producerId: producerId ?? -1n,
    producerEpoch: producerId !== undefined ? 0 : -1,
    baseSequence: producerId !== undefined ? 0 : -1,
    records: values.map((value) => ({ value, timestamp: T })),
  });
}

const marker = (baseOffset: bigint, producerId: bigint, commit: boolean) =>
  buildEndTxnMarkerBatch({
    type: commit ? ControlRecordType.Commit : ControlRecordType.Abort,
    producerId,
    producerEpoch: 0,
    coordinatorEpoch: 3,
    timestamp: T,
    baseOffset,
  });

async function decoded(blob: Buffer, aborted: AbortedTransaction[] | null) {
  const d = await decodeFetch('t', 0, blob, true, aborted);
  return { values: d.records.map((r) => `${r.offset}:${r.value!.toString()}`), next: d.nextFetchOffset };
}

test('aborted transactions are skipped, committed ones and plain batches kept, markers never yielded', async () => {
  const blob = Buffer.concat([
    await data(0n, ['a0', 'a1']), // not transactional
    await data(2n, ['c0', 'c1'], 10n), // producer 10: committed at 7
    await data(4n, ['x0', 'x1'], 11n), // producer 11: aborted at 9
    await data(6n, ['c2'], 10n),
    marker(7n, 10n, true),
    await data(8n, ['x2'], 11n),
    marker(9n, 11n, false),
    await data(10n, ['n0', 'n1'], 11n), // producer 11's next transaction: committed at 12
    marker(12n, 11n, true),
  ]);
  const aborted = [{ producerId: 11n, firstOffset: 4n }];
  assert.deepEqual(await decoded(blob, aborted), {
    values: ['0:a0', '1:a1', '2:c0', '3:c1', '6:c2', '10:n0', '11:n1'],
    next: 13n,
  });
  // read_uncommitted: every data record, markers still left out
  assert.deepEqual(await decoded(blob, null), {
    values: ['0:a0', '1:a1', '2:c0', '3:c1', '4:x0', '5:x1', '6:c2', '8:x2', '10:n0', '11:n1'],
    next: 13n,
  });
});

test('two aborted transactions of one producer in one fetch, listed out of order; interleaved producers', async () => {
  const blob = Buffer.concat([
    await data(0n, ['p5-a'], 5n),
    await data(1n, ['p6-a'], 6n), // producer 6 aborted too, its transaction spans the other's
    marker(2n, 5n, false),
    await data(3n, ['p5-b'], 5n),
    await data(4n, ['p7'], 7n), // producer 7 commits
    marker(5n, 5n, false),
    marker(6n, 6n, false),
    marker(7n, 7n, true),
    await data(8n, ['plain']),
  ]);
  const aborted = [
    { producerId: 5n, firstOffset: 3n },
    { producerId: 6n, firstOffset: 1n },
    { producerId: 5n, firstOffset: 0n },
  ];
  assert.deepEqual(await decoded(blob, aborted), { values: ['4:p7', '8:plain'], next: 9n });
});

test('a compressed batch of an aborted transaction is skipped; an empty abortedTransactions list skips only markers', async () => {
  const blob = Buffer.concat([
    await data(0n, ['z0', 'z1', 'z2'], 9n, CompressionType.Gzip),
    marker(3n, 9n, false),
    await data(4n, ['k0'], 8n, CompressionType.Gzip),
    marker(5n, 8n, true),
  ]);
  assert.deepEqual(await decoded(blob, [{ producerId: 9n, firstOffset: 0n }]), { values: ['4:k0'], next: 6n });
  assert.deepEqual(await decoded(blob, []), { values: ['0:z0', '1:z1', '2:z2', '4:k0'], next: 6n });
});

test('a consumer with isolationLevel read_committed: Fetch at level 1, aborted records skipped, position past the markers', async () => {
  const first = Buffer.concat([await data(0n, ['ok0'], 3n), marker(1n, 3n, true), await data(2n, ['gone'], 4n), marker(3n, 4n, false)]);
  const second = Buffer.concat([await data(4n, ['gone2'], 4n), marker(5n, 4n, false)]);
  const third = Buffer.concat([await data(6n, ['ok1'])]);
  const fetches: Array<{ offset: bigint; isolation: number }> = [];
  let self: FakeBroker;
  self = await startFakeBroker(async (h, body) => {
    if (h.apiKey === ApiKey.Metadata) return singleNodeMetadata(self.port, body);
    if (h.apiKey === ApiKey.ListOffsets)
      return {
        body: {
          topics: body.topics.map((t: any) => ({
            name: t.name,
            partitions: t.partitions.map((p: any) => ({
              partitionIndex: p.partitionIndex,
              errorCode: 0,
              timestamp: -1n,
              offset: 0n,
              leaderEpoch: 0,
            })),
          })),
        },
      };
    if (h.apiKey === ApiKey.Fetch) {
      const p = body.topics[0].partitions[0];
      fetches.push({ offset: p.fetchOffset, isolation: body.isolationLevel });
      const [records, aborted] =
        p.fetchOffset === 0n
          ? [first, [{ producerId: 4n, firstOffset: 2n }]]
          : p.fetchOffset === 4n
            ? [second, [{ producerId: 4n, firstOffset: 4n }]]
            : p.fetchOffset === 6n
              ? [third, []]
              : [Buffer.alloc(0), []];
      if (records.length === 0) await new Promise((r) => setTimeout(r, 20));
      return {
        body: {
          responses: [
            {
              topic: body.topics[0].topic,
              partitions: [
                {
                  partitionIndex: 0,
                  errorCode: 0,
                  highWatermark: 7n,
                  lastStableOffset: 7n,
                  logStartOffset: 0n,
                  abortedTransactions: aborted,
                  preferredReadReplica: -1,
                  records,
                },
              ],
            },
          ],
        },
      };
    }
    return undefined;
  });
  const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${self.port}` });
  try {
    const consumer = kafka.consumer({ isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
    consumer.assign([{ topic: 't', partition: 0 }]);
    const it = consumer[Symbol.asyncIterator]();
    const a = await it.next();
    const b = await it.next();
    assert.deepEqual([a.value!.offset, a.value!.value!.toString(), b.value!.offset, b.value!.value!.toString()], [0n, 'ok0', 6n, 'ok1']);
    assert.equal(consumer.position({ topic: 't', partition: 0 }), 7n);
    assert.deepEqual(
      fetches.slice(0, 3).map((f) => [f.offset, f.isolation]),
      [
        [0n, 1],
        [4n, 1],
        [6n, 1],
      ],
    );
    await consumer.close();
  } finally {
    await kafka.close();
    await self.close();
  }
});
