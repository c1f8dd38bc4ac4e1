// The controller's options from the broker configuration: defaults for new topics, deletion and
// unclean elections, broker sessions (broker.session.timeout.ms, broker.heartbeat.interval.ms), the
// automatic leader rebalance (auto.leader.rebalance.enable, leader.imbalance.*), the topic config
// rules (topic-config.ts: Kafka's LogConfig validation), the bootstrap metadata.version
// (inter.broker.protocol.version) and the group config rules
// (config-resources/group-config.ts: Kafka 4's GroupConfig, bounded by the broker's group.* settings).
import type { ControllerOptions } from '@tributary/metadata';
import type { BrokerConfig } from '../config/broker-config.ts';
import { bootstrapMetadataVersion } from '../config/bootstrap-metadata-version.ts';
import { validateGroupConfigs } from '../config-resources/group-config.ts';
import { TOPIC_CONFIG_DEFS, TopicConfigError, topicConfigValue, validateTopicConfigs } from './topic-config.ts';

export function controllerOptions(config: BrokerConfig): ControllerOptions {
  return {
    numPartitions: config.get('num.partitions'),
    defaultReplicationFactor: config.get('default.replication.factor'),
    deleteTopicEnable: config.get('delete.topic.enable'),
    sessionTimeoutMs: config.brokerSessionTimeoutMs,
    heartbeatIntervalMs: config.brokerHeartbeatIntervalMs,
    // the broker default; a topic's unclean.leader.election.enable override still applies
    uncleanLeaderElectionEnable: config.uncleanLeaderElectionEnable,
    autoLeaderRebalanceEnable: config.get('auto.leader.rebalance.enable'),
    leaderImbalanceCheckIntervalMs: config.get('leader.imbalance.check.interval.seconds') * 1000,
    leaderImbalancePerBrokerPercentage: config.get('leader.imbalance.per.broker.percentage'),
    nodeId: config.nodeId,
    bootstrapMetadataVersion: bootstrapMetadataVersion(config.get('inter.broker.protocol.version')),
    groupConfigs: { validate: (configs) => validateGroupConfigs(configs, config) },
    topicConfigs: {
      validate(configs) {
        try {
          return { configs: validateTopicConfigs(configs, config) };
        } catch (err) {
          if (err instanceof TopicConfigError) return { errorCode: err.errorCode, errorMessage: err.message };
          throw err;
        }
      },
      defaultValue: (name) => (name in TOPIC_CONFIG_DEFS ? topicConfigValue({}, config, name) : undefined),
    },
  };
}
