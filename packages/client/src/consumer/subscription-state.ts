// What a consumer reads (Kafka's SubscriptionState): either a group subscription (topic list or
// pattern, partitions assigned by the group) or a manual assignment; per assigned partition its
// fetch position (next offset to read, with the leader epoch of the last record), whether it is
// paused, and whether its position must first be found (committed offset, else `auto.offset.reset`)
// or reset (seekToBeginning/End/timestamp). Only partitions with a valid position that are not
// paused are fetched.
import type { TopicPartition } from '../assignors/types.ts';
import { KafkaClientError } from '../network/errors.ts';

export type OffsetResetStrategy = 'earliest' | 'latest' | 'none';
export type ResetTarget = 'earliest' | 'latest' | { timestamp: number };

export interface FetchPosition {
  offset: bigint;
  /** Leader epoch of the last consumed record, -1 unknown. */
  leaderEpoch: number;
}

/** One assigned partition's state; the object lives as long as the partition stays assigned. */
export interface PartitionState {
  tp: TopicPartition;
  position: FetchPosition | null;
  paused: boolean;
  /** Position must be reset to this target before fetching. */
  reset: ResetTarget | null;
  /** The position has to come from the committed offset (or the default reset strategy). */
  awaitingCommitted: boolean;
}

/** The key partitions are found by: "topic\0partition". */
export const partitionKey = (t: string, p: number) => `${t}\u0000${p}`;
const key = partitionKey;

/** auto.offset.reset is 'none' and a partition has no committed offset (or its position is out of range). */
export class NoOffsetForPartitionError extends KafkaClientError {
  override name = 'NoOffsetForPartitionError';
  constructor(
    readonly partitions: TopicPartition[],
    why = 'no committed offset',
  ) {
    super(
      `${why} and auto.offset.reset is none for ${partitions.map((p) => `${p.topic}-${p.partition}`).join(', ')}: seek() to a position first`,
      'NO_OFFSET_FOR_PARTITION',
      false,
      { topic: partitions[0]?.topic, partition: partitions[0]?.partition },
    );
  }
}

export class SubscriptionState {
  private mode: 'none' | 'topics' | 'pattern' | 'manual' = 'none';
  private topics = new Set<string>();
  private pattern: RegExp | null = null;
  private readonly partitions = new Map<string, PartitionState>();
  /** Set when some partition may await its committed offset or a reset (cleared by positionsSettled). */
  private unsettled = false;
  /** Called with the partitions an assignment change took away (their fetched data must go). */
  onPartitionsRemoved: (partitions: TopicPartition[]) => void = () => {};

  constructor(readonly defaultReset: OffsetResetStrategy = 'latest') {}

  subscribe(topics: string[]): void {
    if (this.mode === 'manual') throw new Error('subscribe() after assign(): unsubscribe first');
    this.mode = 'topics';
    this.topics = new Set(topics);
    this.pattern = null;
  }

  subscribePattern(pattern: RegExp): void {
    if (this.mode === 'manual') throw new Error('subscribe() after assign(): unsubscribe first');
    this.mode = 'pattern';
    this.pattern = pattern;
    this.topics = new Set();
  }

  /** With a pattern: the topics of the cluster it matches (call on every metadata update). */
  matchTopics(allTopics: Iterable<string>): boolean {
    if (this.mode !== 'pattern' || !this.pattern) return false;
    const next = new Set<string>();
    for (const t of allTopics) {
      this.pattern.lastIndex = 0;
      if (this.pattern.test(t)) next.add(t);
    }
    const changed = next.size !== this.topics.size || [...next].some((t) => !this.topics.has(t));
    this.topics = next;
    return changed;
  }

  subscribedTopics(): string[] {
    return [...this.topics].sort();
  }

  get usesGroup(): boolean {
    return this.mode === 'topics' || this.mode === 'pattern';
  }

  /** Manual assignment (no group): replaces the assignment. */
  assign(partitions: TopicPartition[]): void {
    if (this.mode === 'topics' || this.mode === 'pattern') throw new Error('assign() while subscribed: unsubscribe first');
    this.mode = 'manual';
    this.setAssignment(partitions);
  }

  /** The group's assignment (eager: the whole new set; cooperative: add/remove through it). */
  assignFromGroup(partitions: TopicPartition[]): void {
    this.setAssignment(partitions);
  }

  unsubscribe(): void {
    this.mode = 'none';
    this.topics.clear();
    this.pattern = null;
    const removed = [...this.partitions.values()].map((s) => s.tp);
    this.partitions.clear();
    if (removed.length > 0) this.onPartitionsRemoved(removed);
  }

  private setAssignment(partitions: TopicPartition[]): void {
    const next = new Map<string, PartitionState>();
    for (const tp of partitions) {
      const k = key(tp.topic, tp.partition);
      let st = this.partitions.get(k);
      if (!st) {
        st = { tp: { topic: tp.topic, partition: tp.partition }, position: null, paused: false, reset: null, awaitingCommitted: true };
        this.unsettled = true;
      }
      next.set(k, st);
    }
    const removed: TopicPartition[] = [];
    for (const [k, v] of this.partitions) if (!next.has(k)) removed.push(v.tp);
    this.partitions.clear();
    for (const [k, v] of next) this.partitions.set(k, v);
    if (removed.length > 0) this.onPartitionsRemoved(removed);
  }

