// Kafka's prepareInitProducerIdTransit: what InitProducerId with a transactional id does to its
// metadata, synchronously (the caller writes the result). Returns the prepared transition, an
// error code, or 'need-producer-id' when the epoch is exhausted and no spare producer id was
// given (the caller gets one and calls again).
//
// * A transition already pending, or PrepareCommit/PrepareAbort: CONCURRENT_TRANSACTIONS.
// * `expected` (KIP-360: the producer's id and epoch) must name this id's producer: no epoch yet
//   (just created), the same producer id, or the previous producer id with an exhausted epoch (a
//   retry of a rotation whose answer was lost); else PRODUCER_FENCED.
// * Empty / CompleteCommit / CompleteAbort: the epoch bumped (TransactionMetadata
//   .prepareIncrementProducerEpoch), or, when exhausted and `expected` (if any) is the current
//   epoch, a new producer id at epoch 0.
// * Ongoing: the epoch fence (PrepareEpochFence), which the caller turns into an abort.
import { ErrorCode } from '@tributary/protocol';
import { NO_PRODUCER_EPOCH, isEpochExhausted, type TransactionMetadata, type TxnTransitMetadata } from './transaction-metadata.ts';
import { TransactionState } from './transaction-state.ts';

export interface ProducerIdAndEpoch {
  producerId: bigint;
  producerEpoch: number;
}

export function prepareInitProducerIdTransit(
  meta: TransactionMetadata,
  txnTimeoutMs: number,
  expected: ProducerIdAndEpoch | null,
  spareProducerId: bigint | null,
  now: number,
): TxnTransitMetadata | number | 'need-producer-id' {
  const validProducerId = (e: ProducerIdAndEpoch) =>
    meta.producerEpoch === NO_PRODUCER_EPOCH ||
    e.producerId === meta.producerId ||
    (e.producerId === meta.previousProducerId && isEpochExhausted(e.producerEpoch));
  if (meta.pendingTransitionInProgress) return ErrorCode.CONCURRENT_TRANSACTIONS;
  if (expected && !validProducerId(expected)) return ErrorCode.PRODUCER_FENCED;
  switch (meta.state) {
    case TransactionState.PrepareAbort:
    case TransactionState.PrepareCommit:
      return ErrorCode.CONCURRENT_TRANSACTIONS;
    case TransactionState.CompleteAbort:
    case TransactionState.CompleteCommit:
    case TransactionState.Empty: {
      if (meta.isProducerEpochExhausted && (!expected || expected.producerEpoch === meta.producerEpoch)) {
        if (spareProducerId === null) return 'need-producer-id';
        return meta.prepareProducerIdRotation(spareProducerId, txnTimeoutMs, now, expected !== null);
      }
      const r = meta.prepareIncrementProducerEpoch(txnTimeoutMs, expected?.producerEpoch ?? null, now);
      return 'error' in r ? ErrorCode.PRODUCER_FENCED : r.transit;
    }
    case TransactionState.Ongoing:
      return meta.prepareFenceProducerEpoch();
    default:
      throw new Error(`${meta.transactionalId} is in state ${meta.state}, which it never enters`);
  }
}
