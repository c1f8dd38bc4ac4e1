// The classic group protocol of one coordinator shard, after Kafka's GroupMetadataManager
// (classic paths): JoinGroup with parked responses, the rebalance (initial delay extended while
// members keep arriving, up to the rebalance timeout; completion when every known member has
// rejoined or the rebalance timeout expires), MEMBER_ID_REQUIRED (JoinGroup v4+), static
// membership replacement and fencing, session-timeout eviction, pending-sync expiry, and the
// GroupMetadata records written when a generation is assigned or the group becomes empty.
// SyncGroup, Heartbeat and LeaveGroup live in group-member-requests.ts.
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '@tributary/protocol';
import { ClassicGroup, ClassicGroupMember, EMPTY_ASSIGNMENT } from './classic-group.ts';
import type { GroupCoordinatorConfig } from './config.ts';
import { GroupApiError } from './errors.ts';
import type { CoordinatorRecord, GroupMetadataValue } from './records.ts';
import type { KeyedTimer } from './keyed-timer.ts';
import type { Time } from '@tributary/storage';
import type { JoinGroupRequest, JoinGroupResult, SyncGroupResult } from './types.ts';
import { NO_RECORDS, type RecordsResult, type WriteResult } from './write-result.ts';

export type Submit = (op: () => RecordsResult) => void;

/** Where the group lifecycle is logged, as Kafka's GroupCoordinator logs it (joins, rebalances, generations, leaves, failures). */
export interface GroupEventLog {
  info(msg: string): void;
}

const SILENT_EVENTS: GroupEventLog = { info() {} };

export function joinError(memberId: string, errorCode: number): JoinGroupResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId, members: [] };
}

const heartbeatKey = (g: string, m: string) => `heartbeat-${g}-${m}`;
const joinKey = (g: string) => `join-${g}`;
const syncKey = (g: string) => `sync-${g}`;

export class GroupMetadataManager {
  readonly groups = new Map<string, ClassicGroup>();

  constructor(
    readonly config: GroupCoordinatorConfig,
    readonly time: Time,
    readonly timer: KeyedTimer,
    /** Runs a timer-triggered operation through the shard's write path. */
    readonly submit: Submit,
    readonly newUuid: () => string = randomUUID,
    readonly events: GroupEventLog = SILENT_EVENTS,
  ) {}

  getOrCreateGroup(groupId: string): ClassicGroup {
    let g = this.groups.get(groupId);
    if (!g) {
      g = new ClassicGroup(groupId, 'Empty', this.time);
      this.groups.set(groupId, g);
    }
    return g;
  }

  // ---------------------------------------------------------------- JoinGroup

