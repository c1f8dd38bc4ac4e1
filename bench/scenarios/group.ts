// "group" group: (1) a consumer group of 50 members (librdkafka consumers, one process) on a topic
// of 100 partitions: time from the first subscribe until every member owns partitions and all 100
// are owned, held for 2 s. (2) Rebalance latency (drivers/kafka_rebalance.py), once per assignor
// (cooperative-sticky, range = eager): 4 consumer processes on a 12-partition topic under a steady
// produce load; the time from a member joining (subscribe), leaving (close()) or dying (SIGKILL)
// until every partition delivers a record produced after that moment. Kills are split into
// kill -> eviction (session timeout, seen by polling DescribeGroups) and eviction -> consuming.
// --quick runs only (1), smaller. Needs the group coordinator: skipped until the broker advertises
// FindCoordinator, JoinGroup, SyncGroup and Heartbeat in ApiVersions.
// The broker runs with group.initial.rebalance.delay.ms=0 (Kafka's default 3 s delay would
// dominate the figure) and, for the rebalance scenarios, group.min.session.timeout.ms=1000; the
// setup lines say so.
import { join } from 'node:path';
import { execTimed } from '../lib/exec.ts';
import { brokerSkip, createTopics, sampled } from '../lib/tributary.ts';
import { latencySummary } from '../lib/stats.ts';
import { Api, row, type Row, type RunContext, type Scenario, type ScenarioGroup } from '../lib/types.ts';

const MEMBERS = 50;
const PARTITIONS = 100;
/** --quick: a 10-member group on 20 partitions (smoke only). */
const members = (ctx: { quick: boolean }) => (ctx.quick ? 10 : MEMBERS);
const partitions = (ctx: { quick: boolean }) => (ctx.quick ? 20 : PARTITIONS);

/** Rebalance latency: group size, topic, load and client settings (printed in the setup). */
const RB = { members: 4, partitions: 12, intervalMs: 10, sessionTimeoutMs: 6000, heartbeatMs: 1000 };
const ASSIGNORS = [
  { assignor: 'cooperative-sticky', label: 'coop-sticky' },
  { assignor: 'range', label: 'range/eager' },
];
/** Repetitions: joins (each followed by that member's close) and kills; --quick: one join, no close, no kill. */
const joins = (ctx: { quick: boolean }) => (ctx.quick ? 1 : 2);
const kills = (ctx: { quick: boolean }) => (ctx.quick ? 0 : 1);

export const groupGroup: ScenarioGroup = {
  id: 'group',
  title: 'consumer group: time to a stable group of 50 members, rebalance latency (Tributary)',
  setup: (ctx) => [
    `broker: \`tributary start --override group.initial.rebalance.delay.ms=0 --override num.partitions=${partitions(ctx)}\``,
    `${members(ctx)} consumers (${ctx.tools.python?.version ?? 'python confluent-kafka missing'}, one process, range assignor) subscribe to one topic of ${partitions(ctx)} partitions; p50 column = seconds to stable, in ms`,
    `rebalance: broker \`--override group.initial.rebalance.delay.ms=0 --override group.min.session.timeout.ms=1000\`; ${RB.members} consumer processes (same client, python3 subprocesses)`,
    `  in one group on a topic of ${RB.partitions} partitions, session.timeout.ms=${RB.sessionTimeoutMs}, heartbeat.interval.ms=${RB.heartbeatMs}, auto commit (5 s), one group per assignor (fresh broker each);`,
    `  steady load: one record to every partition every ${RB.intervalMs} ms (${Math.round((RB.partitions * 1000) / RB.intervalMs)} rec/s, acks=1, linger 5 ms; value = produce time)`,
    `  figure = ms from the event T until the live members' assignment is complete and balanced AND every partition has delivered, to its new owner, a record produced`,
    `  after T: "joins" T = the new member's subscribe() (${RB.members}->${RB.members + 1}; cooperative needs 2 rebalances), "leaves" T = that member's close() (${RB.members + 1}->${RB.members}),`,
    `  "killed" T = SIGKILL of a member (${RB.members}->${RB.members - 1}), which includes the ${RB.sessionTimeoutMs} ms session timeout (counted from the last heartbeat, so 5-6 s after the kill), split into`,
    `  "kill->eviction" (DescribeGroups polled every 25 ms shows fewer members) and "eviction->consuming" (survivors learn of the rebalance at their next heartbeat);`,
    ctx.quick
      ? '  --quick: joins only, one each (p50 = p99 = that one)'
      : `  p50 = median, p99 = worst of ${joins(ctx)} join/leave and ${kills(ctx)} kill repetition(s)`,
  ],
  // --quick leaves the rebalance scenarios out (the quick run has a one-minute budget).
  scenarios: (ctx) => [...groupStable(ctx), ...(ctx.quick ? [] : ASSIGNORS).map((x) => rebalance(ctx, x.assignor, x.label))],
};

