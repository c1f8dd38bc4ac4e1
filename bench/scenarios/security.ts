// "security" group: what TLS and SASL cost. ONE `tributary start` child process with three listeners,
// PLAINTEXT, SSL and SASL_SSL (a test CA and a server certificate for 127.0.0.1 made with the openssl
// CLI; one-way TLS, TLS 1.3 as Node negotiates it; SASL_SSL logs in once per connection with
// SCRAM-SHA-512), and @tributary/client producing, then consuming, 1 KiB records on
// a 1-partition topic through each listener in turn, round after round (order alternating, a fresh
// topic each); each row is its best round (notes list every round). Producer: defaults
// (idempotent, acks=all), send() of 100 messages with 8 sends in flight. Consumer: assign() and
// read the topic from the start. The goal (issue 22): TLS and SASL_SSL at least 60% of plaintext,
// produce and consume.
import { readFileSync } from 'node:fs';
import { createTestPki } from '../../packages/broker/test/helpers/test-certs.ts';
import { freePort } from '../lib/broker-process.ts';
import { recordValues, sizeLabel } from '../lib/shapes.ts';
import { brokerSkip, sampled } from '../lib/tributary.ts';
import type { Column } from '../lib/table.ts';
import { ratio } from '../lib/table.ts';
import { Api, row, type Row, type RunContext, type Scenario, type ScenarioGroup } from '../lib/types.ts';

const SIZE = 1024;
const PER_SEND = 100;
const IN_FLIGHT = 8;
const ROUNDS = 3;
const LISTENERS = ['PLAINTEXT', 'SSL', 'SASL_SSL'] as const;
const SCRAM = { mechanism: 'SCRAM-SHA-512', username: 'bench', password: 'bench-scram-pw' } as const;
type Listener = (typeof LISTENERS)[number];
type Op = 'produce' | 'consume';

export const securityScenario = (op: Op, listener: Listener) => `security ${op} ${sizeLabel(SIZE)} p1 ${listener}`;

