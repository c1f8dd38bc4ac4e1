// `npm run bench [-- --quick] [-- --only <substring>] [-- --profile]`: runs the benchmark scenario
// groups (bench/scenarios/*.ts), prints one table per group with its exact setup, checks the goals
// of the benchmarks issue, and writes bench/results/<timestamp>.json and bench/results/latest.json
// ({ machine, startedAt, rows }), comparing with the previous latest.json ("vs prev" column).
//
//   --quick        smoke run (~1.5 minutes, ~45 s of it the cluster group): few shapes, small counts; results go to
//                  <timestamp>-quick.json and latest-quick.json (compared with each other only)
// Exits non-zero if a scenario failed or produced a zero/NaN number (skipped scenarios do not count).
//   --only <s>     only scenarios whose "group/name" contains <s> (repeatable)
//   --profile      run every broker with `node --cpu-prof` (bench/results/profiles/<scenario>.N.cpuprofile)
//                  and print its top self-time functions under the table
//   --no-save      do not write results files
// Brokers run as separate child processes (`tributary start`), fresh for each scenario;
// BENCH_BROKER_ROOT=<checkout> starts them from another checkout (to compare branches).
import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBrokerProcess, stopAllBrokers, type BrokerStartOptions } from './lib/broker-process.ts';
import { probeApiVersions } from './lib/kafka-raw.ts';
import { findTools } from './lib/tools.ts';
import { describeMachine, loadPrevious, ratioToPrevious, rowKey, saveResults } from './lib/results.ts';
import { formatTable, ratio, type Column } from './lib/table.ts';
import { checkGoals } from './lib/goals.ts';
import { topSelfTime } from './lib/profile-summary.ts';
import type { Row, RunContext, ScenarioGroup } from './lib/types.ts';
import { GROUPS } from './scenarios/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const resultsDir = join(here, 'results');

interface Args {
  quick: boolean;
  only: string[];
  profile: boolean;
  save: boolean;
}
function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, only: [], profile: false, save: true };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    if (x === '--quick') a.quick = true;
    else if (x === '--profile') a.profile = true;
    else if (x === '--no-save') a.save = false;
    else if (x === '--only') a.only.push(argv[++i] ?? '');
    else if (x.startsWith('--only=')) a.only.push(x.slice(7));
    else {
      console.error(`unknown argument ${x}\nusage: npm run bench -- [--quick] [--only <substring>] [--profile] [--no-save]`);
      process.exit(2);
    }
  }
  return a;
}

const args = parseArgs(process.argv.slice(2));
const startedAt = new Date().toISOString();
const t0 = performance.now();
const tmp = await mkdtemp(join(tmpdir(), 'tributary-bench-'));
const tools = findTools();
const machine = describeMachine();
const previous = loadPrevious(resultsDir, args.quick);
const prevByKey = new Map(previous?.rows.map((r) => [rowKey(r), r]) ?? []);
const profileDir = join(resultsDir, 'profiles');
if (args.profile) await mkdir(profileDir, { recursive: true });

let currentScenario = 'probe';
let profileSeq = 0;
const slug = (s: string) => s.replace(/[^A-Za-z0-9=.-]+/g, '_');
const brokerOpts = (o: BrokerStartOptions = {}): BrokerStartOptions =>
  args.profile
    ? {
        ...o,
        nodeFlags: [
          ...(o.nodeFlags ?? []),
          '--cpu-prof',
          `--cpu-prof-dir=${profileDir}`,
          `--cpu-prof-name=${slug(currentScenario)}.${++profileSeq}.cpuprofile`,
        ],
      }
    : o;
/** After a scenario under --profile: the top self-time functions of each broker it started. */
function profileNotes(scenario: string): string[] {
  const prefix = `${slug(scenario)}.`;
  const out: string[] = [];
  for (const f of readdirSync(profileDir).filter((x) => x.startsWith(prefix) && x.endsWith('.cpuprofile'))) {
    try {
      out.push(`profile ${relative(root, join(profileDir, f))}:`, ...topSelfTime(join(profileDir, f)).map((l) => `   ${l}`));
    } catch {
      /* unreadable */
    }
  }
  return out;
}

const problems: string[] = [];
let cleaningUp = false;
async function cleanup(): Promise<void> {
  if (cleaningUp) return;
  cleaningUp = true;
  await stopAllBrokers();
  await rm(tmp, { recursive: true, force: true });
}
// a scenario's stray promise must not take the whole run down: record it as a problem
process.on('unhandledRejection', (err) => {
  const msg = `unhandled rejection: ${(err as Error)?.message ?? String(err)}`;
  console.error(`   ${msg}`);
  problems.push(msg);
});
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    void cleanup().then(() => process.exit(130));
  });

console.log(`Tributary benchmarks ${args.quick ? '(quick smoke run) ' : ''}— ${startedAt}`);
console.log(
  `machine: ${machine.cpuCount} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, node ${machine.node}, ${machine.os}, load average ${machine.loadAvg1m}`,
);
if (machine.loadAvg1m > machine.cpuCount * 0.5)
  console.log(
    `WARNING: the machine is busy (load average ${machine.loadAvg1m} on ${machine.cpuCount} CPUs): every number below will be low and noisy`,
  );
