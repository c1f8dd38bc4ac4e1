// More of the admin client against a Tributary broker: configs altered incrementally (keys set or
// deleted, the rest kept) and with the legacy whole-set AlterConfigs (`incremental: false`: the set
// replaces every override), validate-only; retries within defaultApiTimeoutMs when a coordinator
// is loading or the controller moved (instrumented-broker.ts answers those errors), none for an
// error about the request itself; list offsets by time on several partitions.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '@tributary/protocol';
import { Kafka } from '../../src/kafka.ts';
import { KafkaClientError } from '../../src/network/errors.ts';
import { ApiKey, startInstrumentedBroker, type InstrumentedBroker } from './instrumented-broker.ts';

let broker: InstrumentedBroker;
let kafka: Kafka;

before(async () => {
  broker = await startInstrumentedBroker({ settings: { 'num.partitions': 1, 'group.initial.rebalance.delay.ms': 0 } });
  kafka = new Kafka({ bootstrapServers: broker.bootstrap });
});
after(async () => {
  await kafka.close();
  await broker.stop();
});

const overrides = async (topic: string) =>
  (await kafka.admin().describeConfigs([{ type: 'topic', name: topic }], { overridesOnly: true })).get(`topic:${topic}`);

function failsWith(type: string, message: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof KafkaClientError, String(err));
    assert.equal(err.type, type);
    assert.match(err.message, message);
    return true;
  };
}

describe('admin against a Tributary broker (configs, retries, offsets by time)', () => {
  it('alterConfigs: incremental keeps other overrides; incremental false replaces the whole set', async () => {
    const admin = kafka.admin();
    await admin.createTopics([{ name: 'cfg-modes', partitions: 1, configs: { 'retention.ms': '60000', 'max.message.bytes': '2048' } }]);
    await admin.alterConfigs({ type: 'topic', name: 'cfg-modes' }, { 'segment.ms': '3600000', 'max.message.bytes': null });
    assert.deepEqual(await overrides('cfg-modes'), { 'retention.ms': '60000', 'segment.ms': '3600000' });

    await admin.alterConfigs(
      { type: 'topic', name: 'cfg-modes' },
      { 'cleanup.policy': 'compact' },
      { incremental: false, validateOnly: true },
    );
    assert.deepEqual(await overrides('cfg-modes'), { 'retention.ms': '60000', 'segment.ms': '3600000' }, 'validateOnly changes nothing');
    await admin.alterConfigs({ type: 'topic', name: 'cfg-modes' }, { 'cleanup.policy': 'compact' }, { incremental: false });
    assert.deepEqual(await overrides('cfg-modes'), { 'cleanup.policy': 'compact' });
    const all = (await admin.describeConfigs([{ type: 'topic', name: 'cfg-modes' }])).get('topic:cfg-modes')!;
    assert.equal(all['retention.ms'], '604800000', 'back to the default');

    await assert.rejects(
      admin.alterConfigs({ type: 'topic', name: 'cfg-modes' }, { 'retention.ms': null }, { incremental: false }),
      failsWith('INVALID_CONFIG', /retention\.ms is null; leave it out/),
    );
    await assert.rejects(
      admin.alterConfigs({ type: 'topic', name: 'cfg-modes' }, { 'no.such.config': '1' }, { incremental: false }),
      failsWith('INVALID_CONFIG', /^alter configs of topic cfg-modes: INVALID_CONFIG/),
    );
  });

  it('retries a loading coordinator and a moved controller; fails at once on a request error', async () => {
    const admin = kafka.admin({ retryBackoffMs: 20 });
    let loading = 2;
    broker.intercept(ApiKey.FindCoordinator, () =>
      loading-- > 0 ? { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, errorMessage: null, nodeId: -1, host: '', port: -1 } : undefined,
    );
    const finds = broker.of(ApiKey.FindCoordinator).length;
    const [g] = await admin.describeGroups(['nobody-here']);
    assert.deepEqual([g!.groupId, g!.state, g!.members], ['nobody-here', 'Dead', []]);
    assert.equal(broker.of(ApiKey.FindCoordinator).length - finds, 3, 'two refusals, then the answer');

    let moved = 1;
    broker.intercept(ApiKey.CreateTopics, (_ctx, req) =>
      moved-- > 0
        ? { topics: req.topics.map((t: any) => ({ name: t.name, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'moved' })) }
        : undefined,
    );
    const metadata = broker.of(ApiKey.Metadata).length;
    await admin.createTopics([{ name: 'after-move', partitions: 2 }]);
    assert.equal((await admin.describeTopics(['after-move']))[0]!.partitions.length, 2);
    assert.equal(broker.of(ApiKey.CreateTopics).filter((r) => r.body.topics[0].name === 'after-move').length, 2);
    assert.ok(broker.of(ApiKey.Metadata).length > metadata, 'the controller looked up again');
    broker.intercept(ApiKey.CreateTopics, null);

    const deletes = broker.of(ApiKey.DeleteTopics).length;
    await assert.rejects(admin.deleteTopics(['never-was']), failsWith('UNKNOWN_TOPIC_OR_PARTITION', /delete topic never-was/));
    assert.equal(broker.of(ApiKey.DeleteTopics).length - deletes, 1, 'not retried');
  });

  it('gives up after defaultApiTimeoutMs with the last error', async () => {
    broker.intercept(ApiKey.FindCoordinator, () => ({
      errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
      errorMessage: null,
      nodeId: -1,
      host: '',
      port: -1,
    }));
    const finds = broker.of(ApiKey.FindCoordinator).length;
    try {
      await assert.rejects(
        kafka.admin({ defaultApiTimeoutMs: 400, retryBackoffMs: 20 }).listGroupOffsets('unreachable-coordinator'),
        (err: unknown) => {
          assert.ok(err instanceof KafkaClientError);
          assert.deepEqual([err.type, err.retriable, err.code], ['COORDINATOR_NOT_AVAILABLE', true, 15]);
          return true;
        },
      );
      assert.ok(broker.of(ApiKey.FindCoordinator).length - finds >= 3, 'retried before giving up');
    } finally {
      broker.intercept(ApiKey.FindCoordinator, null);
    }
  });

  it('listOffsets by time on every partition of a topic', async () => {
    const admin = kafka.admin();
    await admin.createTopics([{ name: 'by-time', partitions: 2 }]);
    const producer = kafka.producer({ lingerMs: 0 });
    await producer.send({
      topic: 'by-time',
      messages: [0, 1, 2, 3].map((i) => ({ value: `t${i}`, partition: i % 2, timestamp: 1_000_000 + i * 1000 })),
    });
    await producer.close();
    // partition 0 has 1_000_000 and 1_002_000; partition 1 has 1_001_000 and 1_003_000
    assert.deepEqual(await admin.listOffsets('by-time', { timestamp: 1_001_500 }), [
      { partition: 0, offset: 1n, timestamp: 1_002_000 },
      { partition: 1, offset: 1n, timestamp: 1_003_000 },
    ]);
    assert.deepEqual(await admin.listOffsets('by-time', { timestamp: 1_002_500 }), [
      { partition: 0, offset: -1n, timestamp: -1 },
      { partition: 1, offset: 1n, timestamp: 1_003_000 },
    ]);
    assert.deepEqual(await admin.listOffsets('by-time', 'latest'), [
      { partition: 0, offset: 2n, timestamp: -1 },
      { partition: 1, offset: 2n, timestamp: -1 },
    ]);
  });
});
