// Broker configuration definitions: Kafka's names, types, defaults, validators and docs.
// Values are parsed from strings (server.properties, --override, KAFKA_* environment) the way
// Kafka's ConfigDef parses them: ints/longs are decimal integers, booleans true/false (any case),
// lists comma-separated. A null default means "not set" (the setting falls back to another one,
// e.g. log.retention.ms -> log.retention.minutes -> log.retention.hours).
// Longs are JS numbers: values above 2^53-1 (Kafka's Long.MAX_VALUE "never") become
// Number.MAX_SAFE_INTEGER.
import { getHeapStatistics } from 'node:v8';
import { LOG_FORMATS } from '../logger.ts';
import { bootstrapMetadataVersionProblem as metadataVersionProblem } from './bootstrap-metadata-version.ts';
import { parseBootstrapServers, parseQuorumVoters, validatorOf } from './quorum.ts';
import { validateCipherSuites } from '../server/tls/cipher-suites.ts';
import { validatePrincipalMappingRules } from '../server/tls/principal-mapping-rules.ts';
import { parsePerIpOverrides } from '../server/connection-quotas.ts';
import { atLeast, between, compat, def, oneOf, optional, secret, type ConfigDef, type TypeOf } from './config-def.ts';
import { LOG_CLEANER_CONFIG_DEFS } from './log-cleaner-definitions.ts';
import { LEADER_BALANCE_CONFIG_DEFS } from './leader-balance-definitions.ts';
import { GROUP_CONFIG_BROKER_DEFS } from './group-config-definitions.ts';

export type { ConfigDef, ConfigType } from './config-def.ts';

const roles = (v: string[]) => {
  const bad = v.find((r) => r !== 'broker' && r !== 'controller');
  if (bad !== undefined) return `Unknown process role '${bad}' (only 'broker' and 'controller' are allowed roles)`;
  if (new Set(v).size !== v.length) return `Duplicate role names found in \`process.roles\`: [${v.join(', ')}]`;
  if (v.length === 0) return "must be 'broker', 'controller' or 'broker,controller'";
  return undefined;
};
const voterList = validatorOf(parseQuorumVoters);
const bootstrapList = validatorOf(parseBootstrapServers);

/**
 * queued.max.request.bytes when not set: a quarter of the V8 heap limit (which Node sizes from the
 * machine's memory unless --max-old-space-size says otherwise), in whole MiB, at least the default
 * socket.request.max.bytes (100 MiB). Request buffers live outside the V8 heap; the heap limit is
 * taken as the process's memory budget.
 */
export const DEFAULT_QUEUED_MAX_REQUEST_BYTES = Math.max(
  104857600,
  Math.floor(getHeapStatistics().heap_size_limit / 4 / 1048576) * 1048576,
);

/** Kafka's rack-aware ReplicaSelector, the one replica.selector.class Tributary knows. */
export const RACK_AWARE_REPLICA_SELECTOR = 'org.apache.kafka.common.replica.RackAwareReplicaSelector';
export const DURABILITY_MODES = ['page-cache', 'fsync'] as const;
export const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] as const;

const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const pemOnly = (what: string) => (v: string) =>
  v.toUpperCase() === 'PEM'
    ? undefined
    : `only PEM ${what}s are supported by Tributary (${v} is not: convert it to PEM, e.g. keytool -importkeystore to PKCS12, then openssl pkcs12 -nodes)`;

/**
 * Kafka's SSL settings (SslConfigs / BrokerSecurityConfigs). Each may also be given for one listener
 * as listener.name.<listener in lower case>.<setting>, which wins over the plain one for that
 * listener (server/tls/ssl-settings.ts resolves them).
 */
