// Broker configuration: properties syntax, precedence (defaults < file < env < --override <
// settings), Docker-style KAFKA_* names, derived values, and refusal of unknown/invalid settings.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerConfig, ConfigError, envNameToConfigName } from '../src/config/broker-config.ts';
import { parseProperties } from '../src/config/properties.ts';
import { queuedMaxRequestBytes } from '../src/broker-node.ts';
import { getHeapStatistics } from 'node:v8';

function withFile(text: string, fn: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-config-'));
  try {
    const path = join(dir, 'server.properties');
    writeFileSync(path, text);
    fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('properties syntax', () => {
  it('parses Java properties: comments, separators, continuations, escapes, duplicates', () => {
    const text = [
      '# comment',
      '! also a comment',
      '   ',
      'a=1',
      'b : two words ',
      'c   3',
      'd=first\\',
      '    second',
      'e=tab\\there\\u0041',
      'key\\ with\\ spaces=x',
      'a=override',
      'empty=',
    ].join('\n');
    const entries = parseProperties(text);
    assert.deepEqual(Object.fromEntries(entries.map((e) => [e.key, e.value])), {
      b: 'two words ',
      c: '3',
      d: 'firstsecond',
      e: 'tab\thereA',
      'key with spaces': 'x',
      a: 'override',
      empty: '',
    });
    assert.equal(entries.find((e) => e.key === 'a')!.line, 11);
  });
});

describe('BrokerConfig', () => {
  it('has Kafka defaults and Tributary local defaults', () => {
    const c = BrokerConfig.load();
    assert.equal(c.nodeId, 1);
    assert.deepEqual(c.listeners, [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092, securityProtocol: 'PLAINTEXT' }]);
    assert.deepEqual(c.logDirs, ['./data']);
    assert.equal(c.get('auto.create.topics.enable'), true);
    assert.equal(c.get('num.partitions'), 1);
    assert.equal(c.get('socket.request.max.bytes'), 104857600);
    assert.equal(c.get('connections.max.idle.ms'), 600000);
    assert.equal(c.get('offsets.topic.num.partitions'), 50);
    assert.equal(c.get('group.initial.rebalance.delay.ms'), 3000);
    assert.equal(c.get('message.max.bytes'), 1048588);
    assert.equal(c.get('log.segment.bytes'), 1073741824);
    assert.equal(c.retentionMs, 168 * 3_600_000);
    assert.equal(c.rollMs, 168 * 3_600_000);
    assert.equal(c.get('tributary.durability'), 'page-cache');
    assert.equal(c.fsyncBeforeAck, false);
    assert.equal(c.isSet('num.partitions'), false);
  });

  it('network and fetch bounds: fetch.max.bytes, queued.max.request.bytes, tributary.request.read.timeout.ms', () => {
    const c = BrokerConfig.load();
    assert.equal(c.get('fetch.max.bytes'), 57671680);
    assert.equal(c.get('tributary.request.read.timeout.ms'), 30000);
    // not set: a quarter of the V8 heap limit in whole MiB, at least socket.request.max.bytes
    const quarter = Math.floor(getHeapStatistics().heap_size_limit / 4 / 1048576) * 1048576;
    assert.equal(c.get('queued.max.request.bytes'), Math.max(104857600, quarter));
    assert.equal(queuedMaxRequestBytes(c), Math.max(104857600, quarter));
    const load = (...overrides: string[]) => BrokerConfig.load({ overrides });
    assert.equal(queuedMaxRequestBytes(load('queued.max.request.bytes=-1')), -1); // Kafka's default: unbounded
    assert.equal(queuedMaxRequestBytes(load('queued.max.request.bytes=0')), -1);
    assert.equal(queuedMaxRequestBytes(load('queued.max.request.bytes=209715200')), 209715200);
    // the default follows a larger socket.request.max.bytes
    assert.equal(queuedMaxRequestBytes(load('socket.request.max.bytes=2000000000')), Math.max(2000000000, quarter));
    assert.deepEqual(
      problems(() => load('queued.max.request.bytes=1000')),
      ['queued.max.request.bytes must be larger or equal to socket.request.max.bytes'],
    );
    assert.deepEqual(
      problems(() => load('fetch.max.bytes=1000', 'tributary.request.read.timeout.ms=-1')),
      [
        'fetch.max.bytes=1000: must be at least 1024 (from --override)',
        'tributary.request.read.timeout.ms=-1: must be at least 0 (from --override)',
      ],
    );
  });

  it('reads a server.properties file, then env, then --override, then settings', () => {
    withFile('broker.id=3\nlog.dirs=/a,/b\nnum.partitions=2\nlog.retention.hours=1\nmessage.max.bytes=5000\n', (file) => {
      const c = BrokerConfig.load({
        file,
        env: { KAFKA_NUM_PARTITIONS: '4', KAFKA_LOG_RETENTION_MINUTES: '5', KAFKA_HEAP_OPTS: '-Xmx1G', PATH: '/bin' },
        overrides: ['num.partitions=6', 'tributary.durability=fsync'],
        settings: { 'message.max.bytes': 7000 },
      });
      assert.equal(c.nodeId, 3);
      assert.deepEqual(c.logDirs, ['/a', '/b']);
      assert.equal(c.get('num.partitions'), 6);
      assert.equal(c.retentionMs, 5 * 60_000); // minutes (env) beat hours (file)
      assert.equal(c.get('message.max.bytes'), 7000);
      assert.equal(c.fsyncBeforeAck, true);
      assert.equal(c.isSet('num.partitions'), true);
    });
  });

  it('maps Docker-style environment names', () => {
    assert.equal(envNameToConfigName('KAFKA_LOG_DIRS'), 'log.dirs');
    assert.equal(envNameToConfigName('KAFKA_ADVERTISED_LISTENERS'), 'advertised.listeners');
    assert.equal(envNameToConfigName('KAFKA_SOME__UNDERSCORE___DASH'), 'some_underscore-dash');
  });

  it('log.retention.ms beats minutes and hours; -1 means unlimited; huge longs clamp', () => {
    assert.equal(BrokerConfig.load({ overrides: ['log.retention.ms=1234', 'log.retention.minutes=5'] }).retentionMs, 1234);
    assert.equal(BrokerConfig.load({ overrides: ['log.retention.hours=-1'] }).retentionMs, -1);
    assert.equal(BrokerConfig.load({ overrides: ['log.roll.ms=60000'] }).rollMs, 60000);
    const c = BrokerConfig.load({ overrides: ['log.flush.interval.messages=9223372036854775807'] });
    assert.equal(c.get('log.flush.interval.messages'), Number.MAX_SAFE_INTEGER);
  });

  it('parses listeners and advertised.listeners', () => {
    const c = BrokerConfig.load({
      overrides: [
        'listeners=PLAINTEXT://:9092,INTERNAL://[::1]:9093,CONTROLLER://:9094',
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
        'controller.listener.names=CONTROLLER',
        'advertised.listeners=PLAINTEXT://kafka.example:9092',
      ],
    });
    assert.deepEqual(c.listeners, [
      { name: 'PLAINTEXT', host: '', port: 9092, securityProtocol: 'PLAINTEXT' },
      { name: 'INTERNAL', host: '::1', port: 9093, securityProtocol: 'PLAINTEXT' },
    ]);
    assert.deepEqual(c.advertisedListeners, [{ name: 'PLAINTEXT', host: 'kafka.example', port: 9092, securityProtocol: 'PLAINTEXT' }]);
  });

  it("loads the settings of Kafka's stock KRaft server.properties", () => {
    withFile(
      [
        'process.roles=broker,controller',
        'node.id=1',
        'controller.quorum.bootstrap.servers=localhost:9093',
        'listeners=PLAINTEXT://:9092,CONTROLLER://:9093',
        'inter.broker.listener.name=PLAINTEXT',
        'advertised.listeners=PLAINTEXT://localhost:9092',
        'controller.listener.names=CONTROLLER',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
        'num.network.threads=3',
        'num.io.threads=8',
        'socket.send.buffer.bytes=102400',
        'socket.receive.buffer.bytes=102400',
        'socket.request.max.bytes=104857600',
        'log.dirs=/tmp/kraft-combined-logs',
        'num.partitions=1',
        'num.recovery.threads.per.data.dir=1',
        'offsets.topic.replication.factor=1',
        'share.coordinator.state.topic.replication.factor=1',
        'share.coordinator.state.topic.min.isr=1',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'log.retention.hours=168',
        'log.segment.bytes=1073741824',
        'log.retention.check.interval.ms=300000',
      ].join('\n'),
      (file) => {
        const c = BrokerConfig.load({ file });
        assert.deepEqual(c.listeners, [{ name: 'PLAINTEXT', host: '', port: 9092, securityProtocol: 'PLAINTEXT' }]);
        assert.deepEqual(c.logDirs, ['/tmp/kraft-combined-logs']);
      },
    );
  });

  it('refuses unknown and invalid settings, listing every problem with its source', () => {
    withFile('num.partitions=zero\nlog.retention.bytes=-5\n', (file) => {
      const p = problems(() =>
        BrokerConfig.load({
          file,
          env: { KAFKA_NO_SUCH_THING: '1' },
          overrides: ['auto.create.topics.enable=yes', 'compression.type=brotli', 'nonsense', 'socket.request.max.bytes=0'],
        }),
      );
      assert.deepEqual(p, [
        '--override "nonsense" is not of the form key=value',
        `num.partitions: "zero" is not an integer (from ${file}:1)`,
        `log.retention.bytes=-5: must be at least -1 (from ${file}:2)`,
        'unknown setting "no.such.thing" (from environment variable KAFKA_NO_SUCH_THING)',
        'auto.create.topics.enable: "yes" is not true or false (from --override)',
        'compression.type=brotli: must be one of uncompressed, zstd, lz4, snappy, gzip, producer (from --override)',
        'socket.request.max.bytes=0: must be at least 1 (from --override)',
      ]);
    });
  });

  it('refuses inconsistent settings', () => {
    assert.deepEqual(
      problems(() => BrokerConfig.load({ overrides: ['node.id=1', 'broker.id=2'] })),
      ['node.id (1) and broker.id (2) must match when both are set'],
    );
    assert.deepEqual(
      problems(() => BrokerConfig.load({ overrides: ['listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SECURE:KERBEROS'] })),
      [
        'listener.security.protocol.map: "KERBEROS" is not a security protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL)',
        'listeners: listener PLAINTEXT has no entry in listener.security.protocol.map',
      ],
    );
    assert.deepEqual(
      problems(() => BrokerConfig.load({ overrides: ['listeners=localhost:9092'] })),
      ['listeners: "localhost:9092" is not of the form NAME://host:port'],
    );
    assert.deepEqual(
      problems(() => BrokerConfig.load({ overrides: ['advertised.listeners=PLAINTEXT://0.0.0.0:9092'] })),
      ['advertised.listeners: 0.0.0.0 is not a valid address to advertise (PLAINTEXT)'],
    );
    assert.deepEqual(problems(() => BrokerConfig.load({ file: '/nonexistent/server.properties' })).length, 1);
  });
});
