// The CLI's everyday commands against kafka-*.sh and rpk, as child processes against an
// in-process testkit broker reached through TRIBUTARY_BROKERS: --version, the fail-fast hint when
// no broker answers, topics alter --partitions and offsets, configs describe with sources, groups
// describe --state/--members/--all-groups, consume --offset +N/-N/@time, Kafka's --property and
// --producer-property/--consumer-property, binary-safe output, --output json, perf produce/consume;
// and each bad input refused with exit 1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { Kafka } from '@tributary/client';
import { runCliBytes } from './cli-process.ts';

let broker: TestBroker;
let kafka: Kafka;

function cli(args: string[], stdin?: string | Buffer, env: Record<string, string> = { TRIBUTARY_BROKERS: broker.bootstrap }) {
  return runCliBytes(args, { stdin, env });
}

async function ok(args: string[], stdin?: string | Buffer): Promise<string> {
  const r = await cli(args, stdin);
  assert.equal(r.code, 0, `tributary ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.toString('utf8');
}

async function refused(args: string[], message: RegExp): Promise<void> {
  const r = await cli(args);
  assert.equal(r.code, 1, `tributary ${args.join(' ')} should fail; stdout: ${r.stdout}`);
  assert.match(r.stderr, message);
}

before(async () => {
  broker = await startBroker({ settings: { 'num.partitions': 1, 'group.initial.rebalance.delay.ms': 0 } });
  kafka = new Kafka({ bootstrapServers: broker.bootstrap });
});

after(async () => {
  await kafka.close();
  await broker.stop();
});

describe('tributary --version and the fail-fast hint', () => {
  it('prints the package version', async () => {
    const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    const r = await cli(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.toString(), `tributary ${version}\n`);
  });

  it('fails within the probe window with a hint when no broker listens, for the default address and a named one', async () => {
    const dead = await closedPort();
    // a minute of api timeout: the answer names the 3 s probe window, not a retry deadline
    const r = await cli(['topics', 'list', '--api-timeout-ms', '60000'], undefined, { TRIBUTARY_BROKERS: `127.0.0.1:${dead}` });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `tributary topics: no broker answered at 127.0.0.1:${dead} within 3 s; is one running there? (check --bootstrap-server / TRIBUTARY_BROKERS)\n`,
    );
    // the default address names the command that starts a broker (nothing listens on 9092 in the test: checked first)
    if (await listens(9092)) return;
    const d = await cli(['consume', 'x', '--api-timeout-ms', '1000'], undefined, {});
    assert.equal(d.code, 1);
    assert.match(d.stderr, /no broker answered at 127\.0\.0\.1:9092 within 1 s; is one running\? start one with `tributary start`/);
  });
});

describe('tributary topics alter and offsets', () => {
  it('adds partitions, refuses fewer, and prints earliest/latest offsets per partition in text and JSON', async () => {
    await ok(['topics', 'create', 'grow', '--partitions', '2']);
    assert.equal(await ok(['topics', 'alter', 'grow', '--partitions', '3']), 'Increased the partition count of topic grow from 2 to 3.\n');
    const [d] = await kafka.admin().describeTopics(['grow']);
    assert.equal(d!.partitions.length, 3);
    await refused(
      ['topics', 'alter', 'grow', '--partitions', '3'],
      /has 3 partitions; the number of partitions for a topic can only be increased/,
    );
    await refused(['topics', 'alter', 'grow'], /topics alter needs --partitions N/);
    await refused(['topics', 'alter', 'grow', '--partitions', 'x'], /--partitions must be an integer, got "x"/);

    await ok(['produce', 'grow', '--partition', '1'], 'a\nb\nc\n');
    await kafka.admin().deleteRecords('grow', [{ partition: 1, offset: 1n }]);
    assert.equal(
      await ok(['topics', 'offsets', 'grow']),
      'TOPIC  PARTITION  EARLIEST-OFFSET  LATEST-OFFSET  RECORDS\n' +
        'grow   0          0                0              0\n' +
        'grow   1          1                3              2\n' +
        'grow   2          0                0              0\n',
    );
    assert.deepEqual(JSON.parse(await ok(['topics', 'offsets', '--topic', 'grow', '--output', 'json'])), [
      { topic: 'grow', partition: 0, earliest: 0, latest: 0, records: 0 },
      { topic: 'grow', partition: 1, earliest: 1, latest: 3, records: 2 },
      { topic: 'grow', partition: 2, earliest: 0, latest: 0, records: 0 },
    ]);
    await refused(['topics', 'offsets', 'grow', '--output', 'yaml'], /--output must be text or json, got "yaml"/);
  });

  it('lists and describes topics as JSON', async () => {
    await ok(['topics', 'create', 'jsoned', '--partitions', '2', '--config', 'retention.ms=60000']);
    const list = JSON.parse(await ok(['topics', 'list', '--output', 'json'])) as string[];
    assert.ok(list.includes('jsoned'));
    const [t] = JSON.parse(await ok(['topics', 'describe', 'jsoned', '--output', 'json'])) as Array<Record<string, unknown>>;
    assert.equal(t!.name, 'jsoned');
    assert.equal(t!.partitionCount, 2);
    assert.equal(t!.replicationFactor, 1);
    assert.equal((t!.configs as Record<string, string>)['retention.ms'], '60000');
    assert.deepEqual(t!.partitions, [
      { partition: 0, leader: 1, replicas: [1], isr: [1] },
      { partition: 1, leader: 1, replicas: [1], isr: [1] },
    ]);
  });
});

describe('--output json on the other lists and describes', () => {
  it('cluster info, metadata-quorum, transactions, producers, quotas and users print one JSON document', async () => {
    await ok(['topics', 'create', 'jsonall']);
    const c = JSON.parse(await ok(['cluster', 'info', '--output', 'json'])) as {
      cluster: { clusterId: string; brokers: Array<{ nodeId: number; port: number }> };
      topics: Array<{ name: string }>;
      quorum: { leaderId: number } | null;
    };
    assert.deepEqual(
      c.cluster.brokers.map((b) => [b.nodeId, b.port]),
      [[1, Number(broker.bootstrap.split(':')[1])]],
    );
    assert.ok(c.topics.some((t) => t.name === 'jsonall'));
    assert.equal(c.quorum?.leaderId, 1);
    const q = JSON.parse(await ok(['metadata-quorum', 'describe', '--status', '--output', 'json'])) as {
      clusterId: string;
      leaderId: number;
    };
    assert.equal(q.clusterId, c.cluster.clusterId);
    assert.equal(q.leaderId, 1);
    assert.deepEqual(JSON.parse(await ok(['transactions', 'list', '--output', 'json'])), []);
    const idem = kafka.producer({ acks: 'all' });
    await idem.send({ topic: 'jsonall', messages: [{ value: 'x' }] });
    await idem.close();
    const states = JSON.parse(await ok(['producers', 'describe', '--topic', 'jsonall', '--output', 'json'])) as Array<{
      topic: string;
      partition: number;
      activeProducers: unknown[];
    }>;
    assert.equal(states.length, 1);
    assert.equal(states[0]!.activeProducers.length, 1);
    await ok(['quotas', 'alter', '--client', 'app', '--add-config', 'producer_byte_rate=1024']);
    assert.deepEqual(JSON.parse(await ok(['quotas', 'describe', '--client', 'app', '--output', 'json'])), [
      { entity: { 'client-id': 'app' }, quotas: { producer_byte_rate: 1024 } },
    ]);
    assert.deepEqual(JSON.parse(await ok(['users', 'list', '--output', 'json'])), []);
  });
});

describe('tributary configs describe', () => {
  it("prints a topic's overrides, then every config with its source, as kafka-configs.sh", async () => {
    await ok(['topics', 'create', 'cfg', '--config', 'retention.ms=3600000']);
    assert.equal(
      await ok(['configs', 'describe', '--entity-type', 'topics', '--entity-name', 'cfg']),
      'Dynamic configs for topic cfg are:\n' +
        '  retention.ms=3600000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=3600000, DEFAULT_CONFIG:log.retention.hours=168}\n',
    );
    const all = await ok(['configs', 'describe', '--topic', 'cfg', '--all']);
    assert.match(all, /^All configs for topic cfg are:\n/);
    assert.match(all, /^ {2}cleanup\.policy=delete sensitive=false synonyms=\{DEFAULT_CONFIG:log\.cleanup\.policy=delete\}$/m);
    assert.match(all, /^ {2}retention\.ms=3600000 sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:retention\.ms=3600000/m);
    const entries = JSON.parse(await ok(['configs', 'describe', '--topic', 'cfg', '--all', '--output', 'json'])) as Array<{
      name: string;
      source: string;
      value: string;
    }>;
    assert.deepEqual(
      entries.find((e) => e.name === 'retention.ms'),
      {
        name: 'retention.ms',
        value: '3600000',
        source: 'DYNAMIC_TOPIC_CONFIG',
        isSensitive: false,
        readOnly: false,
        synonyms: [
          { name: 'retention.ms', value: '3600000', source: 'DYNAMIC_TOPIC_CONFIG' },
          { name: 'log.retention.hours', value: '168', source: 'DEFAULT_CONFIG' },
        ],
      },
    );
    assert.equal(entries.find((e) => e.name === 'segment.bytes')?.source, 'DEFAULT_CONFIG');
  });

  it("prints a broker's configs: its static settings and dynamic overrides with their sources", async () => {
    await kafka.admin().alterConfigs({ type: 'broker', name: '1' }, { 'log.cleaner.backoff.ms': '20000' });
    assert.equal(
      await ok(['configs', 'describe', '--broker', '1']),
      'Dynamic configs for broker 1 are:\n' +
        '  log.cleaner.backoff.ms=20000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.cleaner.backoff.ms=20000, DEFAULT_CONFIG:log.cleaner.backoff.ms=15000}\n',
    );
    const all = JSON.parse(
      await ok(['configs', 'describe', '--entity-type', 'brokers', '--entity-name', '1', '--all', '--output', 'json']),
    ) as Array<{
      name: string;
      source: string;
      value: string;
    }>;
    assert.deepEqual(
      all.filter((e) => ['num.partitions', 'log.cleaner.backoff.ms'].includes(e.name)).map((e) => [e.name, e.value, e.source]),
      [
        ['log.cleaner.backoff.ms', '20000', 'DYNAMIC_BROKER_CONFIG'],
        ['num.partitions', '1', 'STATIC_BROKER_CONFIG'],
      ],
    );
  });

  it('refuses a missing or unknown entity', async () => {
    await refused(['configs', 'describe'], /configs describe needs one of --entity-type, --topic, --broker, --broker-defaults/);
    await refused(
      ['configs', 'describe', '--entity-type', 'users', '--entity-name', 'x'],
      /--entity-type must be topics or brokers, got "users"/,
    );
    await refused(['configs', 'describe', '--entity-type', 'topics'], /needs --entity-name <name> or --entity-default/);
    await refused(['configs', 'describe', '--broker', 'one'], /a broker is named by its id, got "one"/);
    await refused(['configs', 'describe', '--topic', 'no-such-topic'], /topic no-such-topic does not exist \(UNKNOWN_TOPIC_OR_PARTITION\)/);
    await refused(['configs', 'alter'], /unknown subcommand "alter"/);
  });
});

describe('tributary consume: offsets, formatter properties, consumer properties, bytes', () => {
  it('starts at +N, -N and @time as rpk does, clamped to the log', async () => {
    await ok(['topics', 'create', 'seek']);
    const t0 = Date.now() - 60_000;
    const producer = kafka.producer({ acks: 1 });
    await producer.send({ topic: 'seek', messages: [0, 1, 2, 3, 4].map((i) => ({ value: `r${i}`, timestamp: t0 + i * 1000 })) });
    await producer.close();
    // each read ends after 1.5 s without a record: the seven (no group, nothing written) run at once
    const read = (offset: string) => ok(['consume', 'seek', '--offset', offset, '--timeout-ms', '1500']);
    const reads: Array<[string, string]> = [
      ['+3', 'r3\nr4\n'],
      ['-2', 'r3\nr4\n'],
      ['-9', 'r0\nr1\nr2\nr3\nr4\n'],
      ['+9', ''],
      [`@${t0 + 2000}`, 'r2\nr3\nr4\n'],
      [`@${new Date(t0 + 3500).toISOString()}`, 'r4\n'],
      ['@-1h', 'r0\nr1\nr2\nr3\nr4\n'],
    ];
    const outputs = await Promise.all(reads.map(([offset]) => read(offset)));
    for (const [i, [offset, expected]] of reads.entries()) assert.equal(outputs[i], expected, `--offset ${offset}`);
    await refused(['consume', 'seek', '--offset', '@yesterday-ish'], /--offset @yesterday-ish: not a time/);
    await refused(['consume', 'seek', '--offset', '~3'], /--offset must be earliest, latest, an offset, \+N, -N or @<time>, got "~3"/);
    await refused(['consume', 'seek', '--group', 'g', '--offset', '-1'], /--partition and --offset cannot be used with --group/);
  });

  it("prints Kafka's formatter fields, in Kafka's order, and sends keys with parse.key", async () => {
    await ok(['topics', 'create', 'fmt']);
    await ok(['produce', 'fmt', '--property', 'parse.key=true', '--header', 'h=1'], 'k1\tv1\nk2\tv2\n');
    await ok(
      ['produce', 'fmt', '--property', 'parse.key=true', '--property', 'key.separator=:', '--property', 'null.marker=NULL'],
      'NULL:v3\n',
    );
    const out = await ok([
      'consume',
      'fmt',
      '--from-beginning',
      '--max-messages',
      '3',
      '--property',
      'print.partition=true',
      '--property',
      'print.offset=true',
      '--property',
      'print.headers=true',
      '--property',
      'print.key=true',
      '--property',
      'key.separator= | ',
    ]);
    assert.equal(
      out,
      'Partition:0 | Offset:0 | h:1 | k1 | v1\n' +
        'Partition:0 | Offset:1 | h:1 | k2 | v2\n' +
        'Partition:0 | Offset:2 | NO_HEADERS | null | v3\n',
    );
    const ts = await ok([
      'consume',
      'fmt',
      '--offset',
      '2',
      '--max-messages',
      '1',
      '--property',
      'print.timestamp=true',
      '--property',
      'print.value=false',
    ]);
    assert.match(ts, /^CreateTime:\d{13}\n$/);
    await refused(['consume', 'fmt', '--property', 'print.delivery=true'], /--property print\.delivery is not supported yet/);
    await refused(['produce', 'fmt', '--property', 'parse.headers=true'], /--property parse\.headers is not supported yet/);
    await refused(['consume', 'fmt', '--property', 'nokey'], /--property expects key=value, got "nokey"/);
  });

  it('applies --consumer-property and --producer-property, and refuses unknown or invalid ones', async () => {
    await ok(['topics', 'create', 'props']);
    await ok(['produce', 'props', '--producer-property', 'acks=1', '--producer-property', 'compression.type=lz4,linger.ms=2'], 'p1\np2\n');
    assert.equal(
      await ok(['consume', 'props', '--group', 'props-g', '--consumer-property', 'auto.offset.reset=earliest', '--max-messages', '2']),
      'p1\np2\n',
    );
    assert.deepEqual(
      (await kafka.admin().listGroupOffsets('props-g')).map((o) => [o.partition, o.offset]),
      [[0, 2n]],
    );
    await refused(['produce', 'props', '--producer-property', 'buffer.memory=1'], /producer property buffer\.memory is not supported yet/);
    await refused(['produce', 'props', '--producer-property', 'acks=2'], /acks must be 0, 1, all or -1, got "2"/);
    await refused(
      ['consume', 'props', '--consumer-property', 'isolation.level=dirty'],
      /isolation\.level must be one of read_uncommitted, read_committed/,
    );
    await refused(['consume', 'props', '--consumer-property', 'fetch.min.bytes=lots'], /fetch\.min\.bytes must be an integer, got "lots"/);
  });

  it('writes and reads bytes unchanged: invalid UTF-8, NUL and CR inside a value', async () => {
    await ok(['topics', 'create', 'bin']);
    const value = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0d, 0x41, 0xc3, 0x28]);
    const r = await cli(['produce', 'bin'], Buffer.concat([value, Buffer.from('\n')]));
    assert.equal(r.code, 0, r.stderr);
    const [rec] = await readAll('bin', 1);
    assert.deepEqual(rec, value);
    const out = await cli(['consume', 'bin', '--from-beginning', '--max-messages', '1']);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(out.stdout, Buffer.concat([value, Buffer.from('\n')]));
  });
});

describe('tributary groups describe --state, --members, --all-groups', () => {
  it("prints the group's coordinator, strategy, state and members while a consumer is in it", async () => {
    await ok(['topics', 'create', 'grp', '--partitions', '2']);
    const liveKafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'live-client' });
    const consumer = liveKafka.consumer({ groupId: 'live', assignors: ['range'] });
    const assigned = new Promise<void>((resolve) => void consumer.subscribe(['grp'], { assigned: () => resolve() }));
    const pump = (async () => {
      for await (const _ of consumer) break;
    })();
    await assigned;
    try {
      const state = await ok(['groups', 'describe', 'live', '--state']);
      const coordinator = `${broker.bootstrap} (1)`;
      assert.equal(
        state,
        '\n' +
          `GROUP  ${'COORDINATOR (ID)'.padEnd(coordinator.length)}  ASSIGNMENT-STRATEGY  STATE   #MEMBERS\n` +
          `live   ${coordinator}  range                Stable  1\n`,
      );
      const members = await ok(['groups', 'describe', '--group', 'live', '--members', '--verbose']);
      assert.match(members, /^GROUP\s+CONSUMER-ID\s+GROUP-INSTANCE-ID\s+HOST\s+CLIENT-ID\s+#PARTITIONS\s+ASSIGNMENT$/m);
      assert.match(members, /^live\s+live-client-\S+\s+-\s+\S+\s+live-client\s+2\s+grp\(0,1\)$/m);
      const [doc] = JSON.parse(await ok(['groups', 'describe', 'live', '--members', '--output', 'json'])) as Array<{
        state: string;
        members: Array<{ clientId: string; assignment: unknown }>;
      }>;
      assert.equal(doc!.state, 'Stable');
      assert.deepEqual(
        doc!.members.map((m) => [m.clientId, m.assignment]),
        [
          [
            'live-client',
            [
              { topic: 'grp', partition: 0 },
              { topic: 'grp', partition: 1 },
            ],
          ],
        ],
      );
      const everyGroup = await ok(['groups', 'describe', '--all-groups', '--state']);
      assert.match(everyGroup, /^live\s+\S+ \(1\)\s+range\s+Stable\s+1$/m);
      const listed = JSON.parse(await ok(['groups', 'list', '--output', 'json'])) as Array<{ groupId: string; state: string }>;
      assert.deepEqual(
        listed.find((g) => g.groupId === 'live'),
        { groupId: 'live', protocolType: 'consumer', state: 'Stable' },
      );
    } finally {
      await consumer.close();
      await pump;
      await liveKafka.close();
    }
    await refused(['groups', 'describe', 'live', '--members', '--state'], /--members and --state exclude each other/);
    await refused(['groups', 'describe', '--all-groups', 'live'], /--all-groups describes every group: name none/);
    await refused(['groups', 'describe', 'live', '--verbose'], /--verbose goes with --members/);
  });
});

