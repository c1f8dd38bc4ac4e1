// A consumer's membership in a classic consumer group (Kafka's ConsumerCoordinator +
// AbstractCoordinator): find the coordinator (FindCoordinator), join (JoinGroup, retrying with the
// member id the broker hands out, MEMBER_ID_REQUIRED), let the leader run the chosen assignor,
// sync (SyncGroup), heartbeat every `heartbeat.interval.ms`, and rejoin when the coordinator says
// a rebalance is under way. Eager protocol: revoke everything before joining. Cooperative
// (KIP-429): keep partitions across the rebalance, revoke only those taken away, then rejoin so
// they can be handed out. Losing membership (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION,
// session timeout) reports the partitions as lost and rejoins; FENCED_INSTANCE_ID (another consumer
// took this static member's group.instance.id) reports them lost and stops the consumer with that
// error. Also commits and fetches offsets.
// Static membership: `group.instance.id` is sent, and a static member does not leave on close.
// A coordinator that goes away (connection lost or timed out, NOT_COORDINATOR and the like) is
// forgotten and found again (FindCoordinator) before the request is retried.
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiKey, ErrorCode, errorInfo } from '@tributary/protocol';
import type { Cluster } from '../cluster/cluster.ts';
import type { BrokerConnection } from '../network/connection.ts';
import type { RebalanceListener } from '../api.ts';
import type { Assignor, TopicPartition } from '../assignors/types.ts';
import { decodeMembers, diffAssignment, joinProtocols, leaderAssign, rebalanceProtocolOf } from '../assignors/group-assignment.ts';
import { CONSUMER_PROTOCOL_TYPE } from '../assignors/consumer-protocol.ts';
import { ConnectionError, KafkaClientError, RequestTimeoutError } from '../network/errors.ts';
import { partitionKey, type FetchPosition, type SubscriptionState } from './subscription-state.ts';

export interface GroupConfig {
  groupId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  assignors: Assignor[];
  rackId: string | null;
}

const COORDINATOR_ERRORS = new Set<number>([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
]);
/** The coordinator's connection failed (it may have moved): find it again and retry. */
const lostConnection = (err: unknown) => err instanceof ConnectionError || err instanceof RequestTimeoutError;
const key = (t: TopicPartition) => partitionKey(t.topic, t.partition);

/** A group error code as a KafkaClientError (Kafka's name, the error table's retriable flag). */
function groupError(code: number, what: string): KafkaClientError {
  const info = errorInfo(code);
  return new KafkaClientError(`${what} failed: ${info.name}`, info.name, info.retriable, { code });
}

export class CommitFailedError extends KafkaClientError {
  override name = 'CommitFailedError';
}

export class GroupCoordinator {
  memberId = '';
  generationId = -1;
  protocolName: string | null = null;
  isLeader = false;
  /** Partitions this member owns in its current generation. */
  owned: TopicPartition[] = [];
  private needsJoin = true;
  private coordinator: { nodeId: number; host: string; port: number } | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private joining: Promise<void> | null = null;
  private closed = false;
  /** Called when the member must act (rejoin needed, lost partitions). */
  onWake: () => void = () => {};
  /** Last time the application pulled records (max.poll.interval.ms is measured from it). */
  lastPollMs = Date.now();
  /** Pulls counted by the consumer without reading the clock (per record); the heartbeat turns a change into lastPollMs. */
  polls = 0;
  private pollsSeen = 0;
  private pollsCheckedMs = Date.now();
  /** Leader only: partition counts of the topics it assigned, to notice changes. */
  private assignmentSnapshot: Map<string, number> | null = null;
  /** Commits consumed offsets before partitions are revoked (auto-commit). */
  beforeRevoke: (partitions: TopicPartition[]) => Promise<void> = async () => {};

  constructor(
    private readonly cluster: Cluster,
    private readonly config: GroupConfig,
    private readonly subscriptions: SubscriptionState,
    private listener: RebalanceListener = {},
  ) {}

  setListener(listener: RebalanceListener | undefined): void {
    this.listener = listener ?? {};
  }

  get rebalanceProtocol() {
    return rebalanceProtocolOf(this.config.assignors);
  }

