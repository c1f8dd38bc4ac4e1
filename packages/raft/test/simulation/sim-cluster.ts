// SimCluster: voters and observers of the quorum core on one SimTime and SimNetwork, with faults
// (crash: the unflushed log tail is lost, the election state kept; restart; partitions; drops and
// delays), a workload (the leader proposes numbered values, and the cluster remembers which were
// acknowledged as committed), and Kafka's simulation invariants, checked after every event:
//   - MonotonicEpoch: a node's epoch never goes back (a voter's across restarts too);
//   - SingleLeader: at most one leader per epoch;
//   - OneVote: a voter never votes for two candidates in one epoch, across restarts too;
//   - MonotonicHighWatermark: the high watermark of the ready leader of the highest epoch never goes
//     below an earlier one's, and no node's goes back while it runs;
//   - ConsistentCommittedData: every node's log below its high watermark is the committed log;
//   - LeaderCompleteness: the ready leader of the highest epoch holds every committed record;
//   - SnapshotAtLogStart: a log trimmed by a snapshot starts where its latest snapshot ends (the
//     snapshot's records are checked as committed data too).
// The first violation throws with the seed and simulated time, so `SEED=n` replays it exactly.
import { MemoryQuorumStateStore, MemoryRaftLog, RaftClient, type MemoryBatch, type QuorumConfig } from '@tributary/raft';
import { SimNetwork } from './sim-network.ts';
import { SimTime, seededRandom } from './sim-time.ts';

export interface SimNode {
  id: number;
  log: MemoryRaftLog<number>;
  store: MemoryQuorumStateStore;
  client: RaftClient<number, readonly MemoryBatch<number>[]> | null;
  incarnation: number;
  /** Offsets below it were checked against the committed log (reset by truncation or crash). */
  verifiedUpTo: number;
  lastEpoch: number;
  lastHw: number;
}

export const SIM_CONFIG: QuorumConfig = {
  electionTimeoutMs: 1000,
  fetchTimeoutMs: 2000,
  electionBackoffMaxMs: 1000,
  retryBackoffMs: 20,
  fetchMaxWaitMs: 500,
  fetchMaxBytes: 64,
};

export class SimCluster {
  readonly time = new SimTime();
  readonly random: () => number;
  readonly network: SimNetwork;
  readonly nodes = new Map<number, SimNode>();
  /** The committed log as observed: offset -> "epoch:value". */
  readonly committed: string[] = [];
  readonly leaders = new Map<number, number>();
  private readonly votes = new Map<string, number>();
  private maxLeaderHw = 0;
  /** Values whose commit was acknowledged to the proposer. */
  readonly acknowledged = new Map<number, number>();
  private nextValue = 1;
  events = 0;
  /** Snapshots fetched from a leader and installed (FetchSnapshot exercised). */
  snapshotsInstalled = 0;
  /** SIM_TRACE=1: every state change, fault and acknowledgement is printed with its time. */
  readonly trace: ((line: string) => void) | null = process.env.SIM_TRACE ? (line) => console.log(`${this.time.now()} ${line}`) : null;

  constructor(
    readonly seed: number,
    readonly voterIds: number[],
    readonly observerIds: number[] = [],
    readonly config: QuorumConfig = SIM_CONFIG,
  ) {
    this.random = seededRandom(seed);
    this.network = new SimNetwork(this.time, this.random);
    for (const id of [...voterIds, ...observerIds]) {
      this.nodes.set(id, {
        id,
        log: new MemoryRaftLog<number>(),
        store: new MemoryQuorumStateStore(),
        client: null,
        incarnation: 0,
        verifiedUpTo: 0,
        lastEpoch: 0,
        lastHw: 0,
      });
    }
  }

  async start(): Promise<void> {
    for (const id of this.nodes.keys()) await this.startNode(id);
  }

  isUp(id: number): boolean {
    return this.nodes.get(id)!.client !== null;
  }

  /** A SIGKILL: timers and in-flight requests die with it; only flushed data and the election state remain. */
  crash(id: number): void {
    const n = this.nodes.get(id)!;
    if (!n.client) return;
    this.trace?.(`crash ${id} (log end ${n.log.endOffset}, flushed ${n.log.flushedOffset})`);
    void n.client.close().catch(() => undefined);
    n.client = null;
    this.network.detach(id);
    n.log.crash();
    n.verifiedUpTo = Math.min(n.verifiedUpTo, n.log.endOffset);
    n.lastHw = 0;
    // an observer keeps no election state: its epoch starts over
    if (!this.voterIds.includes(id)) n.lastEpoch = 0;
  }

  /** A clean stop: a leader resigns (EndQuorumEpoch) first; then it is down like a crashed node. */
  async stop(id: number): Promise<void> {
    const n = this.nodes.get(id)!;
    if (!n.client) return;
    this.trace?.(`stop ${id}`);
    await n.client.close();
    this.crash(id);
  }

  async startNode(id: number): Promise<void> {
    const n = this.nodes.get(id)!;
    if (n.client) return;
    this.trace?.(`start ${id}`);
    n.incarnation++;
    const client = new RaftClient({
      nodeId: id,
      voters: this.voterIds,
      log: n.log,
      store: n.store,
      channel: this.network.channel(id, n.incarnation),
      time: this.time,
      random: this.random,
      config: this.config,
      logger: this.trace
        ? { info: (m, f) => this.trace!(`${m} ${JSON.stringify(f)}`), error: (m, f) => this.trace!(`ERROR ${m} ${String(f?.error ?? '')}`) }
        : undefined,
    });
    n.client = client;
    client.onSnapshotInstalled(() => this.snapshotsInstalled++);
    this.network.attach(id, client, n.incarnation);
    await client.start();
  }

