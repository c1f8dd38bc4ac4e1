// End-to-end latency from the harness itself, for rates a Python client cannot reach: a producer
// connection sends, every ~1 ms timer tick, one uncompressed record batch holding the records due
// at `rate` (the first record's key: 8-byte sequence + 8-byte process.hrtime.bigint() send time),
// acks=1, without waiting for the previous request; a consumer connection long-polls Fetch
// (maxWait 100 ms, minBytes 1) and reads only that key per batch: every record of the batch gets
// the batch's receive time - send time (they were sent together). Both run in this one process (same clock), so
// the numbers include this process's own event-loop delays.
import { ApiKey, BATCH_HEADER_SIZE, batchesIn, decodeResponseFrame, encodeRecordBatchSync, readBatchHeader } from '@tributary/protocol';
import { RawConnection, pickVersion } from './raw-client.ts';
import { Api } from './types.ts';
import { latencySummary } from './stats.ts';

type Apis = ReadonlyMap<number, [number, number]>;
/** Records per batch at most (a stalled tick must not build a batch over message.max.bytes). */
const MAX_BATCH_RECORDS = 2000;

/** Reads an unsigned varint at `pos`: [value, next position]. */
function uvarint(buf: Buffer, pos: number): [number, number] {
  let v = 0,
    shift = 0,
    b: number;
  do {
    b = buf[pos++]!;
    v |= (b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  return [v, pos];
}

/** The key of a batch's first record without decoding the batch (uncompressed batches only):
 *  record = length varint | attributes int8 | timestampDelta varlong | offsetDelta varint | keyLength varint | key. */
function firstRecordKey(buf: Buffer, batchPos: number): Buffer {
  let p = batchPos + BATCH_HEADER_SIZE;
  p = uvarint(buf, p)[1]; // record length
  p += 1; // attributes
  p = uvarint(buf, p)[1]; // timestampDelta (zigzag, varint-sized)
  p = uvarint(buf, p)[1]; // offsetDelta
  const [zz, at] = uvarint(buf, p);
  const len = (zz >>> 1) ^ -(zz & 1);
  return buf.subarray(at, at + len);
}

export interface RawLatencyResult {
  sent: number;
  received: number;
  achievedRate: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
}

export async function rawLatency(
  host: string,
  port: number,
  apis: Apis,
  o: { topic: string; size: number; rate: number; seconds: number; warmupSeconds: number },
): Promise<RawLatencyResult> {
  const prod = await RawConnection.open(host, port);
  const cons = await RawConnection.open(host, port);
  const pv = pickVersion(apis.get(Api.Produce), 9);
  const fv = pickVersion(apis.get(Api.Fetch), 12);
  const total = Math.round(o.rate * o.seconds);
  const warm = Math.round(o.rate * o.warmupSeconds);
  const value = Buffer.alloc(o.size, 0x78);
  const samples: number[] = [];
  let received = 0;
  let stop = false;
  let failure: Error | null = null;

  // consumer: from the current end of partition 0
  const lo = await cons.request(ApiKey.ListOffsets, pickVersion(apis.get(Api.ListOffsets), 7), {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: o.topic, partitions: [{ partitionIndex: 0, timestamp: -1n, currentLeaderEpoch: -1 }] }],
  });
  let offset = BigInt(lo.topics[0]!.partitions[0]!.offset);
  const consumer = (async () => {
    while (!stop && received < total) {
      const res = await cons.request(ApiKey.Fetch, fv, {
        replicaId: -1,
        maxWaitMs: 100,
        minBytes: 1,
        maxBytes: 64 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic: o.topic,
            partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: 16 << 20, currentLeaderEpoch: -1, logStartOffset: -1n }],
          },
        ],
        forgottenTopicsData: [],
        rackId: '',
      });
      const now = process.hrtime.bigint();
      const p = res.responses[0]?.partitions[0];
      if (p?.errorCode !== 0) throw new Error(`Fetch: error ${p?.errorCode ?? res.errorCode}`);
      if (!p.records?.length) continue;
      for (const { pos } of batchesIn(p.records)) {
        const h = readBatchHeader(p.records, pos);
        const last = h.baseOffset + BigInt(h.lastOffsetDelta);
        if (last < offset) continue;
        const stamp = firstRecordKey(p.records, pos);
        received += h.recordsCount;
        if (stamp.readBigUInt64BE(0) >= BigInt(warm)) {
          const ms = Number(now - stamp.readBigUInt64BE(8)) / 1e6;
          for (let i = 0; i < h.recordsCount; i++) samples.push(ms);
        }
        offset = last + 1n;
      }
    }
  })().catch((err) => {
    failure = err as Error;
  });

  // producer: one batch per tick with every record due by now
  const t0 = process.hrtime.bigint();
  const nsPer = 1e9 / o.rate;
  let sent = 0;
  const acks: Promise<void>[] = [];
  while (sent < total && !failure) {
    const elapsed = Number(process.hrtime.bigint() - t0);
    const due = Math.min(total, Math.floor(elapsed / nsPer) + 1);
    while (due > sent && !failure) {
      const end = Math.min(due, sent + MAX_BATCH_RECORDS);
      const stamp = Buffer.allocUnsafe(16);
      stamp.writeBigUInt64BE(BigInt(sent), 0);
      stamp.writeBigUInt64BE(process.hrtime.bigint(), 8);
      const records: { key?: Buffer; value: Buffer }[] = [{ key: stamp, value }];
      for (let i = sent + 1; i < end; i++) records.push({ value });
      sent = end;
      const frame = prod.frame(ApiKey.Produce, pv, {
        acks: 1,
        timeoutMs: 30_000,
        topicData: [{ name: o.topic, partitionData: [{ index: 0, records: encodeRecordBatchSync({ records }) }] }],
      });
      acks.push(
        prod
          .sendFrame(ApiKey.Produce, pv, frame)
          .then((f) => {
            const err = decodeResponseFrame(ApiKey.Produce, pv, f).body.responses[0]?.partitionResponses[0]?.errorCode;
            if (err !== 0) throw new Error(`Produce: error ${err}`);
          })
          .catch((err) => {
            failure ??= err as Error;
          }),
      );
      if (acks.length > 1000) await Promise.all(acks.splice(0));
    }
    await new Promise<void>((r) => setTimeout(r, 1)); // ~1 ms ticks: like linger.ms=1, and no busy loop
  }
  const achievedRate = sent / (Number(process.hrtime.bigint() - t0) / 1e9);
  await Promise.all(acks);
  const deadline = Date.now() + 30_000;
  while (received < sent && !failure && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  stop = true;
  prod.close();
  cons.close();
  await consumer;
  if (failure) throw failure;
  if (received < sent) throw new Error(`received ${received} of ${sent} records`);
  return { sent, received, achievedRate, ...latencySummary(samples) };
}
