// RaftClient: one node of Kafka's Raft (KIP-595, with KIP-996 pre-vote; Kafka's KafkaRaftClient
// and QuorumState), over a RaftLog, a QuorumStateStore and a RaftChannel. A voter elects and
// replicates; an observer (a node not in the voter set, e.g. a broker) only follows the leader.
//
// Roles (one at a time, with the epoch, the leader and the vote of that epoch):
//   unattached   no leader known. A voter starts a pre-vote after a random election timeout in
//                [T, 2T); an observer fetches from voters in turn to find the leader (or from its
//                bootstrap destinations, when it has them: KIP-853's bootstrap servers, whose
//                answers name the leader it then fetches from by id).
//   prospective  (voters) asks every voter "would you vote for me in epoch+1?" (Vote, PreVote):
//                a voter says yes if the log is at least as up to date and it has no leader it
//                heard from within the fetch timeout. A majority -> candidate; a leader of a
//                higher epoch, or BeginQuorumEpoch -> follower (the leader it lost, remembered,
//                does not pull it back); the election timeout -> unattached again after a
//                backoff. Changes no state on any voter, so a node cut off and rejoining does not
//                depose a working leader by bumping the epoch.
//   candidate    epoch+1 and a vote for itself, written first; Vote to every voter; a majority
//                -> leader; the election timeout -> unattached, pre-vote again after a backoff.
//   leader       writes its election state, appends a LeaderChange record at the epoch start
//                offset, sends BeginQuorumEpoch to every voter (replication is pull: followers
//                must learn of it), answers Fetch, advances the high watermark (leader-state.ts),
//                accepts proposals. A leader that heard from no majority of voters for 1.5 fetch
//                timeouts resigns (check quorum), as one that closes does: EndQuorumEpoch.
//   follower     fetches from the leader in a loop: appends what it gets and flushes it before
//                the next fetch (whose FetchOffset tells the leader what it holds durably), takes
//                min(leader's high watermark, own log end) as its high watermark; truncates to a
//                DivergingEpoch answer (never below its high watermark); a voter that fetched
//                nothing from the leader for the fetch timeout becomes prospective.
//   resigned     (a former leader) answers requests, waits an election timeout, then unattached.
//
// Any request or response carrying a higher epoch moves the node into that epoch first (follower
// when it names a leader, else unattached); a lower epoch is refused with FENCED_LEADER_EPOCH and
// this node's leader and epoch. The election state is written, and durable, before the node acts
// in a new state (answers the vote, sends requests, serves): a voter never votes twice in an
// epoch even across a crash.
//
// Every event (a request, a response, a timer, a proposal) runs one at a time in arrival order (a
// serial queue, as Kafka's single raft thread), each to its end, awaits included; a response to a
// request sent in an earlier state is dropped (`generation`). A Fetch with nothing to send waits
// outside the queue until the leader appends or the high watermark moves (long poll).
//
// The state machine reads committed data from the log itself: `onHighWatermark` fires after the
// high watermark moved (everything below it is committed and stays); `onLeaderChange` after every
// change of leader or epoch. `propose(data, epoch)` appends as the leader of `epoch` only.
import { ErrorCode } from '@tributary/protocol';
import type { Cancel, Time } from '@tributary/storage';
import { validateFetch } from './fetch-validation.ts';
import { FetchWaiters } from './fetch-waiters.ts';
import { LeaderState } from './leader-state.ts';
import { DEFAULT_QUORUM_CONFIG, type QuorumConfig } from './quorum-config.ts';
import type { ElectionState, QuorumStateStore } from './quorum-state-store.ts';
import type { AppendedRange, RaftLog } from './raft-log.ts';
import { POSITION_OUT_OF_RANGE } from './raft-messages.ts';
import type {
  BeginQuorumEpochRequest,
  EndQuorumEpochRequest,
  FetchRequest,
  FetchResponse,
  FetchSnapshotRequest,
  FetchSnapshotResponse,
  LeaderAndEpoch,
  OffsetAndEpoch,
  QuorumDescription,
  QuorumEpochResponse,
  RaftChannel,
  VoteRequest,
  VoteResponse,
} from './raft-messages.ts';

export type RaftRole = 'unattached' | 'prospective' | 'candidate' | 'leader' | 'follower' | 'resigned';

/** Raised to a proposer that is not (or no longer) the leader of the epoch it proposed in. */
export class NotLeaderError extends Error {
  override name = 'NotLeaderError';
  readonly errorCode = ErrorCode.NOT_CONTROLLER;
}

/** A broken Raft rule (a committed offset about to be truncated): the node stops. */
export class RaftInvariantError extends Error {
  override name = 'RaftInvariantError';
}

