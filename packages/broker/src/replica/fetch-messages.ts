// The Fetch data path of the ReplicaManager (Kafka's ReplicaManager.fetchMessages and
// readFromLocalLog), split out of replica-manager.ts, which delegates its fetchMessages and
// releaseFetched here. One pass (readFromLocalLog) reads the requested partitions in request order
// within the read budget (KIP-74: at least one batch, then up to maxBytes). A consumer reads up to
// the HW, or with isolation_level 1 (read_committed) up to the last stable offset, answered with the
// aborted transactions overlapping what it returns; with the rack-aware selector (KIP-392) a
// consumer in another replica's rack is sent there. A follower (ReplicaId >= 0) reads up to the log
// end offset, is answered DivergingEpoch when its last fetched epoch does not match this log
// (divergence.ts), gets nothing while throttled out of the ISR (quota/replication-quotas.ts), and
// records its position on the Partition (the HW and the ISR follow). If fewer than minBytes are
// readable, a DelayedFetch waits in the fetch purgatory until appends commit enough, then the pass
// runs again. Fetches count in the BrokerTopicStats, a follower's in the leader's throttle.
import { ErrorCode, errorCodeOf } from '@tributary/protocol';
import type { MetadataImage } from '@tributary/metadata';
import { FileRecords, type BufferPool, type Records, type RecordsInto } from '@tributary/storage';
import type { BrokerTopicStats } from '../metrics/broker-topic-stats.ts';
import type { ReplicationQuotas } from '../quota/replication-quotas.ts';
import {
  EMPTY,
  NO_ABORTED,
  answered,
  fetchError,
  type FetchMessagesRequest,
  type FetchMessagesResponse,
  type FetchPartitionResponse,
} from './data-path-messages.ts';
import { divergingEpoch } from './divergence.ts';
import type { Partition } from './partition.ts';
import { DelayedFetch } from './purgatory/delayed-fetch.ts';
import type { DelayedOperationPurgatory } from './purgatory/delayed-operation-purgatory.ts';
import { preferredReadReplica } from './replica-selector.ts';

/** The ReplicaManager, as the Fetch path sees it. */
export interface FetchHost {
  /** This broker's node id (the default serving node). */
  readonly nodeId: number;
  /** Where fetched records are read into. */
  readonly pool: BufferPool;
  /** replica.selector.class is Kafka's RackAwareReplicaSelector (KIP-392). */
  readonly rackAwareSelector: boolean;
  readonly brokerTopicStats: BrokerTopicStats;
  readonly replicationQuotas: ReplicationQuotas;
  readonly fetchPurgatory: DelayedOperationPurgatory<DelayedFetch>;
  /** The current metadata image. */
  image(): MetadataImage;
  /** The hosted partition, or the error code a fetch of it answers. */
  getPartitionOrError(topic: string, partition: number): Partition | number;
}

interface ReadOutcome {
  response: FetchMessagesResponse;
  bytes: number;
  hasError: boolean;
  partitions: Partition[];
}

/** Gives the record buffers of a fetch answer back to the pool (an answer not sent). */
export function releaseFetched(pool: BufferPool, response: FetchMessagesResponse): void {
  for (const t of response) for (const pd of t.partitions) if (pd.records) releaseRecords(pd.records, pool);
}

/**
 * Reads for a consumer (see the header): answers at once when minBytes are readable, a partition
 * has an error, maxWaitMs is 0 or `signal` is aborted; otherwise waits in the purgatory, then
 * reads again. Records are read into buffers of the pool; the caller's writer returns them.
 * `servingNode`: see AppendOptions.servingNode (the shared-log test cluster only).
 * `fetchOnlyFromLeader` (Kafka's): false lets a consumer read from a follower up to its HW
 * (KIP-392), and the leader name a preferred read replica; followers always need the leader.
 */
export function fetchMessages(
  h: FetchHost,
  req: FetchMessagesRequest,
  signal: AbortSignal,
  servingNode = h.nodeId,
  fetchOnlyFromLeader = true,
): FetchMessagesResponse | Promise<FetchMessagesResponse> {
  const first = readFromLocalLog(h, req, servingNode, fetchOnlyFromLeader);
  const fromFollower = (req.replicaId ?? -1) >= 0;
  if (req.maxWaitMs <= 0 || first.bytes >= req.minBytes || first.hasError || first.partitions.length === 0 || signal.aborted) {
    h.brokerTopicStats.recordFetch(first.response, fromFollower);
    if (fromFollower) h.replicationQuotas.recordLeaderFetch(first.response);
    return first.response;
  }
  releaseFetched(h.pool, first.response);
  const op = new DelayedFetch({
    partitions: first.partitions,
    bytesAtStart: first.bytes,
    minBytes: req.minBytes,
    maxWaitMs: req.maxWaitMs,
    signal,
    fromFollower,
    readCommitted: req.isolationLevel === 1,
  });
  h.fetchPurgatory.tryCompleteElseWatch(op, op.keys);
  return op.completion.then(() => {
    const { response } = readFromLocalLog(h, req, servingNode, fetchOnlyFromLeader);
    h.brokerTopicStats.recordFetch(response, fromFollower);
    if (fromFollower) h.replicationQuotas.recordLeaderFetch(response);
    return response;
  });
}