const SSL_CONFIG_DEFS = {
  'ssl.keystore.type': def(
    'string',
    'PEM',
    "File format of the key store. Only PEM (Kafka's default is JKS, which Tributary does not read: it is refused with a config error, as PKCS12).",
    pemOnly('key store'),
  ),
  'ssl.keystore.location': optional(
    'string',
    'PEM file holding the private key (PKCS#8, encrypted when ssl.key.password is set) and the certificate chain of this broker. Reloaded when the file changes.',
  ),
  'ssl.keystore.key': secret(
    'The private key in PEM (PKCS#8), inline, instead of ssl.keystore.location; encrypted when ssl.key.password is set.',
  ),
  'ssl.keystore.certificate.chain': optional(
    'string',
    'The certificate chain in PEM (this broker first), inline, with ssl.keystore.key instead of ssl.keystore.location.',
  ),
  'ssl.keystore.password': secret(
    'Password of a JKS or PKCS12 key store; not used (and refused) with PEM, whose key takes ssl.key.password.',
  ),
  'ssl.key.password': secret('Password of the encrypted private key in ssl.keystore.location or ssl.keystore.key.'),
  'ssl.truststore.type': def(
    'string',
    'PEM',
    "File format of the trust store. Only PEM (Kafka's default is JKS, refused with a config error, as PKCS12).",
    pemOnly('trust store'),
  ),
  'ssl.truststore.location': optional(
    'string',
    'PEM file of the CA certificates trusted to sign client certificates (and, for connections to other brokers, their certificates). Not set: the default CAs of Node. Reloaded when the file changes.',
  ),
  'ssl.truststore.certificates': optional('string', 'Trusted CA certificates in PEM, inline, instead of ssl.truststore.location.'),
  'ssl.truststore.password': secret('Password of a JKS or PKCS12 trust store; refused with PEM.'),
  'ssl.client.auth': def(
    'string',
    'none',
    'Client authentication on SSL listeners: required (a client must present a certificate signed by a trusted CA), requested (it may; one that does must be trusted), none.',
    oneOf('required', 'requested', 'none'),
  ),
  'ssl.enabled.protocols': def(
    'list',
    ['TLSv1.2', 'TLSv1.3'],
    'TLS versions enabled (TLSv1.2, TLSv1.3; TLSv1 and TLSv1.1 are accepted when Node allows them). The lowest and highest bound the handshake.',
    (v) => {
      const bad = v.find((p) => !TLS_VERSIONS.includes(p));
      return bad !== undefined
        ? `unknown TLS version ${bad} (known: ${TLS_VERSIONS.join(', ')})`
        : v.length === 0
          ? 'must name at least one TLS version'
          : undefined;
    },
  ),
  'ssl.protocol': def(
    'string',
    'TLSv1.3',
    "Kafka's SSLContext protocol. Accepted (TLS, TLSv1.2, TLSv1.3); the versions negotiated are ssl.enabled.protocols'.",
    oneOf('TLS', 'TLSv1.2', 'TLSv1.3', 'TLSv1.1', 'TLSv1'),
  ),
  'ssl.cipher.suites': def(
    'list',
    [],
    'Cipher suites enabled, by their IANA names as Kafka takes them (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256, ...), mapped to OpenSSL names. Empty: the defaults of Node.',
    validateCipherSuites,
  ),
  'ssl.principal.mapping.rules': def(
    'string',
    'DEFAULT',
    "How the subject of a client certificate (RFC 2253, as Java's X500Principal.getName()) becomes the principal's name: rules RULE:pattern/replacement/[LU], separated by commas, tried in order, and DEFAULT (the subject unchanged).",
    validatePrincipalMappingRules,
  ),
  'ssl.endpoint.identification.algorithm': def(
    'string',
    'https',
    "When this broker connects to another broker's SSL listener: https checks the certificate's names (SAN) against the host; empty disables the check.",
  ),
  'ssl.keymanager.algorithm': compat('string', 'SunX509', 'JSSE key manager algorithm.'),
  'ssl.trustmanager.algorithm': compat('string', 'PKIX', 'JSSE trust manager algorithm.'),
  'ssl.secure.random.implementation': compat('string', null, 'JSSE SecureRandom implementation.'),
  'ssl.engine.factory.class': compat('string', null, 'Custom SslEngineFactory class.'),
} as const;

