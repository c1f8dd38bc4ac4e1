// Runs bench/drivers/kafka_latency.py (confluent-kafka: a producer stamping CLOCK_MONOTONIC into
// each value, a consumer recording receive - send) and returns its parsed summary. Throws when the
// driver fails or its consumer fell behind (fewer records received than sent).
import { join } from 'node:path';
import { execTimed } from './exec.ts';
import type { RunContext } from './types.ts';

export interface LatencyDriverOptions {
  bootstrap: string;
  topic: string;
  size: number;
  rate: number;
  seconds: number;
  /** Leading seconds not counted (default 1). */
  warmup?: number;
  /** Producer acks (default: the driver's, 1). */
  acks?: '1' | 'all';
}

export interface LatencyResult {
  sent: number;
  received: number;
  /** Records counted in the percentiles (after the warm-up). */
  counted: number;
  achievedRate: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  maxMs: number | null;
}

export async function runLatencyDriver(ctx: RunContext, o: LatencyDriverOptions): Promise<LatencyResult> {
  const args = [
    join(ctx.root, 'bench/drivers/kafka_latency.py'),
    ...['--bootstrap', o.bootstrap, '--topic', o.topic, '--size', String(o.size)],
    ...['--rate', String(Math.round(o.rate)), '--seconds', String(o.seconds), '--warmup', String(o.warmup ?? 1)],
    ...(o.acks ? ['--acks', o.acks] : []),
  ];
  const r = await execTimed(ctx.tools.python!.path, args, { timeoutMs: (o.seconds + 120) * 1000 });
  const out = JSON.parse(r.stdout.trim().split('\n').pop() || '{}') as Partial<Record<keyof LatencyResult, number>>;
  if (r.code !== 0 || out.counted == null)
    throw new Error(`latency driver failed (exit ${r.code}): ${(r.stdout + r.stderr).trim().slice(-400)}`);
  if (out.received !== out.sent)
    throw new Error(`the consumer fell behind: received ${out.received} of ${out.sent} records within the time limit`);
  return {
    sent: out.sent ?? 0,
    received: out.received ?? 0,
    counted: out.counted,
    achievedRate: out.achievedRate ?? null,
    p50Ms: out.p50Ms ?? null,
    p99Ms: out.p99Ms ?? null,
    p999Ms: out.p999Ms ?? null,
    maxMs: out.maxMs ?? null,
  };
}
