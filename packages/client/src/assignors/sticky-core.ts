// The sticky assignment algorithm shared by `sticky` and `cooperative-sticky` (Kafka's
// AbstractStickyAssignor, KIP-54/KIP-341/KIP-429/KIP-881). Goals, in order:
//   1. balance: partition counts differ by at most one, or no consumer with 2+ fewer partitions
//      could take one of the partitions it is missing;
//   2. stickiness: keep as many previous owners as possible.
// Previous ownership comes from each member's MemberData (ownedPartitions + generation); claims
// from a stale generation lose to the highest generation, and a partition claimed twice in the
// same generation is given to neither claimant by preference.
// When all members subscribe to the same topics the "constrained" builder runs (min/max quotas);
// otherwise the "general" builder (keep owned, assign unassigned to the least-loaded consumer,
// then move partitions while that improves balance, reverting if it did not).
// Rack-aware: with consumer racks and replicas on a subset of racks, owned partitions on a
// mismatched rack are given up and new partitions go to same-rack consumers first.
// Members are iterated in the order of a Java HashMap keyed by member id (java-hash-order.ts), so
// ties are broken as Kafka's Java leader breaks them; topics in name order.
import { compareStrings, tpKey, type MemberSubscription, type PartitionsPerTopic, type TopicPartition } from './types.ts';
import { PartitionMovements, SortedConsumers } from './sticky-support.ts';
import { replicaRackSet, useRackAwareAssignment } from './rack-awareness.ts';
import { javaHashMapOrder } from './java-hash-order.ts';

export const DEFAULT_GENERATION = -1;

export interface MemberData {
  partitions: TopicPartition[];
  /** undefined when the member did not say (older protocol, no userData). */
  generation: number | undefined;
  rackId?: string | null;
}

export interface StickyResult {
  assignment: Map<string, TopicPartition[]>;
  /** Partition -> new owner, for partitions that move between two consumers (null: compute it). */
  partitionsTransferringOwnership: Map<string, { partition: TopicPartition; consumer: string }> | null;
  maxGeneration: number;
  /** False when some partitions moved back and forth between two consumers (should not happen). */
  isSticky: boolean;
}

class RackInfo {
  readonly consumerRacks = new Map<string, string>();
  readonly partitionRacks = new Map<string, Set<string>>();
  private readonly numConsumersByPartition = new Map<string, number>();

  constructor(partitionsPerTopic: PartitionsPerTopic, subscriptions: Map<string, MemberSubscription>, preferRackAwareLogic: boolean) {
    const consumersByRack = new Map<string, string[]>();
    for (const [memberId, s] of subscriptions) {
      if (!s.rackId) continue;
      let l = consumersByRack.get(s.rackId);
      if (!l) consumersByRack.set(s.rackId, (l = []));
      l.push(memberId);
    }
    const partitionRacks = new Map<string, Set<string>>();
    const allPartitionRacks = new Set<string>();
    if (consumersByRack.size > 0) {
      for (const [topic, infos] of partitionsPerTopic) {
        for (const info of infos) {
          const racks = replicaRackSet(info.replicaRacks);
          partitionRacks.set(tpKey({ topic, partition: info.partition }), racks);
          for (const r of racks) allPartitionRacks.add(r);
        }
      }
    }
    if (useRackAwareAssignment(new Set(consumersByRack.keys()), allPartitionRacks, partitionRacks, preferRackAwareLogic)) {
      for (const [rack, members] of consumersByRack) for (const m of members) this.consumerRacks.set(m, rack);
      for (const [k, v] of partitionRacks) this.partitionRacks.set(k, v);
    }
    for (const [k, racks] of partitionRacks) {
      let n = 0;
      for (const r of racks) n += consumersByRack.get(r)?.length ?? 0;
      this.numConsumersByPartition.set(k, n);
    }
  }

  racksMismatch(consumer: string, tp: TopicPartition): boolean {
    const rack = this.consumerRacks.get(consumer);
    if (rack === undefined) return false;
    const replicaRacks = this.partitionRacks.get(tpKey(tp));
    return replicaRacks === undefined || !replicaRacks.has(rack);
  }

