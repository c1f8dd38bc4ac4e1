// The goals of the benchmarks issue, checked against a run's rows: met, or missed by how much.
// Each goal names the row it reads (scenario names from bench/scenarios/); a goal whose row was
// not measured in this run says so.
import type { Row } from './types.ts';
import { CLUSTER_SYSTEM, FAILOVER_SESSION_TIMEOUT_MS } from './cluster.ts';

const find = (rows: readonly Row[], pred: (r: Row) => boolean) => rows.filter(pred);
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** Rows made by a client program (kcat, confluent-kafka, KafkaJS, ours), not the harness's raw frame replayer. */
export const realClient = (r: Row) => !(r.client ?? '').startsWith('raw');

/** Tributary's headline produce row for a record size: 1 partition, acks=1, no compression (best client, optionally filtered). */
export function headlineProduce(rows: readonly Row[], recordBytes: number, client: (r: Row) => boolean = () => true): Row | undefined {
  return find(
    rows,
    (r) =>
      r.system === 'tributary' &&
      r.scenario.startsWith('produce ') &&
      r.recordBytes === recordBytes &&
      r.partitions === 1 &&
      r.acks === '1' &&
      r.compression === 'none' &&
      r.recordsPerSec != null &&
      client(r),
  ).sort((a, b) => b.recordsPerSec! - a.recordsPerSec!)[0];
}

function atLeast(label: string, r: Row | undefined, value: (r: Row) => number | null, goal: number, unit: string, d = 0): string {
  const v = r ? value(r) : null;
  if (v == null) return `[ not run ] ${label}`;
  const by = r!.client ? ` [${r!.client}]` : '';
  return v >= goal
    ? `[   met   ] ${label}: ${fmt(v, d)} ${unit} (${fmt(v / goal, 2)}x the goal)${by}`
    : `[ MISSED  ] ${label}: ${fmt(v, d)} ${unit}, ${fmt((1 - v / goal) * 100)}% short (needs ${fmt(goal / v, 2)}x)${by}`;
}

function atMost(label: string, r: Row | undefined, value: (r: Row) => number | null, goal: number, unit: string, d = 2): string {
  const v = r ? value(r) : null;
  if (v == null) return `[ not run ] ${label}`;
  const by = r!.client ? ` [${r!.client}]` : '';
  return v < goal
    ? `[   met   ] ${label}: ${fmt(v, d)} ${unit}${by}`
    : `[ MISSED  ] ${label}: ${fmt(v, d)} ${unit}, ${fmt(v / goal, 2)}x the limit${by}`;
}

