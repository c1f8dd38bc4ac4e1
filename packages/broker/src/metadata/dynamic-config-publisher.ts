// DynamicConfigPublisher: applies the metadata's dynamic BROKER configs to the running broker, as
// Kafka's DynamicConfigPublisher and DynamicBrokerConfig (updateDefaultConfig, updateBrokerConfig)
// do. Whenever the cluster-wide default resource ("") or this broker's own resource (its node id)
// changes, and on the first image after a start, the settings of APPLIED_DYNAMIC_CONFIGS are
// recomputed, Kafka's precedence: this broker's dynamic value > the cluster-wide dynamic default >
// the static setting (server.properties, environment, overrides) > Kafka's default. A stored value
// that does not parse or validate is ignored (logged), as Kafka's fromPersistentProps does; a set
// that fails Kafka's cross-checks (cross-checks.ts) is not applied at all (logged), the previous one
// stays, as Kafka's updateCurrentConfig.
//
// BrokerConfig.reconfigure() then tells its listeners what changed: the ReplicaManager (the topic
// defaults every topic without an override inherits, on every hosted log at once, and the log
// cleaner's settings), the connection limits of each listener, and everything that reads the
// setting when it needs it (transaction.partition.verification.enable). The controller resolves
// unclean.leader.election.enable from the same resources itself (metadata's Controller).
//
// Every other dynamic setting Kafka knows is stored and described (DescribeConfigs) but not applied:
// listeners and their security settings, thread counts, and settings Tributary does not implement.
//
// checkReconfiguration() is the check AlterConfigs and IncrementalAlterConfigs make before storing
// a BROKER resource (Kafka's DynamicBrokerConfig.validate, processReconfiguration): the resulting
// configuration's cross-checks, and the log cleaner's thread-count limits.
import type { MetadataDelta, MetadataImage } from '@tributary/metadata';
import { ErrorCode } from '@tributary/protocol';
import type { BrokerConfig, DynamicValues } from '../config/broker-config.ts';
import { parseValue } from '../config/broker-config.ts';
import { DEDUPE_BUFFER_PER_THREAD } from '../config/cross-checks.ts';
import { BROKER_CONFIG_DEFS, type BrokerConfigName, type ConfigDef } from '../config/definitions.ts';
import { valueProblem } from '../config-resources/dynamic-broker-config.ts';
import type { Logger } from '../logger.ts';

/** The dynamic broker settings Tributary applies to the running broker (every other is stored and described only). */
export const APPLIED_DYNAMIC_CONFIGS: ReadonlySet<BrokerConfigName> = new Set<BrokerConfigName>([
  // the defaults of topic configs (DynamicLogConfig): topics without an override follow them
  'log.segment.bytes',
  'log.roll.ms',
  'log.flush.interval.messages',
  'log.flush.interval.ms',
  'log.retention.bytes',
  'log.retention.ms',
  'message.max.bytes',
  'log.index.interval.bytes',
  'log.cleaner.delete.retention.ms',
  'log.cleaner.min.compaction.lag.ms',
  'log.cleaner.max.compaction.lag.ms',
  'log.cleaner.min.cleanable.ratio',
  'log.cleanup.policy',
  'unclean.leader.election.enable',
  'min.insync.replicas',
  'compression.type',
  'log.message.timestamp.type',
  // the log cleaner (LogCleaner.ReconfigurableConfigs)
  'log.cleaner.threads',
  'log.cleaner.dedupe.buffer.size',
  'log.cleaner.io.buffer.load.factor',
  'log.cleaner.io.max.bytes.per.second',
  'log.cleaner.backoff.ms',
  // connection limits (DynamicConnectionQuota)
  'max.connections',
  'max.connections.per.ip',
  'max.connections.per.ip.overrides',
  // DynamicProducerStateManagerConfig
  'transaction.partition.verification.enable',
]);

const BROKER = 4;
const LOG_CLEANER_THREADS = 'log.cleaner.threads';

/** A BROKER resource's stored configs: this broker's own and the cluster-wide default. */
export interface StoredBrokerConfigs {
  broker: Readonly<Record<string, string>>;
  clusterDefault: Readonly<Record<string, string>>;
}

/**
 * The values to apply (APPLIED_DYNAMIC_CONFIGS only, parsed): the cluster-wide default's, then this
 * broker's over them. `ignored`: stored values that do not parse or validate, with Kafka's message.
 */