  sortPartitionsByRackConsumers(partitions: TopicPartition[]): TopicPartition[] {
    if (this.numConsumersByPartition.size === 0) return partitions;
    // stable sort, like Java's List.sort
    return [...partitions].sort(
      (a, b) => (this.numConsumersByPartition.get(tpKey(a)) ?? 0) - (this.numConsumersByPartition.get(tpKey(b)) ?? 0),
    );
  }

  nextRackConsumer(tp: TopicPartition, consumerList: readonly string[], firstIndex: number): number {
    const racks = this.partitionRacks.get(tpKey(tp));
    if (!racks || racks.size === 0) return -1;
    for (let i = 0; i < consumerList.length; i++) {
      const index = (firstIndex + i) % consumerList.length;
      const rack = this.consumerRacks.get(consumerList[index]);
      if (rack !== undefined && racks.has(rack)) return index;
    }
    return -1;
  }
}

const removeItem = <T>(list: T[], item: T): boolean => {
  const i = list.indexOf(item);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
};

const removeTp = (list: TopicPartition[], tp: TopicPartition): boolean => {
  const i = list.findIndex((x) => x.topic === tp.topic && x.partition === tp.partition);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
};

/**
 * Runs the sticky algorithm. `memberData` extracts ownership and generation from a subscription
 * (the eager `sticky` assignor reads userData, `cooperative-sticky` the protocol fields).
 */
export function stickyAssign(
  partitionsPerTopic: PartitionsPerTopic,
  subscriptions: Map<string, MemberSubscription>,
  memberData: (s: MemberSubscription) => MemberData,
  preferRackAwareLogic = false,
): StickyResult {
  // iterate members as a Java leader's HashMap would (ties go the same way as with Kafka's assignor)
  const members = javaHashMapOrder([...subscriptions.keys()]);
  const sortedSubs = new Map<string, MemberSubscription>();
  for (const m of members) sortedSubs.set(m, subscriptions.get(m)!);
  // only topics someone subscribes to (AbstractPartitionAssignor.assign does the same)
  const subscribed = new Set<string>();
  for (const s of subscriptions.values()) for (const t of s.topics) subscribed.add(t);
  const sortedPpt: PartitionsPerTopic = new Map();
  for (const t of [...partitionsPerTopic.keys()].sort(compareStrings)) {
    const infos = partitionsPerTopic.get(t)!;
    if (!subscribed.has(t) || infos.length === 0) continue;
    sortedPpt.set(
      t,
      [...infos].sort((a, b) => a.partition - b.partition),
    );
  }
  const rackInfo = new RackInfo(sortedPpt, sortedSubs, preferRackAwareLogic);
  const consumerToOwned = new Map<string, TopicPartition[]>();
  const multiplyClaimed = new Set<string>();
  const { allEqual, maxGeneration } = allSubscriptionsEqual(
    new Set(sortedPpt.keys()),
    sortedSubs,
    memberData,
    consumerToOwned,
    multiplyClaimed,
  );
  if (allEqual) {
    const b = new ConstrainedBuilder(sortedPpt, rackInfo, consumerToOwned, multiplyClaimed);
    const assignment = b.build();
    return { assignment, partitionsTransferringOwnership: b.transferring, maxGeneration, isSticky: true };
  }
  const b = new GeneralBuilder(sortedPpt, rackInfo, consumerToOwned, sortedSubs, memberData, maxGeneration);
  const assignment = b.build();
  return { assignment, partitionsTransferringOwnership: null, maxGeneration, isSticky: b.movements.isSticky() };
}

