// Kafka's cross-checks of broker settings against each other (KafkaConfig's validateValues, the
// group coordinator's and LogManager's start-up checks), with their messages. BrokerConfig runs them
// on the static configuration at load, and again on the static settings with the dynamic ones
// applied over them before it takes dynamic configs (BrokerConfig.reconfigure).
import type { BrokerConfigValues } from './definitions.ts';
import { groupConfigProblems } from './group-config-definitions.ts';

/** Kafka's Long.MAX_VALUE for the JS number holding it. */
function showLong(n: number): string {
  return n === Number.MAX_SAFE_INTEGER ? '9223372036854775807' : String(n);
}

/** Kafka's message that the dedupe buffer is too small for the cleaner threads (KafkaConfig's `require`). */
export const DEDUPE_BUFFER_PER_THREAD = 'log.cleaner.dedupe.buffer.size must be at least 1MB per cleaner thread.';

/**
 * The log cleaner settings (KafkaConfig's validateValues and, at start-up, LogManager's
 * validateBrokerLogConfigValues).
 */
function cleanerProblems(v: BrokerConfigValues): string[] {
  const out: string[] = [];
  const threads = v['log.cleaner.threads'];
  // Kafka divides by it (an ArithmeticException at start-up); no cleaner at all is log.cleaner.enable=false
  if (threads === 0) out.push('log.cleaner.threads must be at least 1 (log.cleaner.enable=false runs no cleaner)');
  else if (Math.floor(v['log.cleaner.dedupe.buffer.size'] / threads) <= 1024 * 1024) out.push(DEDUPE_BUFFER_PER_THREAD);
  const minLag = v['log.cleaner.min.compaction.lag.ms'];
  const maxLag = v['log.cleaner.max.compaction.lag.ms'];
  if (minLag > maxLag)
    out.push(`conflict topic config setting min.compaction.lag.ms (${minLag}) > max.compaction.lag.ms (${showLong(maxLag)})`);
  return out;
}

/** Every problem of a whole set of values (empty: they may be used together). */
export function crossCheckProblems(v: BrokerConfigValues): string[] {
  const problems: string[] = [];
  if (v['node.id'] !== null && v['broker.id'] >= 0 && v['node.id'] !== v['broker.id']) {
    problems.push(`node.id (${v['node.id']}) and broker.id (${v['broker.id']}) must match when both are set`);
  }
  if (v['group.min.session.timeout.ms'] > v['group.max.session.timeout.ms']) {
    problems.push('group.min.session.timeout.ms must not exceed group.max.session.timeout.ms');
  }
  if (v['max.connections.per.ip'] === 0 && v['max.connections.per.ip.overrides'] === '')
    problems.push('max.connections.per.ip can be set to zero only if max.connections.per.ip.overrides property is set.');
  const dirs = v['log.dirs'] ?? [v['log.dir']];
  if (dirs.length === 0 || dirs.some((d) => d === '')) problems.push('log.dirs must name at least one directory');
  if (v['replica.fetch.wait.max.ms'] > v['replica.socket.timeout.ms'])
    problems.push('replica.socket.timeout.ms should always be at least replica.fetch.wait.max.ms to prevent unnecessary socket timeouts');
  if (v['replica.fetch.wait.max.ms'] > v['replica.lag.time.max.ms'])
    problems.push(
      'replica.fetch.wait.max.ms should always be less than or equal to replica.lag.time.max.ms to prevent frequent changes in ISR',
    );
  problems.push(...cleanerProblems(v), ...groupConfigProblems(v));
  return problems;
}