export function checkGoals(rows: readonly Row[]): string[] {
  const out: string[] = [];
  out.push(atLeast('produce 1 KiB, 1 partition, acks=1 >= 500 MB/s', headlineProduce(rows, 1024), (r) => r.mbPerSec, 500, 'MB/s', 1));
  out.push(
    atLeast(
      'produce 100 B, 1 partition, acks=1 >= 1,000,000 records/s',
      headlineProduce(rows, 100),
      (r) => r.recordsPerSec,
      1_000_000,
      'records/s',
    ),
  );
  const consume = find(
    rows,
    (r) =>
      r.system === 'tributary' &&
      r.scenario.startsWith('consume ') &&
      r.recordBytes === 1024 &&
      r.partitions === 1 &&
      r.compression === 'none' &&
      r.mbPerSec != null,
  ).sort((a, b) => b.mbPerSec! - a.mbPerSec!)[0];
  out.push(atLeast('consume 1 KiB, 1 partition >= 1 GB/s', consume, (r) => r.mbPerSec, 1000, 'MB/s', 1));
  const e2e = find(rows, (r) => r.system === 'tributary' && r.scenario.startsWith('e2e latency') && r.scenario.includes('10000/s'));
  if (e2e.length === 0) out.push(atMost('end-to-end p99 < 5 ms at 10,000 records/s', undefined, (r) => r.p99Ms, 5, 'ms'));
  for (const r of e2e) out.push(atMost('end-to-end p99 < 5 ms at 10,000 records/s', r, (x) => x.p99Ms, 5, 'ms'));
  for (const size of [100, 1024]) {
    const ours = headlineProduce(rows, size, realClient);
    for (const [peer, factor, rule] of [
      ['redis', 2, 'at least 2x'],
      ['nats', 1, 'ahead of'],
    ] as const) {
      const best = find(
        rows,
        (r) => r.system.startsWith(peer) && r.scenario.startsWith('peer produce') && r.recordBytes === size && r.recordsPerSec != null,
      ).sort((a, b) => b.recordsPerSec! - a.recordsPerSec!)[0];
      const label = `produce ${size} B: ${rule} ${peer === 'redis' ? 'Redis Streams' : 'NATS JetStream'} in records/s`;
      if (!ours?.recordsPerSec || !best?.recordsPerSec) {
        out.push(`[ not run ] ${label}`);
        continue;
      }
      const x = ours.recordsPerSec / best.recordsPerSec;
      const met = factor === 1 ? x > 1 : x >= factor;
      out.push(
        met
          ? `[   met   ] ${label}: ${fmt(x, 2)}x (${fmt(ours.recordsPerSec)} [${ours.client}] vs ${fmt(best.recordsPerSec)} [${best.client}])`
          : `[ MISSED  ] ${label}: ${fmt(x, 2)}x (${fmt(ours.recordsPerSec)} [${ours.client}] vs ${fmt(best.recordsPerSec)} [${best.client}]); needs ${fmt(factor / x, 2)}x`,
      );
    }
  }
  const scale = find(
    rows,
    (r) => r.system === 'tributary' && r.scenario.startsWith('scale') && r.partitions === 10_000 && r.brokerRssMb != null,
  )[0];
  out.push(atMost('10,000 partitions in < 1 GiB broker memory (peak RSS)', scale, (r) => r.brokerRssMb, 1024, 'MiB', 0));
  out.push(...clusterGoals(rows));
  const idem = find(rows, (r) => r.system === 'tributary' && r.scenario.startsWith('idempotent produce 1KiB p1 100/send'))[0];
  const txn = find(rows, (r) => r.system === 'tributary' && r.scenario.startsWith('transactional produce 1KiB p1 100/send'))[0];
  out.push(
    atLeast(
      'transactional produce (100 records/transaction, 1 KiB) >= 70% of idempotent (same run, records/s)',
      txn && idem?.recordsPerSec ? txn : undefined,
      (r) => (r.recordsPerSec! / idem!.recordsPerSec!) * 100,
      70,
      '% of idempotent',
    ),
  );
  for (const op of ['produce', 'consume'] as const) {
    const plain = find(rows, (r) => r.system === 'tributary' && r.scenario === `security ${op} 1KiB p1 PLAINTEXT`)[0];
    for (const [listener, label] of [
      ['SSL', 'TLS'],
      ['SASL_SSL', 'SASL_SSL'],
    ] as const) {
      const secured = find(rows, (r) => r.system === 'tributary' && r.scenario === `security ${op} 1KiB p1 ${listener}`)[0];
      out.push(
        atLeast(
          `${op} over ${label} (1 KiB, 1 partition) >= 60% of plaintext (same run, records/s)`,
          secured && plain?.recordsPerSec ? secured : undefined,
          (r) => (r.recordsPerSec! / plain!.recordsPerSec!) * 100,
          60,
          '% of plaintext',
        ),
      );
    }
  }
  return out;
}

/** Rows of the cluster group (bench/scenarios/cluster.ts): 3 broker processes. */
const clusterRow = (r: Row) => r.system === CLUSTER_SYSTEM;

function clusterGoals(rows: readonly Row[]): string[] {
  const out: string[] = [];
  for (const size of [100, 1024]) {
    const label = size === 1024 ? '1KiB' : `${size}B`;
    const one = (rf: number) => find(rows, (r) => clusterRow(r) && r.scenario === `produce ${label} p1 RF=${rf} acks=all none`)[0];
    const rf1 = one(1);
    const rf3 = one(3);
    out.push(
      atLeast(
        `produce ${size} B RF=3 acks=all >= 40% of RF=1 acks=all (same cluster, records/s)`,
        rf3 && rf1?.recordsPerSec ? rf3 : undefined,
        (r) => (r.recordsPerSec! / rf1!.recordsPerSec!) * 100,
        40,
        '% of RF=1',
      ),
    );
  }
  const e2e = find(rows, (r) => clusterRow(r) && r.scenario.startsWith('e2e latency') && r.scenario.includes('RF=3'));
  if (e2e.length === 0) out.push(atMost('RF=3 acks=all end-to-end p99 < 10 ms at 10,000 records/s', undefined, (r) => r.p99Ms, 10, 'ms'));
  for (const r of e2e) out.push(atMost('RF=3 acks=all end-to-end p99 < 10 ms at 10,000 records/s', r, (x) => x.p99Ms, 10, 'ms'));
  const failover = find(rows, (r) => clusterRow(r) && r.scenario.startsWith('failover') && r.maxMs != null)[0];
  const limit = FAILOVER_SESSION_TIMEOUT_MS + 1000;
  out.push(
    atMost(
      `failover (SIGKILL leader -> first acks=all success) < broker.session.timeout.ms + 1 s = ${fmt(limit)} ms (max of ${failover?.records ?? '?'})`,
      failover,
      (r) => r.maxMs ?? null,
      limit,
      'ms',
      0,
    ),
  );
  return out;
}
