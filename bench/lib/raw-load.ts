// Load from the harness itself over RawConnection (raw-client.ts): create a topic, replay
// pre-encoded Produce frames with a window of requests in flight, and fetch a partition from
// offset 0 to its end with one Fetch in flight (as a consumer does), counting records from the
// batch headers without decoding them. The broker does all the real work; the generator almost none.
import { CompressionType, encodeRecordBatch, readBatchHeader, batchesIn, ApiKey, decodeResponseFrame } from '@tributary/protocol';
import { type RawConnection, pickVersion } from './raw-client.ts';
import { recordValues } from './shapes.ts';
import { Api } from './types.ts';

export const RAW_BATCH_BYTES = 256 * 1024;
export const RAW_WINDOW = 8;

type Apis = ReadonlyMap<number, [number, number]>;

/** Creates `topic` (CreateTopics, else Metadata auto-creation) and waits until its partitions have a leader. */
export async function rawEnsureTopic(conn: RawConnection, apis: Apis, topic: string, partitions: number): Promise<void> {
  if (apis.has(Api.CreateTopics)) {
    const v = pickVersion(apis.get(Api.CreateTopics), 7);
    const res = await conn.request(ApiKey.CreateTopics, v, {
      topics: [{ name: topic, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 30_000,
    });
    const err = res.topics[0]?.errorCode ?? 0;
    if (err !== 0 && err !== 36 /* TOPIC_ALREADY_EXISTS */) throw new Error(`CreateTopics ${topic}: error ${err}`);
  }
  const mv = pickVersion(apis.get(Api.Metadata), 12);
  for (let i = 0; i < 300; i++) {
    const md = await conn.request(ApiKey.Metadata, mv, { topics: [{ name: topic }], allowAutoTopicCreation: true });
    const t = md.topics.find((x) => x.name === topic);
    if (t && t.errorCode === 0 && t.partitions.length >= partitions && t.partitions.every((p) => p.leaderId >= 0)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`topic ${topic} did not get ${partitions} partitions with leaders`);
}

const CODECS = { none: CompressionType.None, lz4: CompressionType.Lz4, zstd: CompressionType.Zstd } as const;

/** Produces `count` records of `size` bytes to partition 0; resolves the seconds from first send to last ack. */
export async function rawProduce(
  conn: RawConnection,
  apis: Apis,
  o: { topic: string; size: number; count: number; acks: number; compression: keyof typeof CODECS },
): Promise<number> {
  const v = pickVersion(apis.get(Api.Produce), 9);
  const values = recordValues(o.size);
  const perBatch = Math.max(1, Math.floor(RAW_BATCH_BYTES / o.size));
  const frames: Buffer[] = [];
  for (let b = 0; b < 4; b++) {
    const records = Array.from({ length: perBatch }, (_, i) => ({ value: values[(b * perBatch + i) % values.length]! }));
    const batch = await encodeRecordBatch({ records, compression: CODECS[o.compression] });
    frames.push(
      conn.frame(
        ApiKey.Produce,
        v,
        { acks: o.acks, timeoutMs: 30_000, topicData: [{ name: o.topic, partitionData: [{ index: 0, records: batch }] }] },
        batch.length + 256,
      ),
    );
  }
  // the last batch may be partial
  const batches = Math.ceil(o.count / perBatch);
  const tail = o.count - (batches - 1) * perBatch;
  let tailFrame = frames[0]!;
  if (tail !== perBatch) {
    const records = Array.from({ length: tail }, (_, i) => ({ value: values[i % values.length]! }));
    const batch = await encodeRecordBatch({ records, compression: CODECS[o.compression] });
    tailFrame = conn.frame(
      ApiKey.Produce,
      v,
      { acks: o.acks, timeoutMs: 30_000, topicData: [{ name: o.topic, partitionData: [{ index: 0, records: batch }] }] },
      batch.length + 256,
    );
  }
  const t0 = performance.now();
  let next = 0;
  const check = (frame: Buffer) => {
    const res = decodeResponseFrame(ApiKey.Produce, v, frame).body;
    const err = res.responses[0]?.partitionResponses[0]?.errorCode;
    if (err !== 0) throw new Error(`Produce: error code ${err}`);
  };
  const worker = async () => {
    while (next < batches) {
      const i = next++;
      check(await conn.sendFrame(ApiKey.Produce, v, i === batches - 1 ? tailFrame : frames[i % frames.length]!));
    }
  };
  await Promise.all(Array.from({ length: RAW_WINDOW }, worker));
  return (performance.now() - t0) / 1000;
}

/** Fetches partition 0 from offset 0 until `count` records; resolves seconds and records seen. */
export async function rawConsume(
  conn: RawConnection,
  apis: Apis,
  o: { topic: string; count: number },
): Promise<{ seconds: number; records: number }> {
  const v = pickVersion(apis.get(Api.Fetch), 12); // v13+ names topics by id
  let offset = 0n;
  let records = 0;
  const t0 = performance.now();
  while (records < o.count) {
    const res = await conn.request(ApiKey.Fetch, v, {
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
    const p = res.responses[0]?.partitions[0];
    if (p?.errorCode !== 0) throw new Error(`Fetch: error code ${p?.errorCode ?? res.errorCode}`);
    const blob = p.records;
    if (!blob || blob.length === 0) {
      if (BigInt(p.highWatermark) <= offset) throw new Error(`partition ends at ${p.highWatermark} after ${records} of ${o.count} records`);
      continue;
    }
    for (const { pos } of batchesIn(blob)) {
      const h = readBatchHeader(blob, pos);
      const last = h.baseOffset + BigInt(h.lastOffsetDelta);
      if (last < offset) continue;
      records += h.recordsCount;
      offset = last + 1n;
    }
  }
  return { seconds: (performance.now() - t0) / 1000, records };
}