  joinGroup(req: JoinGroupRequest): WriteResult<JoinGroupResult> {
    let resolve!: (r: JoinGroupResult) => void;
    const response = new Promise<JoinGroupResult>((r) => {
      resolve = r;
    });
    let done = false;
    const respond = (r: JoinGroupResult) => {
      if (!done) {
        done = true;
        resolve(r);
      }
    };
    if (req.rebalanceTimeoutMs < 0) req = { ...req, rebalanceTimeoutMs: req.sessionTimeoutMs };

    const isUnknownMember = req.memberId === '';
    const isNewGroup = !this.groups.has(req.groupId);
    if (isNewGroup && !isUnknownMember) {
      respond(joinError(req.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
      return { records: [], response };
    }
    const group = this.getOrCreateGroup(req.groupId);
    let result: RecordsResult = NO_RECORDS;
    if (!this.acceptJoiningMember(group, req.memberId)) {
      group.remove(req.memberId);
      respond(joinError('', ErrorCode.GROUP_MAX_SIZE_REACHED));
    } else if (isUnknownMember) {
      result = this.joinNewMember(req, group, respond);
    } else {
      result = this.joinExistingMember(req, group, respond);
    }
    if (isNewGroup && result.records.length === 0) {
      // Persist the new (empty) group, as Kafka does.
      return {
        records: [this.emptyGroupRecord(group)],
        response,
        afterAppend: (err) => {
          if (err) {
            if (group.numMembers === 0 && group.pendingJoinMembers.size === 0) this.groups.delete(group.groupId);
            respond(joinError('', ErrorCode.COORDINATOR_NOT_AVAILABLE));
          }
        },
      };
    }
    return { ...result, response };
  }

  private acceptJoiningMember(group: ClassicGroup, memberId: string): boolean {
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return true;
      case 'PreparingRebalance':
        return (group.member(memberId)?.isAwaitingJoin ?? false) || group.numMembersAwaitingJoinResponse < this.config.groupMaxSize;
      default:
        return group.hasMember(memberId) || group.numMembers < this.config.groupMaxSize;
    }
  }

  private joinNewMember(req: JoinGroupRequest, group: ClassicGroup, respond: (r: JoinGroupResult) => void): RecordsResult {
    if (group.is('Dead')) {
      respond(joinError('', ErrorCode.COORDINATOR_NOT_AVAILABLE));
      return NO_RECORDS;
    }
    if (!group.supportsProtocols(req.protocolType, req.protocols)) {
      respond(joinError('', ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
      return NO_RECORDS;
    }
    const newMemberId = `${req.groupInstanceId ?? req.clientId}-${this.newUuid()}`;
    if (req.groupInstanceId !== null) {
      const existing = group.staticMemberId(req.groupInstanceId);
      if (existing !== undefined) return this.replaceStaticMemberThenRebalanceOrCompleteJoin(req, group, existing, newMemberId, respond);
      return this.addMemberThenRebalanceOrCompleteJoin(req, group, newMemberId, respond);
    }
    if (req.apiVersion >= 4) {
      // KIP-394: hand out the member id; the member joins again with it.
      group.addPendingMember(newMemberId);
      this.timer.schedule(heartbeatKey(group.groupId, newMemberId), req.sessionTimeoutMs, () =>
        this.submit(() => this.expireMemberHeartbeat(group.groupId, newMemberId)),
      );
      respond(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED));
      return NO_RECORDS;
    }
    return this.addMemberThenRebalanceOrCompleteJoin(req, group, newMemberId, respond);
  }

  private joinExistingMember(req: JoinGroupRequest, group: ClassicGroup, respond: (r: JoinGroupResult) => void): RecordsResult {
    const memberId = req.memberId;
    if (group.is('Dead')) {
      respond(joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
      return NO_RECORDS;
    }
    if (!group.supportsProtocols(req.protocolType, req.protocols)) {
      respond(joinError(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
      return NO_RECORDS;
    }
    if (group.isPendingMember(memberId)) {
      if (req.groupInstanceId !== null) {
        respond(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
        return NO_RECORDS;
      }
      return this.addMemberThenRebalanceOrCompleteJoin(req, group, memberId, respond);
    }
    try {
      group.validateMember(memberId, req.groupInstanceId);
    } catch (e) {
      if (!(e instanceof GroupApiError)) throw e;
      respond(joinError(memberId, e.errorCode));
      return NO_RECORDS;
    }
    const member = group.member(memberId)!;
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberThenRebalanceOrCompleteJoin(req, group, member, respond);
      case 'CompletingRebalance':
        if (member.matches(req.protocols)) {
          // The member lost its JoinGroup response: send the current generation again.
          respond(this.currentJoinResult(group, memberId, group.isLeader(memberId)));
          return NO_RECORDS;
        }
        return this.updateMemberThenRebalanceOrCompleteJoin(req, group, member, respond);
      case 'Stable':
        if (group.isLeader(memberId) || !member.matches(req.protocols)) {
          // A leader rejoin or changed metadata starts a rebalance.
          return this.updateMemberThenRebalanceOrCompleteJoin(req, group, member, respond);
        }
        respond(this.currentJoinResult(group, memberId, false));
        return NO_RECORDS;
      default:
        respond(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
        return NO_RECORDS;
    }
  }

  private currentJoinResult(group: ClassicGroup, memberId: string, withMembers: boolean): JoinGroupResult {
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      skipAssignment: false,
      memberId,
      members: withMembers ? group.currentMembersForLeader() : [],
    };
  }

  private updateMemberThenRebalanceOrCompleteJoin(
    req: JoinGroupRequest,
    group: ClassicGroup,
    member: ClassicGroupMember,
    respond: (r: JoinGroupResult) => void,
  ): RecordsResult {
    group.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, respond);
    return this.maybePrepareRebalanceOrCompleteJoin(group);
  }

  private addMemberThenRebalanceOrCompleteJoin(
    req: JoinGroupRequest,
    group: ClassicGroup,
    memberId: string,
    respond: (r: JoinGroupResult) => void,
  ): RecordsResult {
    const member = new ClassicGroupMember(
      memberId,
      req.groupInstanceId,
      req.clientId,
      req.clientHost,
      req.rebalanceTimeoutMs,
      req.sessionTimeoutMs,
      req.protocolType,
      req.protocols,
    );
    member.isNew = true;
    if (group.is('PreparingRebalance') && group.previousState === 'Empty') group.newMemberAdded = true;
    this.events.info(
      `Member ${memberId} (client ${req.clientId}, host ${req.clientHost}${req.groupInstanceId !== null ? `, instance ${req.groupInstanceId}` : ''}) joins group ${group.groupId} in state ${group.state}`,
    );
    group.add(member, respond);
    // A new member cannot heartbeat while its join is parked: time the join out instead.
    this.rescheduleHeartbeat(group, member, this.config.groupNewMemberJoinTimeoutMs);
    return this.maybePrepareRebalanceOrCompleteJoin(group);
  }

  private replaceStaticMemberThenRebalanceOrCompleteJoin(
    req: JoinGroupRequest,
    group: ClassicGroup,
    oldMemberId: string,
    newMemberId: string,
    respond: (r: JoinGroupResult) => void,
  ): RecordsResult {
    const instanceId = req.groupInstanceId!;
    const currentLeader = group.leaderId;
    const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
    this.timer.cancel(heartbeatKey(group.groupId, oldMemberId));
    this.rescheduleHeartbeat(group, member);
    const oldRebalanceTimeoutMs = member.rebalanceTimeoutMs;
    const oldSessionTimeoutMs = member.sessionTimeoutMs;
    const oldProtocols = member.supportedProtocols;
    group.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, respond);

    switch (group.state) {
      case 'Stable': {
        if ((group.protocolName ?? '') !== group.selectProtocol()) return this.maybePrepareRebalanceOrCompleteJoin(group);
        // Same protocol: the member takes over the old member's assignment without a rebalance.
        return {
          records: [this.groupMetadataRecord(group, group.groupAssignment())],
          afterAppend: (err) => {
            if (err) {
              group.updateMember(member, oldProtocols, oldRebalanceTimeoutMs, oldSessionTimeoutMs, null);
              const restored = group.replaceStaticMember(instanceId, newMemberId, oldMemberId);
              this.timer.cancel(heartbeatKey(group.groupId, newMemberId));
              this.rescheduleHeartbeat(group, restored);
              respond({
                ...joinError('', ErrorCode.COORDINATOR_NOT_AVAILABLE),
                generationId: group.generationId,
                protocolType: group.protocolType,
                protocolName: group.protocolName,
                leader: currentLeader ?? '',
              });
            } else if (req.apiVersion >= 9) {
              const isLeader = group.isLeader(newMemberId);
              group.completeJoin(member, { ...this.currentJoinResult(group, newMemberId, isLeader), skipAssignment: isLeader });
            } else {
              // Old clients must not think they became leader: report the previous leader id.
              group.completeJoin(member, { ...this.currentJoinResult(group, newMemberId, false), leader: currentLeader ?? '' });
            }
          },
        };
      }
      case 'CompletingRebalance':
        // The leader may already have computed an assignment naming the old member id.
        return this.prepareRebalance(group);
      default:
        return this.maybeCompleteJoinPhase(group);
    }
  }

  // ---------------------------------------------------------------- rebalance

  maybePrepareRebalanceOrCompleteJoin(group: ClassicGroup): RecordsResult {
    return group.canRebalance() ? this.prepareRebalance(group) : this.maybeCompleteJoinPhase(group);
  }

  prepareRebalance(group: ClassicGroup): RecordsResult {
    if (group.is('CompletingRebalance')) this.resetAndPropagateAssignmentWithError(group, ErrorCode.REBALANCE_IN_PROGRESS);
    this.removeSyncExpiration(group);
    const isInitialRebalance = group.is('Empty');
    if (isInitialRebalance) {
      const delayMs = this.config.groupInitialRebalanceDelayMs;
      const remainingMs = Math.max(group.rebalanceTimeoutMs - delayMs, 0);
      this.scheduleInitialRebalance(group.groupId, delayMs, remainingMs);
    }
    this.events.info(`Preparing to rebalance group ${group.groupId} in state ${group.state} with old generation ${group.generationId}`);
    group.transitionTo('PreparingRebalance');
    return isInitialRebalance ? NO_RECORDS : this.maybeCompleteJoinElseSchedule(group);
  }

  private scheduleInitialRebalance(groupId: string, delayMs: number, remainingMs: number): void {
    this.timer.schedule(joinKey(groupId), delayMs, () =>
      this.submit(() => this.tryCompleteInitialRebalanceElseSchedule(groupId, delayMs, remainingMs)),
    );
  }

  private tryCompleteInitialRebalanceElseSchedule(groupId: string, delayMs: number, remainingMs: number): RecordsResult {
    const group = this.groups.get(groupId);
    if (!group) return NO_RECORDS;
    if (group.newMemberAdded && remainingMs !== 0) {
      // Someone joined during the delay: wait again, never beyond the rebalance timeout.
      group.newMemberAdded = false;
      const newDelayMs = Math.min(this.config.groupInitialRebalanceDelayMs, remainingMs);
      const newRemainingMs = Math.max(remainingMs - delayMs, 0);
      this.scheduleInitialRebalance(groupId, newDelayMs, newRemainingMs);
      return NO_RECORDS;
    }
    return this.completeJoin(group);
  }

  private maybeCompleteJoinElseSchedule(group: ClassicGroup): RecordsResult {
    if (group.hasAllMembersJoined()) return this.completeJoin(group);
    const groupId = group.groupId;
    this.timer.schedule(joinKey(groupId), group.rebalanceTimeoutMs, () => this.submit(() => this.completeJoinById(groupId)));
    return NO_RECORDS;
  }

  maybeCompleteJoinPhase(group: ClassicGroup): RecordsResult {
    if (!group.is('PreparingRebalance')) return NO_RECORDS;
    if (group.previousState === 'Empty') return NO_RECORDS; // the initial rebalance waits for its delay
    if (!group.hasAllMembersJoined()) return NO_RECORDS;
    return this.completeJoin(group);
  }

  private completeJoinById(groupId: string): RecordsResult {
    const group = this.groups.get(groupId);
    return group ? this.completeJoin(group) : NO_RECORDS;
  }

  completeJoin(group: ClassicGroup): RecordsResult {
    const groupId = group.groupId;
    this.timer.cancel(joinKey(groupId));
    // Dynamic members that did not rejoin in time are dropped; static members stay.
    for (const m of group.notYetRejoinedMembers()) {
      if (m.isStatic) continue;
      group.remove(m.memberId);
      this.timer.cancel(heartbeatKey(groupId, m.memberId));
    }
    if (group.is('Dead')) return NO_RECORDS;
    if (!group.maybeElectNewJoinedLeader() && group.numMembers > 0) {
      // Nobody rejoined: wait another rebalance timeout for session timeouts to clear members.
      this.timer.schedule(joinKey(groupId), group.rebalanceTimeoutMs, () => this.submit(() => this.completeJoinById(groupId)));
      return NO_RECORDS;
    }
    group.initNextGeneration();
    if (group.is('Empty')) {
      this.events.info(`Group ${groupId} with generation ${group.generationId} is now empty`);
      return { records: [this.groupMetadataRecord(group, new Map())] };
    }
    this.events.info(
      `Stabilized group ${groupId} generation ${group.generationId} with ${group.numMembers} members (protocol ${group.protocolName ?? '-'}, leader ${group.leaderId ?? '-'})`,
    );
    for (const m of group.members.values()) {
      const isLeader = group.isLeader(m.memberId);
      group.completeJoin(m, this.currentJoinResult(group, m.memberId, isLeader));
      this.rescheduleHeartbeat(group, m);
      m.isNew = false;
      group.pendingSyncMembers.add(m.memberId);
    }
    this.schedulePendingSync(group);
    return NO_RECORDS;
  }

  private schedulePendingSync(group: ClassicGroup): void {
    const { groupId, generationId } = group;
    this.timer.schedule(syncKey(groupId), group.rebalanceTimeoutMs, () => this.submit(() => this.expirePendingSync(groupId, generationId)));
  }

  private expirePendingSync(groupId: string, generationId: number): RecordsResult {
    const group = this.groups.get(groupId);
    if (!group || group.generationId !== generationId) return NO_RECORDS;
    if (!group.is('CompletingRebalance') && !group.is('Stable')) return NO_RECORDS;
    if (group.pendingSyncMembers.size === 0) return NO_RECORDS;
    for (const memberId of [...group.pendingSyncMembers]) {
      group.remove(memberId);
      this.timer.cancel(heartbeatKey(groupId, memberId));
    }
    return this.prepareRebalance(group);
  }

  removeSyncExpiration(group: ClassicGroup): void {
    group.pendingSyncMembers.clear();
    this.timer.cancel(syncKey(group.groupId));
  }

  removePendingSyncMember(group: ClassicGroup, memberId: string): void {
    group.pendingSyncMembers.delete(memberId);
    if (group.is('CompletingRebalance') || group.is('Stable')) {
      if (group.pendingSyncMembers.size === 0) this.timer.cancel(syncKey(group.groupId));
    } else {
      this.timer.cancel(syncKey(group.groupId));
    }
  }

  resetAndPropagateAssignmentWithError(group: ClassicGroup, errorCode: number): void {
    for (const m of group.members.values()) m.assignment = EMPTY_ASSIGNMENT;
    this.propagateAssignment(group, errorCode);
  }

  setAndPropagateAssignment(group: ClassicGroup, assignment: Map<string, Buffer>): void {
    for (const m of group.members.values()) m.assignment = assignment.get(m.memberId) ?? EMPTY_ASSIGNMENT;
    this.propagateAssignment(group, ErrorCode.NONE);
  }

  private propagateAssignment(group: ClassicGroup, errorCode: number): void {
    const ok = errorCode === ErrorCode.NONE;
    for (const m of group.members.values()) {
      const r: SyncGroupResult = {
        errorCode,
        protocolType: ok ? group.protocolType : null,
        protocolName: ok ? group.protocolName : null,
        assignment: m.assignment,
      };
      if (group.completeSync(m, r)) this.rescheduleHeartbeat(group, m);
    }
  }

  // ---------------------------------------------------------------- sessions

  rescheduleHeartbeat(group: ClassicGroup, member: ClassicGroupMember, timeoutMs = member.sessionTimeoutMs): void {
    const { groupId } = group;
    const { memberId } = member;
    this.timer.schedule(heartbeatKey(groupId, memberId), timeoutMs, () => this.submit(() => this.expireMemberHeartbeat(groupId, memberId)));
  }

  cancelHeartbeat(groupId: string, memberId: string): void {
    this.timer.cancel(heartbeatKey(groupId, memberId));
  }

  private expireMemberHeartbeat(groupId: string, memberId: string): RecordsResult {
    const group = this.groups.get(groupId);
    if (!group || group.is('Dead')) return NO_RECORDS;
    if (group.isPendingMember(memberId)) {
      group.remove(memberId);
      return group.is('PreparingRebalance') && group.hasAllMembersJoined() ? this.completeJoin(group) : NO_RECORDS;
    }
    const member = group.member(memberId);
    if (!member || member.hasSatisfiedHeartbeat()) return NO_RECORDS;
    this.events.info(
      `Member ${memberId} in group ${groupId} has failed (no heartbeat within its session timeout), removing it from the group`,
    );
    return this.removeMemberAndUpdateGroup(group, member);
  }

  private removeMemberAndUpdateGroup(group: ClassicGroup, member: ClassicGroupMember): RecordsResult {
    group.completeJoin(member, joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
    group.remove(member.memberId);
    if (group.is('Stable') || group.is('CompletingRebalance')) return this.maybePrepareRebalanceOrCompleteJoin(group);
    if (group.is('PreparingRebalance') && group.hasAllMembersJoined()) return this.completeJoin(group);
    return NO_RECORDS;
  }

  // ---------------------------------------------------------------- records

  emptyGroupRecord(group: ClassicGroup): CoordinatorRecord {
    return {
      kind: 'group-metadata',
      key: { group: group.groupId },
      value: {
        protocolType: '',
        generation: 0,
        protocol: null,
        leader: null,
        currentStateTimestamp: group.currentStateTimestamp ?? -1,
        members: [],
      },
    };
  }

  groupMetadataRecord(group: ClassicGroup, assignment: Map<string, Buffer>): CoordinatorRecord {
    const protocol = group.protocolName;
    const value: GroupMetadataValue = {
      protocolType: group.protocolType ?? '',
      generation: group.generationId,
      protocol,
      leader: group.leaderId,
      currentStateTimestamp: group.currentStateTimestamp ?? -1,
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: m.metadata(protocol!),
        assignment: assignment.get(m.memberId) ?? EMPTY_ASSIGNMENT,
      })),
    };
    return { kind: 'group-metadata', key: { group: group.groupId }, value };
  }

  /** Loads a group from its GroupMetadata record (start-up replay); null value removes it. */
  replayGroupMetadata(groupId: string, value: GroupMetadataValue | null): void {
    const existing = this.groups.get(groupId);
    if (value === null) {
      if (existing) {
        for (const m of existing.members.keys()) this.cancelHeartbeat(groupId, m);
        this.timer.cancel(joinKey(groupId));
        this.timer.cancel(syncKey(groupId));
      }
      this.groups.delete(groupId);
      return;
    }
    const group = new ClassicGroup(groupId, value.members.length === 0 ? 'Empty' : 'Stable', this.time, {
      generationId: value.generation,
      protocolType: value.protocolType === '' ? null : value.protocolType,
      protocolName: value.protocol,
      leaderId: value.leader,
      currentStateTimestamp: value.currentStateTimestamp === -1 ? null : value.currentStateTimestamp,
    });
    for (const m of value.members) {
      group.add(
        new ClassicGroupMember(
          m.memberId,
          m.groupInstanceId,
          m.clientId,
          m.clientHost,
          m.rebalanceTimeout === -1 ? m.sessionTimeout : m.rebalanceTimeout,
          m.sessionTimeout,
          value.protocolType,
          [{ name: value.protocol ?? '', metadata: m.subscription }],
          m.assignment,
        ),
      );
    }
    group.subscribedTopics = group.computeSubscribedTopics();
    this.groups.set(groupId, group);
  }

  /** After loading: members must heartbeat within their session timeout. */
  onLoaded(): void {
    for (const g of this.groups.values()) for (const m of g.members.values()) this.rescheduleHeartbeat(g, m);
  }

  /** The shard moves away: every group is Dead and parked calls get NOT_COORDINATOR. */
  onUnloaded(): void {
    for (const g of this.groups.values()) {
      const previous = g.state;
      g.transitionTo('Dead');
      for (const m of g.members.values()) {
        if (previous === 'PreparingRebalance') g.completeJoin(m, joinError(m.memberId, ErrorCode.NOT_COORDINATOR));
        if (previous === 'CompletingRebalance' || previous === 'Stable') {
          g.completeSync(m, { errorCode: ErrorCode.NOT_COORDINATOR, protocolType: null, protocolName: null, assignment: EMPTY_ASSIGNMENT });
        }
      }
    }
    this.timer.cancelAll();
  }
}
