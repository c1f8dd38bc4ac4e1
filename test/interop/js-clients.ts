// The two JavaScript clients under test, driven the way their users drive them, with the same
// record shape as the rest of the suite:
// - KafkaJS 2.2 (non-flexible versions: Produce v7, Fetch v11, Metadata v6). gzip is built in,
//   snappy comes from kafkajs-snappy, lz4/zstd through KafkaJS's codec plug-in slot (filled with
//   our compression module, the way KafkaJS users plug in lz4/zstd packages). KafkaJS consumes
//   only through consumer groups (covered by the group interop files); here consumption goes through its own
//   Cluster/Broker fetch path (same request encoder and record decoder its consumer uses).
// - @platformatic/kafka 2.x (flexible versions only: Produce 7-11 -> 9+, Fetch 12, Metadata 9-12).
//   It declares Node 22; on Node 20 it needs Promise.withResolvers, polyfilled here. Its
//   Consumer.fetch() is its public group-less fetch. zstd needs node:zlib zstd (Node 22+).
import kafkajsModule from 'kafkajs';
import type { Kafka as KafkaType } from 'kafkajs';
import { createRequire } from 'node:module';

const { CompressionCodecs, CompressionTypes, Kafka, logLevel } = kafkajsModule; // CommonJS package
import { CompressionType, compress, decompress } from '@tributary/protocol';
import type { Codec, Consumed, Rec } from './harness.ts';

// --- Node 20 polyfill for @platformatic/kafka 2.x --------------------------------------------
const P = Promise as unknown as { withResolvers?: () => unknown };
P.withResolvers ??= function withResolvers<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};
const platformatic = await import('@platformatic/kafka');

// --- KafkaJS -----------------------------------------------------------------------------------
const pluggable = (type: CompressionType) => () => ({
  compress: (encoder: { buffer: Buffer }) => compress(type, encoder.buffer),
  decompress: (buffer: Buffer) => decompress(type, buffer),
});
const codecs = CompressionCodecs as Record<number, unknown>;
codecs[CompressionTypes.Snappy] = createRequire(import.meta.url)('kafkajs-snappy') as () => unknown;
codecs[CompressionTypes.LZ4] = pluggable(CompressionType.Lz4);
codecs[CompressionTypes.ZSTD] = pluggable(CompressionType.Zstd);

const KAFKAJS_CODEC: Record<Codec, number> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

export function kafkajs(bootstrap: string): KafkaType {
  return new Kafka({
    clientId: 'interop-kafkajs',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 50, maxRetryTime: 500 },
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
  });
}

/** KafkaJS headers: an object; a repeated key becomes an array (its values keep their order). */
function toKafkajsHeaders(headers: [string, string][]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of headers) {
    const cur = out[k];
    out[k] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
  }
  return out;
}

function fromKafkajsHeaders(headers: Record<string, Buffer | Buffer[] | undefined> | undefined): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(headers ?? {})) {
    for (const b of Array.isArray(v) ? v : [v]) out.push([k, b ? b.toString('utf8') : '']);
  }
  return out;
}