export interface RaftLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface RaftClientOptions<D, R> {
  nodeId: number;
  /** The static voter set (controller.quorum.voters); a node not in it is an observer. */
  voters: readonly number[];
  /**
   * Where an observer asks for the leader while it knows none, in turn, instead of the voters
   * (controller.quorum.bootstrap.servers, KIP-853): destinations the channel maps to addresses
   * (Kafka numbers them -2, -3, ...; they are no node ids). Default: none, the voters are asked.
   */
  bootstrap?: readonly number[];
  log: RaftLog<D, R>;
  store: QuorumStateStore;
  channel: RaftChannel<R>;
  time: Time;
  /** Uniform in [0, 1): election timeouts and backoffs (seeded in the simulation). */
  random?: () => number;
  config?: Partial<QuorumConfig>;
  logger?: RaftLogger;
}

const silent: RaftLogger = { info() {}, error() {} };

export class RaftClient<D, R> {
  readonly nodeId: number;
  readonly voters: readonly number[];
  private readonly bootstrap: readonly number[];
  private readonly log: RaftLog<D, R>;
  private readonly store: QuorumStateStore;
  private readonly channel: RaftChannel<R>;
  private readonly time: Time;
  private readonly random: () => number;
  private readonly config: QuorumConfig;
  private readonly logger: RaftLogger;

  private roleNow: RaftRole = 'unattached';
  private epochNow = 0;
  private leaderIdNow = -1;
  private votedIdNow = -1;
  private hw = 0;
  /** Bumped on every transition: answers to requests of an earlier state are dropped. */
  private generation = 0;
  private leader: LeaderState | null = null;
  private readonly granted = new Set<number>();
  private lastLeaderContactMs = -1;
  private timer: Cancel | null = null;
  private checkQuorumTimer: Cancel | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly fetchWaiters: FetchWaiters;
  private readonly hwListeners = new Set<(hw: number) => void>();
  private readonly leaderListeners = new Set<(leader: LeaderAndEpoch) => void>();
  private readonly snapshotListeners = new Set<(id: OffsetAndEpoch) => void>();
  private observerCursor = 0;
  /** Whether an election state was ever written (or read back). */
  private persisted = false;
  private closed = false;
  private failure: Error | null = null;

  constructor(options: RaftClientOptions<D, R>) {
    this.nodeId = options.nodeId;
    this.voters = [...options.voters];
    this.bootstrap = [...(options.bootstrap ?? [])];
    this.log = options.log;
    this.store = options.store;
    this.channel = options.channel;
    this.time = options.time;
    this.random = options.random ?? Math.random;
    this.config = { ...DEFAULT_QUORUM_CONFIG, ...options.config };
    this.logger = options.logger ?? silent;
    this.fetchWaiters = new FetchWaiters(this.time);
  }

  // ---- reading the state ----

  get role(): RaftRole {
    return this.roleNow;
  }

  get epoch(): number {
    return this.epochNow;
  }

  get leaderId(): number {
    return this.leaderIdNow;
  }

  get votedId(): number {
    return this.votedIdNow;
  }

  get leaderAndEpoch(): LeaderAndEpoch {
    return { leaderId: this.leaderIdNow, epoch: this.epochNow };
  }

  /** Everything below it is committed. */
  get highWatermark(): number {
    return this.hw;
  }

  get isVoter(): boolean {
    return this.voters.includes(this.nodeId);
  }

  /** The leader of this epoch, with a record of its own epoch committed (it may serve). */
  get isReadyLeader(): boolean {
    return this.roleNow === 'leader' && this.leader!.isReady;
  }

  /** The offset the current leader's epoch starts at (-1 unless leader). */
  get epochStartOffset(): number {
    return this.leader?.epochStartOffset ?? -1;
  }

  /** The error that stopped this node, if one did. */
  get fatalError(): Error | null {
    return this.failure;
  }

  onHighWatermark(listener: (hw: number) => void): () => void {
    this.hwListeners.add(listener);
    return () => this.hwListeners.delete(listener);
  }

  onLeaderChange(listener: (leader: LeaderAndEpoch) => void): () => void {
    this.leaderListeners.add(listener);
    return () => this.leaderListeners.delete(listener);
  }

  /** Called after a snapshot fetched from the leader replaced the log (the state machine reloads from it). */
  onSnapshotInstalled(listener: (id: OffsetAndEpoch) => void): () => void {
    this.snapshotListeners.add(listener);
    return () => this.snapshotListeners.delete(listener);
  }

