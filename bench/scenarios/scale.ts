// "scale" group: many partitions and many connections.
//   scale N partitions: one topic of N partitions (1,000 and 10,000), 100 B records produced by
//     kcat with a random partition per record (sticky.partitioning.linger.ms=0) so every partition
//     gets data; rec/s of that produce, and the broker's peak RSS over the whole scenario (topic
//     creation included). Goal: 10,000 partitions in under 1 GiB.
//   scale 1000 idle connections: 1,000 TCP connections that each did one ApiVersions round trip,
//     then stay idle; the broker's RSS with them open (the note gives the growth per connection).
import { recordsFile } from '../lib/records.ts';

import { openIdleConnections } from '../lib/kafka-raw.ts';
import { memoryMb } from '../lib/proc-stats.ts';
import { brokerSkip, createTopics, KCAT_PRODUCE_APIS, timedProduce } from '../lib/tributary.ts';
import { Api, row, type Row, type RunContext, type Scenario, type ScenarioGroup } from '../lib/types.ts';

const scaleCount = (ctx: RunContext) => (ctx.quick ? 50_000 : 200_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function partitionsScenario(ctx: RunContext, partitions: number): Scenario {
  return {
    name: `scale ${partitions} partitions`,
    skip: () => brokerSkip(ctx, KCAT_PRODUCE_APIS, { kcat: true }),
    async run(): Promise<Row[]> {
      const n = scaleCount(ctx);
      const file = await recordsFile(ctx.tmp, 100, n);
      const broker = await ctx.startBroker({ settings: { 'num.partitions': partitions } });
      const whole = broker.sampler().start();
      const t0 = performance.now();
      await createTopics(ctx, broker, [{ name: 'wide', partitions }]);
      const createSeconds = (performance.now() - t0) / 1000;
      const m = await timedProduce(ctx, broker, {
        topic: 'wide',
        file,
        acks: '1',
        compression: 'none',
        extra: { 'sticky.partitioning.linger.ms': '0', partitioner: 'random', 'topic.metadata.refresh.interval.ms': '300000' },
      });
      await sleep(500);
      const w = whole.stop();
      ctx.note(
        `${partitions} partitions: topic creation ${createSeconds.toFixed(1)} s, RSS ${w.endRssMb.toFixed(0)} MiB after the produce (peak ${w.peakRssMb.toFixed(0)} MiB)`,
      );
      return [
        row({
          scenario: `scale ${partitions} partitions`,
          system: 'tributary',
          client: 'kcat -P (random partition per record)',
          recordBytes: 100,
          partitions,
          acks: '1',
          compression: 'none',
          records: n,
          recordsPerSec: n / m.value,
          mbPerSec: (n * 100) / m.value / 1e6,
          brokerCpuPct: m.window.cpuPct,
          brokerRssMb: Math.max(w.peakRssMb, m.window.peakRssMb),
        }),
      ];
    },
  };
}

const idleScenario = (ctx: RunContext, count: number): Scenario => ({
  name: `scale ${count} idle connections`,
  skip: () => brokerSkip(ctx, [Api.ApiVersions]),
  async run(): Promise<Row[]> {
    const broker = await ctx.startBroker();
    await sleep(1000);
    const before = memoryMb(broker.pid)!.rssMb;
    const s = broker.sampler().start();
    const socks = await openIdleConnections('127.0.0.1', broker.port, count);
    try {
      await sleep(1000);
      const w = s.stop();
      const perConn = ((w.endRssMb - before) * 1024) / count;
      ctx.note(
        `${count} idle connections: RSS ${before.toFixed(0)} MiB before, ${w.endRssMb.toFixed(0)} MiB with them open (${perConn.toFixed(1)} KiB per connection)`,
      );
      return [
        row({
          scenario: `scale ${count} idle connections`,
          system: 'tributary',
          client: 'raw TCP, one ApiVersions each',
          brokerCpuPct: w.cpuPct,
          brokerRssMb: w.endRssMb,
        }),
      ];
    } finally {
      for (const sock of socks) sock.destroy();
    }
  },
});

export const scaleGroup: ScenarioGroup = {
  id: 'scale',
  title: 'scale: partitions and connections (Tributary)',
  setup: (ctx) => [
    'broker: `tributary start` child process, fresh per scenario, defaults + num.partitions=<parts>',
    `partitions: one topic, ${scaleCount(ctx).toLocaleString('en-US')} x 100 B records, kcat -P -X partitioner=random -X sticky.partitioning.linger.ms=0, acks=1; broker RSS = peak over topic creation + produce`,
    'idle connections: opened 50 at a time from the harness process, each does one ApiVersions v0 round trip, then idles 1 s; RSS with all open',
  ],
  scenarios: (ctx) => [
    ...(ctx.quick ? [200] : [1000, 10_000]).map((p) => partitionsScenario(ctx, p)),
    idleScenario(ctx, ctx.quick ? 200 : 1000),
  ],
};
