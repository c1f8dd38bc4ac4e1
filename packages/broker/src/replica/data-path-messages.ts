// The data path's messages between the handlers and the ReplicaManager (replica-manager.ts): the
// Produce and Fetch requests as the ReplicaManager takes them (AppendRecordsRequest,
// FetchMessagesRequest), the per-partition answers it builds (ProducePartitionResponse,
// FetchPartitionResponse), and the builders of those answers — errors, an append's result, a
// read's result, the message of an acks=all wait that ended without the ISR. Shared, never-mutated
// empties (EMPTY, NO_RECORD_ERRORS, NO_ABORTED) keep the hot paths free of allocations.
import { ErrorCode, type FetchResponsePartitionData, type ProduceResponsePartitionProduceResponse } from '@tributary/protocol';
import type { Records } from '@tributary/storage';
import type { AppendOrigin, AppendResult, Partition } from './partition.ts';

/** A partition's Produce answer; recordErrors (Produce v8+) name the records a refused batch was refused for. */
export type ProducePartitionResponse = Omit<ProduceResponsePartitionProduceResponse, 'currentLeader'>;
export type FetchPartitionResponse = Omit<FetchResponsePartitionData, 'divergingEpoch' | 'currentLeader' | 'snapshotId' | 'records'> & {
  /** Only to a follower whose log diverged from the leader's (Fetch v12+). */
  divergingEpoch?: { epoch: number; endOffset: bigint };
  /** The batches: bytes, or (a zero-copy fetch) a region of a segment file that the connection sends with sendfile. */
  records: Records | null;
};

export interface AppendRecordsRequest {
  /** 0, 1 or -1; anything else answers INVALID_REQUIRED_ACKS for every partition. */
  requiredAcks: number;
  /** False for clients: internal topics refuse their writes (INVALID_TOPIC_EXCEPTION). */
  internalTopicsAllowed: boolean;
  origin: AppendOrigin;
  /** The Produce request version (validation rules depend on it). */
  produceVersion: number;
  /** See AppendOptions.servingNode (the shared-log test cluster only). */
  servingNode?: number;
  /** The Produce request's TransactionalId (null: none); transactional batches are verified with its coordinator. */
  transactionalId?: string | null;
  /** How long an acks=all append waits for the ISR (Produce TimeoutMs); default 30000. */
  timeoutMs?: number;
  topics: ReadonlyArray<{ name: string; partitionData: ReadonlyArray<{ index: number; records: Buffer | null }> }>;
}

export type AppendRecordsResponse = Array<{ name: string; partitionResponses: ProducePartitionResponse[] }>;

export interface FetchRequestPartition {
  partition: number;
  fetchOffset: bigint;
  partitionMaxBytes: number;
  /** -1: not sent (before Fetch v9). */
  currentLeaderEpoch: number;
  /** A follower's: the epoch of its last record (-1: not sent, before v12), and its log start offset. */
  lastFetchedEpoch?: number;
  logStartOffset?: bigint;
}

export interface FetchMessagesRequest {
  /** The fetching follower's broker id; -1 (or absent) for consumers. */
  replicaId?: number;
  /** The consumer's rack (client.rack, Fetch v11+), for the preferred read replica. */
  rackId?: string;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  /** 0 read_uncommitted, 1 read_committed. */
  isolationLevel: number;
  /**
   * The records may be answered as regions of segment files (FileRecords) instead of bytes: the
   * connection sends them with sendfile(2) (a plaintext connection of a broker with zero-copy on).
   */
  fileRecords?: boolean;
  topics: ReadonlyArray<{ topic: string; topicId: string; partitions: ReadonlyArray<FetchRequestPartition> }>;
}

export type FetchMessagesResponse = Array<{ topic: string; topicId: string; partitions: FetchPartitionResponse[] }>;

export const EMPTY = Buffer.alloc(0);
export const NOT_HOSTED = 'This server does not host this topic-partition.';

/** Shared by every answer without record errors (never mutated). */
const NO_RECORD_ERRORS: ProducePartitionResponse['recordErrors'] = Object.freeze([]) as unknown as ProducePartitionResponse['recordErrors'];

export function produceError(index: number, errorCode: number, errorMessage: string | null = null): ProducePartitionResponse {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: NO_RECORD_ERRORS, errorMessage };
}

export function fetchError(partitionIndex: number, errorCode: number): FetchPartitionResponse {
  return {
    partitionIndex,
    errorCode,
    highWatermark: -1n,
    lastStableOffset: -1n,
    logStartOffset: -1n,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: EMPTY,
  };
}

export type AbortedList = FetchPartitionResponse['abortedTransactions'];
/** read_committed answers with no records: an empty list (never mutated). */
export const NO_ABORTED: NonNullable<AbortedList> = [];

export function answered(p: Partition, partitionIndex: number, aborted: AbortedList, records: Records): FetchPartitionResponse {
  return {
    partitionIndex,
    errorCode: ErrorCode.NONE,
    highWatermark: BigInt(p.highWatermark),
    lastStableOffset: BigInt(p.lastStableOffset),
    logStartOffset: BigInt(p.logStartOffset),
    abortedTransactions: aborted,
    preferredReadReplica: -1,
    records,
  };
}

export function appended(p: Partition, info: AppendResult): ProducePartitionResponse {
  return {
    index: p.partition,
    errorCode: ErrorCode.NONE,
    baseOffset: BigInt(info.firstOffset),
    logAppendTimeMs: BigInt(info.logAppendTimeMs),
    logStartOffset: BigInt(p.logStartOffset),
    recordErrors: NO_RECORD_ERRORS,
    errorMessage: null,
  };
}

export function produceWaitMessage(p: Partition, errorCode: number): string | null {
  switch (errorCode) {
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
      return `Messages are written to the log, but to fewer in-sync replicas than required (ISR [${p.isr.join(', ')}], min.insync.replicas ${p.effectiveMinIsr}) for partition ${p.key}`;
    case ErrorCode.REQUEST_TIMED_OUT:
      return `The in-sync replicas of ${p.key} did not acknowledge the write within the request timeout`;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
      return `Leadership of ${p.key} moved before the in-sync replicas acknowledged the write`;
    default:
      return null;
  }
}
