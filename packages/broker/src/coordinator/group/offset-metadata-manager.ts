// Committed offsets of one coordinator shard, after Kafka's OffsetMetadataManager: OffsetCommit
// validation against the group (generation/member checks; generation -1 = "simple" commit,
// accepted only while the group has no members), OffsetFetch (listed or all partitions),
// OffsetDelete (GROUP_SUBSCRIBED_TO_TOPIC for topics the group consumes), expiry after
// offsets.retention.minutes (from the moment the group became Empty, or from the commit for
// simple groups and for topics a Stable consumer group no longer subscribes to), and replay of
// OffsetCommit records, which is the only way offsets change.
//
// Transactional offsets (TxnOffsetCommit, Kafka's commitTransactionalOffset): validated against
// the group like OffsetCommit but without the state checks Kafka skips for them, written as one
// transactional batch of the producer, and replayed as pending offsets of that producer
// (pending-transactional-offsets.ts): invisible to OffsetFetch (which answers
// UNSTABLE_OFFSET_COMMIT for them when RequireStable is set), never expired, and counted as the
// group having offsets. The producer's COMMIT marker makes each of them the committed offset
// unless the committed one was written later in the log (record offsets compared, as Kafka does);
// its ABORT marker drops them. A non-transactional tombstone removes pending offsets too.
import { ErrorCode } from '@tributary/protocol';
import type { ClassicGroup } from './classic-group.ts';
import type { GroupCoordinatorConfig } from './config.ts';
import { GroupApiError } from './errors.ts';
import type { GroupMetadataManager } from './group-metadata-manager.ts';
import { PendingTransactionalOffsets } from './pending-transactional-offsets.ts';
import type { CoordinatorRecord, OffsetAndMetadata, OffsetCommitValue } from './records.ts';
import type {
  OffsetCommitRequest,
  OffsetCommitResult,
  OffsetDeleteRequest,
  OffsetDeleteResult,
  OffsetFetchPartitionResult,
  OffsetFetchRequest,
  OffsetFetchResult,
  TxnOffsetCommitRequest,
  TxnOffsetCommitResult,
} from './types.ts';
import type { WriteResult } from './write-result.ts';
import type { Time } from '@tributary/storage';

export type { OffsetAndMetadata };

type TopicOffsets = Map<number, OffsetAndMetadata>;

export function commitErrorResult(req: OffsetCommitRequest | TxnOffsetCommitRequest, errorCode: number): OffsetCommitResult {
  return {
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    })),
  };
}

export class OffsetMetadataManager {
  /** group -> topic -> partition -> committed offset */
  readonly offsets = new Map<string, Map<string, TopicOffsets>>();
  /** Offsets of transactions not ended yet, by producer id. */
  readonly pending = new PendingTransactionalOffsets();

  constructor(
    private readonly config: GroupCoordinatorConfig,
    private readonly time: Time,
    private readonly groups: GroupMetadataManager,
  ) {}

  get(groupId: string, topic: string, partition: number): OffsetAndMetadata | undefined {
    return this.offsets.get(groupId)?.get(topic)?.get(partition);
  }

  commitOffsets(req: OffsetCommitRequest): WriteResult<OffsetCommitResult> {
    const group = this.groups.groups.get(req.groupId);
    try {
      if (group) this.validateCommit(group, req.memberId, req.groupInstanceId, req.generationIdOrMemberEpoch, false);
      else if (req.generationIdOrMemberEpoch >= 0) {
        throw new GroupApiError(req.apiVersion >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION);
      }
    } catch (e) {
      if (!(e instanceof GroupApiError)) throw e;
      return { records: [], response: commitErrorResult(req, e.errorCode) };
    }
    // A commit keeps the member's session alive.
    if (group && (group.is('Stable') || group.is('PreparingRebalance'))) {
      const m = group.member(req.memberId);
      if (m) this.groups.rescheduleHeartbeat(group, m);
    }
    const now = this.time.now();
    const expireTimestamp = req.retentionTimeMs === -1 ? -1 : now + req.retentionTimeMs;
    return this.offsetRecords(req.groupId, req.topics, (p) => ({
      offset: p.committedOffset,
      leaderEpoch: p.committedLeaderEpoch < 0 ? -1 : p.committedLeaderEpoch,
      metadata: p.committedMetadata ?? '',
      commitTimestamp: p.commitTimestamp === -1 ? now : p.commitTimestamp,
      expireTimestamp,
    }));
  }

