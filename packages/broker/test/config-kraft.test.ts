// KRaft node configuration: process.roles, broker vs controller listeners, the controller quorum
// (voters, bootstrap servers), the replication settings, and Kafka's cross-checks with its messages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BrokerConfig, ConfigError } from '../src/config/broker-config.ts';
import { formatConfigDocs } from '../src/config/docs.ts';
import { parseBootstrapServers, parseQuorumVoters } from '../src/config/quorum.ts';
import { controllerOptions } from '../src/metadata/controller-options.ts';

function problems(overrides: string[], env?: Record<string, string>): string[] {
  try {
    BrokerConfig.load({ overrides, env });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

const COMBINED = [
  'process.roles=broker,controller',
  'node.id=1',
  'listeners=PLAINTEXT://:9092,CONTROLLER://:9093',
  'controller.listener.names=CONTROLLER',
  'controller.quorum.voters=1@host1:9093,2@host2:9093,3@[::1]:9093',
];
const BROKER_ONLY = [
  'process.roles=broker',
  'node.id=4',
  'listeners=PLAINTEXT://:9092',
  'controller.listener.names=CONTROLLER',
  'controller.quorum.voters=1@host1:9093,2@host2:9093,3@host3:9093',
];
const CONTROLLER_ONLY = [
  'process.roles=controller',
  'node.id=2',
  'listeners=CONTROLLER://host2:9093',
  'controller.listener.names=CONTROLLER',
  'controller.quorum.voters=1@host1:9093,2@host2:9093,3@host3:9093',
];

describe('KRaft node configuration', () => {
  it('without process.roles: a one-node cluster with both roles and the single-broker defaults', () => {
    const c = BrokerConfig.load();
    assert.deepEqual([...c.processRoles], ['broker', 'controller']);
    assert.equal(c.isBroker, true);
    assert.equal(c.isController, true);
    assert.equal(c.nodeId, 1);
    assert.deepEqual(c.listeners, [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092, securityProtocol: 'PLAINTEXT' }]);
    assert.deepEqual(c.controllerListeners, []);
    assert.deepEqual(c.advertisedListeners, null);
    assert.deepEqual(c.controllerListenerNames, []);
    assert.equal(c.interBrokerListenerName, 'PLAINTEXT');
    assert.deepEqual(c.quorumVoters, []);
    assert.deepEqual(c.quorumBootstrapServers, []);
    assert.equal(c.environmentClusterId, null);
  });

  it('combined node: broker and controller listeners apart, CONTROLLER mapped to PLAINTEXT by default', () => {
    const c = BrokerConfig.load({ overrides: [...COMBINED, 'advertised.listeners=PLAINTEXT://kafka1:9092,CONTROLLER://kafka1:19093'] });
    assert.deepEqual([...c.processRoles], ['broker', 'controller']);
    assert.deepEqual(c.listeners, [{ name: 'PLAINTEXT', host: '', port: 9092, securityProtocol: 'PLAINTEXT' }]);
    assert.deepEqual(c.controllerListeners, [{ name: 'CONTROLLER', host: '', port: 9093, securityProtocol: 'PLAINTEXT' }]);
    assert.deepEqual(c.advertisedListeners, [{ name: 'PLAINTEXT', host: 'kafka1', port: 9092, securityProtocol: 'PLAINTEXT' }]);
    assert.deepEqual(c.advertisedControllerListeners, [{ name: 'CONTROLLER', host: 'kafka1', port: 19093, securityProtocol: 'PLAINTEXT' }]);
    assert.deepEqual(c.controllerListenerNames, ['CONTROLLER']);
    assert.deepEqual(c.quorumVoters, [
      { nodeId: 1, host: 'host1', port: 9093 },
      { nodeId: 2, host: 'host2', port: 9093 },
      { nodeId: 3, host: '::1', port: 9093 },
    ]);
  });

  it('broker-only node: no controller listener bound, the quorum from bootstrap servers or voters', () => {
    const c = BrokerConfig.load({ overrides: [...BROKER_ONLY, 'broker.rack=rack-a', 'inter.broker.listener.name=plaintext'] });
    assert.deepEqual([...c.processRoles], ['broker']);
    assert.equal(c.isController, false);
    assert.equal(c.nodeId, 4);
    assert.deepEqual(c.controllerListeners, []);
    assert.deepEqual(c.advertisedControllerListeners, []);
    assert.equal(c.interBrokerListenerName, 'PLAINTEXT');
    assert.equal(c.brokerRack, 'rack-a');
    const b = BrokerConfig.load({
      overrides: [
        'process.roles=broker',
        'node.id=4',
        'controller.listener.names=CONTROLLER',
        'controller.quorum.bootstrap.servers=c1:9093,[::1]:9094',
      ],
    });
    assert.deepEqual(b.quorumBootstrapServers, [
      { host: 'c1', port: 9093 },
      { host: '::1', port: 9094 },
    ]);
  });

  it('controller-only node: only controller listeners', () => {
    const c = BrokerConfig.load({ overrides: CONTROLLER_ONLY });
    assert.equal(c.isBroker, false);
    assert.equal(c.isController, true);
    assert.deepEqual(c.listeners, []);
    assert.deepEqual(c.controllerListeners, [{ name: 'CONTROLLER', host: 'host2', port: 9093, securityProtocol: 'PLAINTEXT' }]);
    assert.deepEqual(c.advertisedControllerListeners, [{ name: 'CONTROLLER', host: 'host2', port: 9093, securityProtocol: 'PLAINTEXT' }]);
  });

  it('inter.broker.listener.name defaults to PLAINTEXT, else the first broker listener', () => {
    const c = BrokerConfig.load({
      overrides: ['listeners=INTERNAL://:9094,EXTERNAL://:9092', 'listener.security.protocol.map=INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT'],
    });
    assert.equal(c.interBrokerListenerName, 'INTERNAL');
  });

  it('inter.broker.protocol.version: the bootstrap metadata.version, a level Tributary runs', () => {
    const opts = (v: string) =>
      controllerOptions(BrokerConfig.load({ overrides: [`inter.broker.protocol.version=${v}`] })).bootstrapMetadataVersion;
    assert.equal(opts('3.6-IV2'), 14);
    assert.equal(opts('3.7-IV2'), 17);
    assert.equal(controllerOptions(BrokerConfig.load({ overrides: [] })).bootstrapMetadataVersion, undefined);
    assert.deepEqual(problems(['inter.broker.protocol.version=3.7']), [
      'inter.broker.protocol.version=3.7: 3.7 is metadata.version 3.7-IV4 (level 19); Tributary runs 3.6-IV2 to 3.7-IV2 (from --override)',
    ]);
    assert.deepEqual(problems(['inter.broker.protocol.version=2.8']), [
      'inter.broker.protocol.version=2.8: Version 2.8 is not a valid version (from --override)',
    ]);
  });

  it('refuses bad process.roles values', () => {
    assert.deepEqual(problems(['process.roles=broker,zookeeper']), [
      "process.roles=broker,zookeeper: Unknown process role 'zookeeper' (only 'broker' and 'controller' are allowed roles) (from --override)",
    ]);
    assert.deepEqual(problems(['process.roles=broker,broker']), [
      'process.roles=broker,broker: Duplicate role names found in `process.roles`: [broker, broker] (from --override)',
    ]);
    assert.deepEqual(problems(['process.roles=']), [
      "process.roles=: must be 'broker', 'controller' or 'broker,controller' (from --override)",
    ]);
  });

  it('process.roles needs node.id; a quorum needs process.roles', () => {
    assert.deepEqual(problems(COMBINED.filter((o) => !o.startsWith('node.id'))), [
      'Missing configuration `node.id` which is required when `process.roles` is defined (i.e. when running in KRaft mode).',
      // the default node id 1 is among the voters, so nothing else is reported
    ]);
    assert.deepEqual(problems(['controller.quorum.voters=1@h:9093']), [
      'process.roles must be set when controller.quorum.voters or controller.quorum.bootstrap.servers is (without it this node is a one-node cluster)',
    ]);
  });

  it("refuses a broker-only node without a quorum, listed as a voter, or binding the controller's listener", () => {
    assert.deepEqual(problems(['process.roles=broker', 'node.id=4', 'controller.listener.names=CONTROLLER']), [
      'If using process.roles, either controller.quorum.bootstrap.servers must contain the set of bootstrap controllers or controller.quorum.voters must contain a parseable set of controllers.',
    ]);
    assert.deepEqual(problems([...BROKER_ONLY, 'controller.quorum.voters=1@h1:9093,4@h4:9093']), [
      "If process.roles contains just the 'broker' role, the node id 4 must not be included in the set of voters controller.quorum.voters=[1, 4]",
    ]);
    assert.deepEqual(problems([...BROKER_ONLY, 'controller.listener.names=']), [
      'controller.listener.names must contain at least one value when running KRaft with just the broker role',
    ]);
    assert.deepEqual(problems([...BROKER_ONLY, 'listeners=PLAINTEXT://:9092,CONTROLLER://:9093']), [
      "controller.listener.names must not contain a value appearing in the 'listeners' configuration when running KRaft with just the broker role",
    ]);
    assert.deepEqual(problems([...BROKER_ONLY, 'listener.security.protocol.map=PLAINTEXT:PLAINTEXT']), [
      'Controller listener with name CONTROLLER defined in controller.listener.names not found in listener.security.protocol.map (an explicit security mapping for each controller listener is required when listener.security.protocol.map is set)',
    ]);
  });

  it('refuses a controller whose listener is missing or whose id is not a voter', () => {
    assert.deepEqual(problems([...COMBINED, 'controller.listener.names=']), [
      // without the name, CONTROLLER gets no default mapping
      'listeners: listener CONTROLLER has no entry in listener.security.protocol.map',
    ]);
    assert.deepEqual(
      problems([...COMBINED, 'controller.listener.names=', 'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT']),
      [
        "controller.listener.names must contain at least one value appearing in the 'listeners' configuration when running the KRaft controller role",
      ],
    );
    assert.deepEqual(problems([...COMBINED, 'controller.listener.names=CONTROLLER,OTHER']), [
      "controller.listener.names must only contain values appearing in the 'listeners' configuration when running the KRaft controller role",
    ]);
    assert.deepEqual(problems([...COMBINED, 'node.id=7']), [
      "If process.roles contains the 'controller' role, the node id 7 must be included in the set of voters controller.quorum.voters=[1, 2, 3]",
    ]);
    assert.deepEqual(problems([...CONTROLLER_ONLY, 'listeners=CONTROLLER://:9093,PLAINTEXT://:9092']), [
      'The listeners config must only contain KRaft controller listeners from controller.listener.names when process.roles=controller',
    ]);
  });

  it('a node with the controller role needs no quorum setting (it is a quorum of one)', () => {
    const c = BrokerConfig.load({ overrides: COMBINED.filter((o) => !o.startsWith('controller.quorum')) });
    assert.deepEqual(c.quorumVoters, []);
  });

  it('refuses brokers without a broker listener and a wrong inter.broker.listener.name', () => {
    assert.deepEqual(problems([...COMBINED, 'listeners=CONTROLLER://:9093']), [
      'There must be at least one broker advertised listener. Perhaps all listeners appear in controller.listener.names?',
    ]);
    assert.deepEqual(problems([...COMBINED, 'inter.broker.listener.name=CONTROLLER']), [
      'inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are PLAINTEXT',
    ]);
  });

  it("parses the quorum as Kafka's QuorumConfig does, with its messages", () => {
    assert.throws(() => parseQuorumVoters(['1:h:9093']), {
      message: 'Invalid configuration value for controller.quorum.voters. Each entry should be in the form `{id}@{host}:{port}`.',
    });
    assert.throws(() => parseQuorumVoters(['x@h:9093']), { message: 'Failed to parse voter ID as an integer from x' });
    assert.throws(() => parseQuorumVoters(['1@h']), {
      message:
        'Failed to parse host name from entry 1@h for the configuration controller.quorum.voters. Each entry should be in the form `{id}@{host}:{port}`.',
    });
    assert.throws(() => parseQuorumVoters(['1@h:port']), {
      message:
        'Failed to parse host port from entry 1@h:port for the configuration controller.quorum.voters. Each entry should be in the form `{id}@{host}:{port}`.',
    });
    assert.throws(() => parseQuorumVoters(['1@0.0.0.0:9093']), { message: 'Host string (0.0.0.0) is not routeable' });
    assert.throws(() => parseQuorumVoters(['1@a:1', '1@b:2']), { message: 'voter 1 is listed twice' });
    assert.throws(() => parseBootstrapServers(['c1:x']), {
      message:
        'Failed to parse host port from c1:x for the configuration controller.quorum.bootstrap.servers. Each entry should be in the form "{host}:{port}"',
    });
    assert.deepEqual(problems(['process.roles=broker,controller', 'controller.quorum.voters=1@h']).slice(0, 1), [
      'controller.quorum.voters=1@h: Failed to parse host name from entry 1@h for the configuration controller.quorum.voters. Each entry should be in the form `{id}@{host}:{port}`. (from --override)',
    ]);
  });

  it("has Kafka's replication defaults", () => {
    const c = BrokerConfig.load();
    assert.equal(c.replicaLagTimeMaxMs, 30000);
    assert.equal(c.replicaFetchWaitMaxMs, 500);
    assert.equal(c.replicaFetchMinBytes, 1);
    assert.equal(c.replicaFetchMaxBytes, 1048576);
    assert.equal(c.replicaFetchResponseMaxBytes, 10485760);
    assert.equal(c.replicaFetchBackoffMs, 1000);
    assert.equal(c.replicaSocketTimeoutMs, 30000);
    assert.equal(c.numReplicaFetchers, 1);
    assert.equal(c.replicaHighWatermarkCheckpointIntervalMs, 5000);
    assert.equal(c.brokerSessionTimeoutMs, 9000);
    assert.equal(c.brokerHeartbeatIntervalMs, 2000);
    assert.equal(c.uncleanLeaderElectionEnable, false);
    assert.equal(c.brokerRack, null);
    assert.equal(c.replicaSelectorClass, null);
    assert.equal(c.quorumElectionTimeoutMs, 1000);
    assert.equal(c.quorumFetchTimeoutMs, 2000);
    assert.equal(c.quorumRequestTimeoutMs, 2000);
    assert.equal(c.get('default.replication.factor'), 1);
    assert.equal(c.get('min.insync.replicas'), 1);
  });

  it('reads replication settings and cross-checks them as Kafka does', () => {
    const c = BrokerConfig.load({
      env: { KAFKA_REPLICA_LAG_TIME_MAX_MS: '10000', KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE: 'true' },
      overrides: ['replica.selector.class=org.apache.kafka.common.replica.RackAwareReplicaSelector', 'num.replica.fetchers=2'],
    });
    assert.equal(c.replicaLagTimeMaxMs, 10000);
    assert.equal(c.uncleanLeaderElectionEnable, true);
    assert.equal(c.numReplicaFetchers, 2);
    assert.equal(c.replicaSelectorClass, 'org.apache.kafka.common.replica.RackAwareReplicaSelector');
    assert.deepEqual(problems(['replica.fetch.wait.max.ms=40000']), [
      'replica.socket.timeout.ms should always be at least replica.fetch.wait.max.ms to prevent unnecessary socket timeouts',
      'replica.fetch.wait.max.ms should always be less than or equal to replica.lag.time.max.ms to prevent frequent changes in ISR',
    ]);
    assert.deepEqual(problems(['replica.selector.class=com.example.Mine', 'num.replica.fetchers=0']), [
      'replica.selector.class=com.example.Mine: must be org.apache.kafka.common.replica.RackAwareReplicaSelector (no other selector is built in) (from --override)',
      'num.replica.fetchers=0: must be at least 1 (from --override)',
    ]);
  });

  it('takes CLUSTER_ID from the environment', () => {
    assert.equal(BrokerConfig.load({ env: { CLUSTER_ID: 'MkU3OEVBNTcwNTJENDM2Qk' } }).environmentClusterId, 'MkU3OEVBNTcwNTJENDM2Qk');
    assert.equal(BrokerConfig.load({ env: { CLUSTER_ID: '' } }).environmentClusterId, null);
    assert.deepEqual(problems([], { CLUSTER_ID: 'a b' }), ['CLUSTER_ID "a b" must not contain whitespace']);
  });

  it('documents the KRaft and replication settings as settings with an effect', () => {
    const docs = formatConfigDocs();
    for (const name of [
      'process.roles',
      'controller.quorum.voters',
      'replica.lag.time.max.ms',
      'broker.rack',
      'unclean.leader.election.enable',
    ]) {
      assert.match(docs, new RegExp(`^  ${name.replaceAll('.', '\\.')} \\(`, 'm'));
    }
    assert.match(docs, /^ {2}replica\.lag\.time\.max\.ms \(long, default 30000\)$/m);
    assert.match(docs, /^ {2}controller\.quorum\.voters \(list, default \(empty\)\)$/m);
  });
});
