// A classic (JoinGroup/SyncGroup) group and its members, after Kafka's ClassicGroup and
// ClassicGroupMember: the state machine (Empty, PreparingRebalance, CompletingRebalance, Stable,
// Dead) with Kafka's valid transitions, members (dynamic and static), pending members (ids handed
// out with MEMBER_ID_REQUIRED), protocol votes, parked JoinGroup/SyncGroup responders.
import { ErrorCode } from '@tributary/protocol';
import type { JoinGroupMember, JoinGroupProtocol, JoinGroupResult, SyncGroupResult } from './types.ts';
import { GroupApiError } from './errors.ts';
import { subscribedTopicsOf } from './consumer-protocol.ts';
import type { Time } from '@tributary/storage';

export type ClassicGroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

const VALID_PREVIOUS: Record<ClassicGroupState, ClassicGroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

export const CONSUMER_PROTOCOL_TYPE = 'consumer';
export const EMPTY_ASSIGNMENT = Buffer.alloc(0);

export class ClassicGroupMember {
  awaitingJoin: ((r: JoinGroupResult) => void) | null = null;
  awaitingSync: ((r: SyncGroupResult) => void) | null = null;
  /** A member added in the current rebalance (its join may time out before it ever heartbeats). */
  isNew = false;

  constructor(
    readonly memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    readonly protocolType: string,
    public supportedProtocols: JoinGroupProtocol[],
    public assignment: Buffer = EMPTY_ASSIGNMENT,
  ) {}

  get isAwaitingJoin(): boolean {
    return this.awaitingJoin !== null;
  }
  get isAwaitingSync(): boolean {
    return this.awaitingSync !== null;
  }
  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  metadata(protocolName: string): Buffer {
    const p = this.supportedProtocols.find((x) => x.name === protocolName);
    if (!p) throw new Error(`member ${this.memberId} does not support protocol ${protocolName}`);
    return p.metadata;
  }

  /** Kafka: members awaiting a join or sync satisfy heartbeats; new members never do. */
  hasSatisfiedHeartbeat(): boolean {
    if (this.isNew) return false;
    return this.isAwaitingJoin || this.isAwaitingSync;
  }

  /** Same protocols, same order, same metadata bytes. */
  matches(protocols: JoinGroupProtocol[]): boolean {
    if (protocols.length !== this.supportedProtocols.length) return false;
    return protocols.every((p, i) => {
      const q = this.supportedProtocols[i]!;
      return p.name === q.name && p.metadata.equals(q.metadata);
    });
  }

  /** The member's first preferred protocol among the candidates. */
  vote(candidates: Set<string>): string {
    for (const p of this.supportedProtocols) if (candidates.has(p.name)) return p.name;
    throw new Error('member supports none of the candidate protocols');
  }
}

export class ClassicGroup {
  state: ClassicGroupState;
  previousState: ClassicGroupState = 'Dead';
  currentStateTimestamp: number | null;
  protocolType: string | null;
  protocolName: string | null;
  generationId: number;
  leaderId: string | null;
  readonly members = new Map<string, ClassicGroupMember>();
  readonly staticMembers = new Map<string, string>(); // groupInstanceId -> memberId
  readonly pendingJoinMembers = new Set<string>();
  readonly pendingSyncMembers = new Set<string>();
  numMembersAwaitingJoinResponse = 0;
  readonly supportedProtocols = new Map<string, number>();
  /** Topics the members subscribe to (consumer protocol only); null = unknown. */
  subscribedTopics: Set<string> | null = null;
  newMemberAdded = false;

  constructor(
    readonly groupId: string,
    initialState: ClassicGroupState,
    private readonly time: Time,
    init: {
      generationId?: number;
      protocolType?: string | null;
      protocolName?: string | null;
      leaderId?: string | null;
      currentStateTimestamp?: number | null;
    } = {},
  ) {
    this.state = initialState;
    this.generationId = init.generationId ?? 0;
    this.protocolType = init.protocolType ?? null;
    this.protocolName = init.protocolName ?? null;
    this.leaderId = init.leaderId ?? null;
    this.currentStateTimestamp = init.currentStateTimestamp === undefined ? time.now() : init.currentStateTimestamp;
  }

