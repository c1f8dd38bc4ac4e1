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
// and GroupMetadata key v2 / value v3, as Kafka 3.x does; we read every version.
// Hand-written until the generated codec (OffsetCommitKey/Value, GroupMetadataKey/Value) is used.

export interface OffsetCommitKey { group: string; topic: string; partition: number }
export interface OffsetCommitValue {
  offset: number;
  leaderEpoch: number; // -1 when unknown
  metadata: string;
  commitTimestamp: number;
  expireTimestamp: number; // -1 when not set (only v1 carries it)
}
export interface GroupMetadataKey { group: string }
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
export interface SerializedRecord { key: Buffer; value: Buffer | null }

export class RecordFormatError extends Error {}

// ---- minimal big-endian writer/reader (classic and flexible encodings) ----

class Out {
  private parts: Buffer[] = [];
  int16(v: number) { const b = Buffer.alloc(2); b.writeInt16BE(v); this.parts.push(b); }
  int32(v: number) { const b = Buffer.alloc(4); b.writeInt32BE(v); this.parts.push(b); }
  int64(v: number) { const b = Buffer.alloc(8); b.writeBigInt64BE(BigInt(v)); this.parts.push(b); }
  string(v: string | null) {
    if (v === null) return this.int16(-1);
    const s = Buffer.from(v, 'utf8');
    this.int16(s.length);
    this.parts.push(s);
  }
  bytes(v: Buffer) { this.int32(v.length); this.parts.push(v); }
  finish(): Buffer { return Buffer.concat(this.parts); }
}

class In {
  pos = 0;
  constructor(private readonly b: Buffer) {}
  private need(n: number) {
    if (n < 0 || this.pos + n > this.b.length) throw new RecordFormatError('truncated coordinator record');
  }
  int16() { this.need(2); const v = this.b.readInt16BE(this.pos); this.pos += 2; return v; }
  int32() { this.need(4); const v = this.b.readInt32BE(this.pos); this.pos += 4; return v; }
  int64() { this.need(8); const v = Number(this.b.readBigInt64BE(this.pos)); this.pos += 8; return v; }
  uvarint() {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      this.need(1);
      const byte = this.b[this.pos++]!;
      v += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return v;
    }
    throw new RecordFormatError('bad varint');
  }
  raw(n: number) { this.need(n); const v = this.b.subarray(this.pos, this.pos + n); this.pos += n; return v; }
  string(flexible: boolean): string | null {
    const len = flexible ? this.uvarint() - 1 : this.int16();
    if (len < 0) return null;
    return this.raw(len).toString('utf8');
  }
  requiredString(flexible: boolean): string {
    const s = this.string(flexible);
    if (s === null) throw new RecordFormatError('null where a string is required');
    return s;
  }
  bytes(flexible: boolean): Buffer {
    const len = flexible ? this.uvarint() - 1 : this.int32();
    if (len < 0) return Buffer.alloc(0);
    return Buffer.from(this.raw(len));
  }
  arrayLength(flexible: boolean) { return flexible ? this.uvarint() - 1 : this.int32(); }
  skipTaggedFields() {
    const n = this.uvarint();
    for (let i = 0; i < n; i++) { this.uvarint(); this.raw(this.uvarint()); }
  }
}

// ---- encode ----

export function encodeCoordinatorRecord(r: CoordinatorRecord): SerializedRecord {
  const key = new Out();
  if (r.kind === 'offset-commit') {
    key.int16(1);
    key.string(r.key.group);
    key.string(r.key.topic);
    key.int32(r.key.partition);
    return { key: key.finish(), value: r.value === null ? null : encodeOffsetCommitValue(r.value) };
  }
  key.int16(2);
  key.string(r.key.group);
  return { key: key.finish(), value: r.value === null ? null : encodeGroupMetadataValue(r.value) };
}

function encodeOffsetCommitValue(v: OffsetCommitValue): Buffer {
  const o = new Out();
  const version = v.expireTimestamp >= 0 ? 1 : 3;
  o.int16(version);
  o.int64(v.offset);
  if (version === 3) o.int32(v.leaderEpoch);
  o.string(v.metadata);
  o.int64(v.commitTimestamp);
  if (version === 1) o.int64(v.expireTimestamp);
  return o.finish();
}

function encodeGroupMetadataValue(v: GroupMetadataValue): Buffer {
  const o = new Out();
  o.int16(3);
  o.string(v.protocolType);
  o.int32(v.generation);
  o.string(v.protocol);
  o.string(v.leader);
  o.int64(v.currentStateTimestamp);
  o.int32(v.members.length);
  for (const m of v.members) {
    o.string(m.memberId);
    o.string(m.groupInstanceId);
    o.string(m.clientId);
    o.string(m.clientHost);
    o.int32(m.rebalanceTimeout);
    o.int32(m.sessionTimeout);
    o.bytes(m.subscription);
    o.bytes(m.assignment);
  }
  return o.finish();
}

// ---- decode ----

/** Decodes a stored record; returns null for key types this coordinator does not own (v3+). */
export function decodeCoordinatorRecord(s: SerializedRecord): CoordinatorRecord | null {
  const k = new In(s.key);
  const keyVersion = k.int16();
  if (keyVersion === 0 || keyVersion === 1) {
    const key = { group: k.requiredString(false), topic: k.requiredString(false), partition: k.int32() };
    return { kind: 'offset-commit', key, value: s.value === null ? null : decodeOffsetCommitValue(s.value) };
  }
  if (keyVersion === 2) {
    const key = { group: k.requiredString(false) };
    return { kind: 'group-metadata', key, value: s.value === null ? null : decodeGroupMetadataValue(s.value) };
  }
  return null;
}

function decodeOffsetCommitValue(b: Buffer): OffsetCommitValue {
  const i = new In(b);
  const version = i.int16();
  if (version < 0 || version > 4) throw new RecordFormatError(`unknown OffsetCommitValue version ${version}`);
  const flexible = version >= 4;
  const offset = i.int64();
  const leaderEpoch = version >= 3 ? i.int32() : -1;
  const metadata = i.requiredString(flexible);
  const commitTimestamp = i.int64();
  const expireTimestamp = version === 1 ? i.int64() : -1;
  if (flexible) i.skipTaggedFields();
  return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp };
}

function decodeGroupMetadataValue(b: Buffer): GroupMetadataValue {
  const i = new In(b);
  const version = i.int16();
  if (version < 0 || version > 4) throw new RecordFormatError(`unknown GroupMetadataValue version ${version}`);
  const flexible = version >= 4;
  const protocolType = i.requiredString(flexible);
  const generation = i.int32();
  const protocol = i.string(flexible);
  const leader = i.string(flexible);
  const currentStateTimestamp = version >= 2 ? i.int64() : -1;
  const n = i.arrayLength(flexible);
  const members: GroupMemberMetadata[] = [];
  for (let m = 0; m < n; m++) {
    const memberId = i.requiredString(flexible);
    const groupInstanceId = version >= 3 ? i.string(flexible) : null;
    const clientId = i.requiredString(flexible);
    const clientHost = i.requiredString(flexible);
    const rebalanceTimeout = version >= 1 ? i.int32() : -1;
    const sessionTimeout = i.int32();
    const subscription = i.bytes(flexible);
    const assignment = i.bytes(flexible);
    if (flexible) i.skipTaggedFields();
    members.push({ memberId, groupInstanceId, clientId, clientHost, rebalanceTimeout, sessionTimeout, subscription, assignment });
  }
  if (flexible) i.skipTaggedFields();
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}