describe('tributary perf', () => {
  it("produces N records with progress lines and a summary, then consumes them with Kafka's CSV line", async () => {
    await ok(['topics', 'create', 'perf']);
    const out = await ok([
      'perf',
      'produce',
      '--topic',
      'perf',
      '--num-records',
      '3000',
      '--record-size',
      '100',
      '--throughput',
      '3000',
      '--reporting-interval',
      '300',
      '--producer-props',
      'acks=1',
    ]);
    const lines = out.trimEnd().split('\n');
    const progress = /^\d+ records sent, [\d.]+ records\/sec \([\d.]+ MB\/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency\.$/;
    assert.ok(lines.length >= 2, out);
    for (const l of lines.slice(0, -1)) assert.match(l, progress);
    assert.match(
      lines.at(-1)!,
      /^3000 records sent, [\d.]+ records\/sec \([\d.]+ MB\/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$/,
    );
    const [end] = await kafka.admin().listOffsets('perf', 'latest');
    assert.equal(end!.offset, 3000n);
    const [rec] = await readAll('perf', 1);
    assert.equal(rec!.length, 100);

    const c = await ok(['perf', 'consume', '--topic', 'perf', '--messages', '3000', '--group', 'perf-g']);
    const [header, row] = c.trimEnd().split('\n');
    assert.equal(
      header,
      'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
    );
    const cells = row!.split(', ');
    assert.equal(cells.length, 10);
    assert.equal(cells[2], (300_000 / 1024 / 1024).toFixed(4));
    assert.equal(cells[4], '3000');
  });

  it('refuses bad options before connecting', async () => {
    await refused(['perf', 'produce', '--topic', 'perf', '--record-size', '10'], /--num-records is required/);
    await refused(
      ['perf', 'produce', '--topic', 'perf', '--num-records', '1', '--record-size', '1', '--throughput', '0'],
      /--throughput must be positive, or -1/,
    );
    await refused(['perf', 'consume', '--topic', 'perf'], /--messages is required/);
    await refused(['perf', 'fly'], /unknown subcommand "fly"/);
    await refused(
      ['perf', 'produce', '--topic', 'perf', '--num-records', '1', '--record-size', '1', '--producer-props', 'bogus.setting=1'],
      /producer property bogus\.setting is not supported yet/,
    );
  });
});

async function readAll(topic: string, n: number): Promise<Buffer[]> {
  const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
  consumer.assign([{ topic, partition: 0 }]);
  const out: Buffer[] = [];
  try {
    for await (const r of consumer) {
      out.push(r.value!);
      if (out.length >= n) break;
    }
  } finally {
    await consumer.close();
  }
  return out;
}

/** A port nothing listens on (bound once, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function listens(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
