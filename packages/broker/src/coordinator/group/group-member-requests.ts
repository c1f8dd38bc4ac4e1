// SyncGroup, Heartbeat and LeaveGroup of the classic protocol, and the group views (ListGroups,
// DescribeGroups), after Kafka's GroupMetadataManager: the checks and error codes per state.
//   SyncGroup: unknown/empty group -> UNKNOWN_MEMBER_ID; Dead -> COORDINATOR_NOT_AVAILABLE;
//     FENCED_INSTANCE_ID / UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION / INCONSISTENT_GROUP_PROTOCOL;
//     PreparingRebalance -> REBALANCE_IN_PROGRESS; CompletingRebalance parks until the leader's
//     assignment is stored (GroupMetadata record) then answers everyone; Stable answers at once.
//   Heartbeat: same member checks; PreparingRebalance -> REBALANCE_IN_PROGRESS; Empty -> UNKNOWN_MEMBER_ID.
//   LeaveGroup: per member (v3+ batches), by member id or (admin) by group.instance.id alone.
import { ErrorCode } from '@tributary/protocol';
import { EMPTY_ASSIGNMENT, type ClassicGroup } from './classic-group.ts';
import { GroupApiError } from './errors.ts';
import { joinError, type GroupMetadataManager } from './group-metadata-manager.ts';
import type {
  DescribedGroup,
  HeartbeatRequest,
  HeartbeatResult,
  LeaveGroupMemberResult,
  LeaveGroupRequest,
  LeaveGroupResult,
  ListedGroup,
  SyncGroupRequest,
  SyncGroupResult,
} from './types.ts';
import { NO_RECORDS, type RecordsResult, type WriteResult } from './write-result.ts';

function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_ASSIGNMENT };
}

function inconsistent(requested: string | null, current: string | null): boolean {
  return requested !== null && current !== null && requested !== current;
}

export function syncGroup(mgr: GroupMetadataManager, req: SyncGroupRequest): WriteResult<SyncGroupResult> {
  const group = mgr.groups.get(req.groupId);
  if (!group || group.isEmpty) return { records: [], response: syncError(ErrorCode.UNKNOWN_MEMBER_ID) };
  let error: number | null = null;
  if (group.is('Dead')) error = ErrorCode.COORDINATOR_NOT_AVAILABLE;
  else {
    try {
      group.validateMember(req.memberId, req.groupInstanceId);
      if (req.generationId !== group.generationId) error = ErrorCode.ILLEGAL_GENERATION;
      else if (inconsistent(req.protocolType, group.protocolType) || inconsistent(req.protocolName, group.protocolName)) {
        error = ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
      }
    } catch (e) {
      if (!(e instanceof GroupApiError)) throw e;
      error = e.errorCode;
    }
  }
  if (error !== null) return { records: [], response: syncError(error) };
  if (group.is('PreparingRebalance')) return { records: [], response: syncError(ErrorCode.REBALANCE_IN_PROGRESS) };

  const member = group.member(req.memberId)!;
  if (group.is('Stable')) {
    mgr.removePendingSyncMember(group, req.memberId);
    return {
      records: [],
      response: {
        errorCode: ErrorCode.NONE,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        assignment: member.assignment,
      },
    };
  }
  // CompletingRebalance: park until the leader's assignment is stored.
  const response = new Promise<SyncGroupResult>((resolve) => {
    member.awaitingSync = resolve;
  });
  mgr.removePendingSyncMember(group, req.memberId);
  if (!group.isLeader(req.memberId)) return { records: [], response };

  const assignment = new Map<string, Buffer>();
  for (const a of req.assignments) assignment.set(a.memberId, a.assignment);
  for (const id of group.members.keys()) if (!assignment.has(id)) assignment.set(id, EMPTY_ASSIGNMENT);
  const generationId = req.generationId;
  return {
    records: [mgr.groupMetadataRecord(group, assignment)],
    response,
    afterAppend: (err) => {
      // A join or leave may have started another rebalance meanwhile: then do nothing.
      if (!group.is('CompletingRebalance') || group.generationId !== generationId) return;
      if (err) {
        mgr.resetAndPropagateAssignmentWithError(group, ErrorCode.COORDINATOR_NOT_AVAILABLE);
        mgr.maybePrepareRebalanceOrCompleteJoin(group);
      } else {
        mgr.setAndPropagateAssignment(group, assignment);
        group.transitionTo('Stable');
      }
    },
  };
}

