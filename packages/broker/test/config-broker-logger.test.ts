// BROKER_LOGGER config resources (type 8, KIP-412) at the wire: DescribeConfigs lists the broker's
// loggers and their levels; IncrementalAlterConfigs sets and removes levels, which decide what the
// broker logs from then on; every refusal with Kafka's error code and message (RuntimeLoggerManager
// and ConfigHelper); the legacy AlterConfigs does not know the type; authorization on the cluster.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import type { Logger } from '../src/logger.ts';
import { AclOperation, CLUSTER_NAME, ResourceType, type Authorizer } from '../src/server/authorizer.ts';
import { kafkaClient, type KafkaTestClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';
import { topicsOf } from './helpers/test-topics.ts';

const TOPIC = 2;
const BROKER_LOGGER = 8;
const [SET, DELETE, APPEND, SUBTRACT] = [0, 1, 2, 3];
const VALID = 'Valid log levels are DEBUG, ERROR, FATAL, INFO, TRACE, WARN';

/** The loggers a broker has, in order, with their levels at start (root INFO). */
const LOGGERS_AT_START = [
  ['kafka', 'INFO'],
  ['kafka.authorizer.logger', 'INFO'],
  ['kafka.coordinator.transaction.TransactionCoordinator', 'INFO'],
  ['kafka.log.LogCleaner', 'INFO'],
  ['kafka.network.RequestChannel$', 'WARN'],
  ['kafka.network.SocketServer', 'INFO'],
  ['kafka.request.logger', 'WARN'],
  ['kafka.server.BrokerLifecycleManager', 'INFO'],
  ['kafka.server.BrokerServer', 'INFO'],
  ['kafka.server.KafkaApis', 'INFO'],
  ['kafka.server.ReplicaManager', 'INFO'],
  ['kafka.server.metadata.BrokerMetadataPublisher', 'INFO'],
  ['kafka.server.metadata.DynamicConfigPublisher', 'INFO'],
  ['org.apache.kafka', 'INFO'],
  ['org.apache.kafka.common.security.authenticator.SaslServerAuthenticator', 'INFO'],
  ['org.apache.kafka.controller', 'INFO'],
  ['org.apache.kafka.controller.QuorumController', 'INFO'],
  ['org.apache.kafka.coordinator.group.GroupCoordinatorService', 'INFO'],
  ['org.apache.kafka.server.AssignmentsManager', 'INFO'],
  ['root', 'INFO'],
  ['state.change.logger', 'INFO'],
];

interface Line {
  level: string;
  msg: string;
}

function recording(lines: Line[]): Logger {
  const at = (level: string) => (msg: string) => void lines.push({ level, msg });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

async function describeLoggers(c: KafkaTestClient, name: string, keys: string[] | null = null, version = 4) {
  const res = await c.request(ApiKey.DescribeConfigs, version, {
    resources: [{ resourceType: BROKER_LOGGER, resourceName: name, configurationKeys: keys }],
    includeSynonyms: version >= 1,
    includeDocumentation: version >= 3,
  });
  return res.results[0]!;
}

async function levels(c: KafkaTestClient): Promise<Record<string, string>> {
  const r = await describeLoggers(c, '1');
  return Object.fromEntries(r.configs.map((e) => [e.name, e.value!]));
}

type Op = [name: string, op: number, value: string | null];

async function alter(c: KafkaTestClient, ops: Op[], name = '1', validateOnly = false) {
  const res = await c.request(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [
      {
        resourceType: BROKER_LOGGER,
        resourceName: name,
        configs: ops.map(([n, configOperation, value]) => ({ name: n, configOperation, value })),
      },
    ],
    validateOnly,
  });
  const r = res.responses[0]!;
  return [r.errorCode, r.errorMessage];
}

describe('BROKER_LOGGER', async () => {
  const lines: Line[] = [];
  const b = await startTestBroker({}, { log: recording(lines) });
  const c = await kafkaClient(b.port);
  await topicsOf(b.broker).createTopic({ name: 't', numPartitions: 1 });
  after(async () => {
    c.close();
    await b.stop();
  });

  it('DescribeConfigs lists every logger with the level it works at (v0-v4), filtered by name', async () => {
    for (const v of [0, 1, 3, 4]) {
      const r = await describeLoggers(c, '1', null, v);
      assert.deepEqual([r.errorCode, r.errorMessage, r.resourceType, r.resourceName], [0, null, BROKER_LOGGER, '1'], `v${v}`);
      assert.deepEqual(
        r.configs.map((e) => [e.name, e.value]),
        LOGGERS_AT_START,
        `v${v}`,
      );
    }
    const r = await describeLoggers(c, '1', ['root', 'kafka.request.logger', 'no.such.logger']);
    assert.deepEqual(r.configs, [
      {
        name: 'kafka.request.logger',
        value: 'WARN',
        readOnly: false,
        isDefault: false,
        configSource: 6,
        isSensitive: false,
        synonyms: [],
        configType: 0,
        documentation: null,
      },
      {
        name: 'root',
        value: 'INFO',
        readOnly: false,
        isDefault: false,
        configSource: 6,
        isSensitive: false,
        synonyms: [],
        configType: 0,
        documentation: null,
      },
    ]);
  });

  it("DescribeConfigs answers a name that is not this broker's id with Kafka's errors", async () => {
    const answers = [];
    for (const name of ['', 'x', '2']) {
      const r = await describeLoggers(c, name);
      answers.push([r.errorCode, r.errorMessage, r.configs.length]);
    }
    assert.deepEqual(answers, [
      [ErrorCode.INVALID_REQUEST, 'Broker id must not be empty', 0],
      [ErrorCode.INVALID_REQUEST, 'Broker id must be an integer, but it is: x', 0],
      [ErrorCode.INVALID_REQUEST, 'Unexpected broker id, expected 1 but received 2', 0],
    ]);
  });

  it('SET changes what the broker logs from then on; DELETE returns a logger to its ancestor', async () => {
    const alterTopic = (value: string) =>
      c.request(ApiKey.IncrementalAlterConfigs, 1, {
        resources: [{ resourceType: TOPIC, resourceName: 't', configs: [{ name: 'retention.ms', configOperation: SET, value }] }],
        validateOnly: false,
      });
    const apiLines = () => lines.filter((l) => l.msg === 'topic configs altered').length;
    await alterTopic('1000');
    assert.equal(apiLines(), 1, 'kafka.server.KafkaApis logs at INFO');

    assert.deepEqual(await alter(c, [['root', SET, 'ERROR']]), [0, null]);
    assert.deepEqual(lines.at(-1), { level: 'warn', msg: 'Updated the log level of root to ERROR' });
    await alterTopic('2000');
    assert.equal(apiLines(), 2, 'kafka.server.KafkaApis works at the level of its ancestor kafka (INFO), not the root');
    assert.equal((await levels(c))['kafka.server.KafkaApis'], 'INFO');

    assert.deepEqual(await alter(c, [['kafka', SET, 'WARN']]), [0, null]);
    await alterTopic('3000');
    assert.equal(apiLines(), 2, 'nothing at INFO once kafka (its ancestor) is WARN');
    assert.deepEqual(await alter(c, [['kafka.server.KafkaApis', SET, 'DEBUG']]), [0, null]);
    await alterTopic('4000');
    assert.equal(apiLines(), 3, 'its own level wins over its ancestor');
    const after1 = await levels(c);
    assert.deepEqual(
      [after1.root, after1.kafka, after1['kafka.server.KafkaApis'], after1['kafka.server.ReplicaManager'], after1['state.change.logger']],
      ['ERROR', 'WARN', 'DEBUG', 'WARN', 'INFO'],
    );

    // DELETE: back to the nearest ancestor's level (kafka's), or the root's when there is none
    assert.deepEqual(
      await alter(c, [
        ['kafka.server.KafkaApis', DELETE, null],
        ['state.change.logger', DELETE, null],
      ]),
      [0, null],
    );
    const after2 = await levels(c);
    assert.deepEqual([after2['kafka.server.KafkaApis'], after2['state.change.logger']], ['WARN', 'ERROR']);
    await alterTopic('5000');
    assert.equal(apiLines(), 3);
    assert.deepEqual(
      await alter(c, [
        ['kafka', SET, 'INFO'],
        ['root', SET, 'INFO'],
        ['state.change.logger', SET, 'INFO'],
      ]),
      [0, null],
    );
    assert.deepEqual(await levels(c), Object.fromEntries(LOGGERS_AT_START));
  });

  it("refuses what Kafka's RuntimeLoggerManager refuses, changing nothing", async () => {
    const answers = [];
    for (const [ops, name] of [
      [[['no.such.logger', SET, 'DEBUG']], '1'],
      [[['root', SET, 'LOUD']], '1'],
      [[['root', SET, 'debug']], '1'],
      [[['root', SET, 'OFF']], '1'],
      [[['root', SET, 'ALL']], '1'],
      [[['no.such.logger', DELETE, null]], '1'],
      [[['root', DELETE, null]], '1'],
      [[['root', APPEND, 'DEBUG']], '1'],
      [[['root', SUBTRACT, 'DEBUG']], '1'],
      [
        [
          ['kafka', SET, 'DEBUG'],
          ['root', SET, 'NOPE'],
        ],
        '1',
      ],
      [[['root', SET, 'DEBUG']], '2'],
      [[['root', SET, 'DEBUG']], 'x'],
      [[['root', SET, 'DEBUG']], ''],
      [[['root', SET, null]], '1'],
      [
        [
          ['root', SET, 'DEBUG'],
          ['root', DELETE, null],
        ],
        '1',
      ],
    ] as Array<[Op[], string]>) {
      answers.push(await alter(c, ops, name));
    }
    assert.deepEqual(answers, [
      [ErrorCode.INVALID_CONFIG, 'Logger no.such.logger does not exist!'],
      [ErrorCode.INVALID_CONFIG, `Cannot set the log level of root to LOUD as it is not a supported log level. ${VALID}`],
      [ErrorCode.INVALID_CONFIG, `Cannot set the log level of root to debug as it is not a supported log level. ${VALID}`],
      [ErrorCode.INVALID_CONFIG, `Cannot set the log level of root to OFF as it is not a supported log level. ${VALID}`],
      [ErrorCode.INVALID_CONFIG, `Cannot set the log level of root to ALL as it is not a supported log level. ${VALID}`],
      [ErrorCode.INVALID_CONFIG, 'Logger no.such.logger does not exist!'],
      [ErrorCode.INVALID_REQUEST, 'Removing the log level of the root logger is not allowed'],
      [ErrorCode.INVALID_REQUEST, 'APPEND operation is not allowed for the BROKER_LOGGER resource'],
      [ErrorCode.INVALID_REQUEST, 'SUBTRACT operation is not allowed for the BROKER_LOGGER resource'],
      [ErrorCode.INVALID_CONFIG, `Cannot set the log level of root to NOPE as it is not a supported log level. ${VALID}`],
      // Kafka's message names its own id twice
      [ErrorCode.INVALID_REQUEST, 'Unexpected node id. Expected 1, but received 1'],
      [ErrorCode.INVALID_REQUEST, 'Node id must be an integer, but it is: x'],
      [ErrorCode.INVALID_REQUEST, 'Node id must be an integer, but it is: '],
      [ErrorCode.INVALID_REQUEST, 'Null value not supported for : root'],
      [ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys'],
    ]);
    assert.deepEqual(await levels(c), Object.fromEntries(LOGGERS_AT_START), 'nothing changed');
  });

  it('validateOnly checks without changing; the legacy AlterConfigs does not know the type', async () => {
    assert.deepEqual(await alter(c, [['root', SET, 'DEBUG']], '1', true), [0, null]);
    assert.deepEqual(await alter(c, [['root', SET, 'LOUD']], '1', true), [
      ErrorCode.INVALID_CONFIG,
      `Cannot set the log level of root to LOUD as it is not a supported log level. ${VALID}`,
    ]);
    assert.equal((await levels(c)).root, 'INFO');
    for (const v of [0, 1, 2]) {
      const res = await c.request(ApiKey.AlterConfigs, v, {
        resources: [{ resourceType: BROKER_LOGGER, resourceName: '1', configs: [{ name: 'root', value: 'DEBUG' }] }],
        validateOnly: false,
      });
      assert.deepEqual(res.responses, [
        { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unknown resource type 8', resourceType: BROKER_LOGGER, resourceName: '1' },
      ]);
    }
    assert.equal((await levels(c)).root, 'INFO');
  });
});

describe('BROKER_LOGGER authorization', () => {
  let denied = false;
  const asked: string[] = [];
  const authorizer: Authorizer = {
    authorize(_ctx, operation, resourceType, resourceName) {
      if (resourceType === ResourceType.CLUSTER) asked.push(`${operation} ${resourceName}`);
      return !denied;
    },
  };
  let b: Awaited<ReturnType<typeof startTestBroker>>;
  let c: KafkaTestClient;
  before(async () => {
    b = await startTestBroker({}, { authorizer });
    c = await kafkaClient(b.port);
  });
  after(async () => {
    c.close();
    await b.stop();
  });
  beforeEach(() => {
    denied = false;
    asked.length = 0;
  });

  it('needs DESCRIBE_CONFIGS / ALTER_CONFIGS on the cluster, else CLUSTER_AUTHORIZATION_FAILED', async () => {
    assert.equal((await describeLoggers(c, '1')).errorCode, 0);
    assert.deepEqual(await alter(c, [['root', SET, 'WARN']]), [0, null]);
    assert.deepEqual(asked, [`${AclOperation.DESCRIBE_CONFIGS} ${CLUSTER_NAME}`, `${AclOperation.ALTER_CONFIGS} ${CLUSTER_NAME}`]);
    denied = true;
    const r = await describeLoggers(c, '1');
    assert.deepEqual(
      [r.errorCode, r.errorMessage, r.configs],
      [ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.', []],
    );
    assert.deepEqual(await alter(c, [['root', SET, 'INFO']]), [ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.']);
    denied = false;
    assert.equal((await levels(c)).root, 'WARN', 'the refused change was not made');
  });
});