/** Produces with KafkaJS (one send per call, so one batch); returns the base offset of each send. */
export async function kafkajsProduce(
  bootstrap: string,
  topic: string,
  records: Rec[],
  codec: Codec,
  acks = -1,
  partition = 0,
): Promise<void> {
  const producer = kafkajs(bootstrap).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < records.length; i += 50) {
      await producer.send({
        topic,
        acks,
        compression: KAFKAJS_CODEC[codec],
        messages: records.slice(i, i + 50).map((r) => ({
          partition,
          key: r.key,
          value: r.value,
          headers: toKafkajsHeaders(r.headers),
          ...(r.timestamp !== undefined ? { timestamp: String(r.timestamp) } : {}),
        })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Reads `count` records from offset 0 with KafkaJS's Fetch (v11) through its cluster/broker layer. */
export async function kafkajsFetch(
  bootstrap: string,
  topic: string,
  count: number,
  partition = 0,
  timeoutMs = 15_000,
  maxWaitTime = 200,
): Promise<Consumed[]> {
  const kafka = kafkajs(bootstrap);
  const sym = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster')!;
  const cluster = (kafka as unknown as Record<symbol, (o: object) => any>)[sym]!({ allowAutoTopicCreation: false });
  await cluster.connect();
  try {
    await cluster.addTargetTopic(topic);
    const leaders = cluster.findLeaderForPartitions(topic, [partition]) as Record<string, number[]>;
    const broker = await cluster.findBroker({ nodeId: Object.keys(leaders)[0] });
    const out: Consumed[] = [];
    let offset = 0n;
    const deadline = Date.now() + timeoutMs;
    while (out.length < count && Date.now() < deadline) {
      const res = await broker.fetch({
        replicaId: -1,
        isolationLevel: 1,
        maxWaitTime,
        minBytes: 1, // READ_COMMITTED, KafkaJS's consumer default maxBytes: 10 << 20,
        topics: [{ topic, partitions: [{ partition, fetchOffset: offset.toString(), maxBytes: 1 << 20 }] }],
      });
      const p = res.responses[0].partitions[0];
      if (p.errorCode !== 0) throw new Error(`KafkaJS fetch ${topic}-${partition} at ${offset}: error ${p.errorCode}`);
      for (const m of p.messages as {
        offset: string;
        timestamp: string;
        key: Buffer | null;
        value: Buffer | null;
        headers: Record<string, Buffer | Buffer[]>;
      }[]) {
        if (BigInt(m.offset) < offset) continue; // a batch is returned whole
        out.push({
          offset: Number(m.offset),
          timestamp: Number(m.timestamp),
          key: m.key ? m.key.toString('utf8') : null,
          value: m.value ? m.value.toString('utf8') : null,
          headers: fromKafkajsHeaders(m.headers),
        });
        offset = BigInt(m.offset) + 1n;
      }
    }
    return out;
  } finally {
    await cluster.disconnect();
  }
}

// --- @platformatic/kafka --------------------------------------------------------------------------
export const PLATFORMATIC_CODECS: readonly Codec[] = ['none', 'gzip', 'snappy', 'lz4'];

export function platformaticBase(bootstrap: string) {
  return { clientId: 'interop-platformatic', bootstrapBrokers: [bootstrap], retries: 2, retryDelay: 50, timeout: 10_000 };
}

export const { Admin, Producer, Consumer } = platformatic;
export { CompressionTypes };

/** Produces with @platformatic/kafka; duplicate header keys via distinct Buffer keys in the Map. */
export async function platformaticProduce(
  bootstrap: string,
  topic: string,
  records: Rec[],
  codec: Codec,
  acks = -1,
  partition = 0,
): Promise<bigint[]> {
  const producer = new platformatic.Producer({ ...platformaticBase(bootstrap), autocreateTopics: false });
  try {
    const offsets: bigint[] = [];
    for (let i = 0; i < records.length; i += 50) {
      const res = await producer.send({
        acks,
        compression: codec,
        messages: records.slice(i, i + 50).map((r) => ({
          topic,
          partition,
          key: r.key === null ? undefined : Buffer.from(r.key),
          value: r.value === null ? undefined : Buffer.from(r.value),
          headers: new Map(r.headers.map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
          ...(r.timestamp !== undefined ? { timestamp: BigInt(r.timestamp) } : {}),
        })),
      });
      for (const o of res.offsets ?? []) offsets.push(o.offset);
    }
    return offsets;
  } finally {
    await producer.close();
  }
}

/** Reads `count` records from offset 0 with @platformatic/kafka's Consumer.fetch (Fetch v12). */
export async function platformaticFetch(
  bootstrap: string,
  topic: string,
  count: number,
  partition = 0,
  timeoutMs = 15_000,
): Promise<Consumed[]> {
  const consumer = new platformatic.Consumer({ ...platformaticBase(bootstrap), groupId: 'interop-unused' });
  try {
    const md = await consumer.metadata({ topics: [topic] });
    const node = md.topics.get(topic)!.partitions[partition]!.leader;
    const out: Consumed[] = [];
    let offset = 0n;
    const deadline = Date.now() + timeoutMs;
    while (out.length < count && Date.now() < deadline) {
      const res = await consumer.fetch({
        node,
        maxWaitTime: 200,
        minBytes: 1,
        maxBytes: 10 << 20,
        topics: [
          {
            topicId: topic,
            partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }],
          },
        ],
      });
      const p = res.responses[0]!.partitions[0]!;
      if (p.errorCode !== 0) throw new Error(`platformatic fetch ${topic}-${partition} at ${offset}: error ${p.errorCode}`);
      for (const batch of p.records ?? []) {
        for (const r of batch.records) {
          const o = batch.firstOffset + BigInt(r.offsetDelta);
          if (o < offset) continue;
          out.push({
            offset: Number(o),
            timestamp: Number(batch.firstTimestamp + r.timestampDelta),
            key: r.key === null ? null : r.key.toString('utf8'),
            value: r.value ? r.value.toString('utf8') : null,
            headers: r.headers.map(([k, v]) => [k ? k.toString('utf8') : '', v ? v.toString('utf8') : '']),
          });
          offset = o + 1n;
        }
      }
    }
    return out;
  } finally {
    await consumer.close();
  }
}