function allSubscriptionsEqual(
  allTopics: Set<string>,
  subscriptions: Map<string, MemberSubscription>,
  memberData: (s: MemberSubscription) => MemberData,
  consumerToOwned: Map<string, TopicPartition[]>,
  multiplyClaimed: Set<string>,
): { allEqual: boolean; maxGeneration: number } {
  let allEqual = true;
  let maxGeneration = DEFAULT_GENERATION;
  let subscribed: Set<string> | null = null;
  const previousOwner = new Map<string, string>();
  for (const [consumer, s] of subscriptions) {
    const topics = new Set(s.topics);
    if (subscribed === null) subscribed = topics;
    else if (allEqual && (topics.size !== subscribed.size || [...topics].some((t) => !subscribed!.has(t)))) allEqual = false;

    const data = memberData(s);
    const generation = data.generation ?? DEFAULT_GENERATION;
    maxGeneration = Math.max(maxGeneration, generation);
    const owned: TopicPartition[] = [];
    consumerToOwned.set(consumer, owned);
    for (const tp of data.partitions) {
      if (!allTopics.has(tp.topic)) continue;
      const key = tpKey(tp);
      const other = previousOwner.get(key);
      if (other === undefined) {
        owned.push(tp);
        previousOwner.set(key, consumer);
        continue;
      }
      const otherGeneration = subscriptions.get(other)!.generationId >= 0 ? subscriptions.get(other)!.generationId : DEFAULT_GENERATION;
      if (generation === otherGeneration) {
        // two members of one generation claim it: invalid, neither keeps it
        multiplyClaimed.add(key);
        removeTp(consumerToOwned.get(other)!, tp);
        previousOwner.set(key, consumer);
      } else if (generation > otherGeneration) {
        owned.push(tp);
        removeTp(consumerToOwned.get(other)!, tp);
        previousOwner.set(key, consumer);
      }
      // else: the other member has the newer claim and keeps it
    }
  }
  return { allEqual, maxGeneration };
}

function allTopicPartitions(ppt: PartitionsPerTopic, topics: readonly string[]): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (const t of topics) for (const p of ppt.get(t)!) out.push({ topic: t, partition: p.partition });
  return out;
}

function totalPartitions(ppt: PartitionsPerTopic): number {
  let n = 0;
  for (const l of ppt.values()) n += l.length;
  return n;
}

class ConstrainedBuilder {
  readonly transferring = new Map<string, { partition: TopicPartition; consumer: string }>();
  private readonly maybeRevoked = new Map<string, string>();
  private unfilledUnderMin: string[] = [];
  private unfilledExactlyMin: string[] = [];
  private readonly minQuota: number;
  private readonly maxQuota: number;
  private readonly expectedOverMin: number;
  private currentOverMin = 0;
  private readonly assignment = new Map<string, TopicPartition[]>();
  private readonly assigned: TopicPartition[] = [];
  private readonly total: number;

  constructor(
    private readonly ppt: PartitionsPerTopic,
    private readonly rackInfo: RackInfo,
    private readonly current: Map<string, TopicPartition[]>,
    private readonly multiplyClaimed: Set<string>,
  ) {
    this.total = totalPartitions(ppt);
    const n = current.size;
    this.minQuota = Math.floor(this.total / n);
    this.maxQuota = Math.ceil(this.total / n);
    this.expectedOverMin = this.total % n;
    for (const c of current.keys()) this.assignment.set(c, []);
  }

  build(): Map<string, TopicPartition[]> {
    this.assignOwnedPartitions();
    let unassigned = this.unassignedPartitions();
    this.unfilledUnderMin.sort(compareStrings);
    this.unfilledExactlyMin.sort(compareStrings);
    unassigned = this.rackInfo.sortPartitionsByRackConsumers(unassigned);
    unassigned = this.assignRackAwareRoundRobin(unassigned);
    this.assignRoundRobin(unassigned);
    this.verifyUnfilledMembers();
    return this.assignment;
  }

  private assignOwnedPartitions(): void {
    for (const [consumer, ownedAll] of this.current) {
      const owned = ownedAll
        .filter((tp) => {
          const mismatch = this.rackInfo.racksMismatch(consumer, tp);
          if (mismatch) this.maybeRevoked.set(tpKey(tp), consumer);
          return !mismatch;
        })
        .filter((tp) => !this.multiplyClaimed.has(tpKey(tp)))
        .sort((a, b) => a.partition - b.partition || compareStrings(a.topic, b.topic));
      const mine = this.assignment.get(consumer)!;
      if (owned.length < this.minQuota) {
        mine.push(...owned);
        this.assigned.push(...owned);
        this.unfilledUnderMin.push(consumer);
      } else if (owned.length >= this.maxQuota && this.currentOverMin < this.expectedOverMin) {
        this.currentOverMin++;
        if (this.currentOverMin === this.expectedOverMin) this.unfilledExactlyMin = [];
        const keep = owned.slice(0, this.maxQuota);
        mine.push(...keep);
        this.assigned.push(...keep);
        for (const tp of owned.slice(this.maxQuota)) this.maybeRevoked.set(tpKey(tp), consumer);
      } else {
        const keep = owned.slice(0, this.minQuota);
        mine.push(...keep);
        this.assigned.push(...keep);
        for (const tp of owned.slice(this.minQuota)) this.maybeRevoked.set(tpKey(tp), consumer);
        if (this.currentOverMin < this.expectedOverMin) this.unfilledExactlyMin.push(consumer);
      }
    }
  }