function rebalance(ctx: RunContext, assignor: string, label: string): Scenario {
  const name = `rebalance ${label}`;
  return {
    name,
    skip: () =>
      brokerSkip(
        ctx,
        [Api.FindCoordinator, Api.JoinGroup, Api.SyncGroup, Api.Heartbeat, Api.LeaveGroup, Api.Metadata, Api.Fetch, Api.Produce],
        { python: true },
      ),
    async run(): Promise<Row[]> {
      const broker = await ctx.startBroker({
        settings: { 'num.partitions': RB.partitions, 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 1000 },
      });
      await createTopics(ctx, broker, [{ name: 'rebalanced', partitions: RB.partitions }]);
      const m = await sampled(broker, () =>
        execTimed(
          ctx.tools.python!.path,
          [
            join(ctx.root, 'bench/drivers/kafka_rebalance.py'),
            '--bootstrap',
            broker.bootstrap,
            '--topic',
            'rebalanced',
            '--group',
            `bench-${assignor}`,
            '--assignor',
            assignor,
            '--partitions',
            String(RB.partitions),
            '--members',
            String(RB.members),
            '--joins',
            String(joins(ctx)),
            '--kills',
            String(kills(ctx)),
            ...(ctx.quick ? ['--no-close'] : []),
            '--interval-ms',
            String(RB.intervalMs),
            '--session-timeout-ms',
            String(RB.sessionTimeoutMs),
            '--heartbeat-interval-ms',
            String(RB.heartbeatMs),
          ],
          { timeoutMs: 150_000 },
        ),
      );
      const out = JSON.parse(m.value.stdout.trim().split('\n').pop() || '{}') as Record<string, number[] | string | undefined>;
      if (typeof out.error === 'string') throw new Error(`${out.error}: ${m.value.stderr.slice(-300)}`);
      const series: [string, string][] = [
        ['join', `member joins (${RB.members}->${RB.members + 1})`],
        ['close', `member leaves, close() (${RB.members + 1}->${RB.members})`],
        ['kill', 'member killed: kill->consuming'],
        ['killToEviction', 'member killed: kill->eviction'],
        ['evictionToConsuming', 'member killed: eviction->consuming'],
      ];
      const rows: Row[] = [];
      for (const [key, what] of series) {
        if (key !== 'join' && ctx.quick) continue;
        const v = out[key];
        if (!Array.isArray(v) || v.length === 0)
          throw new Error(`no ${key} measurement: ${m.value.stdout.slice(-300)} ${m.value.stderr.slice(-300)}`);
        const s = latencySummary(v);
        rows.push(
          row({
            scenario: `${name}: ${what}`,
            system: 'tributary',
            client: 'confluent-kafka (python)',
            partitions: RB.partitions,
            p50Ms: s.p50Ms,
            p99Ms: s.p99Ms,
            brokerCpuPct: m.window.cpuPct,
            brokerRssMb: m.window.peakRssMb,
          }),
        );
      }
      return rows;
    },
  };
}

function groupStable(ctx: RunContext): Scenario[] {
  return [
    {
      name: `group ${members(ctx)} members time-to-stable`,
      skip: () => brokerSkip(ctx, [Api.FindCoordinator, Api.JoinGroup, Api.SyncGroup, Api.Heartbeat, Api.Metadata], { python: true }),
      async run(): Promise<Row[]> {
        const broker = await ctx.startBroker({ settings: { 'num.partitions': partitions(ctx), 'group.initial.rebalance.delay.ms': 0 } });
        await createTopics(ctx, broker, [{ name: 'grouped', partitions: partitions(ctx) }]);
        const m = await sampled(broker, () =>
          execTimed(
            ctx.tools.python!.path,
            [
              join(ctx.root, 'bench/drivers/kafka_group.py'),
              '--bootstrap',
              broker.bootstrap,
              '--topic',
              'grouped',
              '--members',
              String(members(ctx)),
              '--partitions',
              String(partitions(ctx)),
            ],
            { timeoutMs: 200_000 },
          ),
        );
        const out = JSON.parse(m.value.stdout.trim().split('\n').pop() || '{}') as {
          seconds?: number | null;
          rebalances?: number;
          assigned?: number;
        };
        if (out.seconds == null)
          throw new Error(
            `group never became stable (${out.assigned ?? '?'} of ${partitions(ctx)} partitions assigned): ${m.value.stderr.slice(-300)}`,
          );
        ctx.note(`${members(ctx)} members stable after ${out.seconds.toFixed(2)} s, ${out.rebalances} assignment callbacks`);
        return [
          row({
            scenario: `group ${members(ctx)} members time-to-stable`,
            system: 'tributary',
            client: 'confluent-kafka (python)',
            partitions: partitions(ctx),
            p50Ms: out.seconds * 1000,
            brokerCpuPct: m.window.cpuPct,
            brokerRssMb: m.window.peakRssMb,
          }),
        ];
      },
    },
  ];
}
