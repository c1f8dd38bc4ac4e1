// "group" group: a consumer group of 50 members (librdkafka consumers, one process) on a topic of
// 100 partitions: time from the first subscribe until every member owns partitions and all 100 are
// owned, held for 2 s. Needs the group coordinator: skipped until the broker advertises
// FindCoordinator, JoinGroup, SyncGroup and Heartbeat in ApiVersions.
// The broker runs with group.initial.rebalance.delay.ms=0 (Kafka's default 3 s delay would
// dominate the figure); the setup line says so.
import { join } from 'node:path';
import { execTimed } from '../lib/exec.ts';
import { brokerSkip, createTopics, sampled } from '../lib/tributary.ts';
import { Api, row, type Row, type ScenarioGroup } from '../lib/types.ts';

const MEMBERS = 50;
const PARTITIONS = 100;
/** --quick: a 10-member group on 20 partitions (smoke only). */
const members = (ctx: { quick: boolean }) => (ctx.quick ? 10 : MEMBERS);
const partitions = (ctx: { quick: boolean }) => (ctx.quick ? 20 : PARTITIONS);

export const groupGroup: ScenarioGroup = {
  id: 'group',
  title: 'consumer group: time to a stable group of 50 members (Tributary)',
  setup: (ctx) => [
    `broker: \`tributary start --override group.initial.rebalance.delay.ms=0 --override num.partitions=${partitions(ctx)}\``,
    `${members(ctx)} consumers (${ctx.tools.python?.version ?? 'python confluent-kafka missing'}, one process, range assignor) subscribe to one topic of ${partitions(ctx)} partitions; p50 column = seconds to stable, in ms`,
  ],
  scenarios: (ctx) => [{
    name: `group ${members(ctx)} members time-to-stable`,
    skip: () => brokerSkip(ctx, [Api.FindCoordinator, Api.JoinGroup, Api.SyncGroup, Api.Heartbeat, Api.Metadata], { python: true }),
    async run(): Promise<Row[]> {
      const broker = await ctx.startBroker({ settings: { 'num.partitions': partitions(ctx), 'group.initial.rebalance.delay.ms': 0 } });
      await createTopics(ctx, broker, [{ name: 'grouped', partitions: partitions(ctx) }]);
      const m = await sampled(broker, () => execTimed(ctx.tools.python!.path, [join(ctx.root, 'bench/drivers/kafka_group.py'),
        '--bootstrap', broker.bootstrap, '--topic', 'grouped', '--members', String(members(ctx)), '--partitions', String(partitions(ctx))], { timeoutMs: 200_000 }));
      const out = JSON.parse(m.value.stdout.trim().split('\n').pop() || '{}') as { seconds?: number | null; rebalances?: number; assigned?: number };
      if (out.seconds == null) throw new Error(`group never became stable (${out.assigned ?? '?'} of ${partitions(ctx)} partitions assigned): ${m.value.stderr.slice(-300)}`);
      ctx.note(`${members(ctx)} members stable after ${out.seconds.toFixed(2)} s, ${out.rebalances} assignment callbacks`);
      return [row({ scenario: `group ${members(ctx)} members time-to-stable`, system: 'tributary', client: 'confluent-kafka (python)', partitions: partitions(ctx), p50Ms: out.seconds * 1000, brokerCpuPct: m.window.cpuPct, brokerRssMb: m.window.peakRssMb })];
    },
  }],
};