  /** Returns the partitions it could not place on a same-rack consumer. */
  private assignRackAwareRoundRobin(unassigned: TopicPartition[]): TopicPartition[] {
    if (this.rackInfo.consumerRacks.size === 0) return unassigned;
    const remaining: TopicPartition[] = [];
    let nextUnfilled = 0;
    for (const tp of unassigned) {
      let consumer: string | null = null;
      let nextIndex = this.rackInfo.nextRackConsumer(tp, this.unfilledUnderMin, nextUnfilled);
      if (nextIndex >= 0) {
        consumer = this.unfilledUnderMin[nextIndex];
        const count = this.assignment.get(consumer)!.length + 1;
        if (count >= this.minQuota) {
          removeItem(this.unfilledUnderMin, consumer);
          if (count < this.maxQuota && this.currentOverMin < this.expectedOverMin) this.unfilledExactlyMin.push(consumer);
        } else {
          nextIndex++;
        }
        nextUnfilled = this.unfilledUnderMin.length === 0 ? 0 : nextIndex % this.unfilledUnderMin.length;
      } else if (this.unfilledExactlyMin.length > 0) {
        const first = this.rackInfo.nextRackConsumer(tp, this.unfilledExactlyMin, 0);
        if (first >= 0) {
          consumer = this.unfilledExactlyMin[first];
          if (this.assignment.get(consumer)!.length + 1 === this.maxQuota) {
            this.unfilledExactlyMin.splice(first, 1);
            this.currentOverMin++;
            if (this.currentOverMin === this.expectedOverMin) this.unfilledExactlyMin = [];
          }
        }
      }
      if (consumer !== null) this.assignNewPartition(tp, consumer);
      else remaining.push(tp);
    }
    return remaining;
  }

  private assignRoundRobin(unassigned: TopicPartition[]): void {
    // Java walks an iterator over unfilledUnderMin, restarting it when exhausted, removing the
    // current consumer when it reaches minQuota
    let idx = 0;
    for (let k = 0; k < unassigned.length; k++) {
      const tp = unassigned[k];
      let consumer: string;
      let fromUnder = false;
      if (idx < this.unfilledUnderMin.length) {
        consumer = this.unfilledUnderMin[idx++];
        fromUnder = true;
      } else if (this.unfilledUnderMin.length === 0 && this.unfilledExactlyMin.length === 0) {
        throw new Error('sticky assignor: no more unfilled consumers to be assigned');
      } else if (this.unfilledUnderMin.length === 0) {
        consumer = this.unfilledExactlyMin.shift()!;
      } else {
        idx = 0;
        consumer = this.unfilledUnderMin[idx++];
        fromUnder = true;
      }
      const count = this.assignNewPartition(tp, consumer);
      if (count === this.minQuota) {
        // Java removes the iterator's current element (it came from unfilledUnderMin here)
        if (fromUnder) {
          this.unfilledUnderMin.splice(idx - 1, 1);
          idx--;
        }
        this.unfilledExactlyMin.push(consumer);
      } else if (count === this.maxQuota) {
        this.currentOverMin++;
      }
    }
  }

  private assignNewPartition(tp: TopicPartition, consumer: string): number {
    const list = this.assignment.get(consumer)!;
    list.push(tp);
    const key = tpKey(tp);
    const prev = this.maybeRevoked.get(key);
    if ((prev !== undefined && prev !== consumer) || this.multiplyClaimed.has(key)) {
      this.transferring.set(key, { partition: tp, consumer });
    }
    return list.length;
  }

  private verifyUnfilledMembers(): void {
    if (this.unfilledUnderMin.length === 0) return;
    if (this.currentOverMin !== this.expectedOverMin) {
      throw new Error('sticky assignor: expected number of members over minQuota not reached and no partitions left');
    }
    for (const m of this.unfilledUnderMin) {
      if (this.assignment.get(m)!.length !== this.minQuota) throw new Error(`sticky assignor: consumer ${m} did not reach minQuota`);
    }
  }

