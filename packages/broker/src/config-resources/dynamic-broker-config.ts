// Dynamic broker configs (Kafka's DynamicBrokerConfig, KIP-226): which broker settings Kafka lets
// AlterConfigs / IncrementalAlterConfigs change at runtime, and the checks Kafka's broker makes
// before it forwards such a change to the controller (DynamicBrokerConfig.validateConfigs), in
// Kafka's order, each answered INVALID_REQUEST (KAFKA-13609) with Kafka's message:
//   1. a Kafka broker setting that is not dynamic: "Cannot update these configs dynamically: Set(a, b)";
//   2. an SSL keystore/truststore setting without a listener prefix: "These security configs can be
//      dynamically updated only per-listener using the listener prefix: Set(...)";
//   3. a value that does not parse or validate (the listener prefix stripped first):
//      "Invalid value x for configuration n: ...";
//   4. on the cluster-wide default resource (name ""), a per-broker setting (listeners, SSL, SASL
//      and listener-prefixed settings): "Cannot update these configs at default cluster level,
//      broker id must be specified: Set(...)".
// Names Kafka does not know are accepted and stored as they are (Kafka allows custom broker
// properties, e.g. for plugins). Tributary knows Kafka's names through BROKER_CONFIG_DEFS (and the
// dynamic-only replication throttle rates, quota/replication-quotas.ts); a Kafka name missing
// there that is not dynamic is taken as a custom name.
import { ErrorCode } from '@tributary/protocol';
import { parseValue } from '../config/broker-config.ts';
import { BROKER_CONFIG_DEFS, type ConfigDef } from '../config/definitions.ts';
import { REPLICATION_QUOTA_BROKER_CONFIG_DEFS } from '../quota/replication-quotas.ts';

/** SslConfigs.RECONFIGURABLE_CONFIGS: dynamic only with a listener prefix. */
const DYNAMIC_SECURITY_CONFIGS = [
  'ssl.keystore.type',
  'ssl.keystore.location',
  'ssl.keystore.password',
  'ssl.key.password',
  'ssl.truststore.type',
  'ssl.truststore.location',
  'ssl.truststore.password',
  'ssl.keystore.certificate.chain',
  'ssl.keystore.key',
  'ssl.truststore.certificates',
];

/** DynamicListenerConfig.ReconfigurableConfigs. */
const LISTENER_CONFIGS = [
  'advertised.listeners',
  'listeners',
  'listener.security.protocol.map',
  'principal.builder.class',
  'ssl.protocol',
  'ssl.provider',
  'ssl.cipher.suites',
  'ssl.enabled.protocols',
  'ssl.keystore.type',
  'ssl.keystore.location',
  'ssl.keystore.password',
  'ssl.key.password',
  'ssl.truststore.type',
  'ssl.truststore.location',
  'ssl.truststore.password',
  'ssl.keymanager.algorithm',
  'ssl.trustmanager.algorithm',
  'ssl.endpoint.identification.algorithm',
  'ssl.secure.random.implementation',
  'ssl.client.auth',
  'ssl.engine.factory.class',
  'sasl.mechanism.inter.broker.protocol',
  'sasl.jaas.config',
  'sasl.enabled.mechanisms',
  'sasl.kerberos.service.name',
  'sasl.kerberos.kinit.cmd',
  'sasl.kerberos.ticket.renew.window.factor',
  'sasl.kerberos.ticket.renew.jitter',
  'sasl.kerberos.min.time.before.relogin',
  'sasl.kerberos.principal.to.local.rules',
  'sasl.login.refresh.window.factor',
  'sasl.login.refresh.window.jitter',
  'sasl.login.refresh.min.period.seconds',
  'sasl.login.refresh.buffer.seconds',
  'max.connections',
  'max.connection.creation.rate',
  'num.network.threads',
];

/** Listener settings that are cluster-wide (DynamicBrokerConfig.ClusterLevelListenerConfigs). */
const CLUSTER_LEVEL_LISTENER_CONFIGS = new Set(['max.connections', 'max.connection.creation.rate', 'num.network.threads']);

/** The primary broker name of each topic config (DynamicLogConfig: ServerTopicConfigSynonyms, not message.format.version). */
const LOG_CONFIGS = [
  'log.segment.bytes',
  'log.roll.ms',
  'log.roll.jitter.ms',
  'log.index.size.max.bytes',
  'log.flush.interval.messages',
  'log.flush.interval.ms',
  'log.retention.bytes',
  'log.retention.ms',
  'message.max.bytes',
  'log.index.interval.bytes',
  'log.cleaner.delete.retention.ms',
  'log.cleaner.min.compaction.lag.ms',
  'log.cleaner.max.compaction.lag.ms',
  'log.segment.delete.delay.ms',
  'log.cleaner.min.cleanable.ratio',
  'log.cleanup.policy',
  'unclean.leader.election.enable',
  'min.insync.replicas',
  'compression.type',
  'compression.gzip.level',
  'compression.lz4.level',
  'compression.zstd.level',
  'log.preallocate',
  'log.message.timestamp.type',
  'log.message.timestamp.difference.max.ms',
  'log.message.timestamp.before.max.ms',
  'log.message.timestamp.after.max.ms',
  'log.message.downconversion.enable',
  'log.local.retention.ms',
  'log.local.retention.bytes',
];

