// Pending transactional offsets of one coordinator shard (Kafka's OffsetMetadataManager
// pendingTransactionalOffsets + openTransactionsByGroup): the offsets a TxnOffsetCommit wrote
// for a producer whose transaction has not ended yet, by producer id, then group, topic and
// partition, each with the offset of its record in __consumer_offsets. They are invisible to
// OffsetFetch; the producer's COMMIT marker moves them to the committed offsets, its ABORT marker
// drops them (OffsetMetadataManager.replayEndTransactionMarker).
import type { OffsetAndMetadata } from './records.ts';

/** group -> topic -> partition -> offset */
export type GroupOffsets = Map<string, Map<string, Map<number, OffsetAndMetadata>>>;

export class PendingTransactionalOffsets {
  private readonly byProducer = new Map<bigint, GroupOffsets>();
  /** group -> producer ids with an open transaction that wrote offsets of the group */
  private readonly openTransactionsByGroup = new Map<string, Set<bigint>>();

  /** Producer ids with pending offsets (introspection and tests). */
  get producerIds(): bigint[] {
    return [...this.byProducer.keys()];
  }

  /** Every pending offset, by producer (introspection and tests). */
  *entries(): Iterable<[producerId: bigint, groupId: string, topic: string, partition: number, offset: OffsetAndMetadata]> {
    for (const [producerId, groups] of this.byProducer) {
      for (const [groupId, topics] of groups) {
        for (const [topic, parts] of topics) for (const [p, o] of parts) yield [producerId, groupId, topic, p, o];
      }
    }
  }

  get(producerId: bigint, groupId: string, topic: string, partition: number): OffsetAndMetadata | undefined {
    return this.byProducer.get(producerId)?.get(groupId)?.get(topic)?.get(partition);
  }

  put(producerId: bigint, groupId: string, topic: string, partition: number, o: OffsetAndMetadata): void {
    let groups = this.byProducer.get(producerId);
    if (!groups) this.byProducer.set(producerId, (groups = new Map()));
    let topics = groups.get(groupId);
    if (!topics) groups.set(groupId, (topics = new Map()));
    let parts = topics.get(topic);
    if (!parts) topics.set(topic, (parts = new Map()));
    parts.set(partition, o);
    let open = this.openTransactionsByGroup.get(groupId);
    if (!open) this.openTransactionsByGroup.set(groupId, (open = new Set()));
    open.add(producerId);
  }

  /**
   * Drops every open transaction's pending offset of the partition (an OffsetCommit tombstone was
   * replayed). The transactions stay open, as in Kafka: the group keeps them until their markers.
   */
  removePartition(groupId: string, topic: string, partition: number): void {
    for (const producerId of this.openTransactionsByGroup.get(groupId) ?? []) {
      const topics = this.byProducer.get(producerId)?.get(groupId);
      const parts = topics?.get(topic);
      if (!parts?.delete(partition)) continue;
      if (parts.size === 0) topics!.delete(topic);
    }
  }

  /** Kafka's hasPendingTransactionalOffsets: some open transaction holds an offset of the partition. */
  has(groupId: string, topic: string, partition: number): boolean {
    for (const producerId of this.openTransactionsByGroup.get(groupId) ?? []) {
      if (this.get(producerId, groupId, topic, partition)) return true;
    }
    return false;
  }

  /** Some transaction that wrote offsets of the group is still open. */
  hasOpenTransactions(groupId: string): boolean {
    return this.openTransactionsByGroup.has(groupId);
  }

  /** Every partition of the group with a pending offset, once each. */
  partitionsOf(groupId: string): Array<[topic: string, partition: number]> {
    const seen = new Map<string, Set<number>>();
    for (const producerId of this.openTransactionsByGroup.get(groupId) ?? []) {
      for (const [topic, parts] of this.byProducer.get(producerId)?.get(groupId) ?? []) {
        let s = seen.get(topic);
        if (!s) seen.set(topic, (s = new Set()));
        for (const p of parts.keys()) s.add(p);
      }
    }
    return [...seen].flatMap(([topic, parts]) => [...parts].map((p): [string, number] => [topic, p]));
  }

  /** Every (group, topic, partition) with a pending offset, once each. */
  *all(): Iterable<[groupId: string, topic: string, partition: number]> {
    for (const groupId of this.openTransactionsByGroup.keys()) {
      for (const [topic, p] of this.partitionsOf(groupId)) yield [groupId, topic, p];
    }
  }

  /** The producer's transaction ended: its pending offsets are removed and returned. */
  complete(producerId: bigint): GroupOffsets | undefined {
    const offsets = this.byProducer.get(producerId);
    if (!offsets) return undefined;
    this.byProducer.delete(producerId);
    // Every group the transaction touched, including ones whose pending offsets a tombstone removed.
    for (const [groupId, open] of this.openTransactionsByGroup) {
      if (open.delete(producerId) && open.size === 0) this.openTransactionsByGroup.delete(groupId);
    }
    return offsets;
  }
}