  is(state: ClassicGroupState): boolean {
    return this.state === state;
  }
  get isEmpty(): boolean {
    return this.state === 'Empty';
  }
  get numMembers(): number {
    return this.members.size;
  }
  hasMember(memberId: string): boolean {
    return this.members.has(memberId);
  }
  member(memberId: string): ClassicGroupMember | undefined {
    return this.members.get(memberId);
  }
  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }
  isPendingMember(memberId: string): boolean {
    return this.pendingJoinMembers.has(memberId);
  }
  staticMemberId(groupInstanceId: string): string | undefined {
    return this.staticMembers.get(groupInstanceId);
  }
  hasStaticMember(groupInstanceId: string): boolean {
    return this.staticMembers.has(groupInstanceId);
  }
  get usesConsumerProtocol(): boolean {
    return this.protocolType === CONSUMER_PROTOCOL_TYPE;
  }
  /** The max of the members' rebalance timeouts. */
  get rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }
  hasAllMembersJoined(): boolean {
    return this.members.size === this.numMembersAwaitingJoinResponse && this.pendingJoinMembers.size === 0;
  }
  canRebalance(): boolean {
    return VALID_PREVIOUS.PreparingRebalance.includes(this.state);
  }

  transitionTo(target: ClassicGroupState): void {
    if (!VALID_PREVIOUS[target].includes(this.state)) {
      throw new Error(`group ${this.groupId}: invalid transition ${this.state} -> ${target}`);
    }
    this.previousState = this.state;
    this.state = target;
    this.currentStateTimestamp = this.time.now();
  }

  add(member: ClassicGroupMember, onJoin: ((r: JoinGroupResult) => void) | null = null): void {
    if (member.groupInstanceId !== null) {
      if (this.staticMembers.has(member.groupInstanceId)) throw new Error('static member already in group');
      this.staticMembers.set(member.groupInstanceId, member.memberId);
    }
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.protocolType !== member.protocolType) throw new Error('protocol type mismatch');
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    this.incrementProtocols(member);
    member.awaitingJoin = onJoin;
    if (member.isAwaitingJoin) this.numMembersAwaitingJoinResponse++;
    this.pendingJoinMembers.delete(member.memberId);
  }

  remove(memberId: string): void {
    const m = this.members.get(memberId);
    if (m) {
      this.members.delete(memberId);
      this.decrementProtocols(m);
      if (m.isAwaitingJoin) this.numMembersAwaitingJoinResponse--;
      if (m.groupInstanceId !== null) this.staticMembers.delete(m.groupInstanceId);
    }
    if (this.isLeader(memberId)) {
      const next = this.members.keys().next();
      this.leaderId = next.done ? null : next.value;
    }
    this.pendingJoinMembers.delete(memberId);
    this.pendingSyncMembers.delete(memberId);
  }

  /** If the leader did not rejoin, elect a member that did. False when nobody rejoined. */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    const leader = this.members.get(this.leaderId);
    if (leader?.isAwaitingJoin) return true;
    for (const m of this.members.values()) {
      if (m.isAwaitingJoin) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  /** Gives a static member's slot to a new member id; the old id's parked calls get FENCED_INSTANCE_ID. */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): ClassicGroupMember {
    const old = this.members.get(oldMemberId);
    if (!old) throw new Error(`cannot replace unknown member ${oldMemberId}`);
    this.members.delete(oldMemberId);
    this.completeJoin(old, {
      errorCode: ErrorCode.FENCED_INSTANCE_ID,
      generationId: -1,
      protocolType: null,
      protocolName: null,
      leader: '',
      skipAssignment: false,
      memberId: oldMemberId,
      members: [],
    });
    this.completeSync(old, {
      errorCode: ErrorCode.FENCED_INSTANCE_ID,
      protocolType: null,
      protocolName: null,
      assignment: EMPTY_ASSIGNMENT,
    });
    const fresh = new ClassicGroupMember(
      newMemberId,
      old.groupInstanceId,
      old.clientId,
      old.clientHost,
      old.rebalanceTimeoutMs,
      old.sessionTimeoutMs,
      old.protocolType,
      old.supportedProtocols,
      old.assignment,
    );
    this.members.set(newMemberId, fresh);
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId;
    this.staticMembers.set(groupInstanceId, newMemberId);
    return fresh;
  }

  addPendingMember(memberId: string): void {
    this.pendingJoinMembers.add(memberId);
  }

  /** Kafka's validateMember: FENCED_INSTANCE_ID / UNKNOWN_MEMBER_ID. */
  validateMember(memberId: string, groupInstanceId: string | null): void {
    if (groupInstanceId !== null) {
      const existing = this.staticMembers.get(groupInstanceId);
      if (existing === undefined) throw new GroupApiError(ErrorCode.UNKNOWN_MEMBER_ID);
      if (existing !== memberId) throw new GroupApiError(ErrorCode.FENCED_INSTANCE_ID);
    }
    if (!this.members.has(memberId)) throw new GroupApiError(ErrorCode.UNKNOWN_MEMBER_ID);
  }

  updateMember(
    member: ClassicGroupMember,
    protocols: JoinGroupProtocol[],
    rebalanceTimeoutMs: number,
    sessionTimeoutMs: number,
    onJoin: ((r: JoinGroupResult) => void) | null,
  ): void {
    this.decrementProtocols(member);
    member.supportedProtocols = protocols;
    this.incrementProtocols(member);
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    if (onJoin !== null && !member.isAwaitingJoin) this.numMembersAwaitingJoinResponse++;
    else if (onJoin === null && member.isAwaitingJoin) this.numMembersAwaitingJoinResponse--;
    member.awaitingJoin = onJoin;
  }

  completeJoin(member: ClassicGroupMember, r: JoinGroupResult): boolean {
    const cb = member.awaitingJoin;
    if (!cb) return false;
    member.awaitingJoin = null;
    this.numMembersAwaitingJoinResponse--;
    cb(r);
    return true;
  }

  completeSync(member: ClassicGroupMember, r: SyncGroupResult): boolean {
    const cb = member.awaitingSync;
    if (!cb) return false;
    member.awaitingSync = null;
    cb(r);
    return true;
  }

  /** Does a joining member's protocol type / protocols fit the group? */
  supportsProtocols(protocolType: string, protocols: JoinGroupProtocol[]): boolean {
    if (this.is('Empty')) return protocolType.length > 0 && protocols.length > 0;
    return this.protocolType === protocolType && protocols.some((p) => (this.supportedProtocols.get(p.name) ?? 0) === this.members.size);
  }

  /** The protocol every member supports with the most votes (each member votes its first preference). */
  selectProtocol(): string {
    if (this.members.size === 0) throw new Error('cannot select a protocol for an empty group');
    const candidates = new Set<string>();
    for (const [name, count] of this.supportedProtocols) if (count === this.members.size) candidates.add(name);
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const v = m.vote(candidates);
      votes.set(v, (votes.get(v) ?? 0) + 1);
    }
    let best: string | null = null;
    let bestVotes = -1;
    for (const [name, n] of votes)
      if (n > bestVotes) {
        best = name;
        bestVotes = n;
      }
    return best!;
  }

  initNextGeneration(): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('CompletingRebalance');
    } else {
      this.protocolName = null;
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('Empty');
    }
    this.pendingSyncMembers.clear();
  }

  computeSubscribedTopics(): Set<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return null;
    if (this.members.size === 0) return new Set();
    if (this.protocolName === null) return null;
    const all = new Set<string>();
    for (const m of this.members.values()) {
      const topics = subscribedTopicsOf(m.metadata(this.protocolName));
      if (topics === null) return null;
      for (const t of topics) all.add(t);
    }
    return all;
  }

  /** Kafka: without known subscriptions, a consumer-protocol group counts as subscribed to everything. */
  isSubscribedToTopic(topic: string): boolean {
    if (this.subscribedTopics !== null) return this.subscribedTopics.has(topic);
    return this.usesConsumerProtocol;
  }

  /** Members as the leader sees them in its JoinGroup response. */
  currentMembersForLeader(): JoinGroupMember[] {
    const protocol = this.protocolName!;
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadata(protocol),
    }));
  }

  notYetRejoinedMembers(): ClassicGroupMember[] {
    return [...this.members.values()].filter((m) => !m.isAwaitingJoin);
  }

  groupAssignment(): Map<string, Buffer> {
    return new Map([...this.members.values()].map((m) => [m.memberId, m.assignment]));
  }

  private incrementProtocols(m: ClassicGroupMember): void {
    for (const p of m.supportedProtocols) this.supportedProtocols.set(p.name, (this.supportedProtocols.get(p.name) ?? 0) + 1);
  }

  private decrementProtocols(m: ClassicGroupMember): void {
    for (const p of m.supportedProtocols) this.supportedProtocols.set(p.name, (this.supportedProtocols.get(p.name) ?? 0) - 1);
  }
}
