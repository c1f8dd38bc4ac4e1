// The read-only views of the transaction coordinator: DescribeTransactions (Kafka's
// handleDescribeTransactions) and ListTransactions (TransactionStateManager.listTransactionStates).
//
// Describe: COORDINATOR_NOT_AVAILABLE once shut down, INVALID_REQUEST for '', NOT_COORDINATOR /
// COORDINATOR_LOAD_IN_PROGRESS by the id's partition, TRANSACTIONAL_ID_NOT_FOUND for an id this
// coordinator does not have; else its producer id/epoch, state name, timeout, start time and
// partitions (while preparing to commit or abort: those whose marker is not written yet).
// List: COORDINATOR_NOT_AVAILABLE once shut down, COORDINATOR_LOAD_IN_PROGRESS while any partition
// loads; filters: states by Kafka's names (unknown names are answered back in
// UnknownStateFilters), producer ids, and (v1) transactions running longer than DurationFilter ms.
import { ErrorCode } from '@tributary/protocol';
import type { TransactionCoordinator } from './transaction-coordinator.ts';
import { groupByTopic } from './transaction-metadata.ts';
import { stateFromName, stateName, type TransactionState } from './transaction-state.ts';

export interface DescribedTransaction {
  errorCode: number;
  transactionalId: string;
  transactionState: string;
  transactionTimeoutMs: number;
  transactionStartTimeMs: bigint;
  producerId: bigint;
  producerEpoch: number;
  topics: Array<{ topic: string; partitions: number[] }>;
}

export interface ListedTransactions {
  errorCode: number;
  unknownStateFilters: string[];
  transactionStates: Array<{ transactionalId: string; producerId: bigint; transactionState: string }>;
}

export function describeTransaction(coordinator: TransactionCoordinator, transactionalId: string): DescribedTransaction {
  // Kafka's answer for an error: the generated defaults (0, '').
  const empty = (errorCode: number): DescribedTransaction => ({
    errorCode,
    transactionalId,
    transactionState: '',
    transactionTimeoutMs: 0,
    transactionStartTimeMs: 0n,
    producerId: 0n,
    producerEpoch: 0,
    topics: [],
  });
  if (!coordinator.isActive) return empty(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  if (transactionalId === '') return empty(ErrorCode.INVALID_REQUEST);
  const st = coordinator.getTransactionState(transactionalId);
  if (typeof st === 'number') return empty(st);
  const meta = st.metadata;
  if (!meta) return empty(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  return {
    errorCode: ErrorCode.NONE,
    transactionalId,
    transactionState: stateName(meta.state),
    transactionTimeoutMs: meta.txnTimeoutMs,
    transactionStartTimeMs: BigInt(meta.txnStartTimestamp),
    producerId: meta.producerId,
    producerEpoch: meta.producerEpoch,
    topics: groupByTopic(meta.topicPartitions),
  };
}

export function listTransactions(
  coordinator: TransactionCoordinator,
  filters: { states: string[]; producerIds: bigint[]; durationMs: number },
  now: number,
): ListedTransactions {
  const out: ListedTransactions = { errorCode: ErrorCode.NONE, unknownStateFilters: [], transactionStates: [] };
  if (!coordinator.isActive) return { ...out, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
  const shards = coordinator.allShards();
  if (shards.some((s) => s.state === 'loading')) return { ...out, errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS };
  const states = new Set<TransactionState>();
  for (const name of filters.states) {
    const s = stateFromName(name);
    if (s === undefined) out.unknownStateFilters.push(name);
    else states.add(s);
  }
  const producerIds = new Set(filters.producerIds);
  for (const shard of shards) {
    if (!shard.isActive) continue;
    for (const meta of shard.transactions.values()) {
      if (producerIds.size > 0 && !producerIds.has(meta.producerId)) continue;
      if (filters.states.length > 0 && !states.has(meta.state)) continue;
      if (filters.durationMs >= 0 && now - meta.txnStartTimestamp <= filters.durationMs) continue;
      out.transactionStates.push({
        transactionalId: meta.transactionalId,
        producerId: meta.producerId,
        transactionState: stateName(meta.state),
      });
    }
  }
  return out;
}
