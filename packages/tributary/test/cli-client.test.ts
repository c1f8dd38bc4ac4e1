// The client commands (topics, produce, consume, groups) run as child processes against an
// in-process testkit broker: exact output, records round-tripped with keys and each codec,
// consumer-group offsets committed, described, reset and deleted, and clear errors with exit 1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { Kafka } from '@tributary/client';
import { runCli, type CliResult } from './cli-process.ts';

let broker: TestBroker;

function cli(args: string[], stdin?: string, bootstrap = broker.bootstrap): Promise<CliResult> {
  return runCli([...args, '--bootstrap-server', bootstrap], stdin);
}

async function ok(args: string[], stdin?: string): Promise<string> {
  const r = await cli(args, stdin);
  assert.equal(r.code, 0, `tributary ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function jsonLines(out: string): Array<Record<string, unknown>> {
  return out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

before(async () => {
  broker = await startBroker({ settings: { 'num.partitions': 1 } });
});

after(async () => {
  await broker.stop();
});

describe('tributary topics', () => {
  it('creates, lists, describes, alters and deletes topics', async () => {
    assert.equal(
      await ok(['topics', 'create', 'orders', '--partitions', '3', '--config', 'retention.ms=3600000']),
      'Created topic orders.\n',
    );
    const dup = await cli(['topics', 'create', 'orders']);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /TOPIC_ALREADY_EXISTS/);
    assert.equal(await ok(['topics', 'create', '--topic', 'orders', '--if-not-exists']), '');
    assert.match(await ok(['topics', 'list']), /^orders$/m);

    const d = await ok(['topics', 'describe', 'orders']);
    const lines = d.trimEnd().split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0]!, /^Topic: orders\tTopicId: [A-Za-z0-9_-]{22}\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: /);
    for (let i = 0; i < 3; i++) assert.equal(lines[i + 1], `\tTopic: orders\tPartition: ${i}\tLeader: 1\tReplicas: 1\tIsr: 1`);

    assert.equal(
      await ok(['topics', 'alter-config', 'orders', '--add-config', 'retention.ms=7200000,cleanup.policy=delete']),
      'Completed updating config for topic orders.\n',
    );
    const kafka = new Kafka({ bootstrapServers: broker.bootstrap });
    try {
      const cfg = (await kafka.admin().describeConfigs([{ type: 'topic', name: 'orders' }])).get('topic:orders')!;
      assert.equal(cfg['retention.ms'], '7200000');
    } finally {
      await kafka.close();
    }

    assert.equal(await ok(['topics', 'delete', 'orders']), 'Deleted topic orders.\n');
    assert.doesNotMatch(await ok(['topics', 'list']), /^orders$/m);
    const gone = await cli(['topics', 'delete', 'orders']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /does not exist/);
  });

  it('creates compacted topics: list values in --config and --add-config, the configs in describe, keyless records refused', async () => {
    assert.equal(
      await ok([
        'topics',
        'create',
        'compacted',
        '--config',
        'cleanup.policy=compact,delete',
        '--config',
        'min.cleanable.dirty.ratio=0.1,delete.retention.ms=1000',
      ]),
      'Created topic compacted.\n',
    );
    const configsOf = async () => (await ok(['topics', 'describe', 'compacted'])).split('\n')[0]!.split('\tConfigs: ')[1];
    assert.equal(await configsOf(), 'cleanup.policy=compact,delete,delete.retention.ms=1000,min.cleanable.dirty.ratio=0.1');
    await ok(['topics', 'alter-config', 'compacted', '--add-config', 'cleanup.policy=[compact],min.compaction.lag.ms=5000']);
    assert.equal(
      await configsOf(),
      'cleanup.policy=compact,delete.retention.ms=1000,min.cleanable.dirty.ratio=0.1,min.compaction.lag.ms=5000',
    );
    const conflict = await cli(['topics', 'alter-config', 'compacted', '--add-config', 'max.compaction.lag.ms=100']);
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /conflict topic config setting min\.compaction\.lag\.ms \(5000\) > max\.compaction\.lag\.ms \(100\)/);
    const keyless = await cli(['produce', 'compacted'], 'no key\n');
    assert.equal(keyless.code, 1);
    assert.match(keyless.stderr, /INVALID_RECORD/);
    await ok(['produce', 'compacted', '--key-separator', ':'], 'k:v\n');
    assert.equal(await ok(['consume', 'compacted', '--from-beginning', '--max-messages', '1']), 'v\n');
  });

  it('refuses bad usage with the usage text and exit 1', async () => {
    const r = await cli(['topics', 'frobnicate']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown subcommand "frobnicate"/);
    assert.match(r.stderr, /Usage: tributary topics/);
  });
});

describe('an unreachable broker', () => {
  it('fails with exit 1 after --api-timeout-ms, naming the address', async () => {
    const dead = await closedPort();
    const r = await cli(['topics', 'list', '--api-timeout-ms', '1500'], undefined, `127.0.0.1:${dead}`);
    // exit 1 (not 13: no early exit with a pending promise), on the option's deadline, which the
    // message names (not the default's 3 s: no wall-clock assertion, these machines are loaded)
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^tributary topics: no broker answered at 127\\.0\\.0\\.1:${dead} within 1\\.5 s`));
    for (const args of [
      ['topics', 'list'],
      ['produce', 't'],
      ['consume', 't', '--group', 'g'],
    ]) {
      const bad = await cli([...args, '--api-timeout-ms', 'soon']);
      assert.equal(bad.code, 1, args.join(' '));
      assert.match(bad.stderr, /--api-timeout-ms must be a positive integer, got "soon"/);
    }
  });
});

