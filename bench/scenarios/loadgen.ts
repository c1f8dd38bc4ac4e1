// "loadgen" group: how fast the C load generators go with no broker in the way — kcat -P versus a
// confluent-kafka Python loop, both into librdkafka's in-process mock cluster
// (test.mock.num.brokers=1). The faster, cheaper one drives the broker scenarios (kcat: measured
// 2026-11-24 at ~1.2M records/s vs ~0.7M with per-record delivery callbacks in Python).
import { kcatProduce, KCAT_PRODUCE_PROPS } from '../lib/kcat.ts';
import { recordsFile } from '../lib/records.ts';
import { execTimed } from '../lib/exec.ts';
import { join } from 'node:path';
import { row, type Row, type RunContext, type ScenarioGroup } from '../lib/types.ts';

const count = (ctx: RunContext, size: number) => (size === 100 ? (ctx.quick ? 200_000 : 1_000_000) : ctx.quick ? 50_000 : 300_000);

export const loadgenGroup: ScenarioGroup = {
  id: 'loadgen',
  title: "loadgen: load generators alone, into librdkafka's in-process mock broker (no Tributary)",
  setup: (ctx) => [
    `kcat: ${ctx.tools.kcat?.version ?? 'missing'}; python: ${ctx.tools.python?.version ?? 'missing'}`,
    `producer settings: acks=1, compression none, ${Object.entries(KCAT_PRODUCE_PROPS)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
    'wall time from process spawn to exit (includes startup); the mock broker runs inside the generator process',
  ],
  scenarios: (ctx) =>
    [100, 1024].flatMap((size) => [
      {
        name: `loadgen kcat ${size}B`,
        skip: () => (ctx.tools.kcat ? null : 'kcat not installed'),
        async run(): Promise<Row[]> {
          const n = count(ctx, size);
          const file = await recordsFile(ctx.tmp, size, n);
          const seconds = await kcatProduce(ctx.tools.kcat!.path, {
            bootstrap: '127.0.0.1:1',
            topic: 'bench',
            file,
            acks: '1',
            compression: 'none',
            extra: { 'test.mock.num.brokers': '1', log_level: '3' },
            timeoutMs: 120_000,
          });
          return [
            row({
              scenario: `loadgen ${size}B`,
              system: 'librdkafka-mock',
              client: 'kcat -P',
              recordBytes: size,
              partitions: 1,
              acks: '1',
              compression: 'none',
              records: n,
              recordsPerSec: n / seconds,
              mbPerSec: (n * size) / seconds / 1e6,
            }),
          ];
        },
      },
      {
        name: `loadgen python ${size}B`,
        skip: () => (ctx.tools.python ? null : 'python3 with confluent-kafka not installed'),
        async run(): Promise<Row[]> {
          const n = count(ctx, size);
          const file = await recordsFile(ctx.tmp, size, n);
          const r = await execTimed(
            ctx.tools.python!.path,
            [
              join(ctx.root, 'bench/drivers/kafka_produce.py'),
              '--mock',
              '--topic',
              'bench',
              '--file',
              file,
              '--count',
              String(n),
              '-X',
              'log_level=3',
            ],
            { timeoutMs: 120_000 },
          );
          const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
            delivered?: number;
            seconds?: number;
            firstError?: string;
          };
          if (out.delivered !== n) throw new Error(`delivered ${out.delivered} of ${n}: ${out.firstError ?? r.stderr.slice(-300)}`);
          return [
            row({
              scenario: `loadgen ${size}B`,
              system: 'librdkafka-mock',
              client: 'confluent-kafka (python)',
              recordBytes: size,
              partitions: 1,
              acks: '1',
              compression: 'none',
              records: n,
              recordsPerSec: n / r.seconds,
              mbPerSec: (n * size) / r.seconds / 1e6,
            }),
          ];
        },
      },
    ]),
};
