// Transaction coordinator settings, named after Kafka's broker configs, with Kafka's defaults.
export interface TransactionCoordinatorConfig {
  /** transaction.state.log.num.partitions (only creates the topic: an existing one keeps its count) */
  transactionLogNumPartitions: number;
  /** transaction.max.timeout.ms: the largest transaction timeout a producer may ask for */
  transactionMaxTimeoutMs: number;
  /** transactional.id.expiration.ms: an id idle this long (no transaction in progress) is removed */
  transactionalIdExpirationMs: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms */
  abortTimedOutTransactionsIntervalMs: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms */
  removeExpiredTransactionalIdsIntervalMs: number;
  /** How long a marker write waits before it is sent again (unknown leader, retriable error, lost connection). */
  markerRetryBackoffMs: number;
}

export const DEFAULT_TRANSACTION_COORDINATOR_CONFIG: TransactionCoordinatorConfig = {
  transactionLogNumPartitions: 50,
  transactionMaxTimeoutMs: 900_000,
  transactionalIdExpirationMs: 7 * 24 * 60 * 60 * 1000,
  abortTimedOutTransactionsIntervalMs: 10_000,
  removeExpiredTransactionalIdsIntervalMs: 3_600_000,
  markerRetryBackoffMs: 100,
};