/** A port nothing listens on (bound once, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('tributary produce and consume', () => {
  it('round-trips keyed lines exactly, with offsets, keys, values and headers', async () => {
    await ok(['topics', 'create', 'keyed', '--partitions', '1']);
    await ok(['produce', 'keyed', '--key-separator', ':', '--header', 'src=cli'], 'k0:v0\nk1:value:with:colons\n:empty-key\nk3:\n');
    const out = await ok(['consume', 'keyed', '--from-beginning', '--max-messages', '4', '--format', 'json']);
    const records = jsonLines(out);
    assert.deepEqual(
      records.map((r) => [r.partition, r.offset, r.key, r.value, r.headers]),
      [
        [0, 0, 'k0', 'v0', [{ key: 'src', value: 'cli' }]],
        [0, 1, 'k1', 'value:with:colons', [{ key: 'src', value: 'cli' }]],
        [0, 2, '', 'empty-key', [{ key: 'src', value: 'cli' }]],
        [0, 3, 'k3', '', [{ key: 'src', value: 'cli' }]],
      ],
    );
    for (const r of records) assert.equal(typeof r.timestamp, 'number');
    const bad = await cli(['produce', 'keyed', '--key-separator', ':'], 'no separator here\n');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /no key separator ":" on line 1/);
  });

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    it(`produces and consumes with ${codec} compression`, async () => {
      const topic = `codec-${codec}`;
      const lines = Array.from({ length: 200 }, (_, i) => `${codec} record ${i} ${'x'.repeat(i % 50)}`);
      await ok(['produce', topic, '--compression', codec, '--acks', '1'], lines.join('\n') + '\n');
      const out = await ok(['consume', topic, '--from-beginning', '--max-messages', '200']);
      assert.equal(out, lines.join('\n') + '\n');
    });
  }

  it('reads one partition from an offset, and prints keys', async () => {
    await ok(['topics', 'create', 'parts', '--partitions', '2']);
    await ok(['produce', 'parts', '--partition', '1', '--key-separator', '='], 'a=1\nb=2\nc=3\nd=4\n');
    const out = await ok([
      'consume',
      'parts',
      '--partition',
      '1',
      '--offset',
      '2',
      '--max-messages',
      '2',
      '--print-key',
      '--key-separator',
      '|',
    ]);
    assert.equal(out, 'c|3\nd|4\n');
    const none = await ok(['consume', 'parts', '--partition', '0', '--offset', 'earliest', '--timeout-ms', '1500']);
    assert.equal(none, '');
  });

  it('fails clearly on an unknown topic', async () => {
    const r = await cli(['consume', 'no-such-topic', '--max-messages', '1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /UNKNOWN_TOPIC_OR_PARTITION/);
  });
});

describe('tributary groups', () => {
  it('commits what a group consumer printed; describes, resets and deletes the group', async () => {
    await ok(['topics', 'create', 'events', '--partitions', '2']);
    const lines = Array.from({ length: 10 }, (_, i) => `${i % 2}:e${i}`);
    await ok(['produce', 'events', '--key-separator', ':'], lines.join('\n') + '\n');
    const kafka = new Kafka({ bootstrapServers: broker.bootstrap });
    const admin = kafka.admin();
    try {
      const ends = await admin.listOffsets('events', 'latest');
      const total = ends.reduce((s, e) => s + Number(e.offset), 0);
      assert.equal(total, 10);

      const first = await ok(['consume', 'events', '--group', 'billing', '--from-beginning', '--max-messages', '3']);
      assert.equal(first.trim().split('\n').length, 3);
      const committed = await admin.listGroupOffsets('billing');
      assert.equal(
        committed.reduce((s, c) => s + Number(c.offset), 0),
        3,
      );

      // the group resumes where it stopped: the other 7 records, none twice
      const rest = await ok(['consume', 'events', '--group', 'billing', '--max-messages', '7']);
      assert.deepEqual([...first.trim().split('\n'), ...rest.trim().split('\n')].sort(), lines.map((l) => l.split(':')[1]).sort());

      assert.match(await ok(['groups', 'list']), /^billing$/m);
      const d = await ok(['groups', 'describe', 'billing']);
      assert.match(d, /Consumer group 'billing' has no active members\./);
      for (const e of ends) {
        assert.match(d, new RegExp(`^billing\\s+events\\s+${e.partition}\\s+${e.offset}\\s+${e.offset}\\s+0\\s+-\\s+-\\s+-$`, 'm'));
      }

      const dry = await ok(['groups', 'reset-offsets', 'billing', '--topic', 'events', '--to-earliest']);
      assert.match(dry, /^billing\s+events\s+0\s+0$/m);
      assert.equal(
        (await admin.listGroupOffsets('billing')).reduce((s, c) => s + Number(c.offset), 0),
        10,
      );

      await ok(['groups', 'reset-offsets', '--group', 'billing', '--topic', 'events:0', '--to-offset', '1', '--execute']);
      await ok(['groups', 'reset-offsets', 'billing', '--topic', 'events:1', '--shift-by', '-2', '--execute']);
      const after = await admin.listGroupOffsets('billing');
      assert.deepEqual(
        after.map((c) => [c.partition, c.offset]),
        [
          [0, 1n],
          [1, ends[1]!.offset - 2n],
        ],
      );

      assert.equal(await ok(['groups', 'delete', 'billing']), "Deletion of requested consumer groups ('billing') was successful.\n");
      assert.doesNotMatch(await ok(['groups', 'list']), /^billing$/m);
    } finally {
      await kafka.close();
    }
  });
});
