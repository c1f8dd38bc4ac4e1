// Kafka's DynamicLogConfig and LogCleaner.reconfigure for the ReplicaManager's LogManager: when
// dynamic broker configs change (BrokerConfig.onReconfigure), logs created or loaded from then on
// take the new topic defaults, and the log cleaner restarts with its new settings when one of them
// changed. The ReplicaManager then recomputes each hosted topic's configs (its overrides over the
// new defaults).
import type { LogManager } from '@tributary/storage';
import type { BrokerConfig } from '../config/broker-config.ts';
import type { BrokerConfigName } from '../config/definitions.ts';
import type { Logger } from '../logger.ts';
import { toLogConfig } from '../metadata/topic-config.ts';

/** The log cleaner's own settings (Kafka's LogCleaner.ReconfigurableConfigs that Tributary has). */
const CLEANER_CONFIGS: ReadonlySet<string> = new Set([
  'log.cleaner.threads',
  'log.cleaner.dedupe.buffer.size',
  'log.cleaner.io.buffer.load.factor',
  'log.cleaner.io.max.bytes.per.second',
  'log.cleaner.backoff.ms',
]);

export function reconfigureLogs(logs: LogManager, config: BrokerConfig, changed: ReadonlySet<BrokerConfigName>, log: Logger): void {
  logs.reconfigureDefaultLogConfig(toLogConfig({}, config));
  if ([...changed].some((n) => CLEANER_CONFIGS.has(n)))
    logs.cleaner?.reconfigure(config.cleanerConfig).catch((err) => log.error('cannot reconfigure the log cleaner', { err }));
}
