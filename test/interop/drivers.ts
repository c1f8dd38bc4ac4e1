// Drivers for the third-party clients that run as child processes: kcat (librdkafka) and the
// Python clients (py/kafka_python_driver.py, py/confluent_driver.py). Each returns records in the
// suite's normalized shape (harness.ts `Consumed`), bounded by a timeout.
import assert from 'node:assert/strict';
import { runOk, runPython, type Codec, type Consumed, type Rec } from './harness.ts';

export const KAFKA_PYTHON = 'kafka_python_driver.py';
export const CONFLUENT = 'confluent_driver.py';

export const KCAT_TIMEOUT = 20_000;

/** Consumes a partition from the beginning to its end with kcat -C -J -e; normalized records. */
export async function kcatConsume(bootstrap: string, topic: string, partition = 0): Promise<Consumed[]> {
  const out = await runOk('kcat', ['-C', '-b', bootstrap, '-t', topic, '-p', String(partition), '-o', 'beginning', '-e', '-J', '-q'], {
    timeoutMs: KCAT_TIMEOUT,
  });
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const m = JSON.parse(line) as { offset: number; ts: number; key: string | null; payload: string | null; headers?: (string | null)[] };
      const h = m.headers ?? [];
      const headers: [string, string][] = [];
      for (let i = 0; i < h.length; i += 2) headers.push([h[i]!, h[i + 1] ?? '']);
      return { offset: m.offset, timestamp: m.ts, key: m.key, value: m.payload, headers };
    });
}

/** Produces `records` (same headers on all: kcat's -H is per run) with kcat -P -K '|' -z codec. */
export async function kcatProduce(bootstrap: string, topic: string, records: Rec[], codec: string, partition = 0): Promise<void> {
  const headers = records[0]?.headers ?? [];
  for (const r of records) assert.deepEqual(r.headers, headers, 'kcat sets the same headers on every record of a run');
  const args = ['-P', '-b', bootstrap, '-t', topic, '-p', String(partition), '-K', '|', '-z', codec, '-X', 'linger.ms=100'];
  for (const [k, v] of headers) args.push('-H', `${k}=${v}`);
  await runOk('kcat', args, { input: records.map((r) => `${r.key}|${r.value}\n`).join(''), timeoutMs: KCAT_TIMEOUT });
}

export async function kafkaPythonProduce(
  bootstrap: string,
  jobs: { topic: string; records: Rec[]; compression: 'none' | 'gzip'; acks?: number | 'all' }[],
) {
  return runPython<{ offsets: number[]; timestamps: number[] }[]>(
    KAFKA_PYTHON,
    jobs.map((j) => ({
      op: 'produce',
      bootstrap,
      topic: j.topic,
      records: j.records,
      acks: j.acks ?? 'all',
      compression: j.compression === 'none' ? null : j.compression,
    })),
  );
}

/** One kafka-python consumer over all `jobs` (assign + seek to beginning); results in job order. */
export async function kafkaPythonConsume(
  bootstrap: string,
  jobs: { topic: string; count: number; partition?: number }[],
  config: Record<string, unknown> = {},
) {
  const res = await runPython<{ partitions: { records: (Consumed & { timestamp_type: number })[]; extra: number }[] }>(KAFKA_PYTHON, {
    op: 'consume',
    bootstrap,
    config,
    partitions: jobs.map((j) => ({ partition: 0, ...j })),
  });
  return res.partitions;
}

export async function confluentProduce(
  bootstrap: string,
  jobs: { topic: string; records: Rec[]; codec: Codec; acks: number | 'all'; config?: Record<string, unknown> }[],
) {
  return runPython<{ unflushed: number; reports: { error: string | null; code: number | null; offset: number; timestamp: number }[] }[]>(
    CONFLUENT,
    jobs.map((j) => ({
      op: 'produce',
      bootstrap,
      topic: j.topic,
      records: j.records,
      compression: j.codec,
      acks: j.acks,
      config: j.config ?? {},
    })),
    60_000,
  );
}

/** One confluent-kafka consumer over all `jobs` (assign from the beginning); results in job order. */
export async function confluentConsume(bootstrap: string, jobs: { topic: string; count: number; partition?: number }[]) {
  const res = await runPython<{ partitions: { records: Consumed[]; eof: boolean }[]; errors: string[] }>(
    CONFLUENT,
    { op: 'consume', bootstrap, partitions: jobs.map((j) => ({ partition: 0, ...j })) },
    60_000,
  );
  return res.partitions.map((p) => ({ ...p, errors: res.errors }));
}
