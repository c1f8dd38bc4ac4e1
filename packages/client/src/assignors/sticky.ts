// The `sticky` assignor (Kafka's StickyAssignor, KIP-54), eager protocol: members revoke everything
// before rejoining, so previous ownership travels in the subscription userData, in the Java
// client's format (old `Struct` schemas, non-flexible):
//   StickyAssignorUserData v1: previous_assignment [int32 n]{ topic int16-len string,
//                              partitions [int32 n][int32] } | generation int32
//   v0 is the same without generation. Unreadable userData counts as "owns nothing".
import { stickyAssign, DEFAULT_GENERATION, type MemberData } from './sticky-core.ts';
import { groupByTopic } from './consumer-protocol.ts';
import type { Assignor, AssignmentResult, MemberSubscription, PartitionsPerTopic, TopicPartition } from './types.ts';

export function encodeStickyUserData(partitions: readonly TopicPartition[], generation: number | undefined): Buffer {
  const groups = groupByTopic(partitions);
  const parts: Buffer[] = [];
  const int32 = (v: number): void => {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(v);
    parts.push(b);
  };
  int32(groups.length);
  for (const g of groups) {
    const name = Buffer.from(g.topic, 'utf8');
    const len = Buffer.allocUnsafe(2);
    len.writeInt16BE(name.length);
    parts.push(len, name);
    int32(g.partitions.length);
    for (const p of g.partitions) int32(p);
  }
  if (generation !== undefined) int32(generation);
  return Buffer.concat(parts);
}

/** Decodes v1 (with generation) or v0; null when the bytes match neither. */
export function decodeStickyUserData(buf: Buffer): MemberData | null {
  let pos = 0;
  const need = (n: number): boolean => pos + n <= buf.length;
  try {
    if (!need(4)) return null;
    const n = buf.readInt32BE(pos);
    pos += 4;
    if (n < 0 || !need(n * 6)) return null;
    const partitions: TopicPartition[] = [];
    for (let i = 0; i < n; i++) {
      if (!need(2)) return null;
      const len = buf.readInt16BE(pos);
      pos += 2;
      if (len < 0 || !need(len)) return null;
      const topic = buf.toString('utf8', pos, pos + len);
      pos += len;
      if (!need(4)) return null;
      const m = buf.readInt32BE(pos);
      pos += 4;
      if (m < 0 || !need(m * 4)) return null;
      for (let j = 0; j < m; j++) {
        partitions.push({ topic, partition: buf.readInt32BE(pos) });
        pos += 4;
      }
    }
    if (pos + 4 <= buf.length) return { partitions, generation: buf.readInt32BE(pos) };
    return { partitions, generation: undefined };
  } catch {
    return null;
  }
}

export interface StickyAssignorOptions {
  preferRackAwareLogic?: boolean;
}

export class StickyAssignor implements Assignor {
  readonly name = 'sticky';
  readonly supportedProtocols = ['eager'] as const;
  private memberAssignment: TopicPartition[] | null = null;
  private generation = DEFAULT_GENERATION;
  private readonly preferRackAwareLogic: boolean;

  constructor(options: StickyAssignorOptions = {}) {
    this.preferRackAwareLogic = options.preferRackAwareLogic ?? false;
  }

  onAssignment(partitions: readonly TopicPartition[], generationId: number): void {
    this.memberAssignment = [...partitions];
    this.generation = generationId;
  }

  subscriptionUserData(): Buffer | null {
    if (this.memberAssignment === null) return null;
    return encodeStickyUserData(this.memberAssignment, this.generation);
  }

  static memberData(s: MemberSubscription): MemberData {
    if (s.userData === null || s.userData.length === 0) return { partitions: [], generation: undefined, rackId: s.rackId };
    return decodeStickyUserData(s.userData) ?? { partitions: [], generation: DEFAULT_GENERATION };
  }

  assign(partitionsPerTopic: PartitionsPerTopic, subscriptions: Map<string, MemberSubscription>): AssignmentResult {
    const r = stickyAssign(partitionsPerTopic, subscriptions, StickyAssignor.memberData, this.preferRackAwareLogic);
    return { assignment: r.assignment };
  }
}