export function dynamicValues(stored: StoredBrokerConfigs): { values: DynamicValues; ignored: string[] } {
  const values = new Map<BrokerConfigName, { value: unknown; source: 'DYNAMIC_BROKER_CONFIG' | 'DYNAMIC_DEFAULT_BROKER_CONFIG' }>();
  const ignored: string[] = [];
  const layers = [
    [stored.clusterDefault, 'DYNAMIC_DEFAULT_BROKER_CONFIG'],
    [stored.broker, 'DYNAMIC_BROKER_CONFIG'],
  ] as const;
  for (const [props, source] of layers) {
    for (const [name, raw] of Object.entries(props)) {
      if (!APPLIED_DYNAMIC_CONFIGS.has(name as BrokerConfigName)) continue;
      const problem = valueProblem(name, raw);
      if (problem !== null) {
        ignored.push(problem);
        continue;
      }
      const def = (BROKER_CONFIG_DEFS as Record<string, ConfigDef>)[name]!;
      values.set(name as BrokerConfigName, { value: parseValue(def, raw).value, source });
    }
  }
  return { values, ignored };
}

/**
 * Kafka's check of a BROKER resource's resulting configs before they are stored: the configuration
 * they would make (with the other resource's stored configs) must pass the cross-checks, and
 * log.cleaner.threads may at most double or halve the running count. INVALID_REQUEST with Kafka's
 * message ("requirement failed: ..." for KafkaConfig's own checks, "Invalid dynamic configuration"
 * for the cleaner's limits); null when they may be stored.
 */
export function checkReconfiguration(
  config: BrokerConfig,
  stored: StoredBrokerConfigs,
  perBroker: boolean,
  configs: Readonly<Record<string, string>>,
): { errorCode: number; errorMessage: string } | null {
  const next = perBroker ? { ...stored, broker: configs } : { ...stored, clusterDefault: configs };
  const { values } = dynamicValues(next);
  const problems = config.problemsWith(values);
  const fail = (errorMessage: string) => ({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage });
  if (problems.length > 0) return fail(problems[0] === DEDUPE_BUFFER_PER_THREAD ? `requirement failed: ${problems[0]}` : problems[0]!);
  const current = config.get(LOG_CLEANER_THREADS);
  const threads = (values.get(LOG_CLEANER_THREADS)?.value as number | undefined) ?? config.staticGet(LOG_CLEANER_THREADS);
  if (threads !== current && (threads < 1 || threads < Math.floor(current / 2) || threads > current * 2))
    return fail('Invalid dynamic configuration');
  return null;
}

/** Kafka's loggable form of a resource's configs: sensitive and unknown settings hidden. */
function loggable(props: Readonly<Record<string, string>>): string {
  return Object.entries(props)
    .map(([k, v]) => {
      const def = (BROKER_CONFIG_DEFS as Record<string, ConfigDef>)[k];
      return `${k}=${def && !def.sensitive ? v : '[hidden]'}`;
    })
    .join(',');
}

export class DynamicConfigPublisher {
  private started = false;

  constructor(private readonly o: { config: BrokerConfig; nodeId: number; log: Logger }) {}

  /** Applies the image's dynamic broker configs when the delta touches this broker's or the default resource. */
  onMetadataUpdate(delta: MetadataDelta, image: MetadataImage): void {
    const own = String(this.o.nodeId);
    const changed = delta.configs?.changedResources() ?? [];
    const ownChanged = changed.includes(`${BROKER}:${own}`);
    const defaultChanged = changed.includes(`${BROKER}:`);
    if (this.started && !ownChanged && !defaultChanged) return;
    this.started = true;
    const stored = {
      broker: Object.fromEntries(image.configs.configs(BROKER, own)),
      clusterDefault: Object.fromEntries(image.configs.configs(BROKER, '')),
    };
    const log = this.o.log;
    if (defaultChanged) log.info(`Updating cluster configuration : ${loggable(stored.clusterDefault)}`);
    if (ownChanged) log.info(`Updating node ${own} with new configuration : ${loggable(stored.broker)}`);
    const { values, ignored } = dynamicValues(stored);
    if (ignored.length > 0)
      log.error(`Dynamic broker configs contain invalid values, these configs will be ignored: ${ignored.join('; ')}`);
    const problems = this.o.config.reconfigure(values);
    if (problems.length > 0)
      log.error(`Failed to update broker configuration with configs : ${[...values.keys()].join(',')}`, { problems: problems.join('; ') });
  }
}
