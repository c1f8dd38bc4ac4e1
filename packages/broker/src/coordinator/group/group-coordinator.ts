// The group coordinator of a broker: one shard per __consumer_offsets partition this broker
// leads (load when leadership arrives, unload when it leaves), and the request-level API the
// handlers call. Routing: a group lives on partition partitionForGroup(groupId); no shard ->
// NOT_COORDINATOR, shard still loading -> COORDINATOR_LOAD_IN_PROGRESS (Heartbeat answers NONE
// then, as Kafka does). Request checks done here as in Kafka's GroupCoordinatorService: empty
// group id -> INVALID_GROUP_ID, session timeout outside [group.min, group.max] -> INVALID_SESSION_TIMEOUT.
// Transactions: TxnOffsetCommit writes pending offsets (commitTransactionalOffsets);
// onTransactionCompleted applies a COMMIT/ABORT marker the partition's WriteTxnMarkers path has
// written to __consumer_offsets partitions served here.
import { ErrorCode, errorCodeOf } from '@tributary/protocol';
import { DEFAULT_GROUP_COORDINATOR_CONFIG, type GroupCoordinatorConfig } from './config.ts';
import type { CoordinatorLog } from './coordinator-log.ts';
import { GroupApiError } from './errors.ts';
import { joinError, type GroupEventLog } from './group-metadata-manager.ts';
import { GroupCoordinatorShard } from './group-coordinator-shard.ts';
import { describeGroup, heartbeat, leaveGroup, listGroups, syncGroup, validateDeleteGroup } from './group-member-requests.ts';
import { commitErrorResult } from './offset-metadata-manager.ts';
import { partitionForGroup } from './partition-for.ts';
import type { CoordinatorRecord } from './records.ts';
import { systemTime, type Time } from '@tributary/storage';
import type {
  DeleteGroupResult,
  DescribedGroup,
  HeartbeatRequest,
  HeartbeatResult,
  JoinGroupRequest,
  JoinGroupResult,
  LeaveGroupRequest,
  LeaveGroupResult,
  ListGroupsRequest,
  ListGroupsResult,
  OffsetCommitRequest,
  OffsetCommitResult,
  OffsetDeleteRequest,
  OffsetDeleteResult,
  OffsetFetchRequest,
  OffsetFetchResult,
  SyncGroupRequest,
  SyncGroupResult,
  TxnOffsetCommitRequest,
  TxnOffsetCommitResult,
} from './types.ts';

export interface GroupCoordinatorOptions {
  config?: Partial<GroupCoordinatorConfig>;
  time?: Time;
  /** Source of the uuid part of member ids (tests make it deterministic). */
  newUuid?: () => string;
  /** Where joins, rebalances, new generations, leaves and failed members are logged (Kafka's GroupCoordinator INFO lines). */
  log?: GroupEventLog;
}

export class GroupCoordinator {
  readonly config: GroupCoordinatorConfig;
  private readonly time: Time;
  private readonly newUuid?: () => string;
  private readonly log?: GroupEventLog;
  private readonly shards = new Map<number, GroupCoordinatorShard>();
  private active = true;

  constructor(opts: GroupCoordinatorOptions = {}) {
    this.config = { ...DEFAULT_GROUP_COORDINATOR_CONFIG, ...opts.config };
    this.time = opts.time ?? systemTime;
    this.newUuid = opts.newUuid;
    this.log = opts.log;
  }

  /** The __consumer_offsets partition coordinating `groupId`. */
  partitionFor(groupId: string): number {
    return partitionForGroup(groupId, this.config.offsetsTopicNumPartitions);
  }

  /** Becomes coordinator for a partition: replays its log; requests get LOAD_IN_PROGRESS meanwhile. */
  async loadPartition(partition: number, log: CoordinatorLog): Promise<void> {
    this.shards.get(partition)?.unload();
    const shard = new GroupCoordinatorShard(partition, log, this.config, this.time, this.newUuid, this.log);
    this.shards.set(partition, shard);
    try {
      await shard.load();
    } catch (e) {
      // An unreadable log: not coordinator for this partition (Kafka fails the load likewise).
      if (this.shards.get(partition) === shard) this.shards.delete(partition);
      shard.unload();
      throw e;
    }
  }