/** One pass over the requested partitions within the read budget (KIP-74). */
function readFromLocalLog(h: FetchHost, req: FetchMessagesRequest, nodeId: number, fetchOnlyFromLeader: boolean): ReadOutcome {
  let limit = req.maxBytes;
  let minOneBatch = true;
  let bytes = 0;
  let hasError = false;
  const partitions: Partition[] = [];
  const follower = req.replicaId ?? -1;
  // (followers copy the whole log: isolation applies to consumers only, as Kafka's FetchIsolation)
  const readCommitted = req.isolationLevel === 1 && follower < 0;
  // zero-copy: regions of the segment files, sent by the connection with sendfile
  const into: RecordsInto = req.fileRecords === true ? { fileRecords: true, pool: h.pool } : h.pool;
  const aborted = readCommitted ? NO_ABORTED : null;
  const response = req.topics.map((t) => ({
    topic: t.topic,
    topicId: t.topicId,
    partitions: t.partitions.map((rp): FetchPartitionResponse => {
      const p = h.getPartitionOrError(t.topic, rp.partition);
      if (typeof p === 'number') {
        hasError = true;
        return fetchError(rp.partition, p);
      }
      const leaderError = p.leaderError(nodeId, rp.currentLeaderEpoch, follower >= 0 || fetchOnlyFromLeader);
      if (leaderError !== ErrorCode.NONE) {
        hasError = true;
        return fetchError(rp.partition, leaderError);
      }
      const fetchOffset = Number(rp.fetchOffset);
      if (follower >= 0) {
        if (!p.follower(follower)) {
          hasError = true;
          return fetchError(rp.partition, rp.currentLeaderEpoch >= 0 ? ErrorCode.UNKNOWN_LEADER_EPOCH : ErrorCode.NOT_LEADER_OR_FOLLOWER);
        }
        // The follower's log forked from this one: it truncates first (no records, its state untouched).
        const diverging = divergingEpoch(p.log.leaderEpochCache, p.logEndOffset, fetchOffset, rp.lastFetchedEpoch ?? -1, p.logStartOffset);
        if (diverging === 'OFFSET_OUT_OF_RANGE') {
          hasError = true;
          return fetchError(rp.partition, ErrorCode.OFFSET_OUT_OF_RANGE);
        }
        if (diverging) {
          hasError = true;
          return {
            ...answered(p, rp.partition, aborted, EMPTY),
            divergingEpoch: { epoch: diverging.epoch, endOffset: BigInt(diverging.endOffset) },
          };
        }
      }
      // KIP-392: a consumer in another replica's rack is sent there (no records from the leader)
      if (follower < 0 && h.rackAwareSelector && req.rackId && !fetchOnlyFromLeader && p.isLeader) {
        const preferred = preferredReadReplica(p, h.image().cluster, req.rackId, fetchOffset);
        if (preferred !== -1) {
          hasError = true; // answered at once, not parked
          return { ...answered(p, rp.partition, aborted, EMPTY), preferredReadReplica: preferred };
        }
      }
      partitions.push(p);
      let records: Records;
      let abortedTransactions = aborted;
      try {
        // Once the budget is used up (limit 0, minOneBatch false) this only checks the offset
        // range: no disk read, the partition answers its offsets with no records.
        const max = Math.min(rp.partitionMaxBytes, limit);
        if (readCommitted) {
          const r = p.readCommitted(fetchOffset, max, minOneBatch, into);
          records = r.records;
          abortedTransactions = r.abortedTransactions.map((t) => ({ producerId: t.producerId, firstOffset: BigInt(t.firstOffset) }));
        } else if (follower >= 0) {
          // a throttled follower out of the ISR gets nothing while the leader's rate is exceeded
          const throttled = h.replicationQuotas.shouldLeaderThrottle(p.topic, p.partition, p.isr, follower);
          records = throttled ? EMPTY : p.readForFollower(fetchOffset, max, minOneBatch, into).records;
        } else {
          records = p.read(fetchOffset, max, minOneBatch, into).records;
        }
      } catch (err) {
        hasError = true;
        return fetchError(rp.partition, errorCodeOf(err));
      }
      // The follower's position moves the HW (and may bring it back into the ISR) before the answer.
      if (follower >= 0) p.updateFollowerFetchState(follower, fetchOffset, Number(rp.logStartOffset ?? -1n));
      if (records.length > 0) minOneBatch = false;
      limit = Math.max(0, limit - records.length);
      bytes += records.length;
      return answered(p, rp.partition, abortedTransactions, records);
    }),
  }));
  return { response, bytes, hasError, partitions };
}

/** Gives fetched records back: a buffer to its pool, a file region's descriptor to the fd cache. */
function releaseRecords(records: Records, pool: BufferPool): void {
  if (records instanceof FileRecords) records.release();
  else pool.release(records);
}