/** DynamicBrokerConfig.AllDynamicConfigs plus the broker quota configs (DynamicConfig.Broker). */
export const KAFKA_DYNAMIC_BROKER_CONFIGS: ReadonlySet<string> = new Set([
  ...DYNAMIC_SECURITY_CONFIGS,
  // LogCleaner.ReconfigurableConfigs
  'log.cleaner.threads',
  'log.cleaner.dedupe.buffer.size',
  'log.cleaner.io.buffer.load.factor',
  'log.cleaner.io.buffer.size',
  'log.cleaner.io.max.bytes.per.second',
  'log.cleaner.backoff.ms',
  ...LOG_CONFIGS,
  // DynamicThreadPool
  'num.io.threads',
  'num.replica.fetchers',
  'num.recovery.threads.per.data.dir',
  'background.threads',
  'metric.reporters',
  ...LISTENER_CONFIGS,
  // SocketServer
  'max.connections.per.ip',
  'max.connections.per.ip.overrides',
  // DynamicProducerStateManagerConfig
  'producer.id.expiration.ms',
  'transaction.partition.verification.enable',
  // DynamicRemoteLogConfig
  'remote.log.index.file.cache.total.size.bytes',
  'remote.fetch.max.wait.ms',
  'remote.log.manager.copy.max.bytes.per.second',
  'remote.log.manager.fetch.max.bytes.per.second',
  'remote.list.offsets.request.timeout.ms',
  // QuotaConfig.brokerQuotaConfigs
  'leader.replication.throttled.rate',
  'follower.replication.throttled.rate',
  'replica.alter.log.dirs.io.max.bytes.per.second',
]);

const PER_BROKER_CONFIGS = new Set(
  [...DYNAMIC_SECURITY_CONFIGS, ...LISTENER_CONFIGS].filter((n) => !CLUSTER_LEVEL_LISTENER_CONFIGS.has(n)),
);

const LISTENER_PREFIX = /^listener\.name\.[^.]*\.(.*)$/;

export interface BrokerConfigProblem {
  errorCode: number;
  errorMessage: string;
}

/** Scala's Set.toString. */
const scalaSet = (names: string[]) => `Set(${names.join(', ')})`;

const TYPE_PROBLEM: Record<string, string> = {
  int: 'Not a number of type INT',
  long: 'Not a number of type LONG',
  double: 'Not a number of type DOUBLE',
  boolean: 'Expected value to be either true or false',
};

/** Kafka's ConfigDef.parse of one known setting: the problem ("Invalid value x for configuration n: ..."), or null. */
export function valueProblem(name: string, value: string): string | null {
  const def = (BROKER_CONFIG_DEFS as Record<string, ConfigDef>)[name] ?? REPLICATION_QUOTA_BROKER_CONFIG_DEFS[name];
  if (!def) return null;
  const parsed = parseValue(def, value);
  const detail = parsed.problem !== undefined ? (TYPE_PROBLEM[def.type] ?? parsed.problem) : def.validate?.(parsed.value as never);
  if (detail === undefined) return null;
  // Kafka's Range validator says "Value must be at least 1".
  const text = detail.startsWith('must ') ? `Value ${detail}` : `${detail.charAt(0).toUpperCase()}${detail.slice(1)}`;
  return `Invalid value ${value} for configuration ${name}: ${text}`;
}

/**
 * Kafka's DynamicBrokerConfig.validateConfigs of the dynamic configs a BROKER resource would have
 * (`perBroker`: a broker id; else the cluster-wide default). Null when they may be stored.
 */
export function validateDynamicBrokerConfigs(props: Readonly<Record<string, string>>, perBroker: boolean): BrokerConfigProblem | null {
  const names = Object.keys(props);
  const fail = (errorMessage: string) => ({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage });
  const nonDynamic = names.filter((n) => n in BROKER_CONFIG_DEFS && !KAFKA_DYNAMIC_BROKER_CONFIGS.has(n));
  if (nonDynamic.length > 0) return fail(`Cannot update these configs dynamically: ${scalaSet(nonDynamic)}`);
  const unprefixed = DYNAMIC_SECURITY_CONFIGS.filter((n) => n in props);
  if (unprefixed.length > 0)
    return fail(`These security configs can be dynamically updated only per-listener using the listener prefix: ${scalaSet(unprefixed)}`);
  for (const n of names) {
    const problem = valueProblem(LISTENER_PREFIX.exec(n)?.[1] ?? n, props[n]!);
    if (problem !== null) return fail(problem);
  }
  if (!perBroker) {
    const perBrokerNames = names.filter((n) => {
      const base = LISTENER_PREFIX.exec(n)?.[1];
      return base !== undefined ? !CLUSTER_LEVEL_LISTENER_CONFIGS.has(base) : PER_BROKER_CONFIGS.has(n);
    });
    if (perBrokerNames.length > 0)
      return fail(`Cannot update these configs at default cluster level, broker id must be specified: ${scalaSet(perBrokerNames)}`);
  }
  return null;
}