  /** True when a (re)join is pending. */
  get rejoinNeeded(): boolean {
    return this.needsJoin;
  }

  requestRejoin(): void {
    this.needsJoin = true;
    this.onWake();
  }

  // ---------------------------------------------------------------- coordinator

  async coordinatorConnection(): Promise<BrokerConnection> {
    for (let attempt = 0; ; attempt++) {
      if (!this.coordinator) await this.findCoordinator();
      try {
        return await this.cluster.connectionToAddress(
          this.coordinator!.host,
          this.coordinator!.port,
          this.coordinator!.nodeId,
          'coordinator',
        );
      } catch (err) {
        this.coordinator = null;
        if (attempt >= 5 || this.closed) throw err;
        await sleep(100 * (attempt + 1));
      }
    }
  }

  private async findCoordinator(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const c = await this.cluster.anyConnection();
      const r = await c.request(ApiKey.FindCoordinator, { key: this.config.groupId, keyType: 0 });
      if (r.errorCode === ErrorCode.NONE) {
        this.coordinator = { nodeId: r.nodeId, host: r.host, port: r.port };
        return;
      }
      if (!errorInfo(r.errorCode).retriable || attempt >= 10 || this.closed) {
        throw new KafkaClientError(
          `FindCoordinator for group ${this.config.groupId} failed: ${errorInfo(r.errorCode).name}`,
          errorInfo(r.errorCode).name,
          errorInfo(r.errorCode).retriable,
          { code: r.errorCode },
        );
      }
      await sleep(100 * (attempt + 1));
    }
  }

  private markCoordinatorDead(): void {
    this.coordinator = null;
  }

  /** A request to the coordinator failed: a lost connection forgets the coordinator (null = retry), anything else is rethrown. */
  private onLostConnection(err: unknown): null {
    if (!lostConnection(err) || this.closed) throw err;
    this.markCoordinatorDead();
    return null;
  }

  // ---------------------------------------------------------------- membership

  /** Joins (or rejoins) if needed; resolves once this member has an assignment. */
  ensureActiveGroup(): Promise<void> {
    if (this.fenced) return Promise.reject(this.fenced);
    if (!this.needsJoin) return Promise.resolve();
    if (!this.joining) {
      this.joining = this.joinGroup().finally(() => {
        this.joining = null;
      });
    }
    return this.joining;
  }

  private async joinGroup(): Promise<void> {
    // no heartbeats while (re)joining: the old generation's heartbeats would only be refused
    this.stopHeartbeat();
    const protocol = this.rebalanceProtocol;
    if (this.generationId < 0 && this.owned.length > 0) {
      // the generation was lost (a commit was refused as stale): nothing to revoke, all is lost
      const lost = this.owned;
      this.owned = [];
      this.subscriptions.assignFromGroup([]);
      await this.listener.lost?.(lost);
    }
    if (protocol === 'eager' && this.owned.length > 0) {
      await this.revoke(this.owned);
      this.owned = [];
      this.subscriptions.assignFromGroup([]);
    }
    for (let attempt = 0; !this.closed; attempt++) {
      this.needsJoin = false;
      const conn = await this.coordinatorConnection();
      const topics = this.subscriptions.subscribedTopics();
      this.cluster.metadata.addTopics(topics);
      const join = await conn
        .request(
          ApiKey.JoinGroup,
          {
            groupId: this.config.groupId,
            sessionTimeoutMs: this.config.sessionTimeoutMs,
            rebalanceTimeoutMs: this.config.rebalanceTimeoutMs,
            memberId: this.memberId,
            groupInstanceId: this.config.groupInstanceId,
            protocolType: CONSUMER_PROTOCOL_TYPE,
            protocols: joinProtocols(this.config.assignors, topics, this.owned, this.generationId, this.config.rackId),
            reason: null,
          },
          { timeoutMs: this.config.rebalanceTimeoutMs + 5000 },
        )
        .catch((err: unknown) => this.onLostConnection(err));
      if (join === null) {
        this.needsJoin = true;
        await sleep(Math.min(1000, 50 * (attempt + 1)));
        continue;
      }
      if (join.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
        this.memberId = join.memberId;
        this.needsJoin = true;
        continue;
      }
      if (join.errorCode === ErrorCode.UNKNOWN_MEMBER_ID || join.errorCode === ErrorCode.ILLEGAL_GENERATION) {
        await this.resetMembership(join.errorCode === ErrorCode.UNKNOWN_MEMBER_ID);
        this.needsJoin = true;
        continue;
      }
      if (COORDINATOR_ERRORS.has(join.errorCode) || join.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) {
        if (join.errorCode !== ErrorCode.REBALANCE_IN_PROGRESS) this.markCoordinatorDead();
        this.needsJoin = true;
        await sleep(Math.min(1000, 50 * (attempt + 1)));
        continue;
      }
      if (join.errorCode === ErrorCode.FENCED_INSTANCE_ID) throw await this.fence();
      if (join.errorCode !== ErrorCode.NONE) {
        this.needsJoin = true;
        throw groupError(join.errorCode, `JoinGroup for group ${this.config.groupId}`);
      }
      this.memberId = join.memberId;
      this.generationId = join.generationId;
      this.protocolName = join.protocolName;
      this.isLeader = join.leader === join.memberId;
      const assignor = this.config.assignors.find((a) => a.name === join.protocolName);
      if (!assignor)
        throw new KafkaClientError(
          `group ${this.config.groupId} chose protocol ${join.protocolName}, which this member does not have`,
          'INCONSISTENT_GROUP_PROTOCOL',
          false,
          {},
        );

      let assignments: Array<{ memberId: string; assignment: Buffer }> = [];
      if (this.isLeader && !join.skipAssignment) {
        const allTopics = new Set<string>();
        for (const s of decodeMembers(join.members).values()) for (const t of s.topics) allTopics.add(t);
        await this.cluster.refreshMetadata({ topics: [...allTopics] });
        const { assignments: bytes } = leaderAssign(
          assignor,
          join.members,
          (t) => {
            const n = this.cluster.metadata.partitionCount(t);
            if (n === undefined) return undefined;
            return this.cluster.metadata.topic(t)!.partitions.map((p) => ({
              partition: p.partition,
              replicaRacks: p.replicas.map((id) => this.cluster.metadata.broker(id)?.rack ?? null).filter((r): r is string => r !== null),
            }));
          },
          protocol,
        );
        assignments = [...bytes].map(([memberId, assignment]) => ({ memberId, assignment }));
        this.assignmentSnapshot = new Map([...allTopics].map((t) => [t, this.cluster.metadata.partitionCount(t) ?? 0]));
      } else {
        this.assignmentSnapshot = null;
      }
      const sync = await conn
        .request(
          ApiKey.SyncGroup,
          {
            groupId: this.config.groupId,
            generationId: this.generationId,
            memberId: this.memberId,
            groupInstanceId: this.config.groupInstanceId,
            protocolType: CONSUMER_PROTOCOL_TYPE,
            protocolName: this.protocolName,
            assignments,
          },
          { timeoutMs: this.config.rebalanceTimeoutMs + 5000 },
        )
        .catch((err: unknown) => this.onLostConnection(err));
      if (sync === null) {
        this.needsJoin = true;
        await sleep(Math.min(1000, 50 * (attempt + 1)));
        continue;
      }
      if (sync.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) {
        this.needsJoin = true;
        continue;
      }
      if (sync.errorCode === ErrorCode.UNKNOWN_MEMBER_ID || sync.errorCode === ErrorCode.ILLEGAL_GENERATION) {
        await this.resetMembership(sync.errorCode === ErrorCode.UNKNOWN_MEMBER_ID);
        this.needsJoin = true;
        continue;
      }
      if (COORDINATOR_ERRORS.has(sync.errorCode)) {
        this.markCoordinatorDead();
        this.needsJoin = true;
        continue;
      }
      if (sync.errorCode === ErrorCode.FENCED_INSTANCE_ID) throw await this.fence();
      if (sync.errorCode !== ErrorCode.NONE) {
        this.needsJoin = true;
        throw groupError(sync.errorCode, `SyncGroup for group ${this.config.groupId}`);
      }
      const diff = diffAssignment(this.owned, sync.assignment);
      assignor.onAssignment?.(diff.assigned, this.generationId);
      if (protocol === 'cooperative' && diff.revoked.length > 0) {
        await this.revoke(diff.revoked);
        this.needsJoin = true; // rejoin so the revoked partitions can be handed out
      }
      this.owned = diff.assigned;
      this.subscriptions.assignFromGroup(diff.assigned);
      this.startHeartbeat();
      const added = protocol === 'cooperative' ? diff.added : diff.assigned;
      await this.listener.assigned?.(added);
      return;
    }
  }

  private async revoke(partitions: TopicPartition[]): Promise<void> {
    if (partitions.length === 0) return;
    try {
      await this.beforeRevoke(partitions);
    } catch {
      // a failed commit does not stop the rebalance
    }
    await this.listener.revoked?.(partitions);
    const gone = new Set(partitions.map(key));
    this.owned = this.owned.filter((t) => !gone.has(key(t)));
    this.subscriptions.assignFromGroup(this.owned);
  }

  /**
   * Another consumer joined with this member's group.instance.id (FENCED_INSTANCE_ID): the
   * partitions are lost and this consumer stops for good (Java's FencedInstanceIdException);
   * rejoining would only fence the other one in turn.
   */
  private async fence(): Promise<KafkaClientError> {
    if (this.fenced) return this.fenced;
    this.fenced = new KafkaClientError(
      `group ${this.config.groupId}: another consumer joined with group.instance.id ${this.config.groupInstanceId}; this one is fenced (FENCED_INSTANCE_ID) and stops`,
      'FENCED_INSTANCE_ID',
      false,
      { code: ErrorCode.FENCED_INSTANCE_ID },
    );
    this.needsJoin = false;
    await this.resetMembership(true);
    this.onWake();
    return this.fenced;
  }

  /** Set once fenced: every group operation fails with it. */
  fenced: KafkaClientError | null = null;

  /** Membership lost: partitions are lost (no commit), the generation is gone. */
  private async resetMembership(forgetMemberId: boolean): Promise<void> {
    this.stopHeartbeat();
    if (this.owned.length > 0) {
      const lost = this.owned;
      this.owned = [];
      this.subscriptions.assignFromGroup([]);
      await this.listener.lost?.(lost);
    }
    this.generationId = -1;
    if (forgetMemberId) this.memberId = '';
  }

  /**
   * After a metadata refresh: the leader rejoins when a topic it assigned changed its partition
   * count (or appeared/disappeared), so the new partitions get consumers (Java's assignmentSnapshot).
   */
  checkMetadata(): void {
    if (!this.isLeader || !this.assignmentSnapshot || this.needsJoin) return;
    for (const [topic, count] of this.assignmentSnapshot) {
      if ((this.cluster.metadata.partitionCount(topic) ?? 0) !== count) {
        this.requestRejoin();
        return;
      }
    }
  }

  // ---------------------------------------------------------------- heartbeat

  private startHeartbeat(): void {
    this.stopHeartbeat();
    const beat = async () => {
      this.heartbeatTimer = null;
      if (this.closed || this.generationId < 0 || this.joining) return;
      const now = Date.now();
      if (this.polls !== this.pollsSeen) {
        // pulled at least once since the last check
        this.pollsSeen = this.polls;
        this.lastPollMs = Math.max(this.lastPollMs, this.pollsCheckedMs);
      }
      this.pollsCheckedMs = now;
      if (now - this.lastPollMs > this.config.rebalanceTimeoutMs) {
        // max.poll.interval.ms exceeded: leave so the group can rebalance without us (Java does the same)
        await this.leaveForPollTimeout();
        return;
      }
      try {
        const conn = await this.coordinatorConnection();
        const r = await conn.request(ApiKey.Heartbeat, {
          groupId: this.config.groupId,
          generationId: this.generationId,
          memberId: this.memberId,
          groupInstanceId: this.config.groupInstanceId,
        });
        if (this.joining) return; // a rejoin started meanwhile: its answer decides
        if (r.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) this.requestRejoin();
        else if (r.errorCode === ErrorCode.FENCED_INSTANCE_ID) {
          await this.fence();
          return;
        } else if (r.errorCode === ErrorCode.UNKNOWN_MEMBER_ID || r.errorCode === ErrorCode.ILLEGAL_GENERATION) {
          await this.resetMembership(r.errorCode === ErrorCode.UNKNOWN_MEMBER_ID);
          this.requestRejoin();
          return;
        } else if (COORDINATOR_ERRORS.has(r.errorCode)) this.markCoordinatorDead();
      } catch {
        this.markCoordinatorDead();
      }
      if (!this.closed && this.generationId >= 0) this.heartbeatTimer = setTimeout(beat, this.config.heartbeatIntervalMs);
    };
    this.heartbeatTimer = setTimeout(beat, this.config.heartbeatIntervalMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  // ---------------------------------------------------------------- offsets

  /** Commits offsets (the next offsets to read). Throws CommitFailedError when the generation is stale. */
  async commit(offsets: Array<TopicPartition & { offset: bigint; leaderEpoch?: number; metadata?: string }>): Promise<void> {
    if (offsets.length === 0) return;
    const byTopic = new Map<string, typeof offsets>();
    for (const o of offsets) {
      let l = byTopic.get(o.topic);
      if (!l) byTopic.set(o.topic, (l = []));
      l.push(o);
    }
    for (let attempt = 0; ; attempt++) {
      const conn = await this.coordinatorConnection();
      const sentAs = { generationId: this.generationId, memberId: this.memberId };
      const r = await conn
        .request(ApiKey.OffsetCommit, {
          groupId: this.config.groupId,
          generationIdOrMemberEpoch: sentAs.generationId,
          memberId: sentAs.memberId,
          groupInstanceId: this.config.groupInstanceId,
          retentionTimeMs: -1n,
          topics: [...byTopic].map(([name, ps]) => ({
            name,
            partitions: ps.map((p) => ({
              partitionIndex: p.partition,
              committedOffset: p.offset,
              committedLeaderEpoch: p.leaderEpoch ?? -1,
              commitTimestamp: -1n,
              committedMetadata: p.metadata ?? '',
            })),
          })),
        })
        .catch((err: unknown) => this.onLostConnection(err));
      let retry = r === null;
      for (const t of r?.topics ?? []) {
        for (const p of t.partitions) {
          if (p.errorCode === ErrorCode.NONE) continue;
          if (COORDINATOR_ERRORS.has(p.errorCode) || p.errorCode === ErrorCode.REQUEST_TIMED_OUT) {
            this.markCoordinatorDead();
            retry = true;
            continue;
          }
          const info = errorInfo(p.errorCode);
          if (p.errorCode === ErrorCode.FENCED_INSTANCE_ID) throw await this.fence();
          if (
            p.errorCode === ErrorCode.REBALANCE_IN_PROGRESS ||
            p.errorCode === ErrorCode.ILLEGAL_GENERATION ||
            p.errorCode === ErrorCode.UNKNOWN_MEMBER_ID
          ) {
            // only when the membership we committed as is still ours (a rejoin may have finished meanwhile: Java's generationUnchanged)
            const unchanged = this.generationId === sentAs.generationId && this.memberId === sentAs.memberId;
            if (p.errorCode !== ErrorCode.REBALANCE_IN_PROGRESS && unchanged) {
              // the membership is gone: the next join reports the owned partitions as lost
              this.generationId = -1;
              if (p.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
            }
            if (unchanged) this.requestRejoin();
            throw new CommitFailedError(
              `commit failed: the group rebalanced (${info.name}); the partitions may belong to another member now`,
              info.name,
              false,
              { code: p.errorCode, topic: t.name, partition: p.partitionIndex },
            );
          }
          if (info.retriable) {
            retry = true;
            continue;
          }
          throw new KafkaClientError(`commit of ${t.name}-${p.partitionIndex} failed: ${info.name}`, info.name, false, {
            code: p.errorCode,
            topic: t.name,
            partition: p.partitionIndex,
          });
        }
      }
      if (!retry) return;
      if (attempt >= 5) throw new KafkaClientError('commit failed after retries', 'COORDINATOR_NOT_AVAILABLE', true, {});
      await sleep(100 * (attempt + 1));
    }
  }

  /** Committed offsets for partitions (null when none). */
  async fetchCommitted(partitions: TopicPartition[]): Promise<Map<string, (FetchPosition & { metadata: string | null }) | null>> {
    const out = new Map<string, (FetchPosition & { metadata: string | null }) | null>();
    if (partitions.length === 0) return out;
    const byTopic = new Map<string, number[]>();
    for (const p of partitions) {
      let l = byTopic.get(p.topic);
      if (!l) byTopic.set(p.topic, (l = []));
      l.push(p.partition);
    }
    for (let attempt = 0; ; attempt++) {
      const conn = await this.coordinatorConnection();
      const r = await conn
        .request(ApiKey.OffsetFetch, {
          groupId: this.config.groupId,
          topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
          requireStable: conn.versionFor(ApiKey.OffsetFetch) >= 7, // KIP-447, v7+
        })
        .catch((err: unknown) => this.onLostConnection(err));
      if (r === null) {
        if (attempt >= 10)
          throw new KafkaClientError(
            `OffsetFetch for ${this.config.groupId}: the coordinator is not reachable`,
            'COORDINATOR_NOT_AVAILABLE',
            true,
            {},
          );
        await sleep(100 * (attempt + 1));
        continue;
      }
      if (COORDINATOR_ERRORS.has(r.errorCode) || r.errorCode === ErrorCode.UNSTABLE_OFFSET_COMMIT) {
        if (r.errorCode !== ErrorCode.UNSTABLE_OFFSET_COMMIT) this.markCoordinatorDead();
        if (attempt >= 10) throw groupError(r.errorCode, `OffsetFetch for group ${this.config.groupId}`);
        await sleep(100 * (attempt + 1));
        continue;
      }
      if (r.errorCode !== ErrorCode.NONE) throw groupError(r.errorCode, `OffsetFetch for group ${this.config.groupId}`);
      for (const t of r.topics) {
        for (const p of t.partitions) {
          const k = partitionKey(t.name, p.partitionIndex);
          out.set(
            k,
            p.errorCode === ErrorCode.NONE && p.committedOffset >= 0n
              ? { offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.metadata }
              : null,
          );
        }
      }
      return out;
    }
  }

  private async leaveForPollTimeout(): Promise<void> {
    this.stopHeartbeat();
    const memberId = this.memberId;
    if (this.owned.length > 0) {
      const lost = this.owned;
      this.owned = [];
      this.subscriptions.assignFromGroup([]);
      await this.listener.lost?.(lost);
    }
    this.generationId = -1;
    if (this.config.groupInstanceId === null && memberId) {
      this.memberId = '';
      try {
        await this.sendLeaveGroup(memberId, 'consumer poll timeout has expired');
      } catch {
        // best effort
      }
    }
    this.needsJoin = true;
  }

  /** Leaves the group (dynamic members only; a static member keeps its slot until session timeout). */
  async leave(): Promise<void> {
    this.closed = true;
    this.stopHeartbeat();
    if (this.config.groupInstanceId !== null || !this.memberId) return;
    try {
      await this.sendLeaveGroup(this.memberId, 'the consumer is being closed');
    } catch {
      // best effort
    }
  }

  /** LeaveGroup: v0-2 name the member at the top level, v3+ in `members` (batch leave, KIP-345). */
  private async sendLeaveGroup(memberId: string, reason: string): Promise<void> {
    const conn = await this.coordinatorConnection();
    const body =
      conn.versionFor(ApiKey.LeaveGroup) >= 3
        ? { groupId: this.config.groupId, members: [{ memberId, groupInstanceId: null, reason }] }
        : { groupId: this.config.groupId, memberId };
    const r = await conn.request(ApiKey.LeaveGroup, body);
    if (r.errorCode !== ErrorCode.NONE)
      throw new KafkaClientError(`LeaveGroup: ${errorInfo(r.errorCode).name}`, errorInfo(r.errorCode).name, false, { code: r.errorCode });
  }

  /** Stops heartbeats without leaving (tests, forced close). */
  stop(): void {
    this.closed = true;
    this.stopHeartbeat();
  }
}
