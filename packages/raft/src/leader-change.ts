// The LEADER_CHANGE control batch a new leader starts its epoch with (Kafka's
// MemoryRecords.withLeaderChangeMessage): committing it commits everything before it, since a
// leader may only advance the high watermark once a batch of its own epoch is replicated.
//
//   batch: v2, attributes = control bit (0x20) only (not transactional, uncompressed),
//          ProducerId -1, ProducerEpoch -1, BaseSequence -1, PartitionLeaderEpoch = the epoch,
//          one record
//   key   (4 bytes): ControlRecordType version int16 (0), type int16 (2 = LEADER_CHANGE)
//   value: LeaderChangeMessage v0 without a version prefix (its own Version int16 field, 0, comes
//          first): LeaderId, Voters [{VoterId}], GrantingVoters [{VoterId}], tagged fields
import {
  Reader,
  Writer,
  decodeControlKey,
  decodeLeaderChangeMessage,
  decodeRecordBatchSync,
  encodeControlKey,
  encodeLeaderChangeMessage,
  encodeRecordBatchSync,
  type ControlRecordType,
} from '@tributary/protocol';

/** ControlRecordType.LEADER_CHANGE (protocol's enum names only the transaction markers). */
export const LEADER_CHANGE_CONTROL_TYPE = 2;
/** ControlRecordUtils.LEADER_CHANGE_CURRENT_VERSION: the version Kafka writes. */
export const LEADER_CHANGE_VERSION = 0;

export interface LeaderChange {
  leaderId: number;
  voters: number[];
  /** The voters that granted the leader its vote (Kafka fills it in; may be empty). */
  grantingVoters: number[];
}

export interface LeaderChangeBatchInput extends LeaderChange {
  epoch: number;
  timestampMs: number;
}

/** The LeaderChangeMessage v0 bytes of a control record's value. */
export function encodeLeaderChangeValue(change: LeaderChange): Buffer {
  const w = new Writer(64);
  encodeLeaderChangeMessage(w, LEADER_CHANGE_VERSION, {
    version: LEADER_CHANGE_VERSION,
    leaderId: change.leaderId,
    voters: change.voters.map((voterId) => ({ voterId })),
    grantingVoters: change.grantingVoters.map((voterId) => ({ voterId })),
  });
  return w.finish();
}

/** One LEADER_CHANGE control batch at base offset 0 (the log assigns the offset). */
export function buildLeaderChangeBatch(input: LeaderChangeBatchInput): Buffer {
  const timestamp = BigInt(input.timestampMs);
  return encodeRecordBatchSync({
    partitionLeaderEpoch: input.epoch,
    isControl: true,
    producerId: -1n,
    producerEpoch: -1,
    baseSequence: -1,
    baseTimestamp: timestamp,
    records: [
      {
        key: encodeControlKey(LEADER_CHANGE_CONTROL_TYPE as ControlRecordType),
        value: encodeLeaderChangeValue(input),
        timestamp,
      },
    ],
  });
}

/** The LeaderChangeMessage in the batch at `pos`, or null when it is not a LEADER_CHANGE control batch. */
export function readLeaderChange(batch: Buffer, pos = 0): LeaderChange | null {
  const decoded = decodeRecordBatchSync(batch, pos);
  const record = decoded.records[0];
  if (!decoded.isControl || !record) return null;
  if (decodeControlKey(record.key).type !== LEADER_CHANGE_CONTROL_TYPE || record.value === null) return null;
  const msg = decodeLeaderChangeMessage(new Reader(record.value), LEADER_CHANGE_VERSION);
  return {
    leaderId: msg.leaderId,
    voters: msg.voters.map((v) => v.voterId),
    grantingVoters: msg.grantingVoters.map((v) => v.voterId),
  };
}
