// SimNetwork: the simulation's links between nodes. A request is delivered after a random delay
// unless it is dropped (a per-message probability), the link is cut (a partition) or the
// destination is down; the answer comes back the same way to the incarnation that sent it. A
// sender whose request or answer was lost sees its request time out, as over TCP.
import type {
  BeginQuorumEpochRequest,
  EndQuorumEpochRequest,
  FetchRequest,
  FetchResponse,
  FetchSnapshotRequest,
  FetchSnapshotResponse,
  QuorumEpochResponse,
  RaftChannel,
  VoteRequest,
  VoteResponse,
} from '@tributary/raft';
import type { MemoryBatch } from '@tributary/raft';
import type { SimTime } from './sim-time.ts';

export type Records = readonly MemoryBatch<number>[];

/** What the network delivers a request to. */
export interface SimEndpoint {
  handleVote(req: VoteRequest): Promise<VoteResponse>;
  handleBeginQuorumEpoch(req: BeginQuorumEpochRequest): Promise<QuorumEpochResponse>;
  handleEndQuorumEpoch(req: EndQuorumEpochRequest): Promise<QuorumEpochResponse>;
  handleFetch(req: FetchRequest): Promise<FetchResponse<Records>>;
  handleFetchSnapshot(req: FetchSnapshotRequest): Promise<FetchSnapshotResponse<Records>>;
}

export interface NetworkConditions {
  dropRate: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export class SimNetwork {
  conditions: NetworkConditions = { dropRate: 0, minDelayMs: 1, maxDelayMs: 5 };
  readonly requestTimeoutMs = 2000;
  private readonly endpoints = new Map<number, { endpoint: SimEndpoint; incarnation: number }>();
  /** Which group each node is in; nodes in different groups cannot talk. Empty: no partition. */
  private groups = new Map<number, number>();
  messages = 0;

  constructor(
    private readonly time: SimTime,
    private readonly random: () => number,
  ) {}

  attach(id: number, endpoint: SimEndpoint, incarnation: number): void {
    this.endpoints.set(id, { endpoint, incarnation });
  }

  detach(id: number): void {
    this.endpoints.delete(id);
  }

  partition(groups: number[][]): void {
    this.groups = new Map();
    groups.forEach((g, i) => {
      for (const id of g) this.groups.set(id, i);
    });
  }

  heal(): void {
    this.groups = new Map();
  }

  canTalk(a: number, b: number): boolean {
    return (this.groups.get(a) ?? -1) === (this.groups.get(b) ?? -1);
  }

  /** The channel node `from` (in `incarnation`) sends through. */
  channel(from: number, incarnation: number): RaftChannel<Records> {
    const send = <Q, A>(to: number, req: Q, handle: (e: SimEndpoint, req: Q) => Promise<A>): Promise<A> =>
      new Promise<A>((resolve, reject) => {
        let settled = false;
        const cancelTimeout = this.time.setTimeout(() => {
          if (settled) return;
          settled = true;
          reject(new Error('request timed out'));
        }, this.requestTimeoutMs);
        const answer = (a: A) => {
          this.transmit(to, from, () => {
            if (settled || this.endpoints.get(from)?.incarnation !== incarnation) return;
            settled = true;
            cancelTimeout();
            resolve(a);
          });
        };
        this.transmit(from, to, () => {
          const dest = this.endpoints.get(to);
          if (!dest) return;
          const destIncarnation = dest.incarnation;
          handle(dest.endpoint, req).then(
            (a) => {
              if (this.endpoints.get(to)?.incarnation === destIncarnation) answer(a);
            },
            () => undefined,
          );
        });
      });
    return {
      vote: (to, req) => send(to, req, (e, r) => e.handleVote(r)),
      beginQuorumEpoch: (to, req) => send(to, req, (e, r) => e.handleBeginQuorumEpoch(r)),
      endQuorumEpoch: (to, req) => send(to, req, (e, r) => e.handleEndQuorumEpoch(r)),
      fetch: (to, req) => send(to, req, (e, r) => e.handleFetch(r)),
      fetchSnapshot: (to, req) => send(to, req, (e, r) => e.handleFetchSnapshot(r)),
    };
  }

  private transmit(from: number, to: number, deliver: () => void): void {
    this.messages++;
    if (!this.canTalk(from, to) || this.random() < this.conditions.dropRate) return;
    const { minDelayMs, maxDelayMs } = this.conditions;
    const delay = minDelayMs + Math.floor(this.random() * (maxDelayMs - minDelayMs + 1));
    this.time.setTimeout(() => {
      if (this.canTalk(from, to)) deliver();
    }, delay);
  }
}
