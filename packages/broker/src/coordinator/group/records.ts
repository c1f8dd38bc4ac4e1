// The records the group coordinator writes to __consumer_offsets, and their (de)serialisation.
// Kafka's formats (group-coordinator/.../common/message/*.json): every key and value starts with
// an int16 version, then the struct in that version.
//   key v0/v1  OffsetCommitKey    { group string, topic string, partition int32 }
//   key v2     GroupMetadataKey   { group string }
//   (keys v3+ are KIP-848/share-group records: ignored here)
//   OffsetCommitValue v0-4  { offset int64, leaderEpoch int32 (v3+), metadata string,
//                             commitTimestamp int64, expireTimestamp int64 (v1 only) }; v4 flexible
//   GroupMetadataValue v0-4 { protocolType string, generation int32, protocol string?, leader string?,
//                             currentStateTimestamp int64 (v2+), members [ memberId, groupInstanceId? (v3+),
//                             clientId, clientHost, rebalanceTimeout int32 (v1+), sessionTimeout int32,
//                             subscription bytes, assignment bytes ] }; v4 flexible
// A null value is a tombstone. We write key v1 / value v3 (v1 when an expire timestamp is set)
// and GroupMetadata key v2 / value v3, as Kafka 3.x does; we read every version. The struct
// bodies use the generated codec; int64 fields become JS numbers here.
import {
  DecodeError,
  Reader,
  RecordFormatError,
  Writer,
  decodeGroupMetadataKey,
  decodeGroupMetadataValue,
  decodeOffsetCommitKey,
  decodeOffsetCommitValue,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
} from '@tributary/protocol';

export interface OffsetCommitKey {
  group: string;
  topic: string;
  partition: number;
}
export interface OffsetCommitValue {
  offset: number;
  leaderEpoch: number; // -1 when unknown
  metadata: string;
  commitTimestamp: number;
  expireTimestamp: number; // -1 when not set (only v1 carries it)
}

/** A committed (or pending transactional) offset as the coordinator keeps it. */
export interface OffsetAndMetadata extends OffsetCommitValue {
  /** Offset of the OffsetCommit record in __consumer_offsets. */
  recordOffset: number;
}
export interface GroupMetadataKey {
  group: string;
}
export interface GroupMemberMetadata {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeout: number;
  sessionTimeout: number;
  subscription: Buffer;
  assignment: Buffer;
}
export interface GroupMetadataValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp: number; // -1 when unknown
  members: GroupMemberMetadata[];
}

export type CoordinatorRecord =
  | { kind: 'offset-commit'; key: OffsetCommitKey; value: OffsetCommitValue | null }
  | { kind: 'group-metadata'; key: GroupMetadataKey; value: GroupMetadataValue | null };

/** A record as stored in the __consumer_offsets log: key and value bytes (null value = tombstone). */
export interface SerializedRecord {
  key: Buffer;
  value: Buffer | null;
}

// ---- encode ----

function versioned(version: number, body: (w: Writer) => void): Buffer {
  const w = new Writer();
  w.writeInt16(version);
  body(w);
  return w.finish();
}

export function encodeCoordinatorRecord(r: CoordinatorRecord): SerializedRecord {
  if (r.kind === 'offset-commit') {
    const key = versioned(1, (w) => encodeOffsetCommitKey(w, 1, r.key));
    if (r.value === null) return { key, value: null };
    const v = r.value;
    const version = v.expireTimestamp >= 0 ? 1 : 3;
    const value = versioned(version, (w) =>
      encodeOffsetCommitValue(w, version, {
        offset: BigInt(v.offset),
        leaderEpoch: v.leaderEpoch,
        metadata: v.metadata,
        commitTimestamp: BigInt(v.commitTimestamp),
        expireTimestamp: BigInt(v.expireTimestamp),
      }),
    );
    return { key, value };
  }
  const key = versioned(2, (w) => encodeGroupMetadataKey(w, 2, r.key));
  if (r.value === null) return { key, value: null };
  const v = r.value;
  const value = versioned(3, (w) => encodeGroupMetadataValue(w, 3, { ...v, currentStateTimestamp: BigInt(v.currentStateTimestamp) }));
  return { key, value };
}

// ---- decode ----

/**
 * Decodes a stored record; returns null for key types this coordinator does not own (v3+).
 * Malformed bytes throw RecordFormatError (@tributary/protocol's, as for record batches).
 */
export function decodeCoordinatorRecord(s: SerializedRecord): CoordinatorRecord | null {
  try {
    const k = new Reader(s.key);
    const keyVersion = k.readInt16();
    if (keyVersion === 0 || keyVersion === 1) {
      const key = decodeOffsetCommitKey(k, keyVersion);
      if (s.value === null) return { kind: 'offset-commit', key, value: null };
      const r = new Reader(s.value);
      const version = r.readInt16();
      const v = decodeOffsetCommitValue(r, version);
      return {
        kind: 'offset-commit',
        key,
        value: {
          offset: Number(v.offset),
          leaderEpoch: v.leaderEpoch,
          metadata: v.metadata,
          commitTimestamp: Number(v.commitTimestamp),
          expireTimestamp: Number(v.expireTimestamp),
        },
      };
    }
    if (keyVersion === 2) {
      const key = decodeGroupMetadataKey(k, 2);
      if (s.value === null) return { kind: 'group-metadata', key, value: null };
      const r = new Reader(s.value);
      const version = r.readInt16();
      const v = decodeGroupMetadataValue(r, version);
      return { kind: 'group-metadata', key, value: { ...v, currentStateTimestamp: Number(v.currentStateTimestamp) } };
    }
    return null;
  } catch (e) {
    if (e instanceof DecodeError) throw new RecordFormatError(e.message);
    throw e;
  }
}