  /** Stops coordinating a partition (leadership moved): parked calls get NOT_COORDINATOR. */
  unloadPartition(partition: number): void {
    const shard = this.shards.get(partition);
    if (!shard) return;
    this.shards.delete(partition);
    shard.unload();
  }

  /** The shard for a partition (introspection and tests). */
  shard(partition: number): GroupCoordinatorShard | undefined {
    return this.shards.get(partition);
  }

  /** Every committed offset of the groups served here (loaded partitions), for the lag metrics. */
  *committedOffsets(): IterableIterator<{ groupId: string; topic: string; partition: number; offset: number }> {
    for (const shard of this.shards.values()) {
      if (shard.state !== 'active') continue;
      for (const [groupId, topics] of shard.offsets.offsets)
        for (const [topic, partitions] of topics)
          for (const [partition, o] of partitions) yield { groupId, topic, partition, offset: o.offset };
    }
  }

  isCoordinatorFor(groupId: string): boolean {
    return this.shards.get(this.partitionFor(groupId))?.state === 'active';
  }

  shutdown(): void {
    this.active = false;
    for (const p of [...this.shards.keys()]) this.unloadPartition(p);
  }

  /** Waits until every shard has finished its queued writes (tests). */
  async idle(): Promise<void> {
    for (const s of this.shards.values()) await s.idle();
  }

  private shardFor(groupId: string): GroupCoordinatorShard {
    if (!this.active) throw new GroupApiError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const shard = this.shards.get(this.partitionFor(groupId));
    if (!shard) throw new GroupApiError(ErrorCode.NOT_COORDINATOR);
    if (shard.state === 'loading') throw new GroupApiError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    return shard;
  }

  // ------------------------------------------------------------ membership

