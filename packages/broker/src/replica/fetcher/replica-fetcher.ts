// ReplicaFetcher: copies the partitions this broker follows from one leader broker (Kafka's
// ReplicaFetcherThread over AbstractFetcherThread; one per source broker, num.replica.fetchers=1).
// A loop sends Fetch v12 as replica `nodeId` for every partition it follows there, each from its
// log end offset with the epoch of its last record (LastFetchedEpoch) and the leader epoch it
// knows (CurrentLeaderEpoch); the leader long-polls up to replica.fetch.wait.max.ms. Per partition
// of the answer (Kafka's processFetchRequest):
//   - DivergingEpoch: the local log forked from the leader's: truncate (divergence.ts), append
//     nothing and take no HW from this answer (KAFKA-14704), fetch again;
//   - records: appended as they are (the leader's offsets and epochs), then HW := min(leader HW,
//     log end offset) and the log start offset follows the leader's;
//   - OFFSET_OUT_OF_RANGE: the leader's log start and end (ListOffsets) decide: truncate to the
//     leader's end when ahead of it, start afresh at its log start when behind it;
//   - NOT_LEADER_OR_FOLLOWER, UNKNOWN_*, FENCED_LEADER_EPOCH and the rest: that partition waits
//     replica.fetch.backoff.ms (the metadata will re-point it).
// A failed request (connection lost, timeout) backs every partition off and reconnects. An answer
// for a partition that changed meanwhile (leader, epoch, or log end offset) is dropped.
// Replication throttle (follower.replication.throttled.rate, Kafka's shouldFollowerThrottle): a
// throttled partition that lags the leader's HW is left out of the fetch while the quota is
// exceeded (nothing to fetch: wait replica.fetch.backoff.ms); the bytes fetched for throttled
// partitions, in sync or not, are recorded.
import type { BrokerConnection } from '@tributary/client';
import { ApiKey, ErrorCode, type FetchResponse } from '@tributary/protocol';
import type { Logger } from '../../logger.ts';
import { outOfRangeAction, truncationState } from '../divergence.ts';
import type { Partition } from '../partition.ts';
import type { ReplicaQuota } from '../../quota/replication-quota.ts';

export interface ReplicaFetcherOptions {
  nodeId: number;
  sourceBrokerId: number;
  /** Opens a connection to the source broker (again after one failed: connections are one-shot). */
  connect: () => BrokerConnection;
  log: Logger;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  partitionMaxBytes: number;
  backoffMs: number;
  /** The partition object hosted for `key` now (a removed or re-created one is not fetched for). */
  current: (p: Partition) => boolean;
  /** Told of the bytes of every append (Kafka's ReplicationBytesInPerSec). */
  onAppend?: (bytes: number) => void;
  /** The follower's replication throttle; none: unthrottled. */
  quota?: ReplicaQuota;
}

interface FetchState {
  partition: Partition;
  /** No fetch before this time (backoff after an error). */
  delayedUntil: number;
  /** The leader's HW minus the log end offset after the last answer (undefined: none yet). */
  lag?: number;
}

const FETCH_VERSION = 12;

export class ReplicaFetcher {
  private readonly states = new Map<string, FetchState>();
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private stopped = false;
  private connection: BrokerConnection;

  constructor(private readonly o: ReplicaFetcherOptions) {
    this.connection = o.connect();
  }

  /** The connection to the source, a new one once the last has closed (the source restarted, a timeout). */
  private liveConnection(): BrokerConnection {
    if (this.connection.isClosed) this.connection = this.o.connect();
    return this.connection;
  }

  get sourceBrokerId(): number {
    return this.o.sourceBrokerId;
  }

  get partitionCount(): number {
    return this.states.size;
  }

  has(p: Partition): boolean {
    return this.states.get(p.key)?.partition === p;
  }

  addPartition(p: Partition): void {
    this.states.set(p.key, { partition: p, delayedUntil: 0 });
    this.start();
    this.wake?.();
  }

  removePartition(p: Partition): void {
    if (this.states.get(p.key)?.partition === p) this.states.delete(p.key);
  }

