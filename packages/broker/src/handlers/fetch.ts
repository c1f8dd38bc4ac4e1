// Fetch (API key 1): versions 4-12 served; 0-3 answered UNSUPPORTED_VERSION per partition.
//
// Delegates to ReplicaManager.fetchMessages (replica/replica-manager.ts):
//   - the response's budget is min(MaxBytes, the broker's fetch.max.bytes (55 MiB), a consumer's
//     quota window), as Kafka's KafkaApis; MinBytes no more than that. A client cannot make the
//     broker read or hold more for one request (a 2 GiB MaxBytes gets fetch.max.bytes);
//   - partitions are read in request order below the high watermark, whole batches as stored (no
//     decoding), each within min(partitionMaxBytes, what is left of the budget), one read of at
//     most that many bytes from one segment (never a whole segment); KIP-74: the first batch of
//     the first non-empty partition is returned even when larger than both limits, later
//     partitions only return batches that fit;
//   - fewer than minBytes readable, no partition error and maxWaitMs > 0: the request waits in
//     the fetch purgatory (replica/purgatory/delayed-fetch.ts) until appends commit minBytes,
//     maxWaitMs passes, the connection closes or the broker stops, a watched topic is deleted or a
//     watched partition's leader moves; then it is read again;
//   - each partition answers its high watermark, last stable offset (min(HW, the first offset of
//     the oldest undecided transaction)), log start offset, aborted transactions: null for
//     read_uncommitted; for read_committed (IsolationLevel 1) the records stop below the last
//     stable offset and the aborted transactions (ProducerId, FirstOffset) overlapping the records
//     returned are listed, from the segments' .txnindex (Kafka's collectAbortedTransactions); a
//     long poll then waits for bytes below the LSO;
//   - errors per partition (offsets -1): UNKNOWN_TOPIC_OR_PARTITION; FENCED_LEADER_EPOCH /
//     UNKNOWN_LEADER_EPOCH for a stale / future CurrentLeaderEpoch (checked first, as Kafka);
//     NOT_LEADER_OR_FOLLOWER; OFFSET_OUT_OF_RANGE (outside [logStartOffset, logEndOffset]);
//     KAFKA_STORAGE_ERROR; CORRUPT_MESSAGE (a stored batch failed its CRC).
// Records are read from disk straight into buffers of the data buffer pool, spliced into the
// response frame, and returned to the pool by the connection once written. On a plaintext
// connection of a broker with zero-copy on (tributary.zero.copy.enable, the sendfile addon loaded)
// they are not read at all: the answer names regions of the segment files (FileRecords, found from
// the batch headers) and the connection sends them with sendfile(2) (server/response-output.ts);
// the bytes on the wire are the same.
// Fetch sessions (KIP-227) are declined: SessionId 0 in every response; a request naming a session
// (SessionId != 0) gets FETCH_SESSION_ID_NOT_FOUND.
//
// Version notes:
//   * v9+: CurrentLeaderEpoch checked.
//   * v11+: RackId and PreferredReadReplica (KIP-392, above).
// Follower fetches (ReplicaId >= 0, another broker copying the partition): read up to the log end
// offset, not the HW; a LastFetchedEpoch that does not match this log answers DivergingEpoch (v12+)
// and no records; the follower's fetch offset is recorded as its log end offset (the HW and the ISR
// follow); a long poll also wakes on new appends and HW moves.
// Fetching from followers (KIP-392): a consumer's Fetch v11+ to a broker that follows the
// partition is answered from that broker's log, up to its own high watermark (earlier versions and
// followers' fetches need the leader: NOT_LEADER_OR_FOLLOWER). With replica.selector.class set to
// Kafka's RackAwareReplicaSelector, the leader answers a consumer whose RackId (client.rack) is an
// in-sync follower's rack with that follower as PreferredReadReplica and no records
// (replica/replica-selector.ts).
// Authorization (Kafka's KafkaApis.handleFetchRequest): a follower's fetch needs CLUSTER_ACTION on
// the cluster, else every partition TOPIC_AUTHORIZATION_FAILED; a consumer's needs READ on each
// topic, else that topic's partitions TOPIC_AUTHORIZATION_FAILED (the others are fetched).
// Quotas (Kafka's ClientQuotaManager, quota/): a consumer's Fetch with a consumer_byte_rate applying
// (user = the principal's name, client id) is capped to the quota over (samples - 1) windows
// (MaxBytes and MinBytes, as Kafka's getMaxValueInQuotaWindow) and records the response's bytes; over the quota the bytes
// are taken back, the answer is empty (no partitions) with throttle_time_ms, and the connection
// stops reading for that long, as Kafka answers a throttled fetch (KIP-219). Follower fetches are
// not limited.
// Not implemented:
//   * CurrentLeader in error responses (KIP-951, v16+);
//   * fetch sessions.
import { ApiKey, ErrorCode, type FetchRequest, type FetchResponse } from '@tributary/protocol';
import { recordAndThrottle } from '../quota/record-and-throttle.ts';
import { fetchError, type FetchMessagesResponse } from '../replica/replica-manager.ts';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler, RequestContext } from '../server/handler-registry.ts';