  async joinGroup(req: JoinGroupRequest): Promise<JoinGroupResult> {
    if (!req.groupId) return joinError(req.memberId, ErrorCode.INVALID_GROUP_ID);
    if (req.sessionTimeoutMs < this.config.groupMinSessionTimeoutMs || req.sessionTimeoutMs > this.config.groupMaxSessionTimeoutMs) {
      return joinError(req.memberId, ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    try {
      const shard = this.shardFor(req.groupId);
      return await shard.write(() => shard.groups.joinGroup(req));
    } catch (e) {
      return joinError(req.memberId, errorCodeOf(e));
    }
  }

  async syncGroup(req: SyncGroupRequest): Promise<SyncGroupResult> {
    const fail = (errorCode: number): SyncGroupResult => ({
      errorCode,
      protocolType: null,
      protocolName: null,
      assignment: Buffer.alloc(0),
    });
    if (!req.groupId) return fail(ErrorCode.INVALID_GROUP_ID);
    try {
      const shard = this.shardFor(req.groupId);
      return await shard.write(() => syncGroup(shard.groups, req));
    } catch (e) {
      return fail(errorCodeOf(e));
    }
  }

  async heartbeat(req: HeartbeatRequest): Promise<HeartbeatResult> {
    if (!req.groupId) return { errorCode: ErrorCode.INVALID_GROUP_ID };
    try {
      const shard = this.shardFor(req.groupId);
      return await shard.write(() => ({ records: [], response: heartbeat(shard.groups, req) }));
    } catch (e) {
      const code = errorCodeOf(e);
      return { errorCode: code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? ErrorCode.NONE : code };
    }
  }

  async leaveGroup(req: LeaveGroupRequest): Promise<LeaveGroupResult> {
    if (!req.groupId) return { errorCode: ErrorCode.INVALID_GROUP_ID, members: [] };
    try {
      const shard = this.shardFor(req.groupId);
      return await shard.write(() => leaveGroup(shard.groups, req));
    } catch (e) {
      return { errorCode: errorCodeOf(e), members: [] };
    }
  }

  // ------------------------------------------------------------ offsets

  async commitOffsets(req: OffsetCommitRequest): Promise<OffsetCommitResult> {
    try {
      const shard = this.shardFor(req.groupId);
      return await shard.write(() => shard.offsets.commitOffsets(req));
    } catch (e) {
      return commitErrorResult(req, errorCodeOf(e));
    }
  }

  /** TxnOffsetCommit: pending offsets of the producer's transaction (empty group id -> INVALID_GROUP_ID). */
  async commitTransactionalOffsets(req: TxnOffsetCommitRequest): Promise<TxnOffsetCommitResult> {
    if (!req.groupId) return commitErrorResult(req, this.active ? ErrorCode.INVALID_GROUP_ID : ErrorCode.COORDINATOR_NOT_AVAILABLE);
    try {
      const shard = this.shardFor(req.groupId);
      return await shard.write(() => shard.offsets.commitTransactionalOffsets(req));
    } catch (e) {
      return commitErrorResult(req, errorCodeOf(e));
    }
  }

  /**
   * A COMMIT (`commit`) or ABORT marker of `producerId` was written to these __consumer_offsets
   * partitions: their shards commit or drop the producer's pending offsets, after the writes
   * queued before. A shard still loading applies it once loaded (its load may have ended before
   * the marker); partitions not served here are skipped (whoever loads them replays the marker).
   * Never rejects.
   */
  async onTransactionCompleted(producerId: bigint, partitions: number[], commit: boolean): Promise<void> {
    await Promise.all(
      [...new Set(partitions)].map(async (partition) => {
        const shard = this.shards.get(partition);
        if (!shard) return;
        await shard.loaded();
        if (this.shards.get(partition) !== shard || shard.state !== 'active') return;
        await shard.completeTransaction(producerId, commit).catch(() => undefined);
      }),
    );
  }

  async fetchOffsets(req: OffsetFetchRequest): Promise<OffsetFetchResult> {
    try {
      const shard = this.shardFor(req.groupId);
      // Through the write queue: the answer includes every commit acknowledged before it.
      return await shard.write(() => ({ records: [], response: shard.offsets.fetchOffsets(req) }));
    } catch (e) {
      return { groupId: req.groupId, errorCode: errorCodeOf(e), topics: [] };
    }
  }

  async deleteOffsets(req: OffsetDeleteRequest): Promise<OffsetDeleteResult> {
    if (!req.groupId) return { errorCode: ErrorCode.INVALID_GROUP_ID, topics: [] };
    try {
      const shard = this.shardFor(req.groupId);
      return await shard.write(() => shard.offsets.deleteOffsets(req));
    } catch (e) {
      return { errorCode: errorCodeOf(e), topics: [] };
    }
  }

  /** Topics were deleted: drop every group's committed offsets for them, on every loaded shard. */
  async onTopicsDeleted(topics: string[]): Promise<void> {
    const names = new Set(topics);
    await Promise.all(
      [...this.shards.values()]
        .filter((s) => s.state === 'active')
        .map((s) => s.write(() => ({ records: s.offsets.onTopicsDeleted(names), response: undefined })).catch(() => undefined)),
    );
  }

  // ------------------------------------------------------------ admin

  async listGroups(req: ListGroupsRequest = {}): Promise<ListGroupsResult> {
    if (!this.active) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    const shards = [...this.shards.values()];
    if (shards.some((s) => s.state === 'loading')) return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, groups: [] };
    const groups = shards.flatMap((s) => listGroups(s.groups, req.statesFilter ?? [], req.typesFilter ?? []));
    return { errorCode: ErrorCode.NONE, groups };
  }

  async describeGroups(groupIds: string[]): Promise<DescribedGroup[]> {
    return Promise.all(
      groupIds.map(async (groupId) => {
        try {
          const shard = this.shardFor(groupId);
          return await shard.write(() => ({ records: [], response: describeGroup(shard.groups, groupId) }));
        } catch (e) {
          return { errorCode: errorCodeOf(e), groupId, groupState: '', protocolType: '', protocolData: '', members: [] };
        }
      }),
    );
  }

  async deleteGroups(groupIds: string[]): Promise<DeleteGroupResult[]> {
    return Promise.all(
      groupIds.map(async (groupId) => {
        try {
          const shard = this.shardFor(groupId);
          return await shard.write(() => {
            validateDeleteGroup(shard.groups, groupId);
            const records: CoordinatorRecord[] = [];
            shard.offsets.deleteAllOffsets(groupId, records);
            records.push({ kind: 'group-metadata', key: { group: groupId }, value: null });
            return { records, response: { groupId, errorCode: ErrorCode.NONE } };
          });
        } catch (e) {
          return { groupId, errorCode: errorCodeOf(e) };
        }
      }),
    );
  }
}
