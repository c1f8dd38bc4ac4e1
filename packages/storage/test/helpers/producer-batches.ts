// Test helper: idempotent and transactional batches, and COMMIT/ABORT markers, as producers and
// the transaction coordinator write them (the protocol's encoders).
import { ControlRecordType, buildEndTxnMarkerBatch, encodeRecordBatchSync } from '@tributary/protocol';

export const TS = 1_700_000_000_000;

export interface ProducerBatchOptions {
  /** Records in the batch (default 1). */
  count?: number;
  transactional?: boolean;
  timestamp?: number;
}

/** A batch of producer `pid` at `epoch` starting at sequence `seq`. */
export function pbatch(pid: bigint, epoch: number, seq: number, o: ProducerBatchOptions = {}): Buffer {
  const ts = BigInt(o.timestamp ?? TS);
  const records = Array.from({ length: o.count ?? 1 }, (_, i) => ({ value: `v${seq + i}`, timestamp: ts }));
  return encodeRecordBatchSync({ records, producerId: pid, producerEpoch: epoch, baseSequence: seq, isTransactional: o.transactional });
}

/** A transactional batch (attributes bit 4). */
export function txn(pid: bigint, epoch: number, seq: number, count = 1): Buffer {
  return pbatch(pid, epoch, seq, { count, transactional: true });
}

/** The coordinator's COMMIT or ABORT marker for `pid` at `epoch`. */
export function marker(pid: bigint, epoch: number, commit: boolean, coordinatorEpoch = 0, timestamp = TS): Buffer {
  return buildEndTxnMarkerBatch({
    type: commit ? ControlRecordType.Commit : ControlRecordType.Abort,
    producerId: pid,
    producerEpoch: epoch,
    coordinatorEpoch,
    timestamp: BigInt(timestamp),
  });
}