  private unassignedPartitions(): TopicPartition[] {
    const assignedKeys = new Set(this.assigned.map(tpKey));
    const out: TopicPartition[] = [];
    for (const tp of allTopicPartitions(this.ppt, [...this.ppt.keys()])) if (!assignedKeys.has(tpKey(tp))) out.push(tp);
    return out;
  }
}

class GeneralBuilder {
  readonly movements = new PartitionMovements();
  private readonly topic2Consumers = new Map<string, string[]>();
  private readonly consumer2Topics = new Map<string, string[]>();
  private readonly currentPartitionConsumer = new Map<string, string>();
  private sortedAllPartitions: TopicPartition[];
  private readonly sorted: SortedConsumers;
  private revocationRequired = false;
  private readonly total: number;

  constructor(
    private readonly ppt: PartitionsPerTopic,
    private readonly rackInfo: RackInfo,
    private readonly current: Map<string, TopicPartition[]>,
    private readonly subscriptions: Map<string, MemberSubscription>,
    private readonly memberData: (s: MemberSubscription) => MemberData,
    private readonly maxGeneration: number,
  ) {
    this.total = totalPartitions(ppt);
    for (const t of ppt.keys()) this.topic2Consumers.set(t, []);
    for (const [consumer, s] of subscriptions) {
      const topics: string[] = [];
      this.consumer2Topics.set(consumer, topics);
      for (const t of s.topics) {
        if (!ppt.has(t) || topics.includes(t)) continue;
        topics.push(t);
        this.topic2Consumers.get(t)!.push(consumer);
      }
      if (!current.has(consumer)) current.set(consumer, []);
    }
    for (const [consumer, list] of current) for (const tp of list) this.currentPartitionConsumer.set(tpKey(tp), consumer);
    const topicOrder = [...this.topic2Consumers.keys()].sort(
      (a, b) => this.topic2Consumers.get(a)!.length - this.topic2Consumers.get(b)!.length || compareStrings(a, b),
    );
    this.sortedAllPartitions = allTopicPartitions(ppt, topicOrder);
    this.sorted = new SortedConsumers((c) => this.current.get(c)?.length ?? 0);
  }

  build(): Map<string, TopicPartition[]> {
    const prevAssignment = new Map<string, { consumer: string; generation: number }>();
    this.prepopulateCurrentAssignments(prevAssignment);
    const assigned = this.assignOwnedPartitions();
    const unassigned = this.unassignedPartitions(assigned);
    for (const c of this.current.keys()) this.sorted.add(c);
    this.balance(prevAssignment, unassigned);
    return this.current;
  }

  private assignOwnedPartitions(): Set<string> {
    const assigned = new Set<string>();
    for (const [consumer, list] of [...this.current]) {
      const s = this.subscriptions.get(consumer);
      if (!s) {
        for (const tp of list) this.currentPartitionConsumer.delete(tpKey(tp));
        this.current.delete(consumer);
        continue;
      }
      const topics = new Set(s.topics);
      for (let i = 0; i < list.length; ) {
        const tp = list[i];
        if (!this.topic2Consumers.has(tp.topic)) {
          list.splice(i, 1);
          this.currentPartitionConsumer.delete(tpKey(tp));
        } else if (!topics.has(tp.topic) || this.rackInfo.racksMismatch(consumer, tp)) {
          list.splice(i, 1);
          this.revocationRequired = true;
        } else {
          assigned.add(tpKey(tp));
          i++;
        }
      }
    }
    return assigned;
  }

  private unassignedPartitions(assigned: Set<string>): TopicPartition[] {
    if (assigned.size === 0) return [...this.sortedAllPartitions];
    return this.sortedAllPartitions.filter((tp) => !assigned.has(tpKey(tp)));
  }

  private prepopulateCurrentAssignments(prev: Map<string, { consumer: string; generation: number }>): void {
    const update = (partitions: TopicPartition[], consumer: string, generation: number): void => {
      for (const tp of partitions) {
        const key = tpKey(tp);
        const p = prev.get(key);
        if (p === undefined || generation > p.generation) prev.set(key, { consumer, generation });
      }
    };
    for (const [consumer, s] of this.subscriptions) {
      const data = this.memberData(s);
      if (data.generation !== undefined && data.generation < this.maxGeneration) update(data.partitions, consumer, data.generation);
      else if (data.generation === undefined && this.maxGeneration > DEFAULT_GENERATION)
        update(data.partitions, consumer, DEFAULT_GENERATION);
    }
  }

