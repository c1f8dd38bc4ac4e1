// Backpressure against a real Tributary broker: while the application handles records slowly, the
// consumer fetches ahead (prefetch) but never holds more than `maxBufferedBytes` plus one fetch
// response (`fetchMaxBytes`) of records it has not handed out yet, so memory does not grow with the
// backlog. Measured at the broker: records sent in Fetch responses minus records the handler has
// received, sampled at every record (an upper bound of what the fetch buffer holds).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Off, batchesIn } from '@tributary/protocol';
import { Kafka } from '../../src/kafka.ts';
import { ApiKey, startInstrumentedBroker, type InstrumentedBroker } from './instrumented-broker.ts';

let broker: InstrumentedBroker;
let kafka: Kafka;

const PARTITIONS = 8;
const PER_PARTITION = 128;
const VALUE = 1024;
const MAX_BUFFERED = 64 * 1024;
const FETCH_MAX = 32 * 1024;

before(async () => {
  // the copy path: the Fetch interceptor below reads the records' bytes in the response before it
  // is encoded (zero-copy would hand it file regions, sent later by sendfile)
  broker = await startInstrumentedBroker({ settings: { 'num.partitions': 1, 'tributary.zero.copy.enable': false } });
  kafka = new Kafka({ bootstrapServers: broker.bootstrap });
});
after(async () => {
  await kafka.close();
  await broker.stop();
});

describe('consumer backpressure against a Tributary broker', () => {
  it('a slow handler: prefetch happens, and unconsumed records stay within maxBufferedBytes + one fetch', async () => {
    const topic = 'backlog';
    await kafka.admin().createTopics([{ name: topic, partitions: PARTITIONS }]);
    const producer = kafka.producer({ batchSize: 16 * 1024, lingerMs: 5 });
    await producer.send({
      topic,
      messages: Array.from({ length: PARTITIONS * PER_PARTITION }, (_, i) => ({
        value: Buffer.alloc(VALUE, i),
        partition: i % PARTITIONS,
      })),
    });
    await producer.close();

    let delivered = 0;
    let deliveredBytes = 0;
    broker.intercept(ApiKey.Fetch, (_ctx, _req, next) =>
      Promise.resolve(next()).then((res: any) => {
        for (const t of res.responses) {
          for (const p of t.partitions) {
            if (!p.records) continue;
            deliveredBytes += p.records.length;
            for (const b of batchesIn(p.records)) delivered += p.records.readInt32BE(b.pos + Off.RecordsCount);
          }
        }
        return res;
      }),
    );
    const consumer = kafka.consumer({
      autoOffsetReset: 'earliest',
      maxBufferedBytes: MAX_BUFFERED,
      fetchMaxBytes: FETCH_MAX,
      maxPartitionFetchBytes: 16 * 1024,
      fetchMaxWaitMs: 100,
    });
    consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));
    let handled = 0;
    let mostAhead = 0;
    const next = new Map<number, bigint>();
    for await (const r of consumer) {
      handled++;
      mostAhead = Math.max(mostAhead, delivered - handled);
      // in order per partition, nothing skipped or repeated
      assert.equal(r.offset, next.get(r.partition) ?? 0n);
      next.set(r.partition, r.offset + 1n);
      if (handled <= 300) await new Promise((res) => setTimeout(res, 4)); // the slow part
      if (handled === PARTITIONS * PER_PARTITION) break;
    }
    broker.intercept(ApiKey.Fetch, null);
    await consumer.close();

    const recordBytes = deliveredBytes / delivered; // ~1 KiB plus the record and batch overhead
    const bound = Math.ceil((MAX_BUFFERED + FETCH_MAX) / recordBytes);
    assert.equal(handled, PARTITIONS * PER_PARTITION);
    assert.ok(mostAhead <= bound, `at most ${bound} records (${MAX_BUFFERED} + ${FETCH_MAX} bytes) ahead of the handler, saw ${mostAhead}`);
    assert.ok(mostAhead >= 16, `the consumer prefetched while the handler worked (at most ${mostAhead} records ahead)`);
    assert.ok(mostAhead < (PARTITIONS * PER_PARTITION) / 4, 'far from fetching the whole backlog');
  });
});
