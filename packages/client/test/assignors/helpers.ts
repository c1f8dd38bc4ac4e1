// Test helpers mirroring Kafka's AbstractPartitionAssignorTest: partitions with replica racks laid
// out like `partitionInfos(topic, n, replicationFactor, brokerRacks, nextNodeIndex)`, and
// `verifyRackAssignment`-style fixtures (consumers "consumer0".., assignments as sorted strings).
import type { MemberSubscription, PartitionInfo, PartitionsPerTopic, TopicPartition } from '../../src/assignors/index.ts';
import { subscription } from '../../src/assignors/index.ts';

export const ALL_RACKS = ['a', 'b', 'c', 'd', 'e', 'f'];

export const racks = (n: number): string[] => Array.from({ length: n }, (_, i) => ALL_RACKS[i % ALL_RACKS.length]);
export const nullRacks = (n: number): (string | null)[] => Array.from({ length: n }, () => null);

export function rackPartitionInfos(
  n: number,
  replicationFactor: number,
  brokerRacks: (string | null)[],
  nextNodeIndex: number,
): PartitionInfo[] {
  const out: PartitionInfo[] = [];
  for (let i = 0; i < n; i++) {
    const replicaRacks: string[] = [];
    for (let j = 0; j < replicationFactor; j++) {
      const r = brokerRacks[(i + j + nextNodeIndex) % brokerRacks.length];
      if (r !== null) replicaRacks.push(r);
    }
    out.push({ partition: i, replicaRacks });
  }
  return out;
}

/** Topics in insertion order, node index advancing per topic (as Kafka's test helper). */
export function rackPartitionsPerTopic(
  topics: Array<[string, number]>,
  replicationFactor: number,
  brokerRacks: (string | null)[],
): PartitionsPerTopic {
  const m: PartitionsPerTopic = new Map();
  let next = 0;
  for (const [t, n] of topics) {
    m.set(t, rackPartitionInfos(n, replicationFactor, brokerRacks, next));
    next += n;
  }
  return m;
}

export function ppt(...topics: Array<[string, number]>): PartitionsPerTopic {
  return new Map(topics.map(([t, n]) => [t, Array.from({ length: n }, (_, partition) => ({ partition }))]));
}

export const str = (l: readonly TopicPartition[]): string =>
  l
    .map((t) => `${t.topic}-${t.partition}`)
    .sort()
    .join(', ');

export function parseTps(s: string): TopicPartition[] {
  if (!s) return [];
  return s.split(', ').map((x) => {
    const i = x.lastIndexOf('-');
    return { topic: x.slice(0, i), partition: Number(x.slice(i + 1)) };
  });
}

export function rackSubscriptions(
  consumerTopics: string[][],
  consumerRacks: (string | null)[],
  owned: string[] = [],
): Map<string, MemberSubscription> {
  const m = new Map<string, MemberSubscription>();
  consumerTopics.forEach((topics, i) => {
    m.set(`consumer${i}`, subscription(topics, { rackId: consumerRacks[i], ownedPartitions: parseTps(owned[i] ?? '') }));
  });
  return m;
}

/** Sorted "t-p, ..." per consumer0..n-1. */
export function asStrings(assignment: Map<string, TopicPartition[]>, n: number): string[] {
  return Array.from({ length: n }, (_, i) => str(assignment.get(`consumer${i}`) ?? []));
}

/** Partitions whose replicas are not on the consumer's rack. */
export function rackMismatches(
  assignment: Map<string, TopicPartition[]>,
  partitions: PartitionsPerTopic,
  consumerRacks: (string | null)[],
): number {
  let n = 0;
  consumerRacks.forEach((rack, i) => {
    if (rack === null) return;
    for (const tp of assignment.get(`consumer${i}`) ?? []) {
      const info = partitions.get(tp.topic)!.find((p) => p.partition === tp.partition)!;
      if (!(info.replicaRacks ?? []).includes(rack)) n++;
    }
  });
  return n;
}
