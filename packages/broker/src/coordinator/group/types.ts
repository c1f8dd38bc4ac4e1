// Request and result shapes of the group coordinator API: transport-independent (JS numbers,
// Buffers, nulls as Kafka's nullable fields), one per API, shaped after the Kafka messages so the
// handlers map fields one to one. Error codes are Kafka's (errors.ts).

export interface JoinGroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupRequest {
  groupId: string;
  memberId: string; // '' for a first join
  groupInstanceId: string | null; // v5+
  protocolType: string;
  protocols: JoinGroupProtocol[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number; // v1+; -1 (v0) means "use sessionTimeoutMs"
  clientId: string;
  clientHost: string;
  apiVersion: number; // v4+: MEMBER_ID_REQUIRED; v9+: skipAssignment
  reason?: string | null;
}

export interface JoinGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface JoinGroupResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  skipAssignment: boolean;
  memberId: string;
  members: JoinGroupMember[];
}

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null; // v5+
  protocolName: string | null; // v5+
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface SyncGroupResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface HeartbeatResult {
  errorCode: number;
}

export interface LeaveGroupMemberRequest {
  memberId: string;
  groupInstanceId: string | null;
  reason?: string | null;
}
export interface LeaveGroupRequest {
  groupId: string;
  members: LeaveGroupMemberRequest[];
}
export interface LeaveGroupMemberResult {
  memberId: string;
  groupInstanceId: string | null;
  errorCode: number;
}
export interface LeaveGroupResult {
  errorCode: number;
  members: LeaveGroupMemberResult[];
}

export interface OffsetCommitPartitionRequest {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number; // -1 when unknown
  commitTimestamp: number; // v1 only; -1 = now
  committedMetadata: string | null;
}
export interface OffsetCommitRequest {
  groupId: string;
  generationIdOrMemberEpoch: number; // -1 for simple (non-group) commits
  memberId: string;
  groupInstanceId: string | null;
  retentionTimeMs: number; // v2-v4; -1 = broker default
  apiVersion: number;
  topics: { name: string; partitions: OffsetCommitPartitionRequest[] }[];
}
export interface OffsetCommitResult {
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}

export interface TxnOffsetCommitPartitionRequest {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number; // v2+; -1 when unknown
  committedMetadata: string | null;
}
export interface TxnOffsetCommitRequest {
  transactionalId: string;
  groupId: string;
  producerId: bigint;
  producerEpoch: number;
  generationId: number; // v3+; -1 otherwise
  memberId: string; // v3+; '' otherwise
  groupInstanceId: string | null; // v3+
  apiVersion: number;
  topics: { name: string; partitions: TxnOffsetCommitPartitionRequest[] }[];
}
export type TxnOffsetCommitResult = OffsetCommitResult;

export interface OffsetFetchRequest {
  groupId: string;
  /** null = all partitions with committed offsets */
  topics: { name: string; partitionIndexes: number[] }[] | null;
  /** v7+: a partition with a pending transactional offset is answered UNSTABLE_OFFSET_COMMIT. */
  requireStable?: boolean;
}
export interface OffsetFetchPartitionResult {
  partitionIndex: number;
  committedOffset: number; // -1 when none
  committedLeaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}
export interface OffsetFetchResult {
  groupId: string;
  errorCode: number;
  topics: { name: string; partitions: OffsetFetchPartitionResult[] }[];
}

export interface OffsetDeleteRequest {
  groupId: string;
  topics: { name: string; partitions: { partitionIndex: number }[] }[];
}
export interface OffsetDeleteResult {
  errorCode: number;
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}

export interface ListGroupsRequest {
  statesFilter?: string[];
  typesFilter?: string[];
}
export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState: string;
  groupType: string;
}
export interface ListGroupsResult {
  errorCode: number;
  groups: ListedGroup[];
}

export interface DescribedGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  memberMetadata: Buffer;
  memberAssignment: Buffer;
}
export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: DescribedGroupMember[];
}

export interface DeleteGroupResult {
  groupId: string;
  errorCode: number;
}
