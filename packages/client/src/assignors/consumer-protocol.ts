// The "consumer" embedded protocol: the bytes a consumer puts in JoinGroup's protocol metadata
// (ConsumerProtocolSubscription) and the leader sends back in SyncGroup assignments
// (ConsumerProtocolAssignment). Hand-written for now; to be replaced by the generated codecs of
// @tributary/protocol once they land. Non-flexible encoding, prefixed by an int16 version:
//
//   Subscription v0-3: version int16 | topics [int32 n][int16 len + utf8]... | userData int32 len (-1 null) + bytes
//                      | v1+: ownedPartitions [int32 n]{ topic string, partitions [int32 n][int32]... }
//                      | v2+: generationId int32 | v3+: rackId nullable string (int16 -1 null)
//   Assignment   v0-3: version int16 | assignedPartitions [int32 n]{ topic string, partitions [int32] }
//                      | userData int32 len (-1 null) + bytes
//
// Like the Java client, a newer version than 3 is read as version 3 (new versions only append
// fields), and trailing bytes are ignored. Topics and owned partitions are written sorted.
import { compareTopicPartition, type TopicPartition } from './types.ts';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';
export const CONSUMER_PROTOCOL_MAX_VERSION = 3;

export interface ConsumerProtocolTopicPartition {
  topic: string;
  partitions: number[];
}

export interface ConsumerProtocolSubscription {
  topics: string[];
  userData: Buffer | null;
  ownedPartitions: ConsumerProtocolTopicPartition[];
  generationId: number;
  rackId: string | null;
}

export interface ConsumerProtocolAssignment {
  assignedPartitions: ConsumerProtocolTopicPartition[];
  userData: Buffer | null;
}

export class ConsumerProtocolError extends Error {
  override name = 'ConsumerProtocolError';
}

// ---- writing

class Out {
  private parts: Buffer[] = [];
  int16(v: number): void {
    const b = Buffer.allocUnsafe(2);
    b.writeInt16BE(v);
    this.parts.push(b);
  }
  int32(v: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(v);
    this.parts.push(b);
  }
  string(s: string): void {
    const b = Buffer.from(s, 'utf8');
    if (b.length > 0x7fff) throw new ConsumerProtocolError(`string too long (${b.length} bytes)`);
    this.int16(b.length);
    this.parts.push(b);
  }
  nullableString(s: string | null): void {
    if (s === null) this.int16(-1);
    else this.string(s);
  }
  bytes(b: Buffer | null): void {
    if (b === null) {
      this.int32(-1);
    } else {
      this.int32(b.length);
      this.parts.push(b);
    }
  }
  topicPartitions(list: ConsumerProtocolTopicPartition[]): void {
    this.int32(list.length);
    for (const t of list) {
      this.string(t.topic);
      this.int32(t.partitions.length);
      for (const p of t.partitions) this.int32(p);
    }
  }
  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

// ---- reading (bounds-checked, never allocates more than the buffer holds)

class In {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new ConsumerProtocolError(`truncated at byte ${this.pos} (need ${n})`);
  }
  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  string(): string {
    const s = this.nullableString();
    if (s === null) throw new ConsumerProtocolError(`null string at byte ${this.pos - 2}`);
    return s;
  }
  nullableString(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    this.need(len);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  bytes(): Buffer | null {
    const len = this.int32();
    if (len < 0) return null;
    this.need(len);
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }
  arrayLength(minItemSize: number): number {
    const n = this.int32();
    if (n < 0) throw new ConsumerProtocolError(`negative array length ${n}`);
    this.need(n * minItemSize);
    return n;
  }
  topicPartitions(): ConsumerProtocolTopicPartition[] {
    const n = this.arrayLength(6);
    const out: ConsumerProtocolTopicPartition[] = [];
    for (let i = 0; i < n; i++) {
      const topic = this.string();
      const m = this.arrayLength(4);
      const partitions: number[] = new Array(m);
      for (let j = 0; j < m; j++) partitions[j] = this.int32();
      out.push({ topic, partitions });
    }
    return out;
  }
}

function checkVersion(version: number): number {
  if (version < 0) throw new ConsumerProtocolError(`unsupported consumer protocol version ${version}`);
  return Math.min(version, CONSUMER_PROTOCOL_MAX_VERSION);
}

/** Groups partitions by topic, topics and partitions sorted (Java sorts owned partitions). */
export function groupByTopic(partitions: readonly TopicPartition[]): ConsumerProtocolTopicPartition[] {
  const sorted = [...partitions].sort(compareTopicPartition);
  const out: ConsumerProtocolTopicPartition[] = [];
  for (const tp of sorted) {
    const last = out[out.length - 1];
    if (last && last.topic === tp.topic) last.partitions.push(tp.partition);
    else out.push({ topic: tp.topic, partitions: [tp.partition] });
  }
  return out;
}

/** Flattens topic/partition lists into TopicPartitions, in order. */
export function flattenTopicPartitions(list: readonly ConsumerProtocolTopicPartition[]): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (const t of list) for (const p of t.partitions) out.push({ topic: t.topic, partition: p });
  return out;
}

export function encodeSubscription(value: Partial<ConsumerProtocolSubscription> & { topics: string[] }, version = CONSUMER_PROTOCOL_MAX_VERSION): Buffer {
  version = checkVersion(version);
  const o = new Out();
  o.int16(version);
  const topics = [...value.topics].sort();
  o.int32(topics.length);
  for (const t of topics) o.string(t);
  o.bytes(value.userData ?? null);
  if (version >= 1) o.topicPartitions(value.ownedPartitions ?? []);
  if (version >= 2) o.int32(value.generationId ?? -1);
  if (version >= 3) o.nullableString(value.rackId ?? null);
  return o.finish();
}

export function decodeSubscription(buf: Buffer): ConsumerProtocolSubscription & { version: number } {
  const i = new In(buf);
  const wireVersion = i.int16();
  const version = checkVersion(wireVersion);
  const n = i.arrayLength(2);
  const topics: string[] = [];
  for (let k = 0; k < n; k++) topics.push(i.string());
  const userData = i.bytes();
  const ownedPartitions = version >= 1 ? i.topicPartitions() : [];
  const generationId = version >= 2 ? i.int32() : -1;
  const rackId = version >= 3 ? i.nullableString() : null;
  return { version: wireVersion, topics, userData, ownedPartitions, generationId, rackId };
}

export function encodeAssignment(value: Partial<ConsumerProtocolAssignment>, version = CONSUMER_PROTOCOL_MAX_VERSION): Buffer {
  version = checkVersion(version);
  const o = new Out();
  o.int16(version);
  o.topicPartitions(value.assignedPartitions ?? []);
  o.bytes(value.userData ?? null);
  return o.finish();
}

/** Decodes an assignment; an empty buffer (a member the leader gave nothing) is an empty assignment. */
export function decodeAssignment(buf: Buffer): ConsumerProtocolAssignment & { version: number } {
  if (buf.length === 0) return { version: 0, assignedPartitions: [], userData: null };
  const i = new In(buf);
  const wireVersion = i.int16();
  checkVersion(wireVersion);
  const assignedPartitions = i.topicPartitions();
  const userData = i.bytes();
  return { version: wireVersion, assignedPartitions, userData };
}