  private start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.loop = this.run().finally(() => {
      this.running = false;
    });
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.connection.close();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped && this.states.size > 0) {
      const now = Date.now();
      const ready = [...this.states.values()].filter((s) => s.delayedUntil <= now && this.o.current(s.partition));
      const unthrottled = ready.filter((s) => !this.shouldFollowerThrottle(s));
      if (unthrottled.length === 0) {
        // everything ready is throttled: Kafka's fetcher waits replica.fetch.backoff.ms
        const next = ready.length > 0 ? now + this.o.backoffMs : Math.min(...[...this.states.values()].map((s) => s.delayedUntil));
        await this.sleep(Math.max(1, Math.min(next - now, this.o.backoffMs)));
        continue;
      }
      try {
        await this.fetchOnce(unthrottled);
      } catch (err) {
        if (this.stopped) break;
        this.o.log.warn('replica fetch failed', { source: this.o.sourceBrokerId, err: (err as Error).message });
        for (const s of unthrottled) s.delayedUntil = Date.now() + this.o.backoffMs;
      }
    }
  }

  /** Kafka's shouldFollowerThrottle: behind the leader's HW, throttled, and the quota exceeded. */
  private shouldFollowerThrottle(s: FetchState): boolean {
    const q = this.o.quota;
    if (!q) return false;
    const inSync = s.lag !== undefined && s.lag <= 0;
    return !inSync && q.isThrottled(s.partition.topic, s.partition.partition) && q.isQuotaExceeded();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  private async fetchOnce(ready: FetchState[]): Promise<void> {
    const sent = ready.map((s) => ({
      state: s,
      leaderEpoch: s.partition.leaderEpoch,
      fetchOffset: s.partition.logEndOffset,
    }));
    const byTopic = new Map<string, typeof sent>();
    for (const x of sent) {
      const list = byTopic.get(x.state.partition.topic);
      if (list) list.push(x);
      else byTopic.set(x.state.partition.topic, [x]);
    }
    const response = await this.liveConnection().request(
      ApiKey.Fetch,
      {
        replicaId: this.o.nodeId,
        maxWaitMs: this.o.maxWaitMs,
        minBytes: this.o.minBytes,
        maxBytes: this.o.maxBytes,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [...byTopic].map(([topic, xs]) => ({
          topic,
          partitions: xs.map((x) => ({
            partition: x.state.partition.partition,
            currentLeaderEpoch: x.leaderEpoch,
            fetchOffset: BigInt(x.fetchOffset),
            lastFetchedEpoch: x.state.partition.log.leaderEpochCache.latestEpoch,
            logStartOffset: BigInt(x.state.partition.logStartOffset),
            partitionMaxBytes: this.o.partitionMaxBytes,
          })),
        })),
        forgottenTopicsData: [],
        rackId: '',
      },
      { version: FETCH_VERSION, timeoutMs: this.o.maxWaitMs + 30_000 },
    );
    if (response.errorCode !== ErrorCode.NONE) throw new Error(`Fetch failed with error ${response.errorCode}`);
    const sentByKey = new Map(sent.map((x) => [x.state.partition.key, x]));
    for (const t of response.responses) {
      for (const pd of t.partitions) {
        const x = sentByKey.get(`${t.topic}-${pd.partitionIndex}`);
        if (!x) continue;
        await this.processPartition(x.state, x.leaderEpoch, x.fetchOffset, pd);
      }
    }
  }

  private async processPartition(
    s: FetchState,
    leaderEpoch: number,
    fetchOffset: number,
    pd: FetchResponse['responses'][number]['partitions'][number],
  ): Promise<void> {
    const p = s.partition;
    // the partition changed while the fetch was in flight: this answer is stale
    if (!this.has(p) || !this.o.current(p) || p.leaderEpoch !== leaderEpoch || p.leader !== this.o.sourceBrokerId) return;
    if (p.logEndOffset !== fetchOffset) return;
    try {
      if (pd.errorCode === ErrorCode.NONE) {
        if (pd.divergingEpoch && pd.divergingEpoch.epoch >= 0) {
          const t = truncationState(p.log.leaderEpochCache, p.logEndOffset, {
            epoch: pd.divergingEpoch.epoch,
            endOffset: Number(pd.divergingEpoch.endOffset),
          });
          if (t.offset < p.logEndOffset) {
            this.o.log.info('truncating a diverged follower log', { partition: p.key, from: p.logEndOffset, to: t.offset });
            p.truncateTo(t.offset);
          }
          return;
        }
        const records = pd.records ?? Buffer.alloc(0);
        if (records.length > 0) {
          p.appendRecordsAsFollower(records);
          this.o.onAppend?.(records.length);
        }
        p.updateFollowerHighWatermark(Number(pd.highWatermark));
        p.updateFollowerLogStartOffset(Number(pd.logStartOffset));
        s.lag = Math.max(0, Number(pd.highWatermark) - p.logEndOffset);
        if (records.length > 0 && this.o.quota?.isThrottled(p.topic, p.partition)) this.o.quota.record(records.length);
        return;
      }
      if (pd.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
        await this.handleOutOfRange(p);
        return;
      }
      s.delayedUntil = Date.now() + this.o.backoffMs;
    } catch (err) {
      this.o.log.warn('cannot apply fetched records', { partition: p.key, err: (err as Error).message });
      s.delayedUntil = Date.now() + this.o.backoffMs;
    }
  }

  /** OFFSET_OUT_OF_RANGE: asks the leader for its log start and end offsets, then truncates accordingly. */
  private async handleOutOfRange(p: Partition): Promise<void> {
    const ask = async (timestamp: bigint) => {
      const r = await this.liveConnection().request(
        ApiKey.ListOffsets,
        {
          replicaId: this.o.nodeId,
          isolationLevel: 0,
          topics: [
            {
              name: p.topic,
              partitions: [{ partitionIndex: p.partition, currentLeaderEpoch: p.leaderEpoch, timestamp, maxNumOffsets: 1 }],
            },
          ],
        },
        { version: 4 },
      );
      const pr = r.topics[0]?.partitions[0];
      if (!pr || pr.errorCode !== ErrorCode.NONE) throw new Error(`ListOffsets failed with error ${pr?.errorCode}`);
      return Number(pr.offset);
    };
    const start = await ask(-2n);
    const end = await ask(-1n);
    const action = outOfRangeAction(p.logEndOffset, start, end);
    this.o.log.info('follower fetch offset out of range', {
      partition: p.key,
      logEndOffset: p.logEndOffset,
      leaderStart: start,
      leaderEnd: end,
      action,
    });
    if (action.kind === 'truncateTo') {
      if (action.offset < p.logEndOffset) p.truncateTo(action.offset);
    } else {
      p.truncateFullyAndStartAt(action.offset);
    }
  }
}
