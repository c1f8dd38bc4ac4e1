// The consumer's fetcher (Kafka's Fetcher/AbstractFetch): for the partitions that are fetchable
// (positioned, not paused) and have at most one fetch buffered (the next fetch then starts after
// it, so fetching overlaps the application's work), one Fetch request per leader at a time
// (long-polling `fetch.max.wait.ms` for `fetch.min.bytes`, bounded by `fetch.max.bytes` and
// `max.partition.fetch.bytes`), no fetch sessions (sessionEpoch -1: every fetch is full). Each
// partition's records go into the fetch buffer with the offset after their last batch (read from
// the batch headers); uncompressed ones are decoded (fetch-decoder.ts) when first taken, so the next
// fetch leaves at once, compressed ones are decompressed and decoded first. Errors: OFFSET_OUT_OF_RANGE resets the
// position (auto.offset.reset); leadership errors refresh metadata; the rest is reported.
// Also resolves positions: ListOffsets for earliest/latest/timestamp resets.
// Leader changes (KIP-320): Fetch and ListOffsets carry the partition's leader epoch from metadata
// as CurrentLeaderEpoch, so a deposed leader answers FENCED_LEADER_EPOCH (or NOT_LEADER_OR_FOLLOWER)
// instead of serving; the leader is then forgotten, metadata refreshed (at most every
// LEADER_REFRESH_BACKOFF_MS while a leader stays unknown) and fetching resumes at the same position
// on the new leader. UNKNOWN_LEADER_EPOCH (the broker is behind our metadata) retries after a
// backoff. read_committed (isolation level 1): the broker answers up to the last stable offset with
// the aborted transactions of the range, which the decoder leaves out (fetch-decoder.ts).
// Not implemented: OffsetsForLeaderEpoch validation of positions after a leader change
// (log truncation detection) and LastFetchedEpoch / DivergingEpoch.
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiKey, ErrorCode, errorInfo, type FetchResponse } from '@tributary/protocol';
import type { Cluster } from '../cluster/cluster.ts';
import { decodeFetch, scanFetch, type AbortedTransaction, type DecodedFetch } from './fetch-decoder.ts';
import type { ConsumerRecord } from '../api.ts';
import type { TopicPartition } from '../assignors/types.ts';
import type { CompletedFetch, FetchBuffer } from './fetch-buffer.ts';
import { partitionKey, type ResetTarget, type SubscriptionState } from './subscription-state.ts';
import { KafkaClientError } from '../network/errors.ts';

export interface FetcherConfig {
  minBytes: number;
  maxWaitMs: number;
  maxBytes: number;
  maxPartitionBytes: number;
  isolationLevel: 0 | 1;
  /** `check.crcs`: verify each batch's CRC-32C (default true, as Java). */
  checkCrcs?: boolean;
}

const LEADERSHIP_ERRORS = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.REPLICA_NOT_AVAILABLE,
]);

/** Least time between two metadata refreshes looking for an unknown leader; backoff after UNKNOWN_LEADER_EPOCH. */
const LEADER_REFRESH_BACKOFF_MS = 100; // the Java client's retry.backoff.ms

/** A partition is fetched again only while fewer completed fetches than this wait in the buffer. */
const MAX_BUFFERED_FETCHES_PER_PARTITION = 2;

