// The records of __transaction_state (Kafka's TransactionLog): key and value each start with an
// int16 version, then the struct (generated codecs from transaction-coordinator/*.json).
//   TransactionLogKey   v0  { transactionalId string }
//   TransactionLogValue v0  { producerId int64, producerEpoch int16, transactionTimeoutMs int32,
//                             transactionStatus int8, transactionPartitions [topic, [partition]]?,
//                             transactionLastUpdateTimestampMs int64, transactionStartTimestampMs int64 }
//                       v1  the same, flexible, with tagged PreviousProducerId (0), NextProducerId (1),
//                             ClientTransactionVersion (2)
// A null value is a tombstone (the id expired). Kafka writes value v0 unless transaction.version
// >= 1 is finalized; this cluster has no transaction.version feature (level 0), so v0 is written,
// and both are read. The partitions of an Empty transaction are written as null, as Kafka does.
import {
  DecodeError,
  Reader,
  RecordFormatError,
  Writer,
  decodeTransactionLogKey,
  decodeTransactionLogValue,
  encodeTransactionLogKey,
  encodeTransactionLogValue,
} from '@tributary/protocol';
import { NO_PRODUCER_EPOCH, TransactionMetadata, groupByTopic, tpKey, type TxnTransitMetadata } from './transaction-metadata.ts';
import { TransactionState, stateFromId } from './transaction-state.ts';

/** The value version written (Kafka's TransactionVersion.transactionLogValueVersion at level 0). */
export const TRANSACTION_LOG_VALUE_VERSION = 0;

export interface SerializedTxnRecord {
  key: Buffer;
  value: Buffer | null;
}

function versioned(version: number, body: (w: Writer) => void): Buffer {
  const w = new Writer();
  w.writeInt16(version);
  body(w);
  return w.finish();
}

export function transactionLogKey(transactionalId: string): Buffer {
  return versioned(0, (w) => encodeTransactionLogKey(w, 0, { transactionalId }));
}

/** The record of a transition (a tombstone for Dead). */
export function transactionRecord(
  transactionalId: string,
  t: TxnTransitMetadata,
  version = TRANSACTION_LOG_VALUE_VERSION,
): SerializedTxnRecord {
  const key = transactionLogKey(transactionalId);
  if (t.txnState === TransactionState.Dead) return { key, value: null };
  if (t.txnState === TransactionState.Empty && t.topicPartitions.size > 0) {
    throw new Error(`${transactionalId}: an Empty transaction has no partitions`);
  }
  const partitions =
    t.txnState === TransactionState.Empty
      ? null
      : groupByTopic(t.topicPartitions).map(({ topic, partitions }) => ({ topic, partitionIds: partitions }));
  const value = versioned(version, (w) =>
    encodeTransactionLogValue(w, version, {
      producerId: t.producerId,
      producerEpoch: t.producerEpoch,
      transactionTimeoutMs: t.txnTimeoutMs,
      transactionStatus: t.txnState,
      transactionPartitions: partitions,
      transactionLastUpdateTimestampMs: BigInt(t.txnLastUpdateTimestamp),
      transactionStartTimestampMs: BigInt(t.txnStartTimestamp),
      ...(version >= 1 ? { clientTransactionVersion: t.clientTransactionVersion } : {}),
    }),
  );
  return { key, value };
}

export type DecodedTxnRecord =
  | { transactionalId: string; metadata: TransactionMetadata | null }
  /** A key version this coordinator does not know (Kafka ignores it with a warning). */
  | { unknownKeyVersion: number };

/** Decodes a stored record: the metadata it sets (null: a tombstone). Malformed bytes throw RecordFormatError. */
export function decodeTransactionRecord(s: SerializedTxnRecord): DecodedTxnRecord {
  try {
    const k = new Reader(s.key);
    const keyVersion = k.readInt16();
    if (keyVersion !== 0) return { unknownKeyVersion: keyVersion };
    const { transactionalId } = decodeTransactionLogKey(k, 0);
    if (s.value === null) return { transactionalId, metadata: null };
    const r = new Reader(s.value);
    const version = r.readInt16();
    if (version < 0 || version > 1) throw new RecordFormatError(`unknown transaction log value version ${version}`);
    const v = decodeTransactionLogValue(r, version);
    const state = stateFromId(v.transactionStatus);
    if (state === undefined) throw new RecordFormatError(`unknown transaction state ${v.transactionStatus}`);
    const partitions: string[] = [];
    if (state !== TransactionState.Empty) {
      for (const t of v.transactionPartitions ?? []) for (const p of t.partitionIds) partitions.push(tpKey(t.topic, p));
    }
    const metadata = new TransactionMetadata(transactionalId, {
      producerId: v.producerId,
      previousProducerId: v.previousProducerId,
      nextProducerId: v.nextProducerId,
      producerEpoch: v.producerEpoch,
      lastProducerEpoch: NO_PRODUCER_EPOCH,
      txnTimeoutMs: v.transactionTimeoutMs,
      state,
      topicPartitions: partitions,
      txnStartTimestamp: Number(v.transactionStartTimestampMs),
      txnLastUpdateTimestamp: Number(v.transactionLastUpdateTimestampMs),
      clientTransactionVersion: v.clientTransactionVersion,
    });
    return { transactionalId, metadata };
  } catch (e) {
    if (e instanceof DecodeError) throw new RecordFormatError(e.message);
    throw e;
  }
}
