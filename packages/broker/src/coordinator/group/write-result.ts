// What a coordinator operation produces (Kafka's CoordinatorResult): records to append to the
// __consumer_offsets partition, the response, and an optional callback once the append is done.
// Offset commits and tombstones are replayed into state after the append; group metadata values
// are written for durability only (the in-memory classic group is authoritative in normal
// operation, as Kafka's classic groups are), and replayed when the partition is loaded.
// A transactional write (TxnOffsetCommit) names its producer: its records go out as one
// transactional batch of that producer and are replayed as pending transactional offsets.
import type { TransactionalAppend } from './coordinator-log.ts';
import type { CoordinatorRecord } from './records.ts';

export interface WriteResult<T> {
  records: CoordinatorRecord[];
  response: T | Promise<T>;
  afterAppend?: (error: Error | null) => void;
  /** The producer of a transactional write (Kafka's scheduleTransactionalWriteOperation). */
  producer?: TransactionalAppend;
}

/** Records and post-append callback of an internal step (no response of its own). */
export interface RecordsResult {
  records: CoordinatorRecord[];
  afterAppend?: (error: Error | null) => void;
  producer?: TransactionalAppend;
}

export const NO_RECORDS: RecordsResult = Object.freeze({ records: [] }) as RecordsResult;

export function replayedInNormalOperation(r: CoordinatorRecord): boolean {
  return r.kind === 'offset-commit' || r.value === null;
}