  /**
   * Writes a snapshot of the first `id.offset` records (committed, flushed; `id.epoch` the epoch of
   * the last of them) with the state machine's `content`, then drops the log below it (KIP-630).
   */
  createSnapshot(id: OffsetAndEpoch, content: R): Promise<void> {
    return this.serial(async () => {
      if (id.offset > this.hw) throw new Error(`snapshot at ${id.offset} past the high watermark ${this.hw}`);
      // a leader may count a record committed before its own copy is flushed: snapshot it later
      if (id.offset > this.log.flushedOffset) return;
      const latest = this.log.latestSnapshot();
      if (latest && latest.offset >= id.offset) return;
      if (id.offset <= this.log.startOffset) return;
      await this.log.writeSnapshot(id, content);
    });
  }

  // ---- lifecycle ----

  /** Resumes from the stored election state (or starts unattached in epoch 0). */
  start(): Promise<void> {
    return this.serial(async () => {
      const stored = this.store.read();
      const s = stored ?? { epoch: 0, leaderId: -1, votedId: -1 };
      this.persisted = stored !== null;
      this.epochNow = s.epoch;
      this.leaderIdNow = s.leaderId;
      this.votedIdNow = s.votedId;
      if (this.isVoter && this.voters.length === 1) {
        // a lone voter elects itself at once
        await this.becomeCandidate();
      } else if (s.leaderId === this.nodeId) {
        // it was the leader when it stopped: it cannot know what happened since
        await this.becomeResigned([]);
      } else if (s.leaderId >= 0) {
        await this.transition('follower', s.epoch, s.leaderId, s.votedId);
      } else {
        await this.transition('unattached', s.epoch, -1, s.votedId);
      }
    });
  }

  /** Stops: timers cancelled, waiting fetches answered, later events ignored. A leader resigns first. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.roleNow === 'leader') {
      const successors = this.leader!.preferredSuccessors();
      await this.serial(() => this.sendEndQuorumEpoch(successors)).catch(() => undefined);
    }
    this.closed = true;
    this.generation++;
    this.cancelTimers();
    this.fetchWaiters.close();
    await this.tail.catch(() => undefined);
  }

  // ---- proposals (the leader's state machine) ----

  /**
   * Appends `data` as one batch if this node is the leader of `epoch`, flushes it, and resolves
   * with its offsets (committed once the high watermark passes `lastOffset`).
   */
  propose(data: D, epoch: number): Promise<AppendedRange> {
    return this.serial(async () => {
      if (this.roleNow !== 'leader' || this.epochNow !== epoch) {
        throw new NotLeaderError(`node ${this.nodeId} is not the leader of epoch ${epoch} (epoch ${this.epochNow}, ${this.roleNow})`);
      }
      const range = this.log.appendAsLeader(data, epoch);
      this.wakeFetches();
      await this.flushAsLeader();
      return range;
    });
  }