  /**
   * TxnOffsetCommit (Kafka's commitTransactionalOffset): the same group checks as OffsetCommit
   * but, as Kafka, no UNKNOWN_MEMBER_ID for a request without member (v0-2 carry none) and no
   * REBALANCE_IN_PROGRESS; an unknown group is created as a simple group unless a generation is
   * given (ILLEGAL_GENERATION). The records go out as one transactional batch of the producer.
   */
  commitTransactionalOffsets(req: TxnOffsetCommitRequest): WriteResult<TxnOffsetCommitResult> {
    const group = this.groups.groups.get(req.groupId);
    try {
      if (group) this.validateCommit(group, req.memberId, req.groupInstanceId, req.generationId, true);
      else if (req.generationId >= 0) throw new GroupApiError(ErrorCode.ILLEGAL_GENERATION);
    } catch (e) {
      if (!(e instanceof GroupApiError)) throw e;
      return { records: [], response: commitErrorResult(req, e.errorCode) };
    }
    const now = this.time.now();
    const result = this.offsetRecords(req.groupId, req.topics, (p) => ({
      offset: p.committedOffset,
      leaderEpoch: p.committedLeaderEpoch < 0 ? -1 : p.committedLeaderEpoch,
      metadata: p.committedMetadata ?? '',
      commitTimestamp: now,
      expireTimestamp: -1,
    }));
    return { ...result, producer: { producerId: req.producerId, producerEpoch: req.producerEpoch, transactional: true } };
  }

  /** One OffsetCommit record per partition; OFFSET_METADATA_TOO_LARGE for metadata over offset.metadata.max.bytes. */
  private offsetRecords<P extends { partitionIndex: number; committedMetadata: string | null }>(
    groupId: string,
    topics: { name: string; partitions: P[] }[],
    value: (p: P) => OffsetCommitValue,
  ): { records: CoordinatorRecord[]; response: OffsetCommitResult } {
    const records: CoordinatorRecord[] = [];
    const response: OffsetCommitResult = { topics: [] };
    for (const t of topics) {
      const partitions: { partitionIndex: number; errorCode: number }[] = [];
      response.topics.push({ name: t.name, partitions });
      for (const p of t.partitions) {
        if (p.committedMetadata !== null && p.committedMetadata.length > this.config.offsetMetadataMaxSize) {
          partitions.push({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE });
          continue;
        }
        partitions.push({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE });
        records.push({ kind: 'offset-commit', key: { group: groupId, topic: t.name, partition: p.partitionIndex }, value: value(p) });
      }
    }
    return { records, response };
  }

