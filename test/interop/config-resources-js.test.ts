// BROKER_LOGGER (type 8), GROUP (type 32) and dynamic BROKER config resources through the
// JavaScript clients' admin APIs, against an in-process broker with node.id 0:
// - @platformatic/kafka 2.12 (DescribeConfigs v4, IncrementalAlterConfigs v1): log levels described,
//   set and removed, Kafka 4's group configs described and altered, the cluster-wide default
//   (resource ""; this client sends a BROKER resource to the broker its name numbers, Number("") = 0,
//   hence node.id 0) applied to a topic; refusals with Kafka's code and message.
// - KafkaJS 2.2 (DescribeConfigs v2, the legacy AlterConfigs): log levels described; the legacy
//   AlterConfigs refuses BROKER_LOGGER (INVALID_REQUEST) as Kafka; a per-broker message.max.bytes
//   refuses its producer's large message. KafkaJS knows no GROUP type (it refuses 32 itself) and
//   drops the server's messages, so only error types are seen there.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker } from '@tributary/testkit';
import { Admin, kafkajs, platformaticBase } from './js-clients.ts';
import { uniqueTopic } from './harness.ts';

const [TOPIC_TYPE, BROKER, BROKER_LOGGER, GROUP] = [2, 4, 8, 32] as const;
type ResourceType = typeof TOPIC_TYPE | typeof BROKER | typeof BROKER_LOGGER | typeof GROUP;
const [SET, DELETE, APPEND] = [0, 1, 2];

/** [code, server message] of the first protocol error inside @platformatic/kafka's error tree. */
function protocolError(e: any): [number, string] | null {
  if (e?.apiCode !== undefined) return [e.apiCode, e.serverErrorMessage];
  for (const inner of e?.errors ?? []) {
    const found = protocolError(inner);
    if (found) return found;
  }
  return null;
}

async function refusal(p: Promise<unknown>): Promise<[number, string] | null> {
  try {
    await p;
    return null;
  } catch (e) {
    return protocolError(e);
  }
}