export class Fetcher {
  private readonly inFlightNodes = new Set<number>();
  private leaderRefresh: Promise<void> | null = null;
  private lastLeaderRefreshMs = -Infinity;
  /** Errors to surface to the application (non-retriable). */
  readonly errors: Error[] = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly subscriptions: SubscriptionState,
    private readonly buffer: FetchBuffer,
    private readonly config: FetcherConfig,
  ) {}

  /** Set when the consumer closes: no more fetches. */
  closed = false;

  get inFlight(): number {
    return this.inFlightNodes.size;
  }

  /** Sends Fetch requests for what can be fetched now; completion wakes the buffer. */
  maybeFetch(): void {
    if (this.closed || !this.buffer.hasRoom) return;
    const buffered = this.buffer.bufferedPartitions();
    const byLeader = new Map<number, Array<{ tp: TopicPartition; offset: bigint; currentLeaderEpoch: number }>>();
    let unknownLeader = false;
    for (const { tp, position } of this.subscriptions.fetchable()) {
      // fetch ahead: one fetch buffered per partition, the next one may already be on its way
      const b = buffered.get(partitionKey(tp.topic, tp.partition));
      if (b && b.fetches >= MAX_BUFFERED_FETCHES_PER_PARTITION) continue;
      const offset = b ? b.nextFetchOffset : position.offset;
      const leader = this.cluster.metadata.leaderFor(tp.topic, tp.partition);
      if (leader === undefined) {
        unknownLeader = true;
        continue;
      }
      if (this.inFlightNodes.has(leader)) continue;
      let l = byLeader.get(leader);
      if (!l) byLeader.set(leader, (l = []));
      l.push({ tp, offset, currentLeaderEpoch: this.cluster.metadata.leaderEpochFor(tp.topic, tp.partition) });
    }
    if (unknownLeader) this.refreshLeaders();
    for (const [node, parts] of byLeader) {
      this.inFlightNodes.add(node);
      void this.fetchFrom(node, parts).finally(() => {
        this.inFlightNodes.delete(node);
        // pipelining: the next fetch leaves first, then the application works on this one
        if (!this.closed) this.maybeFetch();
        this.buffer.wakeup();
      });
    }
  }

  /** Looks unknown leaders up (one refresh at a time, at most every LEADER_REFRESH_BACKOFF_MS), then fetches again. */
  private refreshLeaders(): void {
    if (this.leaderRefresh) return;
    this.cluster.metadata.addTopics(this.subscriptions.assigned().map((t) => t.topic));
    const wait = this.lastLeaderRefreshMs + LEADER_REFRESH_BACKOFF_MS - Date.now();
    this.leaderRefresh = (async () => {
      if (wait > 0) await sleep(wait);
      this.lastLeaderRefreshMs = Date.now();
      await this.cluster.refreshMetadata();
    })()
      .catch(() => {})
      .finally(() => {
        this.leaderRefresh = null;
        this.buffer.wakeup();
        if (!this.closed) this.maybeFetch();
      });
  }

  private async fetchFrom(node: number, parts: Array<{ tp: TopicPartition; offset: bigint; currentLeaderEpoch: number }>): Promise<void> {
    const byTopic = new Map<string, typeof parts>();
    for (const p of parts) {
      let l = byTopic.get(p.tp.topic);
      if (!l) byTopic.set(p.tp.topic, (l = []));
      l.push(p);
    }
    let response: FetchResponse;
    try {
      response = await this.cluster.request(
        node,
        ApiKey.Fetch,
        {
          replicaId: -1,
          maxWaitMs: this.config.maxWaitMs,
          minBytes: this.config.minBytes,
          maxBytes: this.config.maxBytes,
          isolationLevel: this.config.isolationLevel,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [...byTopic].map(([topic, ps]) => ({
            topic,
            partitions: ps.map((p) => ({
              partition: p.tp.partition,
              currentLeaderEpoch: p.currentLeaderEpoch,
              fetchOffset: p.offset,
              logStartOffset: -1n,
              partitionMaxBytes: this.config.maxPartitionBytes,
            })),
          })),
          forgottenTopicsData: [],
          rackId: '',
        },
        { timeoutMs: (this.cluster.options.requestTimeoutMs ?? 30000) + this.config.maxWaitMs, flush: true },
      );
    } catch {
      this.cluster.metadata.requestUpdate();
      await sleep(100);
      return;
    }
    const requested = new Map(parts.map((p) => [partitionKey(p.tp.topic, p.tp.partition), p]));
    let backoff = false;
    for (const t of response.responses) {
      for (const p of t.partitions) {
        const req = requested.get(partitionKey(t.topic, p.partitionIndex));
        if (!req) continue;
        const tp = { topic: t.topic, partition: p.partitionIndex };
        const pos = this.subscriptions.position(tp);
        if (!pos || this.buffer.nextFetchOffset(tp.topic, tp.partition, pos.offset) !== req.offset) continue; // seeked meanwhile
        // a fetch ahead that failed: only leadership errors matter now (the leader moved: look it up,
        // or the next fetch ahead goes to the same node at once); the position's fetch sees the rest
        const ahead = pos.offset !== req.offset;
        if (
          ahead &&
          p.errorCode !== ErrorCode.NONE &&
          !LEADERSHIP_ERRORS.has(p.errorCode) &&
          p.errorCode !== ErrorCode.UNKNOWN_LEADER_EPOCH
        ) {
          backoff = true;
          continue;
        }
        if (p.errorCode === ErrorCode.NONE) {
          // read_committed: the aborted transactions in this range are left out when decoding
          const aborted = this.config.isolationLevel === 1 ? (p.abortedTransactions ?? []) : null;
          const pending = this.complete(tp, req.offset, p.records, p.highWatermark, aborted);
          if (pending) await pending;
        } else if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          try {
            this.subscriptions.onOffsetOutOfRange(tp);
          } catch (err) {
            this.errors.push(err as Error);
          }
        } else if (LEADERSHIP_ERRORS.has(p.errorCode)) {
          this.cluster.metadata.invalidateLeader(tp.topic, tp.partition);
        } else if (p.errorCode === ErrorCode.UNKNOWN_LEADER_EPOCH) {
          // the broker has not caught up with the epoch our metadata has: ask again a bit later
          this.cluster.metadata.requestUpdate(tp.topic);
          backoff = true;
        } else {
          const info = errorInfo(p.errorCode);
          if (!info.retriable) {
            this.errors.push(
              new KafkaClientError(`fetch from ${tp.topic}-${tp.partition} failed: ${info.name}`, info.name, false, {
                code: p.errorCode,
                ...tp,
              }),
            );
          }
        }
      }
    }
    if (backoff) await sleep(LEADER_REFRESH_BACKOFF_MS);
  }

  /**
   * Buffers a partition's records. Uncompressed records are decoded when the application first
   * takes from them (so the next fetch leaves first, and stale fetches are never decoded);
   * compressed ones are decompressed and decoded now, before the partition is fetched again.
   */
  private complete(
    tp: TopicPartition,
    fetchOffset: bigint,
    records: Buffer | null,
    highWatermark: bigint,
    aborted: readonly AbortedTransaction[] | null,
  ): void | Promise<void> {
    if (!records || records.length === 0) return;
    const corrupt = (err: unknown) => {
      this.errors.push(
        new KafkaClientError(
          `corrupt record batch from ${tp.topic}-${tp.partition}: ${(err as Error).message}`,
          'CORRUPT_MESSAGE',
          false,
          { ...tp },
          { cause: err },
        ),
      );
    };
    const fetch = (nextFetchOffset: bigint, decoded: ConsumerRecord[] | null, decode: CompletedFetch['decode']): CompletedFetch => ({
      topic: tp.topic,
      partition: tp.partition,
      fetchOffset,
      records: decoded,
      decode,
      nextFetchOffset,
      highWatermark,
      sizeInBytes: records.length,
    });
    const scan = scanFetch(records);
    if (!scan.eager) {
      if (scan.nextFetchOffset === null) return;
      const checkCrcs = this.config.checkCrcs;
      this.buffer.add(
        fetch(scan.nextFetchOffset, null, () => {
          try {
            return (decodeFetch(tp.topic, tp.partition, records, checkCrcs, aborted) as DecodedFetch).records; // uncompressed: synchronous
          } catch (err) {
            corrupt(err);
            return null;
          }
        }),
      ); // woken after the next fetch left (maybeFetch)
      return;
    }
    const add = (d: DecodedFetch) => {
      if (d.nextFetchOffset !== null) this.buffer.add(fetch(d.nextFetchOffset, d.records, null));
    };
    let decoded: DecodedFetch | Promise<DecodedFetch>;
    try {
      decoded = decodeFetch(tp.topic, tp.partition, records, this.config.checkCrcs, aborted);
    } catch (err) {
      corrupt(err);
      return;
    }
    if (decoded instanceof Promise) return decoded.then(add, corrupt);
    add(decoded);
  }

  /** Resolves requested resets with ListOffsets (earliest -2, latest -1, or a timestamp). */
  async resetPositions(resets: Array<{ tp: TopicPartition; target: ResetTarget }>): Promise<void> {
    if (resets.length === 0) return;
    await this.cluster.ensureTopics([...new Set(resets.map((r) => r.tp.topic))]);
    const byLeader = new Map<number, typeof resets>();
    for (const r of resets) {
      const leader = this.cluster.metadata.leaderFor(r.tp.topic, r.tp.partition);
      if (leader === undefined) continue;
      let l = byLeader.get(leader);
      if (!l) byLeader.set(leader, (l = []));
      l.push(r);
    }
    await Promise.all(
      [...byLeader].map(async ([node, rs]) => {
        const offsets = await listOffsets(
          this.cluster,
          node,
          rs.map((r) => ({ tp: r.tp, target: r.target })),
          this.config.isolationLevel,
        );
        for (const r of rs) {
          const found = offsets.get(partitionKey(r.tp.topic, r.tp.partition));
          if (!found || !this.subscriptions.isAssigned(r.tp)) continue;
          if (found.errorCode !== ErrorCode.NONE) {
            if (LEADERSHIP_ERRORS.has(found.errorCode)) this.cluster.metadata.invalidateLeader(r.tp.topic, r.tp.partition);
            continue;
          }
          let offset = found.offset;
          if (offset < 0n && typeof r.target === 'object') {
            // no record at or after the timestamp: go to the end
            const end = await listOffsets(this.cluster, node, [{ tp: r.tp, target: 'latest' }], this.config.isolationLevel);
            offset = end.get(partitionKey(r.tp.topic, r.tp.partition))?.offset ?? -1n;
          }
          if (offset >= 0n) this.subscriptions.seek(r.tp, offset, found.leaderEpoch);
        }
      }),
    );
  }
}