  get leader(): SimNode | null {
    for (const n of this.nodes.values()) if (n.client?.role === 'leader') return n;
    return null;
  }

  /** The leader with its own epoch committed, if there is one. */
  get readyLeader(): SimNode | null {
    const l = this.leader;
    return l?.client?.isReadyLeader ? l : null;
  }

  /** The leader (if any) proposes the next value; its commit is acknowledged when seen. */
  propose(): void {
    const l = this.readyLeader;
    if (!l) return;
    const client = l.client!;
    const value = this.nextValue++;
    const epoch = client.epoch;
    client.propose(value, epoch).then(
      (range) =>
        client.waitForCommit(range.lastOffset, epoch).then(
          () => {
            this.acknowledged.set(value, range.lastOffset);
            this.trace?.(`acknowledged ${value} at ${range.lastOffset}`);
          },
          () => undefined,
        ),
      () => undefined,
    );
  }

  /**
   * A node snapshots what it knows committed (KIP-630): the log below its high watermark goes into
   * a snapshot and is dropped; a node behind that must fetch the snapshot.
   */
  snapshot(id: number): void {
    const n = this.nodes.get(id)!;
    const c = n.client;
    const hw = c?.highWatermark ?? 0;
    if (!c || hw <= n.log.startOffset) return;
    const last = n.log.entry(hw - 1)!;
    this.trace?.(`snapshot ${id} at ${hw}-${last.epoch}`);
    c.createSnapshot({ offset: hw, epoch: last.epoch }, n.log.prefix(hw)).catch(() => undefined);
  }

  /** Runs events until `until` (simulated ms), checking the invariants after each. */
  async runUntil(until: number): Promise<void> {
    for (;;) {
      const ran = this.time.runNext(until);
      await settle();
      this.events++;
      this.check();
      if (!ran) return;
    }
  }

  async runFor(ms: number): Promise<void> {
    return this.runUntil(this.time.now() + ms);
  }

  fail(message: string): never {
    throw new Error(`seed ${this.seed} at ${this.time.now()} ms: ${message}`);
  }

  check(): void {
    for (const n of this.nodes.values()) {
      const c = n.client;
      if (!c) continue;
      if (c.fatalError) this.fail(`node ${n.id}: ${c.fatalError.message}`);
      if (c.epoch < n.lastEpoch) this.fail(`node ${n.id} epoch went back from ${n.lastEpoch} to ${c.epoch}`);
      n.lastEpoch = c.epoch;
      if (c.role === 'leader') {
        const known = this.leaders.get(c.epoch);
        if (known !== undefined && known !== n.id) this.fail(`two leaders in epoch ${c.epoch}: ${known} and ${n.id}`);
        this.leaders.set(c.epoch, n.id);
      }
      if (c.votedId >= 0) {
        const key = `${n.id}@${c.epoch}`;
        const voted = this.votes.get(key);
        if (voted !== undefined && voted !== c.votedId) this.fail(`node ${n.id} voted for ${voted} and ${c.votedId} in epoch ${c.epoch}`);
        this.votes.set(key, c.votedId);
      }
      const snap = n.log.latestSnapshot();
      if (n.log.startOffset > 0 && snap?.offset !== n.log.startOffset) {
        this.fail(`node ${n.id} log starts at ${n.log.startOffset}, its latest snapshot ends at ${snap?.offset}`);
      }
      if (c.highWatermark < n.lastHw) this.fail(`node ${n.id} high watermark went back from ${n.lastHw} to ${c.highWatermark}`);
      n.lastHw = c.highWatermark;
      this.checkCommitted(n, c.highWatermark);
    }
    // Only the leader of the highest epoch ever elected: an older one, cut off, may still think it
    // leads (it can commit nothing more), and lacks what its successors committed.
    const newestEpoch = Math.max(-1, ...this.leaders.keys());
    const newest = this.nodes.get(this.leaders.get(newestEpoch) ?? -1);
    const c = newest?.client;
    if (newest && c?.isReadyLeader && c.epoch === newestEpoch) {
      if (c.highWatermark < this.maxLeaderHw)
        this.fail(`leader ${newest.id} high watermark ${c.highWatermark} < earlier ${this.maxLeaderHw}`);
      this.maxLeaderHw = c.highWatermark;
      if (newest.log.endOffset < this.committed.length)
        this.fail(`leader ${newest.id} lacks committed offsets from ${newest.log.endOffset}`);
    }
  }

  /** Verifies the node's log up to `hw` against the committed log, extending it where new. */
  private checkCommitted(n: SimNode, hw: number): void {
    n.verifiedUpTo = Math.min(n.verifiedUpTo, n.log.endOffset);
    for (let o = n.verifiedUpTo; o < hw; o++) {
      const e = n.log.entry(o);
      if (!e) this.fail(`node ${n.id} high watermark ${hw} past its log end ${n.log.endOffset}`);
      const key = `${e.epoch}:${e.data ?? `leader-${e.leaderChange?.leaderId}`}`;
      if (o === this.committed.length) this.committed.push(key);
      else if (o > this.committed.length) this.fail(`node ${n.id} commits ${o} before ${this.committed.length} was seen`);
      else if (this.committed[o] !== key) this.fail(`node ${n.id} offset ${o} is ${key}, committed ${this.committed[o]}`);
    }
    n.verifiedUpTo = Math.max(n.verifiedUpTo, hw);
  }

  /** Every acknowledged value is in the committed log at its offset; every node holds the committed log. */
  checkFinal(): void {
    for (const [value, offset] of this.acknowledged) {
      const key = this.committed[offset];
      if (!key?.endsWith(`:${value}`)) this.fail(`acknowledged value ${value} at ${offset} is not committed there (${key})`);
    }
  }
}

/** Lets every pending promise chain run (nothing here waits on real I/O). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
