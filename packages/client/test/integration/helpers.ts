// Shared by the integration tests against a real in-process Tributary broker (testkit): pulling
// a fixed number of records from an iterator (with a deadline, so a bug fails instead of hanging),
// records reduced to comparable plain values, and a topic created and filled.
import type { ConsumerRecord } from '../../src/api.ts';
import type { Kafka } from '../../src/kafka.ts';

/** Creates `topic` with `partitions` partitions and writes `values` round-robin over them (value i to partition i mod partitions). */
export async function fill(kafka: Kafka, topic: string, partitions: number, values: string[]): Promise<void> {
  await kafka.admin().createTopics([{ name: topic, partitions }]);
  const producer = kafka.producer({ lingerMs: 0 });
  await producer.send({ topic, messages: values.map((value, i) => ({ value, partition: i % partitions })) });
  await producer.close();
}

export async function take(it: AsyncIterator<ConsumerRecord>, n: number, timeoutMs = 20_000): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n) {
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([
      it.next(),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
      }),
    ]);
    clearTimeout(timer);
    if (r === 'timeout') throw new Error(`timed out after ${out.length} of ${n} records`);
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

export interface PlainRecord {
  partition: number;
  offset: bigint;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: Array<[string, string | null]>;
}

export function plain(r: ConsumerRecord, encoding: BufferEncoding = 'utf8'): PlainRecord {
  return {
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key === null ? null : r.key.toString(encoding),
    value: r.value === null ? null : r.value.toString(encoding),
    headers: r.headers.map((h) => [h.key, h.value === null ? null : h.value.toString(encoding)]),
  };
}

export function byPartitionOffset(a: { partition: number; offset: bigint }, b: { partition: number; offset: bigint }): number {
  return a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0);
}

export const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

/** Pulls from a consumer in the background, collecting records, until stopped (one pull at a time). */
export function drain(c: { [Symbol.asyncIterator](): AsyncIterator<ConsumerRecord> }, into: ConsumerRecord[]) {
  let stop = false;
  let error: unknown = null;
  const it = c[Symbol.asyncIterator]();
  const done = (async () => {
    let pending: Promise<IteratorResult<ConsumerRecord>> | null = null;
    while (!stop) {
      pending ??= it.next();
      let timer: NodeJS.Timeout | undefined;
      const r = await Promise.race([pending, new Promise<null>((res) => (timer = setTimeout(() => res(null), 50)))]);
      clearTimeout(timer);
      if (r === null) continue;
      pending = null;
      if (r.done) return;
      into.push(r.value);
    }
  })().catch((e) => {
    error = e;
  });
  return {
    async stop() {
      stop = true;
      await done;
      if (error) throw error;
    },
    get error() {
      return error;
    },
  };
}

export async function until(cond: () => boolean, what: string, ms = 20_000, errors: () => unknown[] = () => []): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    const e = errors().find((x) => x);
    if (e) throw e;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