console.log(
  `tools: ${[
    tools.kcat?.version ?? 'kcat: missing',
    tools.python?.version ?? 'python confluent-kafka: missing',
    tools.natsServer?.version ?? 'nats-server: missing',
    tools.redisServer?.version ?? 'redis-server: missing',
    tools.natsClient ? `nats.js ${tools.natsClient}` : 'nats npm: missing',
    tools.ioredis ? `ioredis ${tools.ioredis}` : 'ioredis: missing',
  ].join('; ')}`,
);

// Which Kafka APIs does the broker serve? (scenarios skip until what they need has landed)
let brokerApis = new Map<number, [number, number]>();
try {
  const b = await startBrokerProcess(root, tmp, brokerOpts());
  try {
    brokerApis = await probeApiVersions('127.0.0.1', b.port);
  } finally {
    await b.stop();
  }
  console.log(`broker: tributary start (child process) serves API keys ${[...brokerApis.keys()].sort((x, y) => x - y).join(',')}`);
} catch (err) {
  console.log(`broker: could not start (${(err as Error).message.split('\n')[0]}); broker scenarios are skipped`);
}
if (previous) console.log(`comparing with the previous ${args.quick ? 'quick ' : ''}run of ${previous.startedAt} (vs prev column)`);

const rows: Row[] = [];
const matches = (group: ScenarioGroup, name: string) =>
  args.only.length === 0 || args.only.some((s) => `${group.id}/${name}`.toLowerCase().includes(s.toLowerCase()));

for (const group of GROUPS) {
  const notes: string[] = [];
  const ctx: RunContext = {
    quick: args.quick,
    root,
    tmp,
    tools,
    brokerApis,
    rows,
    startBroker: (o) => startBrokerProcess(root, tmp, brokerOpts(o)),
    note: (m) => notes.push(m),
  };
  const scenarios = group.scenarios(ctx).filter((s) => matches(group, s.name));
  if (scenarios.length === 0) continue;
  const groupRows: Row[] = [];
  console.log(`\n== ${group.title} ==`);
  for (const line of group.setup(ctx)) console.log(`   ${line}`);
  for (const s of scenarios) {
    const why = s.skip?.(ctx);
    if (why) {
      notes.push(`skipped ${s.name}: ${why}`);
      continue;
    }
    const ts = performance.now();
    currentScenario = s.name;
    try {
      const got = await s.run(ctx);
      for (const r of got) {
        const bad = badNumbers(r);
        if (bad.length) problems.push(`${r.scenario} (${r.system}): ${bad.join(', ')}`);
      }
      if (got.length === 0) problems.push(`${s.name}: produced no rows`);
      groupRows.push(...got);
      rows.push(...got);
    } catch (err) {
      const msg = (err as Error).message.split('\n').slice(0, 3).join(' | ');
      notes.push(`FAILED ${s.name}: ${msg}`);
      problems.push(`${s.name}: failed: ${msg}`);
    } finally {
      await stopAllBrokers();
    }
    if (args.profile) notes.push(...profileNotes(s.name));
    if (process.env.BENCH_VERBOSE) console.log(`   (${s.name}: ${((performance.now() - ts) / 1000).toFixed(1)} s)`);
  }
  if (groupRows.length) {
    const extra: Column[] = [...(group.columns?.(rows) ?? [])];
    if (previous) extra.push({ title: 'vs prev', value: (r) => ratio(ratioToPrevious(r, prevByKey.get(rowKey(r)))), right: true });
    console.log(formatTable(groupRows, extra).replace(/^/gm, '   '));
  }
  for (const n of notes) console.log(`   note: ${n}`);
}

/** Non-null numbers must be finite, and throughputs/latencies/memory positive. */
function badNumbers(r: Row): string[] {
  const bad: string[] = [];
  for (const k of ['records', 'recordsPerSec', 'mbPerSec', 'p50Ms', 'p99Ms', 'p999Ms', 'maxMs', 'brokerRssMb'] as const) {
    const v = r[k];
    if (v != null && !(Number.isFinite(v) && v > 0)) bad.push(`${k}=${v}`);
  }
  if (r.brokerCpuPct != null && !Number.isFinite(r.brokerCpuPct)) bad.push(`brokerCpuPct=${r.brokerCpuPct}`);
  return bad;
}

console.log('\n== Goals (benchmarks issue, this 2-core machine, load generator included) ==');
const goals = checkGoals(rows);
for (const g of goals) console.log(`   ${g}`);
if (!args.profile && goals.some((g) => g.includes('MISSED'))) {
  console.log('   where the time goes: npm run bench -- --profile --only "<scenario>" (broker CPU profiles, top functions printed)');
}

await cleanup();
if (args.save && rows.length) {
  const path = await saveResults(resultsDir, { machine, startedAt, rows }, args.quick);
  console.log(`\nwrote ${relative(root, path)} and bench/results/${args.quick ? 'latest-quick' : 'latest'}.json (${rows.length} rows)`);
}
console.log(`finished in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
if (problems.length) {
  console.log(`\n${problems.length} problem(s):\n${problems.map((p) => `   ${p}`).join('\n')}`);
  process.exitCode = 1;
}