describe('config resources through the JavaScript clients', { timeout: 60_000 }, () => {
  it('@platformatic/kafka: broker loggers, group configs, the cluster-wide default', async (t) => {
    const kafka = await startBroker({ settings: { 'node.id': 0, 'num.partitions': 1 } });
    t.after(() => kafka.stop());
    const admin = new Admin(platformaticBase(kafka.bootstrap));
    t.after(() => admin.close());
    const describeOne = async (resourceType: ResourceType, resourceName: string, names: string[]) => {
      const described = await admin.describeConfigs({
        resources: [{ resourceType, resourceName, configurationKeys: names }],
        includeSynonyms: true,
      });
      return Object.fromEntries(described[0]!.configs.map((c) => [c.name, [c.value, c.configSource]]));
    };
    const alter = (resourceType: ResourceType, resourceName: string, configs: Array<[string, number, string | null]>) =>
      admin.incrementalAlterConfigs({
        resources: [
          {
            resourceType,
            resourceName,
            // the client types each operation's shape; these are the wire's numbers
            configs: configs.map(([name, configOperation, value]) => ({ name, configOperation, value })) as never,
          },
        ],
      });

    const loggers = ['root', 'kafka.server.KafkaApis'];
    assert.deepEqual(await describeOne(BROKER_LOGGER, '0', loggers), { root: ['INFO', 6], 'kafka.server.KafkaApis': ['INFO', 6] });
    await alter(BROKER_LOGGER, '0', [
      ['root', SET, 'WARN'],
      ['kafka.server.KafkaApis', SET, 'DEBUG'],
    ]);
    assert.deepEqual(await describeOne(BROKER_LOGGER, '0', loggers), { root: ['WARN', 6], 'kafka.server.KafkaApis': ['DEBUG', 6] });
    await alter(BROKER_LOGGER, '0', [
      ['kafka.server.KafkaApis', DELETE, null],
      ['root', SET, 'INFO'],
    ]);
    assert.deepEqual(await describeOne(BROKER_LOGGER, '0', loggers), { root: ['INFO', 6], 'kafka.server.KafkaApis': ['INFO', 6] });
    assert.deepEqual(await refusal(alter(BROKER_LOGGER, '0', [['root', SET, 'LOUD']])), [
      40,
      'Cannot set the log level of root to LOUD as it is not a supported log level. Valid log levels are DEBUG, ERROR, FATAL, INFO, TRACE, WARN',
    ]);
    assert.deepEqual(await refusal(alter(BROKER_LOGGER, '0', [['root', APPEND, 'INFO']])), [
      42,
      'APPEND operation is not allowed for the BROKER_LOGGER resource',
    ]);

    const groupNames = ['consumer.session.timeout.ms', 'consumer.heartbeat.interval.ms'];
    assert.deepEqual(await describeOne(GROUP, 'billing', groupNames), {
      'consumer.session.timeout.ms': ['45000', 5],
      'consumer.heartbeat.interval.ms': ['5000', 5],
    });
    await alter(GROUP, 'billing', [['consumer.heartbeat.interval.ms', SET, '6000']]);
    assert.deepEqual(await describeOne(GROUP, 'billing', groupNames), {
      'consumer.session.timeout.ms': ['45000', 5],
      'consumer.heartbeat.interval.ms': ['6000', 8],
    });
    assert.deepEqual(await refusal(alter(GROUP, 'billing', [['consumer.session.timeout.ms', SET, '1']])), [
      40,
      'consumer.session.timeout.ms must be greater than or equal to group.consumer.min.session.timeout.ms',
    ]);
    assert.deepEqual(await refusal(alter(GROUP, 'billing', [['nope', SET, '1']])), [40, 'Unknown group config name: nope']);

    const topic = uniqueTopic('plt-dyn');
    await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    await alter(BROKER, '', [['log.segment.bytes', SET, '2000000']]);
    assert.deepEqual(await describeOne(TOPIC_TYPE, topic, ['segment.bytes']), { 'segment.bytes': ['2000000', 3] });
    assert.equal(kafka.broker.services.replicas.getPartition(topic, 0)!.log.config.segmentBytes, 2000000);
    assert.deepEqual(await refusal(alter(BROKER, '', [['log.dirs', SET, '/x']])), [
      42,
      'Cannot update these configs dynamically: Set(log.dirs)',
    ]);
  });

  it('KafkaJS: broker loggers described, the legacy AlterConfigs refuses them, a per-broker limit refuses its producer', async (t) => {
    const kafka = await startBroker({ settings: { 'node.id': 0, 'num.partitions': 1 } });
    t.after(() => kafka.stop());
    const client = kafkajs(kafka.bootstrap);
    const admin = client.admin();
    await admin.connect();
    t.after(() => admin.disconnect());
    const cfg = await admin.describeConfigs({
      resources: [{ type: BROKER_LOGGER, name: '0', configNames: ['root', 'kafka.request.logger'] }],
      includeSynonyms: false,
    });
    assert.deepEqual(
      cfg.resources[0]!.configEntries.map((e: any) => [e.configName, e.configValue, e.readOnly, e.isSensitive]),
      [
        ['kafka.request.logger', 'WARN', false, false],
        ['root', 'INFO', false, false],
      ],
    );
    const legacy = await admin
      .alterConfigs({
        validateOnly: false,
        resources: [{ type: BROKER_LOGGER, name: '0', configEntries: [{ name: 'root', value: 'DEBUG' }] }],
      })
      .then(
        () => null,
        (e: any) => [e.type, e.code],
      );
    assert.deepEqual(legacy, ['INVALID_REQUEST', 42]);

    const topic = uniqueTopic('kjs-dyn');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: BROKER, name: '0', configEntries: [{ name: 'message.max.bytes', value: '2000' }] }],
    });
    const producer = client.producer({ retry: { retries: 0 } });
    await producer.connect();
    t.after(() => producer.disconnect());
    const send = (size: number) =>
      producer.send({ topic, acks: -1, messages: [{ value: 'x'.repeat(size) }] }).then(
        () => null,
        (e: any) => e.type ?? e.cause?.type ?? e.name,
      );
    assert.equal(await send(100), null);
    assert.equal(await send(5000), 'MESSAGE_TOO_LARGE');
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: BROKER, name: '0', configEntries: [] }] });
    assert.equal(await send(5000), null);
  });
});
