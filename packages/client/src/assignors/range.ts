// The `range` assignor (Kafka's RangeAssignor): per topic, partitions in numeric order are split
// into contiguous ranges over the topic's subscribers ordered by group.instance.id (static members
// first) then member id; the first `partitions % consumers` consumers get one extra. Rack-aware
// (KIP-881) when members set `client.rack` and replicas sit on a subset of racks: partitions that
// can be placed on a same-rack consumer within the per-topic quotas are assigned first (topics with
// the same subscribers and partition count stay co-partitioned), the rest by plain ranges.
// Topics are processed in name order (Kafka iterates a HashMap).
import {
  compareMembers,
  compareTopicPartition,
  type Assignor,
  type AssignmentResult,
  type MemberSubscription,
  type PartitionsPerTopic,
  type PartitionInfo,
  type TopicPartition,
} from './types.ts';
import { consumerRacksOf, replicaRackSet, useRackAwareAssignment } from './rack-awareness.ts';

class TopicAssignmentState {
  /** Consumers in assignment order -> rack (or null). */
  readonly consumers = new Map<string, string | null>();
  readonly consumersKey: string;
  readonly needsRackAwareAssignment: boolean;
  readonly partitionRacks = new Map<number, Set<string>>();
  readonly unassigned: number[];
  private readonly numAssignedByConsumer = new Map<string, number>();
  private readonly numPartitionsPerConsumer: number;
  private remainingConsumersWithExtraPartition: number;

  constructor(
    readonly topic: string,
    partitions: PartitionInfo[],
    members: Array<{ memberId: string; groupInstanceId: string | null }>,
    consumerRacks: Map<string, string>,
    preferRackAwareLogic: boolean,
  ) {
    members.sort(compareMembers);
    for (const m of members) this.consumers.set(m.memberId, consumerRacks.get(m.memberId) ?? null);
    this.consumersKey = JSON.stringify([...this.consumers].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
    this.unassigned = partitions.map((p) => p.partition);
    for (const c of this.consumers.keys()) this.numAssignedByConsumer.set(c, 0);
    const n = this.consumers.size;
    this.numPartitionsPerConsumer = n === 0 ? 0 : Math.floor(partitions.length / n);
    this.remainingConsumersWithExtraPartition = n === 0 ? 0 : partitions.length % n;

    const allConsumerRacks = new Set<string>();
    for (const m of members) {
      const r = consumerRacks.get(m.memberId);
      if (r !== undefined) allConsumerRacks.add(r);
    }
    const allPartitionRacks = new Set<string>();
    const racksByKey = new Map<string, Set<string>>();
    if (allConsumerRacks.size > 0) {
      for (const p of partitions) {
        const racks = replicaRackSet(p.replicaRacks);
        this.partitionRacks.set(p.partition, racks);
        racksByKey.set(String(p.partition), racks);
        for (const r of racks) allPartitionRacks.add(r);
      }
    }
    this.needsRackAwareAssignment = useRackAwareAssignment(allConsumerRacks, allPartitionRacks, racksByKey, preferRackAwareLogic);
  }

  racksMatch(consumer: string, partition: number): boolean {
    const rack = this.consumers.get(consumer) ?? null;
    if (rack === null) return true;
    const replicaRacks = this.partitionRacks.get(partition);
    return replicaRacks?.has(rack) === true;
  }

  maxAssignable(consumer: string): number {
    const max =
      this.numPartitionsPerConsumer +
      (this.remainingConsumersWithExtraPartition > 0 ? 1 : 0) -
      (this.numAssignedByConsumer.get(consumer) ?? 0);
    return Math.max(0, max);
  }

  onAssigned(consumer: string, partitions: number[]): void {
    const n = (this.numAssignedByConsumer.get(consumer) ?? 0) + partitions.length;
    this.numAssignedByConsumer.set(consumer, n);
    if (n > this.numPartitionsPerConsumer) this.remainingConsumersWithExtraPartition--;
    for (const p of partitions) {
      const i = this.unassigned.indexOf(p);
      if (i >= 0) this.unassigned.splice(i, 1);
    }
  }
}

export interface RangeAssignorOptions {
  /** Kafka's test hook: use rack matching whenever consumer and replica racks overlap. */
  preferRackAwareLogic?: boolean;
}

export class RangeAssignor implements Assignor {
  readonly name = 'range';
  readonly supportedProtocols = ['eager'] as const;
  private readonly preferRackAwareLogic: boolean;