/** One ListOffsets request to a leader, with the partitions' leader epochs from metadata (CurrentLeaderEpoch). */
export async function listOffsets(
  cluster: Cluster,
  node: number,
  items: Array<{ tp: TopicPartition; target: ResetTarget }>,
  isolationLevel: 0 | 1 = 0,
): Promise<Map<string, { errorCode: number; offset: bigint; timestamp: bigint; leaderEpoch: number }>> {
  const byTopic = new Map<string, typeof items>();
  for (const i of items) {
    let l = byTopic.get(i.tp.topic);
    if (!l) byTopic.set(i.tp.topic, (l = []));
    l.push(i);
  }
  const ts = (t: ResetTarget): bigint => (t === 'earliest' ? -2n : t === 'latest' ? -1n : BigInt(t.timestamp));
  const response = await cluster.request(node, ApiKey.ListOffsets, {
    replicaId: -1,
    isolationLevel,
    topics: [...byTopic].map(([name, is]) => ({
      name,
      partitions: is.map((i) => ({
        partitionIndex: i.tp.partition,
        currentLeaderEpoch: cluster.metadata.leaderEpochFor(i.tp.topic, i.tp.partition),
        timestamp: ts(i.target),
        maxNumOffsets: 1,
      })),
    })),
  });
  const out = new Map<string, { errorCode: number; offset: bigint; timestamp: bigint; leaderEpoch: number }>();
  for (const t of response.topics) {
    for (const p of t.partitions) {
      const offset = p.oldStyleOffsets.length > 0 && p.offset === -1n ? p.oldStyleOffsets[0] : p.offset;
      out.set(partitionKey(t.name, p.partitionIndex), {
        errorCode: p.errorCode,
        offset,
        timestamp: p.timestamp,
        leaderEpoch: p.leaderEpoch,
      });
    }
  }
  return out;
}