export function heartbeat(mgr: GroupMetadataManager, req: HeartbeatRequest): HeartbeatResult {
  const group = mgr.groups.get(req.groupId);
  if (!group) return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
  if (group.is('Dead')) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
  try {
    group.validateMember(req.memberId, req.groupInstanceId);
  } catch (e) {
    if (!(e instanceof GroupApiError)) throw e;
    return { errorCode: e.errorCode };
  }
  if (req.generationId !== group.generationId) return { errorCode: ErrorCode.ILLEGAL_GENERATION };
  switch (group.state) {
    case 'Empty':
      return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
    case 'PreparingRebalance':
      mgr.rescheduleHeartbeat(group, group.member(req.memberId)!);
      return { errorCode: ErrorCode.REBALANCE_IN_PROGRESS };
    default:
      mgr.rescheduleHeartbeat(group, group.member(req.memberId)!);
      return { errorCode: ErrorCode.NONE };
  }
}

export function leaveGroup(mgr: GroupMetadataManager, req: LeaveGroupRequest): WriteResult<LeaveGroupResult> {
  const group = mgr.groups.get(req.groupId);
  if (!group) {
    const members = req.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      errorCode: ErrorCode.UNKNOWN_MEMBER_ID,
    }));
    return { records: [], response: { errorCode: ErrorCode.NONE, members } };
  }
  if (group.is('Dead')) return { records: [], response: { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] } };

  const results: LeaveGroupMemberResult[] = [];
  for (const m of req.members) {
    const result = (errorCode: number) => results.push({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode });
    if (m.memberId === '') {
      // Administrative removal of a static member by its instance id.
      const id = m.groupInstanceId !== null ? group.staticMemberId(m.groupInstanceId) : undefined;
      if (id === undefined) result(ErrorCode.UNKNOWN_MEMBER_ID);
      else {
        removeCurrentMember(mgr, group, id);
        result(ErrorCode.NONE);
      }
    } else if (group.isPendingMember(m.memberId)) {
      group.remove(m.memberId);
      mgr.cancelHeartbeat(group.groupId, m.memberId);
      result(ErrorCode.NONE);
    } else {
      try {
        group.validateMember(m.memberId, m.groupInstanceId);
        removeCurrentMember(mgr, group, m.memberId);
        result(ErrorCode.NONE);
      } catch (e) {
        if (!(e instanceof GroupApiError)) throw e;
        result(e.errorCode);
      }
    }
  }
  let records: RecordsResult = NO_RECORDS;
  if (results.some((r) => r.errorCode === ErrorCode.NONE)) {
    if (group.is('Stable') || group.is('CompletingRebalance')) records = mgr.maybePrepareRebalanceOrCompleteJoin(group);
    else if (group.is('PreparingRebalance')) records = mgr.maybeCompleteJoinPhase(group);
  }
  return { ...records, response: { errorCode: ErrorCode.NONE, members: results } };
}

function removeCurrentMember(mgr: GroupMetadataManager, group: ClassicGroup, memberId: string): void {
  const member = group.member(memberId)!;
  mgr.events.info(`Member ${memberId} has left group ${group.groupId} through explicit LeaveGroup`);
  mgr.cancelHeartbeat(group.groupId, memberId);
  group.completeJoin(member, joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
  group.remove(memberId);
}

export function listGroups(mgr: GroupMetadataManager, statesFilter: string[], typesFilter: string[]): ListedGroup[] {
  const states = new Set(statesFilter.map((s) => s.trim().toLowerCase()));
  const types = new Set(typesFilter.map((s) => s.trim().toLowerCase()));
  const out: ListedGroup[] = [];
  for (const g of mgr.groups.values()) {
    if (states.size > 0 && !states.has(g.state.toLowerCase())) continue;
    if (types.size > 0 && !types.has('classic')) continue;
    out.push({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state, groupType: 'classic' });
  }
  return out;
}

export function describeGroup(mgr: GroupMetadataManager, groupId: string): DescribedGroup {
  const g = mgr.groups.get(groupId);
  if (!g) return { errorCode: ErrorCode.NONE, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
  const stable = g.is('Stable');
  return {
    errorCode: ErrorCode.NONE,
    groupId,
    groupState: g.state,
    protocolType: g.protocolType ?? '',
    protocolData: stable ? (g.protocolName ?? '') : '',
    members: [...g.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      memberMetadata: stable ? m.metadata(g.protocolName!) : EMPTY_ASSIGNMENT,
      memberAssignment: stable ? m.assignment : EMPTY_ASSIGNMENT,
    })),
  };
}

/** DeleteGroups check: GROUP_ID_NOT_FOUND for unknown or Dead groups, NON_EMPTY_GROUP with members. */
export function validateDeleteGroup(mgr: GroupMetadataManager, groupId: string): ClassicGroup {
  const g = mgr.groups.get(groupId);
  if (!g || g.is('Dead')) throw new GroupApiError(ErrorCode.GROUP_ID_NOT_FOUND);
  if (!g.isEmpty) throw new GroupApiError(ErrorCode.NON_EMPTY_GROUP);
  return g;
}
