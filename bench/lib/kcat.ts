// kcat (librdkafka) as the C load generator: produce a file of records, consume a topic to its end.
// The librdkafka settings used are exported so the printed setup states them exactly.
import { execTimed } from './exec.ts';

export const KCAT_PRODUCE_PROPS: Record<string, string> = {
  'linger.ms': '5',
  'batch.num.messages': '10000',
  'batch.size': '1000000',
  'queue.buffering.max.messages': '1000000',
  'queue.buffering.max.kbytes': '1048576',
  'message.timeout.ms': '60000',
};

export const KCAT_CONSUME_PROPS: Record<string, string> = {
  'fetch.message.max.bytes': '4194304',
  'fetch.max.bytes': '67108864',
  'queued.max.messages.kbytes': '262144',
  'fetch.wait.max.ms': '100',
};

const props = (p: Record<string, string>) => Object.entries(p).flatMap(([k, v]) => ['-X', `${k}=${v}`]);

export interface KcatProduce {
  bootstrap: string;
  topic: string;
  file: string;
  acks: string;
  compression: string;
  extra?: Record<string, string>;
  timeoutMs: number;
}

/** Produces every line of `file` as one record; resolves the wall seconds, throws on any failure. */
export async function kcatProduce(path: string, o: KcatProduce): Promise<number> {
  const args = [
    '-P',
    '-b',
    o.bootstrap,
    '-t',
    o.topic,
    '-l',
    o.file,
    '-z',
    o.compression,
    ...props({ acks: o.acks, ...KCAT_PRODUCE_PROPS, ...o.extra }),
  ];
  const r = await execTimed(path, args, { timeoutMs: o.timeoutMs });
  const failed = /Delivery failed|ERROR|Failed to/i.exec(r.stderr);
  if (r.timedOut) throw new Error(`kcat -P timed out after ${o.timeoutMs} ms`);
  if (r.code !== 0 || failed) throw new Error(`kcat -P failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return r.seconds;
}

/**
 * Consumes a topic from the beginning to its end (-e) into /dev/null; resolves the wall seconds
 * and the records consumed (the sum of the end offsets kcat reports per partition).
 */
export async function kcatConsume(
  path: string,
  o: { bootstrap: string; topic: string; timeoutMs: number; extra?: Record<string, string> },
): Promise<{ seconds: number; records: number }> {
  const args = ['-C', '-b', o.bootstrap, '-t', o.topic, '-o', 'beginning', '-e', ...props({ ...KCAT_CONSUME_PROPS, ...o.extra })];
  const r = await execTimed(path, args, { timeoutMs: o.timeoutMs, discardStdout: true });
  if (r.timedOut) throw new Error(`kcat -C timed out after ${o.timeoutMs} ms`);
  if (r.code !== 0 || /ERROR/.test(r.stderr))
    throw new Error(`kcat -C failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  let records = 0;
  for (const m of r.stderr.matchAll(/Reached end of topic \S+ \[\d+\] at offset (\d+)/g)) records += Number(m[1]);
  return { seconds: r.seconds, records };
}