function answer(responses: FetchMessagesResponse): FetchResponse {
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    sessionId: 0,
    responses: responses as FetchResponse['responses'],
    nodeEndpoints: [],
  };
}

/** A response's size as recorded by the fetch quota: the records plus a partition header each. */
function responseBytes(responses: FetchMessagesResponse): number {
  let n = 0;
  for (const t of responses) {
    n += t.topic.length + 20;
    for (const p of t.partitions) n += (p.records?.length ?? 0) + 50;
  }
  return n;
}

/** A consumer's answer through its consumer_byte_rate quota: throttled, it is empty. */
function throttled(ctx: RequestContext, responses: FetchMessagesResponse): FetchResponse {
  const quota = ctx.services.quotas.fetch;
  const bytes = responseBytes(responses);
  const throttleTimeMs = recordAndThrottle(ctx, quota, bytes);
  if (throttleTimeMs === 0) return answer(responses);
  quota.unrecord(ctx.connection.principal.name, ctx.header.clientId ?? '', bytes, ctx.services.time.now());
  ctx.services.replicas.releaseFetched(responses);
  return { ...answer([]), throttleTimeMs };
}

/** Every partition of the request answered with `errorCode`. */
function everyPartition(request: FetchRequest, errorCode: number): FetchResponse {
  return answer(
    request.topics.map((t) => ({
      topic: t.topic,
      topicId: t.topicId,
      partitions: t.partitions.map((p) => fetchError(p.partition, errorCode)),
    })),
  );
}

export const fetchHandler: ApiHandler<typeof ApiKey.Fetch> = {
  apiKey: ApiKey.Fetch,
  name: 'Fetch',
  minVersion: 4,
  maxVersion: 12,
  handle(ctx, request) {
    if (request.sessionId !== 0) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] };
    }
    // Kafka's fetchOnlyFromLeader: followers, and consumers before v11 (no client metadata)
    const fetchOnlyFromLeader = request.replicaId >= 0 || ctx.header.apiVersion < 11;
    let readable: (topic: string) => boolean;
    if (request.replicaId >= 0) {
      const clusterAction = ctx.authorize(AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME);
      readable = () => clusterAction;
    } else {
      const byTopic = new Map<string, boolean>();
      readable = (topic) => {
        let ok = byTopic.get(topic);
        if (ok === undefined) byTopic.set(topic, (ok = ctx.authorize(AclOperation.READ, ResourceType.TOPIC, topic)));
        return ok;
      };
    }
    const quota = request.replicaId < 0 && ctx.services.quotas.fetch.enabled;
    const finish = (responses: FetchMessagesResponse) => (quota ? throttled(ctx, responses) : answer(responses));
    const fetch = (topics: FetchRequest['topics']) => {
      let req = topics === request.topics ? request : { ...request, topics };
      // Kafka's KafkaApis: min(max_bytes, fetch.max.bytes, the consumer's quota window), and
      // min_bytes no more than that
      let cap = ctx.services.config.get('fetch.max.bytes');
      if (quota)
        cap = Math.min(cap, ctx.services.quotas.fetch.maxValueInQuotaWindow(ctx.connection.principal.name, ctx.header.clientId ?? ''));
      if (cap < req.maxBytes) req = { ...req, maxBytes: cap, minBytes: Math.min(req.minBytes, cap) };
      // zero-copy (plaintext connections): records as segment file regions, sent with sendfile
      const zeroCopy = ctx.connection.zeroCopy === true;
      return ctx.services.replicas.fetchMessages(
        zeroCopy ? { ...req, fileRecords: true } : req,
        ctx.signal,
        ctx.services.nodeId,
        fetchOnlyFromLeader,
      );
    };
    const allowed = request.topics.filter((t) => readable(t.topic));
    if (allowed.length === request.topics.length) {
      const result = fetch(request.topics);
      return result instanceof Promise ? result.then(finish) : finish(result);
    }
    const merge = (fetched: FetchMessagesResponse) =>
      finish(
        request.topics.map((t) =>
          readable(t.topic)
            ? fetched[allowed.indexOf(t)]!
            : {
                topic: t.topic,
                topicId: t.topicId,
                partitions: t.partitions.map((p) => fetchError(p.partition, ErrorCode.TOPIC_AUTHORIZATION_FAILED)),
              },
        ),
      );
    if (allowed.length === 0) return merge([]);
    const result = fetch(allowed);
    return result instanceof Promise ? result.then(merge) : merge(result);
  },
  // Kafka's FetchRequest.getErrorResponse before v13: every partition with the code (from v13 on
  // Kafka answers a top-level code and no partitions).
  errorResponse: (request, errorCode) => everyPartition(request, errorCode),
  rejectVersion: (_ctx, request) => everyPartition(request, ErrorCode.UNSUPPORTED_VERSION),
};