  assigned(): TopicPartition[] {
    return [...this.partitions.values()].map((s) => s.tp);
  }

  isAssigned(tp: TopicPartition): boolean {
    return this.partitions.has(key(tp.topic, tp.partition));
  }

  position(tp: TopicPartition): FetchPosition | undefined {
    return this.partitions.get(key(tp.topic, tp.partition))?.position ?? undefined;
  }

  /** The state of an assigned partition by its key (partitionKey), else undefined. */
  stateOf(partitionKey: string): PartitionState | undefined {
    return this.partitions.get(partitionKey);
  }

  /** Sets the next offset to fetch (seek, or after consuming records). */
  seek(tp: TopicPartition, offset: bigint, leaderEpoch = -1): void {
    this.advance(this.state(tp), offset, leaderEpoch);
  }

  /** Moves an assigned partition's position (records were consumed up to `offset`). */
  advance(s: PartitionState, offset: bigint, leaderEpoch: number): void {
    s.position = { offset, leaderEpoch };
    s.reset = null;
    s.awaitingCommitted = false;
  }

  /** Requests a reset (seekToBeginning / End / timestamp); the fetcher resolves it with ListOffsets. */
  requestReset(tp: TopicPartition, target: ResetTarget): void {
    const s = this.state(tp);
    s.reset = target;
    s.awaitingCommitted = false;
    this.unsettled = true;
  }

  /** True when no assigned partition awaits its committed offset or a reset (a cheap check per pull). */
  positionsSettled(): boolean {
    if (!this.unsettled) return true;
    for (const s of this.partitions.values()) if (s.awaitingCommitted || s.reset !== null) return false;
    this.unsettled = false;
    return true;
  }

  /** The committed offset arrived (or there is none: null -> default reset strategy). */
  applyCommitted(tp: TopicPartition, committed: FetchPosition | null): void {
    const s = this.partitions.get(key(tp.topic, tp.partition));
    if (!s?.awaitingCommitted) return;
    s.awaitingCommitted = false;
    if (committed) s.position = committed;
    else if (this.defaultReset === 'none') throw new NoOffsetForPartitionError([tp]);
    else {
      s.reset = this.defaultReset;
      this.unsettled = true;
    }
  }

  /** applyCommitted for several partitions; one NoOffsetForPartitionError names all without an offset. */
  applyCommittedOffsets(tps: TopicPartition[], committedOf: (tp: TopicPartition) => FetchPosition | null): void {
    const missing: TopicPartition[] = [];
    for (const tp of tps) {
      try {
        this.applyCommitted(tp, committedOf(tp));
      } catch (err) {
        if (!(err instanceof NoOffsetForPartitionError)) throw err;
        missing.push(...err.partitions);
      }
    }
    if (missing.length > 0) throw new NoOffsetForPartitionError(missing);
  }

  /** OFFSET_OUT_OF_RANGE on fetch: reset with auto.offset.reset, or fail when it is 'none'. */
  onOffsetOutOfRange(tp: TopicPartition): void {
    if (this.defaultReset === 'none') throw new NoOffsetForPartitionError([tp], 'the position is out of range');
    this.requestReset(tp, this.defaultReset);
  }

  partitionsAwaitingCommitted(): TopicPartition[] {
    return [...this.partitions.values()].filter((s) => s.awaitingCommitted).map((s) => s.tp);
  }

  partitionsNeedingReset(): Array<{ tp: TopicPartition; target: ResetTarget }> {
    const out: Array<{ tp: TopicPartition; target: ResetTarget }> = [];
    for (const s of this.partitions.values()) if (s.reset !== null) out.push({ tp: s.tp, target: s.reset });
    return out;
  }

  pause(tp: TopicPartition): void {
    this.state(tp).paused = true;
  }

  resume(tp: TopicPartition): void {
    this.state(tp).paused = false;
  }

  isPaused(tp: TopicPartition): boolean {
    return this.partitions.get(key(tp.topic, tp.partition))?.paused ?? false;
  }

  /** Assigned, positioned, not paused: what the fetcher may fetch. */
  fetchable(): Array<{ tp: TopicPartition; position: FetchPosition }> {
    const out: Array<{ tp: TopicPartition; position: FetchPosition }> = [];
    for (const s of this.partitions.values()) if (s.position && !s.paused && s.reset === null) out.push({ tp: s.tp, position: s.position });
    return out;
  }

  /** Positions of all assigned partitions that have one: what commit() commits by default. */
  allConsumed(): Array<TopicPartition & FetchPosition> {
    const out: Array<TopicPartition & FetchPosition> = [];
    for (const s of this.partitions.values()) if (s.position) out.push({ ...s.tp, ...s.position });
    return out;
  }

  private state(tp: TopicPartition): PartitionState {
    const s = this.partitions.get(key(tp.topic, tp.partition));
    if (!s) throw new Error(`partition ${tp.topic}-${tp.partition} is not assigned to this consumer`);
    return s;
  }
}