  private maxAssignmentSize(topics: string[]): number {
    if (topics.length === this.ppt.size) return this.total;
    let n = 0;
    for (const t of topics) n += this.ppt.get(t)!.length;
    return n;
  }

  private isBalanced(): boolean {
    const min = this.current.get(this.sorted.first())!.length;
    const max = this.current.get(this.sorted.last())!.length;
    if (min >= max - 1) return true;
    const owner = new Map<string, string>();
    for (const [consumer, list] of this.current) for (const tp of list) owner.set(tpKey(tp), consumer);
    for (const consumer of this.sorted.toArray()) {
      const mine = this.current.get(consumer)!;
      const count = mine.length;
      const topics = this.consumer2Topics.get(consumer)!;
      if (count === this.maxAssignmentSize(topics)) continue;
      const mineKeys = new Set(mine.map(tpKey));
      for (const topic of topics) {
        for (const info of this.ppt.get(topic)!) {
          const key = tpKey({ topic, partition: info.partition });
          if (mineKeys.has(key)) continue;
          const other = owner.get(key);
          if (other === undefined) continue;
          if (count + 1 < this.current.get(other)!.length) return false;
        }
      }
    }
    return true;
  }

  private balanceScore(assignment: Map<string, TopicPartition[]>): number {
    const sizes = [...assignment.values()].map((l) => l.length);
    let score = 0;
    for (let i = 0; i < sizes.length; i++) for (let j = i + 1; j < sizes.length; j++) score += Math.abs(sizes[i] - sizes[j]);
    return score;
  }

  private maybeAssignPartition(tp: TopicPartition, useRacks: boolean): boolean {
    for (const consumer of this.sorted.toArray()) {
      if (!this.consumer2Topics.get(consumer)!.includes(tp.topic)) continue;
      if (useRacks && this.rackInfo.racksMismatch(consumer, tp)) continue;
      this.sorted.remove(consumer);
      this.current.get(consumer)!.push(tp);
      this.currentPartitionConsumer.set(tpKey(tp), consumer);
      this.sorted.add(consumer);
      return true;
    }
    return false;
  }

  private maybeAssign(partitions: TopicPartition[], useRacks: boolean, removeAssigned: boolean): TopicPartition[] {
    const left: TopicPartition[] = [];
    for (const tp of partitions) {
      if (this.topic2Consumers.get(tp.topic)!.length === 0) {
        left.push(tp);
        continue;
      }
      const done = this.maybeAssignPartition(tp, useRacks);
      if (!(done && removeAssigned)) left.push(tp);
    }
    return left;
  }

  private canTopicParticipate(topic: string): boolean {
    return this.topic2Consumers.get(topic)!.length >= 2;
  }

  private canConsumerParticipate(consumer: string): boolean {
    const list = this.current.get(consumer)!;
    if (list.length < this.maxAssignmentSize(this.consumer2Topics.get(consumer)!)) return true;
    return list.some((tp) => this.canTopicParticipate(tp.topic));
  }