  /** Resolves once `offset` is committed; rejects if this node stops leading `epoch` first. */
  waitForCommit(offset: number, epoch: number): Promise<void> {
    if (this.hw > offset) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.hw > offset) {
          done();
          resolve();
        } else if (this.closed || this.epochNow !== epoch || this.roleNow !== 'leader') {
          done();
          reject(new NotLeaderError(`node ${this.nodeId} stopped leading epoch ${epoch} before offset ${offset} was committed`));
        }
      };
      const offHw = this.onHighWatermark(check);
      const offLeader = this.onLeaderChange(check);
      const done = () => {
        offHw();
        offLeader();
      };
      check();
    });
  }

  // ---- requests from other nodes ----

  handleVote(req: VoteRequest): Promise<VoteResponse> {
    return this.serial(async () => {
      const reply = (granted: boolean, errorCode: number = ErrorCode.NONE): VoteResponse => ({
        errorCode,
        leaderId: this.leaderIdNow,
        epoch: this.epochNow,
        voteGranted: granted,
      });
      if (!this.isVoter || !this.voters.includes(req.candidateId)) return reply(false, ErrorCode.INCONSISTENT_VOTER_SET);
      if (req.candidateEpoch < this.epochNow) return reply(false, ErrorCode.FENCED_LEADER_EPOCH);
      const logOk = this.isLogUpToDate(req.lastOffsetEpoch, req.lastOffset);
      if (req.preVote) {
        const hasLiveLeader =
          this.roleNow === 'leader' ||
          (this.roleNow === 'follower' &&
            this.lastLeaderContactMs >= 0 &&
            this.time.now() - this.lastLeaderContactMs < this.config.fetchTimeoutMs);
        return reply(logOk && !hasLiveLeader);
      }
      if (req.candidateEpoch > this.epochNow) await this.transition('unattached', req.candidateEpoch, -1, -1);
      // a leader, its followers and a candidate have chosen in this epoch (a prospective has not:
      // the leader it remembers may be gone)
      if (this.roleNow !== 'unattached' && this.roleNow !== 'prospective') return reply(req.candidateId === this.votedIdNow && logOk);
      if (!logOk || (this.votedIdNow >= 0 && this.votedIdNow !== req.candidateId)) return reply(false);
      if (this.votedIdNow < 0) await this.transition('unattached', this.epochNow, -1, req.candidateId);
      return reply(true);
    });
  }

  handleBeginQuorumEpoch(req: BeginQuorumEpochRequest): Promise<QuorumEpochResponse> {
    return this.serial(async () => {
      if (!this.isVoter) return this.epochReply(ErrorCode.INCONSISTENT_VOTER_SET);
      if (req.leaderEpoch < this.epochNow) return this.epochReply(ErrorCode.FENCED_LEADER_EPOCH);
      if (req.leaderEpoch === this.epochNow && this.leaderIdNow === req.leaderId && this.roleNow === 'follower') {
        return this.epochReply(ErrorCode.NONE);
      }
      if (req.leaderEpoch === this.epochNow && this.leaderIdNow >= 0 && this.leaderIdNow !== req.leaderId) {
        this.logger.error('two leaders claim one epoch', { epoch: req.leaderEpoch, known: this.leaderIdNow, claimed: req.leaderId });
        return this.epochReply(ErrorCode.INVALID_REQUEST);
      }
      await this.transition('follower', req.leaderEpoch, req.leaderId, req.leaderEpoch === this.epochNow ? this.votedIdNow : -1);
      this.lastLeaderContactMs = this.time.now();
      return this.epochReply(ErrorCode.NONE);
    });
  }

  handleEndQuorumEpoch(req: EndQuorumEpochRequest): Promise<QuorumEpochResponse> {
    return this.serial(async () => {
      if (!this.isVoter) return this.epochReply(ErrorCode.INCONSISTENT_VOTER_SET);
      if (req.leaderEpoch < this.epochNow) return this.epochReply(ErrorCode.FENCED_LEADER_EPOCH);
      if (req.leaderEpoch > this.epochNow) await this.transition('unattached', req.leaderEpoch, -1, -1);
      if (this.roleNow === 'follower' && this.leaderIdNow === req.leaderId) {
        // the most caught-up successor starts at once, the others after a growing backoff
        const position = req.preferredSuccessors.indexOf(this.nodeId);
        const delay = position <= 0 ? 0 : Math.min(this.config.electionBackoffMaxMs, this.config.retryBackoffMs * 2 ** position);
        this.lastLeaderContactMs = -1;
        this.arm(() => this.becomeProspective(), delay);
      }
      return this.epochReply(ErrorCode.NONE);
    });
  }

  /** A Fetch from a follower or an observer; held up to MaxWaitMs when there is nothing to send. */
  async handleFetch(req: FetchRequest, signal?: AbortSignal): Promise<FetchResponse<R>> {
    // the waiter is registered in the same step that found nothing to send: no append is missed
    const first = await this.serial(() => {
      const r = this.fetchOrPark(req);
      return r === 'park' ? this.fetchWaiters.park(req.maxWaitMs, signal) : r;
    });
    if (!('parked' in first)) return first;
    await first.parked;
    return (await this.serial(() => this.fetchOrPark({ ...req, maxWaitMs: 0 }))) as FetchResponse<R>;
  }

  /** FetchSnapshot (KIP-630): a chunk of the leader's snapshot, for a follower behind its log start. */
  handleFetchSnapshot(req: FetchSnapshotRequest): Promise<FetchSnapshotResponse<R>> {
    return this.serial(() => {
      const reply = (errorCode: number, size = -1, chunk: R | null = null): FetchSnapshotResponse<R> => ({
        errorCode,
        leaderId: this.leaderIdNow,
        epoch: this.epochNow,
        snapshotId: req.snapshotId,
        size,
        position: req.position,
        chunk,
      });
      if (req.currentLeaderEpoch >= 0 && req.currentLeaderEpoch < this.epochNow) return reply(ErrorCode.FENCED_LEADER_EPOCH);
      if (req.currentLeaderEpoch > this.epochNow) return reply(ErrorCode.UNKNOWN_LEADER_EPOCH);
      if (this.roleNow !== 'leader') return reply(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      const size = this.log.snapshotSize(req.snapshotId);
      if (size < 0) return reply(ErrorCode.SNAPSHOT_NOT_FOUND);
      if (req.position < 0 || req.position >= size) return reply(POSITION_OUT_OF_RANGE, size);
      return reply(ErrorCode.NONE, size, this.log.readSnapshot(req.snapshotId, req.position, req.maxBytes));
    });
  }

  /** DescribeQuorum: the leader's view, or null when this node is not the leader. */
  describeQuorum(): QuorumDescription | null {
    if (this.roleNow !== 'leader') return null;
    return this.leader!.describe(this.time.now());
  }

  // ---- the serial queue ----

  private serial<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.tail.then(() => {
      if (this.closed) throw new Error(`raft node ${this.nodeId} is closed`);
      return fn();
    });
    this.tail = run.catch((err) => {
      if (err instanceof RaftInvariantError) this.fail(err);
    });
    return run;
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.logger.error('raft node stopped: a rule was broken', { error: err });
    this.closed = true;
    this.generation++;
    this.cancelTimers();
    this.fetchWaiters.close();
  }

  // ---- transitions ----

  private async transition(role: RaftRole, epoch: number, leaderId: number, votedId: number): Promise<void> {
    const changed = epoch !== this.epochNow || leaderId !== this.leaderIdNow;
    if (this.isVoter && (changed || votedId !== this.votedIdNow || !this.persisted)) {
      await this.store.write({ epoch, leaderId, votedId } satisfies ElectionState);
      this.persisted = true;
    }
    const wasLeader = this.roleNow === 'leader';
    const roleChanged = role !== this.roleNow;
    this.roleNow = role;
    this.epochNow = epoch;
    this.leaderIdNow = leaderId;
    this.votedIdNow = votedId;
    this.generation++;
    this.cancelTimers();
    this.granted.clear();
    this.leader = role === 'leader' ? new LeaderState(this.nodeId, epoch, this.log.endOffset, this.voters, this.hw, this.time.now()) : null;
    if (wasLeader || role === 'leader') this.wakeFetches();
    if (role === 'unattached') this.startUnattached();
    else if (role === 'follower') this.startFollower();
    if (changed || roleChanged)
      this.logger.info('raft state', { nodeId: this.nodeId, role, epoch, leaderId, votedId, endOffset: this.log.endOffset, hw: this.hw });
    if (changed || wasLeader !== (role === 'leader')) {
      for (const l of [...this.leaderListeners]) l({ leaderId, epoch });
    }
  }

  /** Moves to a higher epoch a peer named (following the leader it named, if any). */
  private async maybeObserveEpoch(leaderId: number, epoch: number): Promise<boolean> {
    if (epoch > this.epochNow) {
      if (leaderId >= 0 && leaderId !== this.nodeId) await this.transition('follower', epoch, leaderId, -1);
      else await this.transition('unattached', epoch, -1, -1);
      return true;
    }
    if (epoch === this.epochNow && leaderId >= 0 && leaderId !== this.nodeId && this.leaderIdNow < 0) {
      await this.transition('follower', epoch, leaderId, this.votedIdNow);
      return true;
    }
    return false;
  }

  private startUnattached(): void {
    if (this.isVoter) this.arm(() => this.becomeProspective(), this.electionTimeout());
    else this.fetchLoop(this.generation);
  }

  private startFollower(): void {
    this.lastLeaderContactMs = -1;
    this.armFetchTimeout();
    this.fetchLoop(this.generation);
  }

  private async becomeProspective(): Promise<void> {
    if (!this.isVoter) return;
    // The vote and the leader of the current epoch (if any) stay, and nothing is written: a
    // prospective remembers the leader it lost, so an answer naming that leader in this epoch
    // does not send it back to following it (Kafka's ProspectiveState keeps leaderId) — two
    // followers of a dead leader would otherwise take turns pulling each other back.
    const leaderId = this.leaderIdNow === this.nodeId ? -1 : this.leaderIdNow;
    await this.transition('prospective', this.epochNow, leaderId, this.votedIdNow);
    this.granted.add(this.nodeId);
    if (this.hasMajority(this.granted)) return this.becomeCandidate();
    const gen = this.generation;
    this.arm(() => this.backOffThen(() => this.becomeProspective()), this.electionTimeout());
    for (const v of this.otherVoters()) this.requestVote(v, gen, true);
  }

  private async becomeCandidate(): Promise<void> {
    await this.transition('candidate', this.epochNow + 1, -1, this.nodeId);
    this.granted.add(this.nodeId);
    if (this.hasMajority(this.granted)) return this.becomeLeader();
    const gen = this.generation;
    this.arm(() => this.backOffThen(() => this.becomeProspective()), this.electionTimeout());
    for (const v of this.otherVoters()) this.requestVote(v, gen, false);
  }

  private async becomeLeader(): Promise<void> {
    const epoch = this.epochNow;
    await this.transition('leader', epoch, this.nodeId, this.votedIdNow);
    // the LeaderChange record sits at the epoch start offset LeaderState took
    this.log.appendLeaderChange(epoch, this.nodeId, this.voters);
    const gen = this.generation;
    for (const v of this.otherVoters()) this.sendBeginQuorumEpoch(v, gen);
    this.armBeginQuorumEpochResend(gen);
    this.armCheckQuorum(gen);
    await this.flushAsLeader();
  }

  private async becomeResigned(successors: number[]): Promise<void> {
    await this.transition('resigned', this.epochNow, this.leaderIdNow === this.nodeId ? this.nodeId : -1, this.votedIdNow);
    this.arm(() => this.transition('unattached', this.epochNow, -1, this.votedIdNow), this.electionTimeout());
    await this.sendEndQuorumEpoch(successors);
  }

  private backOffThen(next: () => Promise<void>): Promise<void> {
    const wait = Math.floor(this.random() * this.config.electionBackoffMaxMs);
    return this.transition('unattached', this.epochNow, -1, this.votedIdNow).then(() => {
      this.arm(next, wait);
    });
  }

  // ---- elections ----

  private requestVote(voter: number, gen: number, preVote: boolean): void {
    const req: VoteRequest = {
      candidateEpoch: preVote ? this.epochNow + 1 : this.epochNow,
      candidateId: this.nodeId,
      lastOffsetEpoch: this.log.lastFetchedEpoch,
      lastOffset: this.log.endOffset,
      preVote,
    };
    this.channel.vote(voter, req).then(
      (res) => this.serialIf(gen, () => this.handleVoteResponse(voter, res, preVote)),
      () => this.retryLater(gen, () => this.requestVote(voter, gen, preVote)),
    );
  }

  private async handleVoteResponse(voter: number, res: VoteResponse, preVote: boolean): Promise<void> {
    if (await this.maybeObserveEpoch(res.leaderId, res.epoch)) return;
    if (res.errorCode !== ErrorCode.NONE || !res.voteGranted) return;
    if (preVote ? this.roleNow !== 'prospective' : this.roleNow !== 'candidate') return;
    this.granted.add(voter);
    if (!this.hasMajority(this.granted)) return;
    if (preVote) await this.becomeCandidate();
    else await this.becomeLeader();
  }

  private isLogUpToDate(lastEpoch: number, endOffset: number): boolean {
    const mine = this.log.lastFetchedEpoch;
    return lastEpoch > mine || (lastEpoch === mine && endOffset >= this.log.endOffset);
  }

  // ---- leader ----

  /** Tells a voter of this leadership; a failure is retried after the retry backoff until the voter fetched. */
  private sendBeginQuorumEpoch(voter: number, gen: number): void {
    const retry = () =>
      this.retryLater(gen, () => {
        if (!this.leader?.hasFetched(voter)) this.sendBeginQuorumEpoch(voter, gen);
      });
    this.channel.beginQuorumEpoch(voter, { leaderId: this.nodeId, leaderEpoch: this.epochNow }).then(
      (res) =>
        this.serialIf(gen, async () => {
          if (await this.maybeObserveEpoch(res.leaderId, res.epoch)) return;
          if (res.errorCode !== ErrorCode.NONE) retry();
        }),
      retry,
    );
  }

  /**
   * Every half fetch timeout, BeginQuorumEpoch again to each voter that has not fetched in that
   * time (Kafka's LeaderState begin-quorum-epoch timer): a voter that restarted, or that moved to
   * a higher epoch while cut off (where pre-vote keeps it from ever winning), answers with its
   * epoch, and a leader behind it steps down so a new election can include it.
   */
  private armBeginQuorumEpochResend(gen: number): void {
    const period = Math.floor(this.config.fetchTimeoutMs / 2);
    this.time.setTimeout(() => {
      this.serialIf(gen, () => {
        const since = this.time.now() - period;
        for (const v of this.otherVoters()) if (!this.leader!.fetchedAfter(v, since)) this.sendBeginQuorumEpoch(v, gen);
        this.armBeginQuorumEpochResend(gen);
      });
    }, period);
  }

  private async sendEndQuorumEpoch(successors: number[]): Promise<void> {
    const req: EndQuorumEpochRequest = { leaderId: this.nodeId, leaderEpoch: this.epochNow, preferredSuccessors: successors };
    for (const v of this.otherVoters()) this.channel.endQuorumEpoch(v, req).catch(() => undefined);
  }

  /**
   * Resigns once no majority of voters (itself included) fetched within the last 1.5 fetch timeouts
   * (Kafka's check quorum): the timer is set for the moment the majority's contact expires, and set
   * again further on whenever it has been renewed.
   */
  private armCheckQuorum(gen: number, delayMs = Math.floor(this.config.fetchTimeoutMs * 1.5)): void {
    const period = Math.floor(this.config.fetchTimeoutMs * 1.5);
    this.checkQuorumTimer = this.time.setTimeout(() => {
      this.serialIf(gen, async () => {
        const lastContact = this.leader!.majorityContactMs(this.majority() - 1);
        const expiresIn = lastContact + period - this.time.now();
        if (expiresIn > 0) return this.armCheckQuorum(gen, expiresIn);
        this.logger.info('leader resigns: no majority of voters fetched', { nodeId: this.nodeId, epoch: this.epochNow });
        await this.becomeResigned(this.leader!.preferredSuccessors());
      });
    }, delayMs);
  }

  private async flushAsLeader(): Promise<void> {
    const gen = this.generation;
    await this.log.flush();
    if (gen !== this.generation || this.roleNow !== 'leader') return;
    if (this.leader!.updateLocal(this.log.flushedOffset, this.time.now())) this.advanceHighWatermark(this.leader!.highWatermark);
  }

  private fetchOrPark(req: FetchRequest): FetchResponse<R> | 'park' {
    const base = {
      leaderId: this.leaderIdNow,
      epoch: this.epochNow,
      highWatermark: this.hw,
      logStartOffset: this.log.startOffset,
      divergingEpoch: null,
      snapshotId: null,
      records: null,
    };
    const leader = this.leader;
    const check = validateFetch(
      req,
      { epoch: this.epochNow, isLeader: leader !== null, isVoter: (id) => leader?.isVoter(id) ?? false },
      this.log as RaftLog<unknown, unknown>,
    );
    if (check.kind === 'error') return { ...base, errorCode: check.errorCode };
    if (check.kind === 'snapshot') return { ...base, errorCode: ErrorCode.NONE, snapshotId: check.snapshotId };
    if (check.kind === 'diverging') {
      return { ...base, errorCode: ErrorCode.NONE, divergingEpoch: { epoch: check.epoch, endOffset: check.endOffset } };
    }
    if (leader!.updateReplica(req.replicaId, req.fetchOffset, this.log.endOffset, this.time.now())) {
      this.advanceHighWatermark(leader!.highWatermark);
    }
    // voters replicate everything; observers (brokers) see committed records only
    const cap = leader!.isVoter(req.replicaId) ? this.log.endOffset : this.hw;
    const records = req.fetchOffset < cap ? this.log.read(req.fetchOffset, cap, req.maxBytes) : null;
    if (records === null && req.maxWaitMs > 0) return 'park';
    return { ...base, highWatermark: this.hw, errorCode: ErrorCode.NONE, records };
  }

  private wakeFetches(): void {
    this.fetchWaiters.wakeAll();
  }

  private advanceHighWatermark(hw: number): void {
    if (hw <= this.hw) return;
    this.hw = hw;
    this.wakeFetches();
    for (const l of [...this.hwListeners]) l(hw);
  }

  // ---- follower and observer ----

  private fetchLoop(gen: number): void {
    if (gen !== this.generation || this.closed) return;
    const target = this.leaderIdNow >= 0 ? this.leaderIdNow : this.nextVoterToAsk();
    if (target === null) return;
    const req: FetchRequest = {
      replicaId: this.nodeId,
      currentLeaderEpoch: this.leaderIdNow >= 0 ? this.epochNow : -1,
      fetchOffset: this.log.endOffset,
      lastFetchedEpoch: this.log.lastFetchedEpoch,
      maxWaitMs: this.config.fetchMaxWaitMs,
      maxBytes: this.config.fetchMaxBytes,
    };
    this.channel.fetch(target, req).then(
      (res) => this.serialIf(gen, () => this.handleFetchResponse(gen, target, res)),
      () => this.retryLater(gen, () => this.fetchLoop(gen)),
    );
  }

  private async handleFetchResponse(gen: number, from: number, res: FetchResponse<R>): Promise<void> {
    if (await this.maybeObserveEpoch(res.leaderId, res.epoch)) return;
    if (res.errorCode !== ErrorCode.NONE || from !== this.leaderIdNow) {
      if (!this.isVoter && this.roleNow === 'follower' && res.leaderId < 0) {
        await this.transition('unattached', this.epochNow, -1, -1);
        return;
      }
      this.retryLater(gen, () => this.fetchLoop(gen));
      return;
    }
    this.lastLeaderContactMs = this.time.now();
    this.armFetchTimeout();
    if (res.snapshotId) {
      this.fetchSnapshot(gen, from, res.snapshotId, 0, []);
      return;
    }
    if (res.divergingEpoch) {
      const local = this.log.endOffsetForEpoch(res.divergingEpoch.epoch);
      const truncateTo = Math.max(this.log.startOffset, Math.min(res.divergingEpoch.endOffset, local.offset));
      if (truncateTo < this.hw) {
        throw new RaftInvariantError(`node ${this.nodeId} asked to truncate to ${truncateTo}, below its high watermark ${this.hw}`);
      }
      this.log.truncateTo(truncateTo);
    } else if (res.records !== null) {
      this.log.appendAsFollower(res.records);
      await this.log.flush();
      if (gen !== this.generation) return;
    }
    this.advanceHighWatermark(Math.min(res.highWatermark, this.log.endOffset));
    this.fetchLoop(gen);
  }

  /**
   * Downloads snapshot `id` from the leader chunk by chunk (FetchSnapshot), then installs it in
   * place of the log and fetches on from its end. Anything unexpected starts over with a Fetch.
   */
  private fetchSnapshot(gen: number, from: number, id: OffsetAndEpoch, position: number, chunks: R[]): void {
    if (gen !== this.generation || this.closed) return;
    const req: FetchSnapshotRequest = {
      replicaId: this.nodeId,
      currentLeaderEpoch: this.epochNow,
      snapshotId: id,
      position,
      maxBytes: this.config.fetchMaxBytes,
    };
    this.channel.fetchSnapshot(from, req).then(
      (res) =>
        this.serialIf(gen, async () => {
          if (await this.maybeObserveEpoch(res.leaderId, res.epoch)) return;
          if (res.errorCode !== ErrorCode.NONE || res.chunk === null || res.position !== position) {
            this.retryLater(gen, () => this.fetchLoop(gen));
            return;
          }
          this.lastLeaderContactMs = this.time.now();
          this.armFetchTimeout();
          const next = position + this.log.chunkSize(res.chunk);
          chunks.push(res.chunk);
          if (next < res.size) return this.fetchSnapshot(gen, from, id, next, chunks);
          if (id.offset < this.hw) {
            throw new RaftInvariantError(`node ${this.nodeId} asked to install snapshot ${id.offset} below its high watermark ${this.hw}`);
          }
          await this.log.installSnapshot(id, chunks);
          this.logger.info('snapshot installed', { nodeId: this.nodeId, offset: id.offset, epoch: id.epoch });
          for (const l of [...this.snapshotListeners]) l(id);
          this.advanceHighWatermark(id.offset);
          this.fetchLoop(gen);
        }),
      () => this.retryLater(gen, () => this.fetchLoop(gen)),
    );
  }

  /** A voter that hears nothing from its leader for the fetch timeout runs for election; an observer looks for the leader again. */
  private armFetchTimeout(): void {
    this.arm(
      () => (this.isVoter ? this.becomeProspective() : this.transition('unattached', this.epochNow, -1, -1)),
      this.config.fetchTimeoutMs,
    );
  }

  /** The next voter (or bootstrap destination, any number) an observer asks for the leader; null: none. */
  private nextVoterToAsk(): number | null {
    const others = this.bootstrap.length > 0 ? this.bootstrap : this.otherVoters();
    if (others.length === 0) return null;
    return others[this.observerCursor++ % others.length]!;
  }

  // ---- helpers ----

  private epochReply(errorCode: number): QuorumEpochResponse {
    return { errorCode, leaderId: this.leaderIdNow, epoch: this.epochNow };
  }

  /** Runs `fn` in the queue unless the state changed since `gen`. */
  private serialIf(gen: number, fn: () => Promise<void> | void): void {
    this.serial(() => (gen === this.generation ? fn() : undefined)).catch((err) => {
      if (!this.closed) this.logger.error('raft event failed', { nodeId: this.nodeId, error: err });
    });
  }

  private retryLater(gen: number, fn: () => void): void {
    if (gen !== this.generation || this.closed) return;
    this.time.setTimeout(() => {
      if (gen === this.generation && !this.closed) fn();
    }, this.config.retryBackoffMs);
  }

  /** Replaces the state's timer. */
  private arm(fn: () => Promise<void>, delayMs: number): void {
    this.timer?.();
    const gen = this.generation;
    this.timer = this.time.setTimeout(() => this.serialIf(gen, fn), delayMs);
  }

  private cancelTimers(): void {
    this.timer?.();
    this.timer = null;
    this.checkQuorumTimer?.();
    this.checkQuorumTimer = null;
  }

  private electionTimeout(): number {
    return this.config.electionTimeoutMs + Math.floor(this.random() * this.config.electionTimeoutMs);
  }

  private otherVoters(): number[] {
    return this.voters.filter((v) => v !== this.nodeId);
  }

  private majority(): number {
    return Math.floor(this.voters.length / 2) + 1;
  }

  private hasMajority(ids: Set<number>): boolean {
    return ids.size >= this.majority();
  }
}
