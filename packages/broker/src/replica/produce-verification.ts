// Transaction verification on the produce path (KIP-890 part 1, Kafka's
// ReplicaManager.handleProduceAppend and maybeStartTransactionVerificationForPartitions): before
// the first transactional batch of a producer is appended to a partition where it has no open
// transaction, the leader creates a verification guard (Partition.maybeStartTransactionVerification)
// and asks the producer's transaction coordinator whether the partition was added to the
// transaction (one AddPartitionsToTxn VerifyOnly for every such partition of the request). The
// append then carries the guard: the log accepts the batch only with the guard still current
// (storage's transaction-verification.ts), so a transaction aborted meanwhile cannot be reopened
// by a late batch ("hanging transactions"). Coordinator answers become produce errors as Kafka
// maps them for clients of Produce v11 and below:
//   PRODUCER_FENCED -> INVALID_PRODUCER_EPOCH; TRANSACTION_ABORTABLE and INVALID_TXN_STATE ->
//   INVALID_TXN_STATE ("Partition was not added to the transaction"); CONCURRENT_TRANSACTIONS,
//   NETWORK_EXCEPTION, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR ->
//   NOT_ENOUGH_REPLICAS (retriable for every client, and no metadata refresh); others as they are.
// Only the first batch of each partition is looked at (a producer sends one batch per partition);
// transactional batches of two producers in one request answer INVALID_PRODUCER_ID_MAPPING.
import { Attr, ErrorCode, Off, errorInfo } from '@tributary/protocol';
import type { TransactionVerificationCheck } from '@tributary/storage';
import type { Partition } from './partition.ts';

export interface TopicPartitionRef {
  topic: string;
  partition: number;
}

/** Asks the coordinator of `transactionalId`: an error code per `topic-partition` (NONE: in the transaction). */
export type VerifyTransaction = (
  transactionalId: string,
  producerId: bigint,
  producerEpoch: number,
  partitions: readonly TopicPartitionRef[],
) => Promise<Map<string, number>>;

export interface ProduceVerification {
  /** Per `topic-partition`: the guard its append carries. */
  checks: Map<string, TransactionVerificationCheck>;
  /** Per `topic-partition`: the error answered instead of appending. */
  errors: Map<string, { errorCode: number; message: string }>;
}

/** The check of an append that has no verification of its own (the log refuses a batch that opens a transaction). */
export const UNVERIFIED: TransactionVerificationCheck = Object.freeze({ guard: null });

interface Candidate {
  key: string;
  ref: TopicPartitionRef;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  partition: Partition;
}

/**
 * Starts the verification of a Produce request's partitions that need it; null when none does
 * (then every partition appends with UNVERIFIED).
 */
export function startProduceVerification(
  transactionalId: string,
  topics: ReadonlyArray<{ name: string; partitionData: ReadonlyArray<{ index: number; records: Buffer | null }> }>,
  getPartition: (topic: string, partition: number) => Partition | undefined,
  verify: VerifyTransaction,
): Promise<ProduceVerification> | null {
  const candidates: Candidate[] = [];
  for (const t of topics) {
    for (const pd of t.partitionData) {
      const r = pd.records;
      if (!r || r.length < Off.RecordsCount) continue;
      if ((r.readInt16BE(Off.Attributes) & Attr.Transactional) === 0 || r.readInt32BE(Off.ProducerId) < 0) continue;
      const partition = getPartition(t.name, pd.index);
      if (!partition?.isLeader) continue; // the append answers the partition's error
      candidates.push({
        key: `${t.name}-${pd.index}`,
        ref: { topic: t.name, partition: pd.index },
        producerId: r.readBigInt64BE(Off.ProducerId),
        producerEpoch: r.readInt16BE(Off.ProducerEpoch),
        baseSequence: r.readInt32BE(Off.BaseSequence),
        partition,
      });
    }
  }
  if (candidates.length === 0) return null;
  const out: ProduceVerification = { checks: new Map(), errors: new Map() };
  const first = candidates[0]!;
  if (candidates.some((c) => c.producerId !== first.producerId)) {
    for (const c of candidates) {
      out.errors.set(c.key, {
        errorCode: ErrorCode.INVALID_PRODUCER_ID_MAPPING,
        message: 'Transactional records contained more than one producer ID',
      });
    }
    return Promise.resolve(out);
  }
  const pending = candidates.flatMap((c) => {
    const guard = c.partition.maybeStartTransactionVerification(c.producerId, c.baseSequence, c.producerEpoch);
    return guard ? [{ c, guard }] : []; // null: its transaction is open here already
  });
  if (pending.length === 0) return null;
  return verify(
    transactionalId,
    first.producerId,
    first.producerEpoch,
    pending.map((x) => x.c.ref),
  ).then((codes) => {
    for (const { c, guard } of pending) {
      const code = codes.get(c.key) ?? ErrorCode.NONE;
      if (code === ErrorCode.NONE) out.checks.set(c.key, { guard });
      else out.errors.set(c.key, produceErrorOf(code));
    }
    return out;
  });
}

/** A coordinator's verification error as the produce response answers it (see the header). */
export function produceErrorOf(code: number): { errorCode: number; message: string } {
  switch (code) {
    case ErrorCode.PRODUCER_FENCED:
      return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, message: 'The producer was fenced by its transaction coordinator' };
    case ErrorCode.TRANSACTION_ABORTABLE:
    case ErrorCode.INVALID_TXN_STATE:
      return { errorCode: ErrorCode.INVALID_TXN_STATE, message: 'Partition was not added to the transaction' };
    case ErrorCode.CONCURRENT_TRANSACTIONS:
    case ErrorCode.NETWORK_EXCEPTION:
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.NOT_COORDINATOR:
      return {
        errorCode: ErrorCode.NOT_ENOUGH_REPLICAS,
        message: `Unable to verify the partition has been added to the transaction. Underlying error: ${errorInfo(code).name}`,
      };
    default:
      return { errorCode: code, message: `Transaction verification failed: ${errorInfo(code).name}` };
  }
}
