// Prints the README's performance table (markdown) from bench/results/latest.json:
//   node --import tsx bench/summary.ts [results.json]
// Headline rows only: 1-partition produce/consume without compression by client, latency,
// durable produce, scale, the peers, the cluster's (RF=3 vs RF=1 produce, failover) and the
// quorum's (metadata latency, controller failover, one voter against three), transactional against idempotent
// produce; the full tables are in the `npm run bench` output.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultsFile } from './lib/results.ts';
import type { Row } from './lib/types.ts';

const path = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), 'results', 'latest.json');
const res = JSON.parse(readFileSync(path, 'utf8')) as ResultsFile;
const n = (x: number | null, d = 0) => (x == null ? '' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const pick = (f: (r: Row) => boolean) => res.rows.filter(f);
const headline = [
  ...pick((r) => r.system === 'tributary' && /^(produce|consume) (100B|1KiB) p1 (acks=1 )?none$/.test(r.scenario)),
  ...pick((r) => r.system === 'tributary' && /^(produce|consume) 1KiB p16 (acks=1 )?none$/.test(r.scenario)),
  ...pick((r) => r.scenario.startsWith('e2e latency')),
  ...pick((r) => r.scenario.startsWith('durable produce') && r.acks === 'all'),
  ...pick((r) => r.scenario.startsWith('scale')),
  ...pick((r) => r.scenario.startsWith('group ')),
  ...pick((r) => r.scenario.startsWith('peer ')),
  ...pick((r) => r.scenario.startsWith('produce') && / RF=\d/.test(r.scenario)),
  ...pick((r) => r.scenario.startsWith('failover')),
  ...pick((r) => r.scenario.startsWith('metadata CreateTopics') || r.scenario.startsWith('controller ')),
  ...pick((r) => /^(idempotent|transactional) produce 1KiB p1 100\/send$/.test(r.scenario)),
];
const m = res.machine;
console.log(
  `Measured ${res.startedAt.slice(0, 16).replace('T', ' ')} UTC on ${m.cpuCount} x ${m.cpuModel}, ${m.memoryGiB} GiB, node ${m.node}` +
    `${'loadAvg1m' in m ? `, load average ${(m as { loadAvg1m: number }).loadAvg1m} at the start` : ''}; broker and load generator on the same machine.\n`,
);
console.log('| scenario | system | client | records | rec/s | MB/s | p50 / p99 / p99.9 ms | broker CPU% | broker RSS MiB |');
console.log('|---|---|---|---:|---:|---:|---:|---:|---:|');
for (const r of headline) {
  const lat =
    r.p99Ms != null
      ? `${n(r.p50Ms, 2)} / ${n(r.p99Ms, 1)} / ${n(r.p999Ms, 1)}`
      : r.scenario.startsWith('failover') || r.scenario.startsWith('controller ')
        ? `${n(r.p50Ms)} (median) / ${n(r.maxMs ?? null)} (max)`
        : r.p50Ms != null
          ? `${n(r.p50Ms)} (to stable)`
          : '';
  console.log(
    `| ${r.scenario} | ${r.system} | ${r.client ?? ''} | ${n(r.records)} | ${n(r.recordsPerSec)} | ${n(r.mbPerSec, 1)} | ${lat} | ${n(r.brokerCpuPct)} | ${n(r.brokerRssMb)} |`,
  );
}
