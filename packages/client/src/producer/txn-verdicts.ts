// How the transactional producer judges its coordinators' answers (Java's TransactionManager
// handlers): each error code becomes a Verdict for runStep (txn-coordinator.ts) — retry, find the
// coordinator again and retry, an abortable error (the transaction must be aborted), or a fatal one.
import { ErrorCode } from '@tributary/protocol';
import { KafkaClientError } from '../network/errors.ts';
import { codeError, fencedError, type Verdict } from './txn-coordinator.ts';

/** Java's ADD_PARTITIONS_RETRY_BACKOFF_MS: the first AddPartitionsToTxn waits little for the previous transaction to finish. */
const ADD_PARTITIONS_RETRY_BACKOFF_MS = 20;

/** The answer to a coordinator error shared by InitProducerId, AddOffsetsToTxn and EndTxn. */
export function coordinatorVerdict<T>(code: number, what: string): Verdict<T> {
  const reason = `${what}: ${codeError(code, what).type}`;
  if (code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_NOT_AVAILABLE) return { retry: true, find: true, reason };
  if (code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS || code === ErrorCode.CONCURRENT_TRANSACTIONS) return { retry: true, reason };
  if (code === ErrorCode.INVALID_PRODUCER_EPOCH || code === ErrorCode.PRODUCER_FENCED) return { fatal: fencedError(what) };
  if (code === ErrorCode.UNKNOWN_PRODUCER_ID || code === ErrorCode.INVALID_PRODUCER_ID_MAPPING)
    return { abortable: codeError(code, what), bump: true };
  return { fatal: codeError(code, what) };
}

/** AddPartitionsToTxn's per-partition answers (Java's AddPartitionsToTxnHandler); `firstAdd`: no partition is in the transaction yet. */
export function addPartitionsVerdict(
  results: Array<{ name: string; resultsByPartition: Array<{ partitionIndex: number; partitionErrorCode: number }> }>,
  what: string,
  firstAdd: boolean,
): Verdict<boolean> {
  const unauthorized = new Set<string>();
  const failed: string[] = [];
  for (const t of results) {
    for (const p of t.resultsByPartition) {
      const code = p.partitionErrorCode;
      if (code === ErrorCode.NONE) continue;
      if (code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_NOT_AVAILABLE) return { retry: true, find: true };
      // the previous transaction is still completing: the first add of a transaction asks again soon
      if (code === ErrorCode.CONCURRENT_TRANSACTIONS)
        return { retry: true, backoffMs: firstAdd ? ADD_PARTITIONS_RETRY_BACKOFF_MS : undefined };
      if (code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS || code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return { retry: true };
      if (code === ErrorCode.INVALID_PRODUCER_EPOCH || code === ErrorCode.PRODUCER_FENCED) return { fatal: fencedError(what) };
      if (code === ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED || code === ErrorCode.INVALID_TXN_STATE)
        return { fatal: codeError(code, what) };
      if (code === ErrorCode.UNKNOWN_PRODUCER_ID || code === ErrorCode.INVALID_PRODUCER_ID_MAPPING)
        return { abortable: codeError(code, what), bump: true };
      if (code === ErrorCode.TOPIC_AUTHORIZATION_FAILED) unauthorized.add(t.name);
      else if (code !== ErrorCode.OPERATION_NOT_ATTEMPTED) failed.push(`${t.name}-${p.partitionIndex}: ${codeError(code, what).type}`);
    }
  }
  if (unauthorized.size > 0) {
    const message = `${what}: TOPIC_AUTHORIZATION_FAILED for ${[...unauthorized].join(', ')}`;
    return {
      abortable: new KafkaClientError(message, 'TOPIC_AUTHORIZATION_FAILED', false, { code: ErrorCode.TOPIC_AUTHORIZATION_FAILED }),
    };
  }
  if (failed.length > 0)
    return { abortable: new KafkaClientError(`${what}: could not add partitions (${failed.join(', ')})`, 'UNKNOWN_SERVER_ERROR', false) };
  return { ok: true };
}

/**
 * One partition's TxnOffsetCommit answer (Java's TxnOffsetCommitHandler): 'done', 'retry' (the
 * same coordinator), 'find' (look the group coordinator up again), or an error verdict.
 */
export function txnOffsetCommitVerdict(code: number, what: string): 'done' | 'retry' | 'find' | Verdict<never> {
  if (code === ErrorCode.NONE) return 'done';
  if (code === ErrorCode.COORDINATOR_NOT_AVAILABLE || code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.REQUEST_TIMED_OUT)
    return 'find';
  if (code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return 'retry';
  if (code === ErrorCode.GROUP_AUTHORIZATION_FAILED || code === ErrorCode.FENCED_INSTANCE_ID) return { abortable: codeError(code, what) };
  if (code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.ILLEGAL_GENERATION) {
    const message = `${what}: the consumer group's metadata does not match (${codeError(code, what).type})`;
    return { abortable: new KafkaClientError(message, 'COMMIT_FAILED', false, { code }) };
  }
  if (code === ErrorCode.INVALID_PRODUCER_EPOCH || code === ErrorCode.PRODUCER_FENCED) return { fatal: fencedError(what) };
  return { fatal: codeError(code, what) };
}