  constructor(options: RangeAssignorOptions = {}) {
    this.preferRackAwareLogic = options.preferRackAwareLogic ?? false;
  }

  subscriptionUserData(): Buffer | null {
    return null;
  }

  assign(partitionsPerTopic: PartitionsPerTopic, subscriptions: Map<string, MemberSubscription>): AssignmentResult {
    const consumersPerTopic = new Map<string, Array<{ memberId: string; groupInstanceId: string | null }>>();
    for (const [memberId, s] of subscriptions) {
      for (const topic of s.topics) {
        let list = consumersPerTopic.get(topic);
        if (!list) consumersPerTopic.set(topic, (list = []));
        list.push({ memberId, groupInstanceId: s.groupInstanceId });
      }
    }
    const consumerRacks = consumerRacksOf(subscriptions);
    const states: TopicAssignmentState[] = [];
    for (const topic of [...partitionsPerTopic.keys()].sort()) {
      const partitions = [...(partitionsPerTopic.get(topic) ?? [])].sort((a, b) => a.partition - b.partition);
      if (partitions.length === 0) continue;
      states.push(
        new TopicAssignmentState(topic, partitions, consumersPerTopic.get(topic) ?? [], consumerRacks, this.preferRackAwareLogic),
      );
    }
    const assignment = new Map<string, TopicPartition[]>();
    for (const memberId of subscriptions.keys()) assignment.set(memberId, []);

    const useRackAware = states.some((s) => s.needsRackAwareAssignment);
    if (useRackAware) this.assignWithRackMatching(states, assignment);
    for (const s of states) this.assignRanges(s, () => true, assignment);
    if (useRackAware) for (const list of assignment.values()) list.sort(compareTopicPartition);
    return { assignment };
  }

  private assignRanges(
    state: TopicAssignmentState,
    mayAssign: (consumer: string, partition: number) => boolean,
    assignment: Map<string, TopicPartition[]>,
  ): void {
    for (const consumer of state.consumers.keys()) {
      if (state.unassigned.length === 0) break;
      const limit = state.maxAssignable(consumer);
      const picked: number[] = [];
      for (const p of state.unassigned) {
        if (picked.length >= limit) break;
        if (mayAssign(consumer, p)) picked.push(p);
      }
      if (picked.length === 0) continue;
      this.assignTo(consumer, picked, state, assignment);
    }
  }

  private assignWithRackMatching(states: TopicAssignmentState[], assignment: Map<string, TopicPartition[]>): void {
    // group topics by (same subscribers, same partition count), in first-seen order
    const groups = new Map<string, TopicAssignmentState[]>();
    for (const s of states) {
      const key = `${s.consumersKey}|${s.partitionRacks.size}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(s);
    }
    for (const group of groups.values()) {
      if (group.length > 1) {
        this.assignCoPartitionedWithRackMatching(group[0].consumers, group[0].partitionRacks.size, group, assignment);
      } else {
        const s = group[0];
        if (s.needsRackAwareAssignment) this.assignRanges(s, (c, p) => s.racksMatch(c, p), assignment);
      }
    }
  }

  private assignCoPartitionedWithRackMatching(
    consumers: Map<string, string | null>,
    numPartitions: number,
    states: TopicAssignmentState[],
    assignment: Map<string, TopicPartition[]>,
  ): void {
    const remaining = [...consumers.keys()];
    for (let p = 0; p < numPartitions; p++) {
      const consumer = remaining.find((c) => states.every((s) => s.racksMatch(c, p) && s.maxAssignable(c) > 0));
      if (consumer === undefined) continue;
      for (const s of states) this.assignTo(consumer, [p], s, assignment);
      if (states.every((s) => s.maxAssignable(consumer) <= 0)) {
        remaining.splice(remaining.indexOf(consumer), 1);
        if (remaining.length === 0) break;
      }
    }
  }

  private assignTo(consumer: string, partitions: number[], state: TopicAssignmentState, assignment: Map<string, TopicPartition[]>): void {
    const list = assignment.get(consumer)!;
    for (const p of partitions) list.push({ topic: state.topic, partition: p });
    state.onAssigned(consumer, partitions);
  }
}
