// Helpers of the sticky assignors: a consumer set ordered by (number of assigned partitions,
// member id) that supports removal and re-insertion as counts change (Java's TreeSet with
// SubscriptionComparator), and the bookkeeping of partition movements used to keep a rebalance
// sticky (Java's AbstractStickyAssignor.PartitionMovements).
import { tpKey, type TopicPartition } from './types.ts';

/** Consumers sorted ascending by current assignment size, ties by member id. */
export class SortedConsumers {
  private items: string[] = [];
  constructor(private readonly sizeOf: (consumer: string) => number) {}

  private compare(a: string, b: string): number {
    const d = this.sizeOf(a) - this.sizeOf(b);
    if (d !== 0) return d;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  add(consumer: string): void {
    if (this.items.includes(consumer)) return;
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(this.items[mid], consumer) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, consumer);
  }

  remove(consumer: string): void {
    const i = this.items.indexOf(consumer);
    if (i >= 0) this.items.splice(i, 1);
  }

  first(): string {
    return this.items[0];
  }

  last(): string {
    return this.items[this.items.length - 1];
  }

  get size(): number {
    return this.items.length;
  }

  /** A snapshot, so callers may modify the set while iterating. */
  toArray(): string[] {
    return [...this.items];
  }
}

interface ConsumerPair {
  src: string;
  dst: string;
}

const pairKey = (p: ConsumerPair): string => `${p.src}\u0000${p.dst}`;

/** Tracks which partitions moved from which consumer to which during one rebalance. */
export class PartitionMovements {
  // topic -> pairKey -> { pair, partitions by tpKey }
  private readonly byTopic = new Map<string, Map<string, { pair: ConsumerPair; partitions: Map<string, TopicPartition> }>>();
  private readonly movements = new Map<string, { partition: TopicPartition; pair: ConsumerPair }>();

  private removeMovementRecord(partition: TopicPartition): ConsumerPair {
    const key = tpKey(partition);
    const rec = this.movements.get(key)!;
    this.movements.delete(key);
    const topicMap = this.byTopic.get(partition.topic)!;
    const pk = pairKey(rec.pair);
    const entry = topicMap.get(pk)!;
    entry.partitions.delete(key);
    if (entry.partitions.size === 0) topicMap.delete(pk);
    if (topicMap.size === 0) this.byTopic.delete(partition.topic);
    return rec.pair;
  }

  private addMovementRecord(partition: TopicPartition, pair: ConsumerPair): void {
    this.movements.set(tpKey(partition), { partition, pair });
    let topicMap = this.byTopic.get(partition.topic);
    if (!topicMap) this.byTopic.set(partition.topic, (topicMap = new Map()));
    const pk = pairKey(pair);
    let entry = topicMap.get(pk);
    if (!entry) topicMap.set(pk, (entry = { pair, partitions: new Map() }));
    entry.partitions.set(tpKey(partition), partition);
  }

  movePartition(partition: TopicPartition, oldConsumer: string, newConsumer: string): void {
    if (this.movements.has(tpKey(partition))) {
      // moved before in this rebalance: record src -> newConsumer, or nothing if it went back home
      const existing = this.removeMovementRecord(partition);
      if (existing.src !== newConsumer) this.addMovementRecord(partition, { src: existing.src, dst: newConsumer });
    } else {
      this.addMovementRecord(partition, { src: oldConsumer, dst: newConsumer });
    }
  }

  /**
   * When moving `partition` from oldConsumer to newConsumer, prefer moving back a partition of the
   * same topic that earlier moved newConsumer -> oldConsumer (avoids swapping partitions around).
   */
  getTheActualPartitionToBeMoved(partition: TopicPartition, oldConsumer: string, newConsumer: string): TopicPartition {
    const topicMap = this.byTopic.get(partition.topic);
    if (!topicMap) return partition;
    const moved = this.movements.get(tpKey(partition));
    if (moved) oldConsumer = moved.pair.src;
    const reverse = topicMap.get(pairKey({ src: newConsumer, dst: oldConsumer }));
    if (!reverse) return partition;
    return reverse.partitions.values().next().value!;
  }

  /** False when some topic's partitions moved both ways between two consumers. */
  isSticky(): boolean {
    for (const topicMap of this.byTopic.values()) {
      const pairs = new Set(topicMap.keys());
      for (const pk of pairs) {
        const [src, dst] = pk.split('\u0000');
        if (pairs.has(pairKey({ src: dst, dst: src }))) return false;
      }
    }
    return true;
  }
}