export const BROKER_CONFIG_DEFS = {
  'node.id': optional(
    'int',
    'The id of this node (broker and/or controller). Required when process.roles is set; otherwise defaults to broker.id, or 1.',
    atLeast(0),
  ),
  'broker.id': def('int', -1, 'ZooKeeper-era name of node.id; -1 means unset. If both are set they must match.', atLeast(-1)),
  'process.roles': optional(
    'list',
    "The roles of this node: 'broker', 'controller', or 'broker,controller' (combined). Not set: a one-node cluster that is its own controller, with today's single-broker defaults.",
    roles,
  ),
  'inter.broker.protocol.version': optional(
    'string',
    "The metadata.version a new cluster's metadata log starts at when its controller first starts (Kafka 3.x's bootstrap without bootstrap.checkpoint): 3.6-IV2, 3.7-IV0, 3.7-IV1 or 3.7-IV2 (a release alone, as '3.7', means its last IV, which Tributary does not run). Not set: 3.7-IV2. An existing metadata log keeps its level; change it with UpdateFeatures (tributary features upgrade).",
    metadataVersionProblem,
  ),
  listeners: def(
    'string',
    'PLAINTEXT://127.0.0.1:9092',
    'Comma-separated NAME://host:port listeners to bind. Empty host binds all interfaces; port 0 picks a free port. Listeners named in controller.listener.names are the controller listeners; the others are broker listeners.',
  ),
  'advertised.listeners': optional(
    'string',
    'Listeners published to clients in Metadata (and, for controller listeners, to the quorum), when they differ from listeners (e.g. behind NAT or in Docker).',
  ),
  'listener.security.protocol.map': def(
    'string',
    'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
    'Listener name to security protocol, NAME:PROTOCOL pairs separated by commas. When not set, every name in controller.listener.names maps to PLAINTEXT too (as Kafka does).',
  ),
  'controller.listener.names': optional(
    'list',
    'Names of the listeners used by the KRaft controller, comma-separated. Required when process.roles is set; a broker talks to the controllers through the first one.',
  ),
  'inter.broker.listener.name': optional(
    'string',
    'Listener brokers use to talk to each other (replication). Must be one of the advertised broker listeners. Default: PLAINTEXT when there is such a listener, else the first broker listener.',
  ),
  'controller.quorum.voters': def(
    'list',
    [],
    'The static controller quorum: comma-separated {id}@{host}:{port} entries (e.g. 1@ctl1:9093,2@ctl2:9093,3@ctl3:9093), on the controller listener.',
    voterList,
  ),
  'controller.quorum.bootstrap.servers': def(
    'list',
    [],
    'Controller endpoints to bootstrap the cluster metadata from (dynamic quorum): comma-separated {host}:{port} entries.',
    bootstrapList,
  ),
  'controller.quorum.election.timeout.ms': def(
    'int',
    1000,
    'Longest time a voter waits without fetching from the leader before starting an election.',
  ),
  'controller.quorum.fetch.timeout.ms': def(
    'int',
    2000,
    'Longest time without a successful fetch from the leader before a voter becomes a candidate; longest time a leader goes without fetches from a majority before resigning.',
  ),
  'controller.quorum.request.timeout.ms': def(
    'int',
    2000,
    'How long a quorum request waits for its response before it is retried or failed.',
  ),
  'metadata.log.max.record.bytes.between.snapshots': def(
    'long',
    20 * 1024 * 1024,
    'A controller of a quorum snapshots the metadata image (<offset>-<epoch>.checkpoint in the metadata log dir) once this many bytes of records were committed since its last snapshot; the log below the snapshot is then dropped.',
    atLeast(1),
  ),
  'broker.session.timeout.ms': def(
    'int',
    9000,
    'The controller fences a broker that has not heartbeated for longer than this (it leaves every ISR, its leaderships move).',
    atLeast(1),
  ),
  'broker.heartbeat.interval.ms': def('int', 2000, 'Time between two broker heartbeats to the controller.', atLeast(1)),
  'broker.rack': optional('string', 'Rack of this broker, used to spread replicas across racks and for fetching from the closest replica.'),
  'log.dirs': optional('list', 'Directories holding partition data, comma-separated. Overrides log.dir.'),
  'log.dir': def('string', './data', 'Data directory used when log.dirs is not set.'),
  'num.partitions': def('int', 1, 'Default number of partitions for auto-created topics and CreateTopics without a count.', atLeast(1)),
  'default.replication.factor': def('int', 1, 'Default replication factor for auto-created topics.', atLeast(1)),
  'auto.create.topics.enable': def('boolean', true, 'Create a topic when a client asks for an unknown one in Metadata.'),
  'delete.topic.enable': def('boolean', true, 'Allow DeleteTopics.'),
  // Authorization (security/authorizer/)
  'authorizer.class.name': def(
    'string',
    '',
    "The authorizer: empty allows everything (ACL APIs answer SECURITY_DISABLED); Kafka's org.apache.kafka.metadata.authorizer.StandardAuthorizer (or the older kafka.security.authorizer.AclAuthorizer) authorizes every request with the ACLs of the cluster metadata.",
    oneOf('', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'kafka.security.authorizer.AclAuthorizer'),
  ),
  'super.users': def('string', '', 'Principals allowed everything by the authorizer, semicolon-separated (User:admin;User:broker).'),
  'allow.everyone.if.no.acl.found': def(
    'boolean',
    false,
    'With an authorizer: allow a request on a resource that has no ACL at all (default false: denied).',
  ),
  'message.max.bytes': def('int', 1048588, 'Largest record batch size accepted (topic-level: max.message.bytes).', atLeast(0)),
  'log.retention.ms': optional(
    'long',
    'Delete segments older than this; -1 for no time limit. Takes precedence over minutes/hours.',
    atLeast(-1),
  ),
  'log.retention.minutes': optional('int', 'Retention in minutes, used when log.retention.ms is not set.', atLeast(-1)),
  'log.retention.hours': def('int', 168, 'Retention in hours, used when log.retention.ms and .minutes are not set.', atLeast(-1)),
  'log.retention.bytes': def('long', -1, 'Largest partition size before old segments are deleted; -1 for no size limit.', atLeast(-1)),
  'log.retention.check.interval.ms': def('long', 300000, 'How often retention is applied.', atLeast(1)),
  ...LOG_CLEANER_CONFIG_DEFS,
  'log.segment.bytes': def('int', 1073741824, 'Size at which a segment file rolls.', atLeast(14)),
  'log.roll.ms': optional('long', 'Roll a segment after this time even if not full. Takes precedence over log.roll.hours.', atLeast(1)),
  'log.roll.hours': def('int', 168, 'Segment roll time in hours, used when log.roll.ms is not set.', atLeast(1)),
  'log.flush.interval.messages': def(
    'long',
    Number.MAX_SAFE_INTEGER,
    'fsync a partition after this many messages (default: never; rely on the OS).',
    atLeast(1),
  ),
  'log.flush.interval.ms': optional(
    'long',
    'fsync a partition when its oldest unflushed message is this old (default: never).',
    atLeast(0),
  ),
  'log.index.interval.bytes': def('int', 4096, 'Bytes of log between two offset index entries.', atLeast(0)),
  'log.message.timestamp.type': def(
    'string',
    'CreateTime',
    'CreateTime keeps the producer timestamp; LogAppendTime stamps the broker time.',
    oneOf('CreateTime', 'LogAppendTime'),
  ),
  'compression.type': def(
    'string',
    'producer',
    "Compression of stored batches: producer keeps the producer's codec, otherwise batches are recompressed.",
    oneOf(...COMPRESSION_TYPES),
  ),
  'min.insync.replicas': def('int', 1, 'Replicas that must acknowledge acks=all produce requests.', atLeast(1)),
  'replica.lag.time.max.ms': def(
    'long',
    30000,
    "A follower that has not fetched, or not caught up to the leader's log end offset, for this long leaves the ISR.",
    atLeast(1),
  ),
  'replica.fetch.wait.max.ms': def(
    'int',
    500,
    'Longest wait of a follower fetch request; keep it below replica.lag.time.max.ms so idle partitions do not shrink their ISR.',
    atLeast(0),
  ),
  'replica.fetch.min.bytes': def('int', 1, 'Bytes a follower fetch waits for (up to replica.fetch.wait.max.ms).', atLeast(0)),
  'fetch.max.bytes': def(
    'int',
    57671680,
    "Most record bytes one Fetch response carries (consumers' and followers'), whatever the request's max_bytes asks. Not an absolute maximum (KIP-74): the first batch of the first partition with records is returned whole even when larger.",
    atLeast(1024),
  ),
  'replica.fetch.max.bytes': def(
    'int',
    1048576,
    'Bytes a follower fetches per partition (not an absolute maximum: a first batch larger than this is still returned).',
    atLeast(0),
  ),
  'replica.fetch.response.max.bytes': def(
    'int',
    10485760,
    'Bytes a follower fetch response may hold in all (not an absolute maximum: a first batch larger than this is still returned).',
    atLeast(0),
  ),
  'replica.fetch.backoff.ms': def('int', 1000, 'Wait after a follower fetch fails before fetching again.', atLeast(0)),
  'replica.socket.timeout.ms': def(
    'int',
    30000,
    'Timeout of replication requests to the leader; at least replica.fetch.wait.max.ms.',
    atLeast(1),
  ),
  'num.replica.fetchers': def('int', 1, 'Fetchers per source broker replicating its partitions.', atLeast(1)),
  'replica.high.watermark.checkpoint.interval.ms': def(
    'long',
    5000,
    'How often the high watermarks are written to replication-offset-checkpoint.',
    atLeast(1),
  ),
  'unclean.leader.election.enable': def(
    'boolean',
    false,
    'Elect a replica outside the ISR as leader when no ISR member is left, as a last resort that may lose data (topic-level: unclean.leader.election.enable).',
  ),
  ...LEADER_BALANCE_CONFIG_DEFS,
  'replica.selector.class': optional(
    'string',
    `ReplicaSelector that picks the preferred read replica of a consumer fetch (KIP-392): ${RACK_AWARE_REPLICA_SELECTOR} (a replica in the consumer's rack, by its client.rack). Not set: consumers read from the leader.`,
    (v) => (v === RACK_AWARE_REPLICA_SELECTOR ? undefined : `must be ${RACK_AWARE_REPLICA_SELECTOR} (no other selector is built in)`),
  ),
  'socket.request.max.bytes': def('int', 104857600, 'Largest request frame accepted; larger ones close the connection.', atLeast(1)),
  'connections.max.idle.ms': def('long', 600000, 'Close connections idle for this long; 0 or less disables.'),
  'queued.max.request.bytes': def(
    'long',
    DEFAULT_QUEUED_MAX_REQUEST_BYTES,
    "Request bytes all connections of a listener's server may hold in memory, partly received or being handled; a connection whose request does not fit stops being read until memory is released (and is closed if that takes longer than tributary.request.read.timeout.ms). At least socket.request.max.bytes when set. Kafka's default is -1 (unbounded; still accepted, as is 0); Tributary's is a quarter of the V8 heap limit (node --max-old-space-size; Node sizes it from the machine's memory), at least socket.request.max.bytes.",
  ),
  'tributary.zero.copy.enable': def(
    'boolean',
    true,
    'Not in Kafka (which always uses sendfile on plaintext listeners): send the records of Fetch answers on plaintext connections (PLAINTEXT, SASL_PLAINTEXT) with sendfile(2), from the page cache to the socket, instead of reading them into the process and writing them back out. Takes effect where the @tributary/sendfile addon was built at install (Linux, a compiler present) and the logs are on the real filesystem; the broker logs at start which path it uses. TLS connections always use the copy path.',
  ),
  'tributary.request.read.timeout.ms': def(
    'long',
    30000,
    'Not in Kafka, which has no such limit: a connection whose request has started to arrive (its first bytes, or its size prefix) and is not complete this long later is closed, so half-sent frames and stalled senders give their memory back. Counted while the broker reads the connection or waits for request memory, not while it holds reading back itself. 30 s: clients give up on a request after request.timeout.ms (30 s by default) anyway. 0 disables.',
    atLeast(0),
  ),
  'tributary.log.dir.failure.recovery.interval.ms': def(
    'long',
    10000,
    "Not in Kafka, whose failed log dirs stay offline until a restart: how often a log dir taken offline by an I/O error (EIO, ENOSPC, EROFS) is probed (a file created, written, fsynced, read back and deleted in it; the same meta.properties). Once the probe passes, the dir is re-opened as after an unclean shutdown (each log re-verified from its recovery point) and its partitions are served again. 10 s: one small write and fsync per offline dir. 0 disables (Kafka's behaviour).",
    atLeast(0),
  ),
  'max.connections': def('int', 2147483647, 'Most connections the broker keeps open; at the limit new ones wait for a slot.', atLeast(0)),
  'max.connections.per.ip': def('int', 2147483647, 'Most connections from one IP address; more are closed at once.', atLeast(0)),
  'max.connections.per.ip.overrides': def(
    'string',
    '',
    'Per-address limits overriding max.connections.per.ip: "address:count,...".',
    (v: string) => {
      try {
        parsePerIpOverrides(v);
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    },
  ),
  'quota.window.num': def('int', 11, 'Samples kept for client quota rates.', atLeast(1)),
  'quota.window.size.seconds': def('int', 1, 'Length of each client quota rate sample.', atLeast(1)),
  'replication.quota.window.num': def('int', 11, 'Samples kept for replication throttle rates.', atLeast(1)),
  'replication.quota.window.size.seconds': def('int', 1, 'Length of each replication throttle rate sample.', atLeast(1)),
  'offsets.topic.num.partitions': def('int', 50, 'Partitions of __consumer_offsets.', atLeast(1)),
  'offsets.topic.replication.factor': def(
    'int',
    3,
    'Replication factor of __consumer_offsets, as Kafka; capped at the brokers registered when it is created, so a single broker works without setting it.',
    atLeast(1),
  ),
  'offsets.topic.segment.bytes': def(
    'int',
    104857600,
    'segment.bytes of __consumer_offsets (when it is created): small segments are compacted and loaded sooner.',
    atLeast(1),
  ),
  'offsets.retention.minutes': def('int', 10080, 'Committed offsets of empty groups are kept this long.', atLeast(1)),
  'group.initial.rebalance.delay.ms': def('int', 3000, 'Wait for more members before the first rebalance of a new group.', atLeast(0)),
  'group.min.session.timeout.ms': def('int', 6000, 'Smallest session.timeout.ms a consumer may ask for.', atLeast(0)),
  'group.max.session.timeout.ms': def('int', 1800000, 'Largest session.timeout.ms a consumer may ask for.', atLeast(0)),
  'group.max.size': def('int', 2147483647, 'Most members a consumer group may have.', atLeast(1)),
  ...GROUP_CONFIG_BROKER_DEFS,
  'offsets.retention.check.interval.ms': def('long', 600000, 'How often expired committed offsets are removed.', atLeast(1)),
  'offset.metadata.max.bytes': def('int', 4096, 'Longest metadata string an offset commit may carry.', atLeast(0)),
  'transaction.state.log.num.partitions': def('int', 50, 'Partitions of __transaction_state (when it is created).', atLeast(1)),
  'transaction.state.log.replication.factor': def(
    'int',
    3,
    'Replication factor of __transaction_state, as Kafka; capped at the brokers registered when it is created, so a single broker works without setting it.',
    atLeast(1),
  ),
  'transaction.state.log.min.isr': def(
    'int',
    2,
    'min.insync.replicas of __transaction_state; capped at its replication factor when it is created.',
    atLeast(1),
  ),
  'transaction.state.log.segment.bytes': def(
    'int',
    104857600,
    'segment.bytes of __transaction_state (when it is created): small segments are compacted and loaded sooner.',
    atLeast(1),
  ),
  'transaction.state.log.load.buffer.size': def(
    'int',
    5242880,
    'Bytes read at a time when a __transaction_state partition is loaded.',
    atLeast(1),
  ),
  'transaction.max.timeout.ms': def(
    'int',
    900000,
    'Largest transaction.timeout.ms a producer may ask for (InitProducerId answers INVALID_TRANSACTION_TIMEOUT above it).',
    atLeast(1),
  ),
  'transactional.id.expiration.ms': def(
    'int',
    604800000,
    'A transactional id with no transaction in progress and no update for this long is removed.',
    atLeast(1),
  ),
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': def(
    'int',
    10000,
    'How often transactions past their timeout are aborted.',
    atLeast(1),
  ),
  'transaction.remove.expired.transaction.cleanup.interval.ms': def(
    'int',
    3600000,
    'How often expired transactional ids are removed.',
    atLeast(1),
  ),
  'tributary.durability': def(
    'string',
    'page-cache',
    "When a produce is acknowledged. page-cache (Kafka's behaviour): once written to the OS, fsync per log.flush.* — survives a broker crash, not a machine crash. fsync: the partition log is fsynced before acks=1/all produces are answered (concurrent produces share one fsync) — survives power loss, slower.",
    oneOf(...DURABILITY_MODES),
  ),
  'tributary.log.format': def(
    'string',
    'text',
    'How the broker writes its log to stderr: text (`[time] LEVEL message k=v`) or json (one object a line: time, level, logger, message and the fields), for log shippers.',
    oneOf(...LOG_FORMATS),
  ),
  'tributary.log.level': def(
    'string',
    'INFO',
    "The broker's log level at start (Log4j's: OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE, ALL): the root logger's and that of every logger Kafka's log4j2.yaml sets to INFO (kafka, org.apache.kafka, ...); loggers change at runtime with kafka-configs --entity-type broker-loggers.",
    oneOf('OFF', 'FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE', 'ALL'),
  ),
  'tributary.metrics.port': optional(
    'int',
    "Port of the node's Prometheus endpoint (GET /metrics, the text format, Kafka's metric names as the Prometheus JMX exporter gives them), bound on the first listener's host (a dedicated controller's: the first CONTROLLER listener's); 0 picks a free port. Not set: no endpoint.",
    between(0, 65535),
  ),
  // SASL (server/sasl/): per-listener overrides are `listener.name.<listener>.<setting>` (listener-settings.ts).
  'sasl.enabled.mechanisms': def(
    'list',
    ['GSSAPI'],
    'SASL mechanisms enabled on SASL listeners (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512; GSSAPI and OAUTHBEARER are refused on a SASL listener). Per listener: listener.name.<listener>.sasl.enabled.mechanisms.',
  ),
  'sasl.mechanism.inter.broker.protocol': def(
    'string',
    'GSSAPI',
    'SASL mechanism brokers use to talk to each other over a SASL inter-broker listener.',
  ),
  'sasl.mechanism.controller.protocol': def(
    'string',
    'GSSAPI',
    'SASL mechanism used to reach the controllers over a SASL controller listener.',
  ),
  'sasl.jaas.config': optional(
    'string',
    "JAAS login context of SASL clients. Brokers read their SASL settings only from listener.name.<listener>.<mechanism>.sasl.jaas.config (as Kafka does), so this one has no effect on the broker's listeners.",
  ),
  'connections.max.reauth.ms': def(
    'long',
    0,
    'KIP-368: when positive, a SASL session lasts at most this long (SaslAuthenticate v1+ tells the client); a connection that has not re-authenticated by then is closed on its next request. 0: sessions never expire.',
    atLeast(0),
  ),
  'connection.failed.authentication.delay.ms': def(
    'int',
    100,
    'How long the answer to a failed authentication, and the close of its connection, is delayed (slows password guessing).',
    atLeast(0),
  ),
  ...SSL_CONFIG_DEFS,
  // Accepted for compatibility with Kafka's stock server.properties, no effect:
  'num.network.threads': compat('int', 3, 'Network threads.'),
  'num.io.threads': compat('int', 8, 'Request handler threads.'),
  'socket.send.buffer.bytes': compat('int', 102400, 'SO_SNDBUF.'),
  'socket.receive.buffer.bytes': compat('int', 102400, 'SO_RCVBUF.'),
  'num.recovery.threads.per.data.dir': compat('int', 1, 'Log recovery threads.'),
  'transaction.partition.verification.enable': def(
    'boolean',
    true,
    "Partition leaders verify a transactional producer's first batch with its transaction coordinator (KIP-890): no hanging transactions.",
  ),
  'share.coordinator.state.topic.replication.factor': compat('int', 3, 'Replication of __share_group_state.'),
  'share.coordinator.state.topic.min.isr': compat('int', 2, 'min.insync.replicas of __share_group_state.'),
  'zookeeper.connect': compat('string', null, 'ZooKeeper connection string.'),
  'zookeeper.connection.timeout.ms': compat('int', null, 'ZooKeeper connection timeout.'),
} as const satisfies Record<string, ConfigDef>;

export type BrokerConfigName = keyof typeof BROKER_CONFIG_DEFS;
type DefOf<K extends BrokerConfigName> = (typeof BROKER_CONFIG_DEFS)[K];
export type BrokerConfigValue<K extends BrokerConfigName> = TypeOf<DefOf<K>['type']> | (DefOf<K>['default'] extends null ? null : never);
export type BrokerConfigValues = { [K in BrokerConfigName]: BrokerConfigValue<K> };