  private balance(prev: Map<string, { consumer: string; generation: number }>, unassignedIn: TopicPartition[]): void {
    const initializing = this.current.get(this.sorted.last())!.length === 0;
    let toAssign = unassignedIn;
    if (this.rackInfo.consumerRacks.size > 0) toAssign = this.maybeAssign(toAssign, true, true);
    this.maybeAssign(toAssign, false, false);

    // only partitions of topics with 2+ potential consumers, and consumers that could change, take part
    const fixedTopics = new Set([...this.topic2Consumers.keys()].filter((t) => !this.canTopicParticipate(t)));
    this.sortedAllPartitions = this.sortedAllPartitions.filter((tp) => !fixedTopics.has(tp.topic));
    const unassigned = unassignedIn.filter((tp) => !fixedTopics.has(tp.topic));

    const fixedAssignments = new Map<string, TopicPartition[]>();
    for (const consumer of this.consumer2Topics.keys()) {
      if (!this.canConsumerParticipate(consumer)) {
        this.sorted.remove(consumer);
        fixedAssignments.set(consumer, this.current.get(consumer)!);
        this.current.delete(consumer);
      }
    }

    const preBalance = new Map<string, TopicPartition[]>();
    for (const [c, l] of this.current) preBalance.set(c, [...l]);
    const preBalanceOwners = new Map(this.currentPartitionConsumer);

    if (!this.revocationRequired) this.performReassignments(unassigned, prev);
    const reassigned = this.performReassignments(this.sortedAllPartitions, prev);

    if (!initializing && reassigned && this.balanceScore(this.current) >= this.balanceScore(preBalance)) {
      // not better balanced: keep the assignment from before the moves
      for (const c of [...this.current.keys()]) this.sorted.remove(c);
      this.current.clear();
      for (const [c, l] of preBalance) this.current.set(c, [...l]);
      this.currentPartitionConsumer.clear();
      for (const [k, v] of preBalanceOwners) this.currentPartitionConsumer.set(k, v);
      for (const c of this.current.keys()) this.sorted.add(c);
    }

    for (const [consumer, list] of fixedAssignments) {
      this.current.set(consumer, list);
      this.sorted.add(consumer);
    }
  }

  private performReassignments(partitions: TopicPartition[], prev: Map<string, { consumer: string; generation: number }>): boolean {
    let reassignmentPerformed = false;
    let modified: boolean;
    do {
      modified = false;
      for (const tp of partitions) {
        if (this.isBalanced()) break;
        const consumer = this.currentPartitionConsumer.get(tpKey(tp));
        if (consumer === undefined) continue;
        const p = prev.get(tpKey(tp));
        if (
          p !== undefined &&
          this.current.has(p.consumer) &&
          this.current.get(consumer)!.length > this.current.get(p.consumer)!.length + 1
        ) {
          this.reassignPartitionTo(tp, p.consumer);
          reassignmentPerformed = modified = true;
          continue;
        }
        const consumerRack = this.rackInfo.consumerRacks.get(consumer);
        const partitionRacks = this.rackInfo.partitionRacks.get(tpKey(tp));
        let foundRackConsumer = false;
        if (consumerRack !== undefined && partitionRacks !== undefined && partitionRacks.size > 0 && partitionRacks.has(consumerRack)) {
          for (const other of this.topic2Consumers.get(tp.topic)!) {
            const otherRack = this.rackInfo.consumerRacks.get(other);
            if (otherRack === undefined || !partitionRacks.has(otherRack)) continue;
            if (!this.current.has(other)) continue;
            if (this.current.get(consumer)!.length > this.current.get(other)!.length + 1) {
              this.reassignPartition(tp);
              reassignmentPerformed = modified = foundRackConsumer = true;
              break;
            }
          }
        }
        if (!foundRackConsumer) {
          for (const other of this.topic2Consumers.get(tp.topic)!) {
            if (!this.current.has(other)) continue;
            if (this.current.get(consumer)!.length > this.current.get(other)!.length + 1) {
              this.reassignPartition(tp);
              reassignmentPerformed = modified = true;
              break;
            }
          }
        }
      }
    } while (modified);
    return reassignmentPerformed;
  }

  private reassignPartition(tp: TopicPartition): void {
    for (const other of this.sorted.toArray()) {
      if (this.consumer2Topics.get(other)!.includes(tp.topic)) {
        this.reassignPartitionTo(tp, other);
        return;
      }
    }
  }

  private reassignPartitionTo(tp: TopicPartition, newConsumer: string): void {
    const consumer = this.currentPartitionConsumer.get(tpKey(tp))!;
    const toMove = this.movements.getTheActualPartitionToBeMoved(tp, consumer, newConsumer);
    this.processPartitionMovement(toMove, newConsumer);
  }

  private processPartitionMovement(tp: TopicPartition, newConsumer: string): void {
    const oldConsumer = this.currentPartitionConsumer.get(tpKey(tp))!;
    this.sorted.remove(oldConsumer);
    this.sorted.remove(newConsumer);
    this.movements.movePartition(tp, oldConsumer, newConsumer);
    removeTp(this.current.get(oldConsumer)!, tp);
    this.current.get(newConsumer)!.push(tp);
    this.currentPartitionConsumer.set(tpKey(tp), newConsumer);
    this.sorted.add(newConsumer);
    this.sorted.add(oldConsumer);
  }
}