async function security(ctx: RunContext): Promise<Row[]> {
  const { Kafka } = await import('@tributary/client');
  const n = ctx.quick ? 20_000 : 200_000;
  const values = recordValues(SIZE);
  const pki = createTestPki();
  const sslPort = await freePort();
  const saslPort = await freePort();
  const broker = await ctx.startBroker({
    settings: {
      'num.partitions': 1,
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL',
      'ssl.keystore.location': pki.server.keystore,
      'sasl.enabled.mechanisms': SCRAM.mechanism,
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    },
    extraListeners: `SSL://127.0.0.1:${sslPort},SASL_SSL://127.0.0.1:${saslPort}`,
  });
  const ca = readFileSync(pki.ca.cert);
  const clients: Record<Listener, InstanceType<typeof Kafka>> = {
    PLAINTEXT: new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'bench-security' }),
    SSL: new Kafka({ bootstrapServers: `127.0.0.1:${sslPort}`, clientId: 'bench-security', tls: { ca } }),
    SASL_SSL: new Kafka({ bootstrapServers: `127.0.0.1:${saslPort}`, clientId: 'bench-security', tls: { ca }, sasl: SCRAM }),
  };
  const admin = clients.PLAINTEXT.admin();
  await admin.alterUserScramCredentials([{ type: 'upsert', user: SCRAM.username, mechanism: SCRAM.mechanism, password: SCRAM.password }]);
  const results = new Map<string, Array<{ seconds: number; window: { cpuPct: number; peakRssMb: number } }>>();
  const produce = async (listener: Listener, topic: string, count: number) => {
    const producer = clients[listener].producer();
    const t0 = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const from = next;
        next += PER_SEND;
        const messages = [];
        for (let i = from; i < Math.min(count, from + PER_SEND); i++) messages.push({ value: values[i % values.length]!, partition: 0 });
        await producer.send({ topic, messages });
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const seconds = (performance.now() - t0) / 1000;
    await producer.close();
    return seconds;
  };
  const consume = async (listener: Listener, topic: string, count: number) => {
    const consumer = clients[listener].consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([{ topic, partition: 0 }]);
    const t0 = performance.now();
    let got = 0;
    for await (const _ of consumer) if (++got === count) break;
    const seconds = (performance.now() - t0) / 1000;
    await consumer.close();
    return seconds;
  };
  try {
    for (const l of LISTENERS) {
      await admin.createTopics([{ name: `warmup-${l}`, partitions: 1 }]);
      await produce(l, `warmup-${l}`, n / 5);
      await consume(l, `warmup-${l}`, n / 5);
    }
    for (let round = 1; round <= ROUNDS; round++) {
      for (const l of round % 2 ? LISTENERS : [...LISTENERS].reverse()) {
        const topic = `security-${l}-${round}`;
        await admin.createTopics([{ name: topic, partitions: 1 }]);
        for (const [op, fn] of [
          ['produce', produce],
          ['consume', consume],
        ] as const) {
          const m = await sampled(broker, () => fn(l, topic, n));
          const key = securityScenario(op, l);
          if (!results.has(key)) results.set(key, []);
          results.get(key)!.push({ seconds: m.value, window: m.window });
        }
      }
    }
  } finally {
    await Promise.all(Object.values(clients).map((k) => k.close()));
    pki.cleanup();
  }
  const out: Row[] = [];
  for (const op of ['produce', 'consume'] as const)
    for (const l of LISTENERS) {
      const key = securityScenario(op, l);
      const rs = results.get(key)!;
      const best = rs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
      ctx.note(`${key}: ${rs.map((r) => Math.round(n / r.seconds).toLocaleString('en-US')).join(', ')} records/s by round`);
      out.push(
        row({
          scenario: key,
          system: 'tributary',
          client: `@tributary/client ${op === 'produce' ? `${PER_SEND}/send x${IN_FLIGHT}` : 'assign()'}`,
          recordBytes: SIZE,
          partitions: 1,
          acks: op === 'produce' ? 'all' : null,
          compression: 'none',
          records: n,
          recordsPerSec: n / best.seconds,
          mbPerSec: (n * SIZE) / best.seconds / 1e6,
          brokerCpuPct: best.window.cpuPct,
          brokerRssMb: best.window.peakRssMb,
        }),
      );
    }
  return out;
}

export const securityGroup: ScenarioGroup = {
  id: 'security',
  title: '@tributary/client over TLS (SSL listener) and SASL_SSL (SCRAM-SHA-512) vs plaintext, same broker',
  setup: () => [
    `broker: one \`tributary start\` child process with PLAINTEXT, SSL and SASL_SSL listeners (openssl-made CA and RSA 2048 server certificate, one-way TLS, Node's TLS 1.3 defaults; SCRAM-SHA-512 login on SASL_SSL); ${ROUNDS} rounds, the listeners taking turns (order alternating, a fresh 1-partition topic each); rows show each one's best round, notes every round`,
    `producer: @tributary/client defaults (idempotent, acks=all), ${sizeLabel(SIZE)} values, no compression, send() of ${PER_SEND} messages, ${IN_FLIGHT} in flight; consumer: assign() and read the topic from offset 0; a warm-up of n/5 records each first`,
  ],
  scenarios: (ctx): Scenario[] => [
    {
      name: 'security 1KiB',
      skip: () => brokerSkip(ctx, [Api.Produce, Api.Fetch, Api.Metadata, Api.CreateTopics]),
      run: () => security(ctx),
    },
  ],
  columns: (rows: readonly Row[]): Column[] => [
    {
      title: 'vs plaintext',
      right: true,
      value: (r: Row) => {
        const op = r.scenario.startsWith('security produce') ? 'produce' : 'consume';
        if (r.scenario !== securityScenario(op, 'SSL') && r.scenario !== securityScenario(op, 'SASL_SSL')) return null;
        const base = rows.find((x) => x.scenario === securityScenario(op, 'PLAINTEXT'));
        return base?.recordsPerSec && r.recordsPerSec ? ratio(r.recordsPerSec / base.recordsPerSec) : null;
      },
    },
  ],
};
