// Helpers for the scenarios that run against a Tributary broker child process: create topics,
// and time kcat produce/consume runs while sampling the broker's CPU and RSS.
import { join } from 'node:path';
import { execTimed } from './exec.ts';
import { kcatConsume, kcatProduce } from './kcat.ts';
import type { BrokerProcess } from './broker-process.ts';
import { Api, type RunContext } from './types.ts';
import type { ProcWindow } from './proc-stats.ts';

/** Kafka APIs kcat -P needs from the broker, and kcat -C (-o beginning: ListOffsets) on top. */
export const KCAT_PRODUCE_APIS = [Api.Produce, Api.Metadata];
export const KCAT_APIS = [Api.Produce, Api.Fetch, Api.ListOffsets, Api.Metadata];

/** Why a broker scenario cannot run (missing APIs or tools), or null. */
export function brokerSkip(ctx: RunContext, apis: number[], need: { kcat?: boolean; python?: boolean } = {}): string | null {
  if (ctx.brokerApis.size === 0) return 'the broker did not start';
  const missing = apis.filter((k) => !ctx.brokerApis.has(k));
  if (missing.length) return `the broker does not serve API key(s) ${missing.join(', ')} yet`;
  if (need.kcat && !ctx.tools.kcat) return 'kcat not installed (apt-get install kcat)';
  if (need.python && !ctx.tools.python) return 'python3 with confluent-kafka not installed (apt-get install python3-confluent-kafka)';
  return null;
}

/**
 * Creates topics with the Admin API when the broker serves CreateTopics and python is there;
 * otherwise they are auto-created on first use (start the broker with num.partitions).
 */
export async function createTopics(ctx: RunContext, broker: BrokerProcess, topics: { name: string; partitions: number }[]): Promise<void> {
  if (!ctx.brokerApis.has(Api.CreateTopics) || !ctx.tools.python) return;
  const r = await execTimed(
    ctx.tools.python.path,
    [join(ctx.root, 'bench/drivers/kafka_admin.py'), broker.bootstrap, ...topics.map((t) => `${t.name}:${t.partitions}`)],
    { timeoutMs: 400_000 },
  );
  if (r.code !== 0) throw new Error(`creating topics failed: ${(r.stdout + r.stderr).trim().slice(-400)}`);
}

export interface Measured<T> {
  value: T;
  window: ProcWindow;
}

export async function sampled<T>(broker: { sampler(): import('./proc-stats.ts').ProcSampler }, fn: () => Promise<T>): Promise<Measured<T>> {
  const s = broker.sampler().start();
  try {
    const value = await fn();
    return { value, window: s.stop() };
  } catch (err) {
    s.stop();
    throw err;
  }
}

export async function timedProduce(
  ctx: RunContext,
  broker: BrokerProcess,
  o: { topic: string; file: string; acks: string; compression: string; extra?: Record<string, string> },
): Promise<Measured<number>> {
  return sampled(broker, () => kcatProduce(ctx.tools.kcat!.path, { bootstrap: broker.bootstrap, timeoutMs: 300_000, ...o }));
}

export async function timedConsume(ctx: RunContext, broker: BrokerProcess, topic: string, expected: number): Promise<Measured<number>> {
  const m = await sampled(broker, () => kcatConsume(ctx.tools.kcat!.path, { bootstrap: broker.bootstrap, topic, timeoutMs: 300_000 }));
  if (m.value.records !== expected) throw new Error(`consumed ${m.value.records} records, expected ${expected}`);
  return { value: m.value.seconds, window: m.window };
}
