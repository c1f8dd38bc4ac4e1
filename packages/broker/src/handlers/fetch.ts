// Fetch (API key 1), versions 4-12 served; 0-3 answered UNSUPPORTED_VERSION per partition.
//
// Behaviour: partitions are read in request order below the high watermark, whole batches as
// stored (no decoding), each within min(partitionMaxBytes, what is left of maxBytes); KIP-74: the
// first batch of the first non-empty partition is returned even when larger than both limits,
// later partitions only return batches that fit. If fewer than minBytes are readable, no
// partition has an error and maxWaitMs > 0, the request waits in the fetch purgatory (delayed-
// fetch.ts) and is answered as soon as appends commit minBytes, after maxWaitMs, when the
// connection closes or the broker stops, when a watched topic is deleted, or when the leadership of
// a watched partition moves (TopicManager.changeLeaderAndIsr) — then read again.
// Each partition answers its high watermark, last stable offset (= HW: no transactions), log
// start offset, aborted transactions (null for read_uncommitted, empty for read_committed),
// preferred read replica -1 (v11+). Errors per partition: UNKNOWN_TOPIC_OR_PARTITION,
// OFFSET_OUT_OF_RANGE (outside [logStartOffset, logEndOffset]), FENCED_LEADER_EPOCH /
// UNKNOWN_LEADER_EPOCH for a stale / future CurrentLeaderEpoch (v9+; checked first, as Kafka),
// NOT_LEADER_OR_FOLLOWER when another node leads the partition (a LocalCluster), KAFKA_STORAGE_ERROR,
// CORRUPT_MESSAGE (a stored batch failed its CRC); offsets are -1 with an error.
// Fetch sessions (KIP-227) are declined: SessionId 0 in every response; a request naming a
// session (SessionId != 0) gets FETCH_SESSION_ID_NOT_FOUND.
// Not implemented: follower fetches (replicaId >= 0 is served like a consumer), DivergingEpoch,
// CurrentLeader in error responses (KIP-951, v16+), fetching from followers (KIP-392),
// read_committed filtering (there are no transactions), fetch sessions, quotas, rack-aware
// preferred replicas. The records are read from disk directly into a buffer of the data buffer
// pool (no further copy), spliced into the response frame, and the connection returns that buffer
// to the pool once the socket write completed (reads discarded before a long poll are returned at once).
import { ApiKey, ErrorCode, type FetchRequest, type FetchResponse, type FetchResponsePartitionData } from '@tributary/protocol';
import { waitForFetch } from '../replica/purgatory/delayed-fetch.ts';
import type { Partition } from '../replica/partition.ts';
import type { TopicManager } from '../partitions/topic-manager.ts';
import type { ApiHandler } from '../server/handler-registry.ts';
import { dataBufferPool } from '@tributary/storage';

const EMPTY = Buffer.alloc(0);
type PartitionData = Omit<FetchResponsePartitionData, 'divergingEpoch' | 'currentLeader' | 'snapshotId'>;

function errorData(partitionIndex: number, errorCode: number): PartitionData {
  return { partitionIndex, errorCode, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, abortedTransactions: null, preferredReadReplica: -1, records: EMPTY };
}

interface ReadOutcome {
  response: Array<{ topic: string; topicId: string; partitions: PartitionData[] }>;
  bytes: number;
  hasError: boolean;
  partitions: Partition[];
}

function readAll(topics: TopicManager, nodeId: number, request: FetchRequest): ReadOutcome {
  let limit = request.maxBytes;
  let minOneBatch = true;
  let bytes = 0;
  let hasError = false;
  const partitions: Partition[] = [];
  const aborted = request.isolationLevel === 1 ? [] : null;
  const response = request.topics.map((t) => ({
    topic: t.topic,
    topicId: t.topicId,
    partitions: t.partitions.map((rp): PartitionData => {
      const p = topics.partition(t.topic, rp.partition);
      if (!p) { hasError = true; return errorData(rp.partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION); }
      const leaderError = p.leaderError(nodeId, rp.currentLeaderEpoch);
      if (leaderError !== ErrorCode.NONE) { hasError = true; return errorData(rp.partition, leaderError); }
      partitions.push(p);
      let records: Buffer;
      try {
        // Once the budget is used up (limit 0, minOneBatch false) this only checks the offset
        // range: no disk read, the partition answers its offsets with no records.
        records = p.read(Number(rp.fetchOffset), Math.min(rp.partitionMaxBytes, limit), minOneBatch, dataBufferPool).records;
      } catch (err) {
        hasError = true;
        const code = (err as { errorCode?: unknown }).errorCode;
        return errorData(rp.partition, typeof code === 'number' ? code : ErrorCode.UNKNOWN_SERVER_ERROR);
      }
      if (records.length > 0) minOneBatch = false;
      limit = Math.max(0, limit - records.length);
      bytes += records.length;
      return {
        partitionIndex: rp.partition,
        errorCode: ErrorCode.NONE,
        highWatermark: BigInt(p.highWatermark),
        lastStableOffset: BigInt(p.lastStableOffset),
        logStartOffset: BigInt(p.logStartOffset),
        abortedTransactions: aborted,
        preferredReadReplica: -1,
        records,
      };
    }),
  }));
  return { response, bytes, hasError, partitions };
}

function answer(out: ReadOutcome): FetchResponse {
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: out.response as FetchResponse['responses'], nodeEndpoints: [] };
}

export const fetchHandler: ApiHandler<typeof ApiKey.Fetch> = {
  apiKey: ApiKey.Fetch,
  name: 'Fetch',
  minVersion: 4,
  maxVersion: 12,
  async handle(ctx, request) {
    if (request.sessionId !== 0) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] };
    }
    const topics = ctx.services.topics;
    const nodeId = ctx.services.nodeId;
    const first = readAll(topics, nodeId, request);
    if (request.maxWaitMs <= 0 || first.bytes >= request.minBytes || first.hasError || first.partitions.length === 0 || ctx.signal.aborted) {
      return answer(first);
    }
    for (const t of first.response) for (const pd of t.partitions) if (pd.records) dataBufferPool.release(pd.records);
    await waitForFetch({
      purgatory: topics.purgatory,
      partitions: first.partitions,
      bytesAtStart: first.bytes,
      minBytes: request.minBytes,
      maxWaitMs: request.maxWaitMs,
      signal: ctx.signal,
    });
    return answer(readAll(topics, nodeId, request));
  },
  rejectVersion(ctx, request) {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      sessionId: 0,
      responses: request.topics.map((t) => ({ topic: t.topic, topicId: t.topicId, partitions: t.partitions.map((p) => errorData(p.partition, ErrorCode.UNSUPPORTED_VERSION)) })),
    };
  },
};