  /** Kafka's ClassicGroup.validateOffsetCommit. */
  private validateCommit(
    group: ClassicGroup,
    memberId: string,
    groupInstanceId: string | null,
    generationId: number,
    transactional: boolean,
  ): void {
    if (group.is('Dead')) throw new GroupApiError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (generationId < 0 && group.is('Empty')) return; // admin client / assign() consumer
    if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
      group.validateMember(memberId, groupInstanceId);
      if (generationId !== group.generationId) throw new GroupApiError(ErrorCode.ILLEGAL_GENERATION);
    } else if (!transactional && !group.is('Empty')) {
      // Transactional commits before v3 name no member: not refused.
      throw new GroupApiError(ErrorCode.UNKNOWN_MEMBER_ID);
    }
    // The group state is not enforced for transactional commits.
    if (!transactional && group.is('CompletingRebalance')) throw new GroupApiError(ErrorCode.REBALANCE_IN_PROGRESS);
  }

  fetchOffsets(req: OffsetFetchRequest): OffsetFetchResult {
    const group = this.groups.groups.get(req.groupId);
    const byTopic = group && !group.is('Dead') ? this.offsets.get(req.groupId) : undefined;
    const unstable = (topic: string, partitionIndex: number) =>
      req.requireStable === true && group !== undefined && !group.is('Dead') && this.pending.has(req.groupId, topic, partitionIndex);
    const view = (topic: string, partitionIndex: number, o: OffsetAndMetadata | undefined): OffsetFetchPartitionResult =>
      unstable(topic, partitionIndex)
        ? { partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT }
        : o
          ? {
              partitionIndex,
              committedOffset: o.offset,
              committedLeaderEpoch: o.leaderEpoch,
              metadata: o.metadata,
              errorCode: ErrorCode.NONE,
            }
          : { partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE };
    if (req.topics === null) {
      // As Kafka: the committed partitions (a partition with only a pending offset is not listed).
      const topics = [...(byTopic ?? new Map<string, TopicOffsets>())].map(([name, parts]) => ({
        name,
        partitions: [...parts].map(([p, o]) => view(name, p, o)),
      }));
      return { groupId: req.groupId, errorCode: ErrorCode.NONE, topics };
    }
    return {
      groupId: req.groupId,
      errorCode: ErrorCode.NONE,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => view(t.name, p, byTopic?.get(t.name)?.get(p))),
      })),
    };
  }

  deleteOffsets(req: OffsetDeleteRequest): WriteResult<OffsetDeleteResult> {
    const group = this.groups.groups.get(req.groupId);
    const fail = (errorCode: number) => ({ records: [], response: { errorCode, topics: [] } });
    if (!group || group.is('Dead')) return fail(ErrorCode.GROUP_ID_NOT_FOUND);
    if (!group.isEmpty && !group.usesConsumerProtocol) return fail(ErrorCode.NON_EMPTY_GROUP);
    const records: CoordinatorRecord[] = [];
    const topics = req.topics.map((t) => {
      if (group.isSubscribedToTopic(t.name)) {
        return {
          name: t.name,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC })),
        };
      }
      // A tombstone when an offset is committed or pending (it removes both).
      for (const p of t.partitions) {
        if (this.get(req.groupId, t.name, p.partitionIndex) || this.pending.has(req.groupId, t.name, p.partitionIndex)) {
          records.push(tombstone(req.groupId, t.name, p.partitionIndex));
        }
      }
      return { name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE })) };
    });
    return { records, response: { errorCode: ErrorCode.NONE, topics } };
  }

  /** Tombstones for every committed or pending offset of the group (DeleteGroups), one per partition. */
  deleteAllOffsets(groupId: string, records: CoordinatorRecord[]): void {
    for (const [topic, parts] of this.offsets.get(groupId) ?? []) {
      for (const p of parts.keys()) records.push(tombstone(groupId, topic, p));
    }
    for (const [topic, p] of this.pending.partitionsOf(groupId)) {
      if (!this.get(groupId, topic, p)) records.push(tombstone(groupId, topic, p));
    }
  }

  /**
   * Tombstones for every group's committed or pending offsets of deleted topics (Kafka's
   * onPartitionsDeleted), one per partition.
   */
  onTopicsDeleted(topics: Set<string>): CoordinatorRecord[] {
    const records: CoordinatorRecord[] = [];
    for (const [groupId, byTopic] of this.offsets) {
      for (const [topic, parts] of byTopic) {
        if (!topics.has(topic)) continue;
        for (const p of parts.keys()) records.push(tombstone(groupId, topic, p));
      }
    }
    for (const [groupId, topic, p] of this.pending.all()) {
      if (topics.has(topic) && !this.get(groupId, topic, p)) records.push(tombstone(groupId, topic, p));
    }
    return records;
  }

  /**
   * Adds tombstones for the group's expired offsets; true when all of its offsets expired (or it
   * has none), so an Empty group can be deleted too. An offset with a pending transactional offset
   * on its partition does not expire, and a group with an open transaction is not deleted.
   */
  cleanupExpiredOffsets(groupId: string, records: CoordinatorRecord[]): boolean {
    const open = this.pending.hasOpenTransactions(groupId);
    const byTopic = this.offsets.get(groupId);
    if (!byTopic) return !open;
    const group = this.groups.groups.get(groupId);
    if (!group) return false;
    const base = expirationBase(group);
    if (base === null) return false;
    const now = this.time.now();
    let allExpired = true;
    for (const [topic, parts] of byTopic) {
      if (group.isSubscribedToTopic(topic)) {
        allExpired = false;
        continue;
      }
      for (const [p, o] of parts) {
        const expired = o.expireTimestamp >= 0 ? now >= o.expireTimestamp : now - base(o) >= this.config.offsetsRetentionMs;
        if (expired && !this.pending.has(groupId, topic, p)) records.push(tombstone(groupId, topic, p));
        else allExpired = false;
      }
    }
    return allExpired && !open;
  }

  /**
   * Replays an OffsetCommit record at `recordOffset`. `producerId` is the producer of its batch
   * when the batch is transactional (-1n otherwise): its value is then pending for that producer.
   * A tombstone removes the committed offset and every pending one of the partition.
   */
  replay(groupId: string, topic: string, partition: number, value: OffsetCommitValue | null, recordOffset: number, producerId = -1n): void {
    if (value === null) {
      this.removeCommitted(groupId, topic, partition);
      this.pending.removePartition(groupId, topic, partition);
      return;
    }
    this.groups.getOrCreateGroup(groupId); // a commit without membership makes a "simple" group
    if (producerId >= 0n) this.pending.put(producerId, groupId, topic, partition, { ...value, recordOffset });
    else this.putCommitted(groupId, topic, partition, { ...value, recordOffset });
  }

  /**
   * Replays a transaction marker of `producerId` (Kafka's replayEndTransactionMarker): COMMIT makes
   * each of its pending offsets the committed one unless the committed offset's record is later
   * in the log; ABORT drops them. A marker of a producer without pending offsets changes nothing.
   */
  replayEndTransactionMarker(producerId: bigint, commit: boolean): void {
    const completed = this.pending.complete(producerId);
    if (!completed || !commit) return;
    for (const [groupId, topics] of completed) {
      for (const [topic, parts] of topics) {
        for (const [partition, o] of parts) {
          const existing = this.get(groupId, topic, partition);
          if (existing === undefined || o.recordOffset > existing.recordOffset) this.putCommitted(groupId, topic, partition, o);
        }
      }
    }
  }

  private putCommitted(groupId: string, topic: string, partition: number, o: OffsetAndMetadata): void {
    let byTopic = this.offsets.get(groupId);
    if (!byTopic) this.offsets.set(groupId, (byTopic = new Map()));
    let parts = byTopic.get(topic);
    if (!parts) byTopic.set(topic, (parts = new Map()));
    parts.set(partition, o);
  }

  private removeCommitted(groupId: string, topic: string, partition: number): void {
    const byTopic = this.offsets.get(groupId);
    const parts = byTopic?.get(topic);
    if (!parts) return;
    parts.delete(partition);
    if (parts.size === 0) byTopic!.delete(topic);
    if (byTopic!.size === 0) this.offsets.delete(groupId);
  }
}

function tombstone(group: string, topic: string, partition: number): CoordinatorRecord {
  return { kind: 'offset-commit', key: { group, topic, partition }, value: null };
}

/** Kafka's ClassicGroup.offsetExpirationCondition: the timestamp retention counts from, or null. */
function expirationBase(group: ClassicGroup): ((o: OffsetAndMetadata) => number) | null {
  if (group.protocolType === null) return (o) => o.commitTimestamp;
  if (group.is('Empty')) {
    const since = group.currentStateTimestamp;
    return (o) => since ?? o.commitTimestamp;
  }
  if (group.usesConsumerProtocol && group.subscribedTopics !== null && group.is('Stable')) return (o) => o.commitTimestamp;
  return null;
}
