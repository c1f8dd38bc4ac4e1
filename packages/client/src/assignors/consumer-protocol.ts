// The "consumer" embedded protocol: the bytes a consumer puts in JoinGroup's protocol metadata
// (ConsumerProtocolSubscription) and the leader sends back in SyncGroup assignments
// (ConsumerProtocolAssignment). Bodies use the generated codecs of @tributary/protocol; this file
// adds the int16 version prefix, version clamping and Java's lenient rules. Non-flexible encoding:
//
//   Subscription v0-3: version int16 | topics [int32 n][int16 len + utf8]... | userData int32 len (-1 null) + bytes
//                      | v1+: ownedPartitions [int32 n]{ topic string, partitions [int32 n][int32]... }
//                      | v2+: generationId int32 | v3+: rackId nullable string (int16 -1 null)
//   Assignment   v0-3: version int16 | assignedPartitions [int32 n]{ topic string, partitions [int32] }
//                      | userData int32 len (-1 null) + bytes
//
// Like the Java client, a newer version than 3 is read as version 3 (new versions only append
// fields), and trailing bytes are ignored. Topics and owned partitions are written sorted.
import {
  DecodeError,
  Reader,
  Writer,
  decodeConsumerProtocolAssignment,
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolAssignment,
  encodeConsumerProtocolSubscription,
  type ConsumerProtocolAssignment,
  type ConsumerProtocolSubscription,
} from '@tributary/protocol';
import { compareTopicPartition, type TopicPartition } from './types.ts';

export type { ConsumerProtocolAssignment, ConsumerProtocolSubscription };

export const CONSUMER_PROTOCOL_TYPE = 'consumer';
export const CONSUMER_PROTOCOL_MAX_VERSION = 3;

export interface ConsumerProtocolTopicPartition {
  topic: string;
  partitions: number[];
}

export class ConsumerProtocolError extends Error {
  override name = 'ConsumerProtocolError';
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

function decoding<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof DecodeError) throw new ConsumerProtocolError(`malformed ${what}: ${err.message}`, { cause: err });
    throw err;
  }
}

export function encodeSubscription(
  value: Partial<ConsumerProtocolSubscription> & { topics: string[] },
  version = CONSUMER_PROTOCOL_MAX_VERSION,
): Buffer {
  version = checkVersion(version);
  const w = new Writer(64);
  w.writeInt16(version);
  encodeConsumerProtocolSubscription(w, version, { ...value, topics: [...value.topics].sort() });
  return w.finish();
}

export function decodeSubscription(buf: Buffer): ConsumerProtocolSubscription & { version: number } {
  return decoding('subscription', () => {
    const r = new Reader(buf);
    const wireVersion = r.readInt16();
    return { version: wireVersion, ...decodeConsumerProtocolSubscription(r, checkVersion(wireVersion)) };
  });
}

export function encodeAssignment(value: Partial<ConsumerProtocolAssignment>, version = CONSUMER_PROTOCOL_MAX_VERSION): Buffer {
  version = checkVersion(version);
  const w = new Writer(64);
  w.writeInt16(version);
  encodeConsumerProtocolAssignment(w, version, value);
  return w.finish();
}

/** Decodes an assignment; an empty buffer (a member the leader gave nothing) is an empty assignment. */
export function decodeAssignment(buf: Buffer): ConsumerProtocolAssignment & { version: number } {
  if (buf.length === 0) return { version: 0, assignedPartitions: [], userData: null };
  return decoding('assignment', () => {
    const r = new Reader(buf);
    const wireVersion = r.readInt16();
    return { version: wireVersion, ...decodeConsumerProtocolAssignment(r, checkVersion(wireVersion)) };
  });
}
