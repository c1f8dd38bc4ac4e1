// Committed offsets of one coordinator shard, after Kafka's OffsetMetadataManager: OffsetCommit
// validation against the group (generation/member checks; generation -1 = "simple" commit,
// accepted only while the group has no members), OffsetFetch (listed or all partitions),
// OffsetDelete (GROUP_SUBSCRIBED_TO_TOPIC for topics the group consumes), expiry after
// offsets.retention.minutes (from the moment the group became Empty, or from the commit for
// simple groups and for topics a Stable consumer group no longer subscribes to), and replay of
// OffsetCommit records, which is the only way offsets change.
import { ErrorCode } from '@tributary/protocol';
import type { ClassicGroup } from './classic-group.ts';
import type { GroupCoordinatorConfig } from './config.ts';
import { GroupApiError } from './errors.ts';
import type { GroupMetadataManager } from './group-metadata-manager.ts';
import type { CoordinatorRecord, OffsetCommitValue } from './records.ts';
import type {
  OffsetCommitRequest,
  OffsetCommitResult,
  OffsetDeleteRequest,
  OffsetDeleteResult,
  OffsetFetchPartitionResult,
  OffsetFetchRequest,
  OffsetFetchResult,
} from './types.ts';
import type { WriteResult } from './write-result.ts';
import type { Time } from '@tributary/storage';

export interface OffsetAndMetadata extends OffsetCommitValue {
  /** Offset of the OffsetCommit record in __consumer_offsets. */
  recordOffset: number;
}

type TopicOffsets = Map<number, OffsetAndMetadata>;

export function commitErrorResult(req: OffsetCommitRequest, errorCode: number): OffsetCommitResult {
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
      if (group) this.validateCommit(group, req);
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
    const records: CoordinatorRecord[] = [];
    const response: OffsetCommitResult = { topics: [] };
    for (const t of req.topics) {
      const partitions: { partitionIndex: number; errorCode: number }[] = [];
      response.topics.push({ name: t.name, partitions });
      for (const p of t.partitions) {
        if (p.committedMetadata !== null && p.committedMetadata.length > this.config.offsetMetadataMaxSize) {
          partitions.push({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE });
          continue;
        }
        partitions.push({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE });
        records.push({
          kind: 'offset-commit',
          key: { group: req.groupId, topic: t.name, partition: p.partitionIndex },
          value: {
            offset: p.committedOffset,
            leaderEpoch: p.committedLeaderEpoch < 0 ? -1 : p.committedLeaderEpoch,
            metadata: p.committedMetadata ?? '',
            commitTimestamp: p.commitTimestamp === -1 ? now : p.commitTimestamp,
            expireTimestamp,
          },
        });
      }
    }
    return { records, response };
  }

  /** Kafka's ClassicGroup.validateOffsetCommit (non-transactional). */
  private validateCommit(group: ClassicGroup, req: OffsetCommitRequest): void {
    if (group.is('Dead')) throw new GroupApiError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (req.generationIdOrMemberEpoch < 0 && group.is('Empty')) return; // admin client / assign() consumer
    if (req.generationIdOrMemberEpoch >= 0 || req.memberId !== '' || req.groupInstanceId !== null) {
      group.validateMember(req.memberId, req.groupInstanceId);
      if (req.generationIdOrMemberEpoch !== group.generationId) throw new GroupApiError(ErrorCode.ILLEGAL_GENERATION);
    } else if (!group.is('Empty')) {
      throw new GroupApiError(ErrorCode.UNKNOWN_MEMBER_ID);
    }
    if (group.is('CompletingRebalance')) throw new GroupApiError(ErrorCode.REBALANCE_IN_PROGRESS);
  }

  fetchOffsets(req: OffsetFetchRequest): OffsetFetchResult {
    const group = this.groups.groups.get(req.groupId);
    const byTopic = group && !group.is('Dead') ? this.offsets.get(req.groupId) : undefined;
    const view = (partitionIndex: number, o: OffsetAndMetadata | undefined): OffsetFetchPartitionResult =>
      o
        ? {
            partitionIndex,
            committedOffset: o.offset,
            committedLeaderEpoch: o.leaderEpoch,
            metadata: o.metadata,
            errorCode: ErrorCode.NONE,
          }
        : { partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE };
    if (req.topics === null) {
      const topics = [...(byTopic ?? new Map<string, TopicOffsets>())].map(([name, parts]) => ({
        name,
        partitions: [...parts].map(([p, o]) => view(p, o)),
      }));
      return { groupId: req.groupId, errorCode: ErrorCode.NONE, topics };
    }
    return {
      groupId: req.groupId,
      errorCode: ErrorCode.NONE,
      topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => view(p, byTopic?.get(t.name)?.get(p))) })),
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
      for (const p of t.partitions) {
        if (this.get(req.groupId, t.name, p.partitionIndex)) records.push(tombstone(req.groupId, t.name, p.partitionIndex));
      }
      return { name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE })) };
    });
    return { records, response: { errorCode: ErrorCode.NONE, topics } };
  }

  /** Tombstones for every committed offset of the group (DeleteGroups). */
  deleteAllOffsets(groupId: string, records: CoordinatorRecord[]): void {
    for (const [topic, parts] of this.offsets.get(groupId) ?? []) {
      for (const p of parts.keys()) records.push(tombstone(groupId, topic, p));
    }
  }

  /** Tombstones for every group's offsets of deleted topics (Kafka's onPartitionsDeleted). */
  onTopicsDeleted(topics: Set<string>): CoordinatorRecord[] {
    const records: CoordinatorRecord[] = [];
    for (const [groupId, byTopic] of this.offsets) {
      for (const [topic, parts] of byTopic) {
        if (!topics.has(topic)) continue;
        for (const p of parts.keys()) records.push(tombstone(groupId, topic, p));
      }
    }
    return records;
  }

  /**
   * Adds tombstones for the group's expired offsets; true when all of its offsets expired (or it
   * has none), so an Empty group can be deleted too.
   */
  cleanupExpiredOffsets(groupId: string, records: CoordinatorRecord[]): boolean {
    const byTopic = this.offsets.get(groupId);
    if (!byTopic) return true;
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
        if (expired) records.push(tombstone(groupId, topic, p));
        else allExpired = false;
      }
    }
    return allExpired;
  }

  replay(groupId: string, topic: string, partition: number, value: OffsetCommitValue | null, recordOffset: number): void {
    if (value === null) {
      const byTopic = this.offsets.get(groupId);
      const parts = byTopic?.get(topic);
      if (!parts) return;
      parts.delete(partition);
      if (parts.size === 0) byTopic!.delete(topic);
      if (byTopic!.size === 0) this.offsets.delete(groupId);
      return;
    }
    this.groups.getOrCreateGroup(groupId); // a commit without membership makes a "simple" group
    let byTopic = this.offsets.get(groupId);
    if (!byTopic) this.offsets.set(groupId, (byTopic = new Map()));
    let parts = byTopic.get(topic);
    if (!parts) byTopic.set(topic, (parts = new Map()));
    parts.set(partition, { ...value, recordOffset });
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
