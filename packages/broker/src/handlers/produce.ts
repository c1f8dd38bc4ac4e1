// Produce (API key 0): versions 3-11 served; 0-2 answered UNSUPPORTED_VERSION per partition
// (rejectVersion), as Kafka 4 does.
//
// Delegates to ReplicaManager.appendRecords (replica/replica-manager.ts), which does per partition:
//   - acks other than 0, 1, -1 -> INVALID_REQUIRED_ACKS (every partition);
//   - internal topics (__consumer_offsets, __transaction_state) refuse client writes, invalid
//     names -> INVALID_TOPIC_EXCEPTION; unknown topic or partition -> UNKNOWN_TOPIC_OR_PARTITION;
//     another node leads -> NOT_LEADER_OR_FOLLOWER, nothing appended;
//   - validation (replica/log-validator.ts): exactly one v2 batch -> else INVALID_RECORD; zstd
//     before v7 -> UNSUPPORTED_COMPRESSION_TYPE; CRC -> CORRUPT_MESSAGE; max.message.bytes ->
//     MESSAGE_TOO_LARGE; segment.bytes -> RECORD_LIST_TOO_LARGE; CreateTime topics refuse batch
//     timestamps outside message.timestamp.before/after.max.ms (INVALID_TIMESTAMP); compacted
//     topics (cleanup.policy with compact) refuse a batch with keyless records (INVALID_RECORD,
//     every such record in record_errors); the topic's compression.type recompresses;
//   - the append (replica/partition.ts): offsets, leader epoch, LogAppendTime stamped in the batch
//     header; acks=-1 checks min.insync.replicas -> NOT_ENOUGH_REPLICAS, then waits up to the
//     request's timeoutMs for the ISR (replica/purgatory/delayed-produce.ts):
//     NOT_ENOUGH_REPLICAS_AFTER_APPEND, NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT; idempotent producers:
//     INVALID_PRODUCER_EPOCH, OUT_OF_ORDER_SEQUENCE_NUMBER, and a retried duplicate of one of the
//     last 5 batches answered with its original offsets; transactional producers: a
//     non-transactional batch inside an open transaction -> INVALID_TXN_STATE (storage's
//     producer-state.ts, rebuilt after a restart from its snapshots and the log); the first
//     transactional batch of a producer on a partition is verified with its transaction
//     coordinator first (KIP-890, replica/produce-verification.ts): INVALID_TXN_STATE when the
//     partition is not in the transaction, NOT_ENOUGH_REPLICAS when the coordinator cannot say;
//   - tributary.durability=fsync: the answer waits for the fsync covering the append (group commit);
//   - storage failures -> KAFKA_STORAGE_ERROR.
// acks=0 gets no response; when any partition of an acks=0 request failed, the connection is
// closed instead (after the responses to earlier requests), as Kafka does, so the producer
// notices and refreshes its metadata.
//
// Quotas (Kafka's ClientQuotaManager, quota/): with a producer_byte_rate applying to the client
// (user = the principal's name, client id), the request's bytes are recorded when it is answered;
// over the quota the response carries throttle_time_ms and the connection stops reading for that
// long (KIP-219; also for acks=0 and for v3-v5, which Kafka would answer late instead).
//
// Version notes:
//   * v5+: log start offset in the response.
//   * v8+: error message and record_errors (batch index and message of each refused record); older
//     versions get the same error code without them (Kafka's fields are ignorable), as Kafka does.
// Authorization (Kafka's KafkaApis.handleProduceRequest): a request carrying a transactional batch
// needs WRITE on its transactional id (else every partition TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
// each topic needs WRITE (else its partitions TOPIC_AUTHORIZATION_FAILED, the others proceed).
// Idempotent batches need nothing more here (Kafka 3.x: InitProducerId authorizes them).
// Not implemented:
//   * per-record timestamp checks (batch granularity only); so on a compacted topic a batch with a
//     bad timestamp and keyless records answers INVALID_TIMESTAMP alone, where Kafka lists both.
import { ApiKey, Attr, ErrorCode, Off, type ProduceRequest } from '@tributary/protocol';
import { recordAndThrottle } from '../quota/record-and-throttle.ts';
import { produceError } from '../replica/replica-manager.ts';
import { AclOperation, ResourceType } from '../server/authorizer.ts';
import { CLOSE_CONNECTION, NO_RESPONSE, type ApiHandler } from '../server/handler-registry.ts';

/** Every partition of the request answered with `errorCode`. */
function everyPartition(request: ProduceRequest, errorCode: number, errorMessage: string | null) {
  return {
    responses: request.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((pd) => produceError(pd.index, errorCode, errorMessage)),
    })),
    throttleTimeMs: 0,
  };
}

/** Whether some batch is transactional (its header's attributes only: records stay undecoded). */
function hasTransactionalRecords(request: ProduceRequest): boolean {
  return request.topicData.some((t) =>
    t.partitionData.some((pd) => {
      const r = pd.records;
      return r !== null && r.length >= Off.Attributes + 2 && (r.readInt16BE(Off.Attributes) & Attr.Transactional) !== 0;
    }),
  );
}

export const produceHandler: ApiHandler<typeof ApiKey.Produce> = {
  apiKey: ApiKey.Produce,
  name: 'Produce',
  minVersion: 3,
  maxVersion: 11,
  handle(ctx, request) {
    const acks = request.acks;
    if (
      hasTransactionalRecords(request) &&
      (request.transactionalId === null || !ctx.authorize(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId))
    ) {
      return acks === 0 ? CLOSE_CONNECTION : everyPartition(request, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, null);
    }
    const writable = new Map<string, boolean>();
    for (const t of request.topicData) {
      if (!writable.has(t.name)) writable.set(t.name, ctx.authorize(AclOperation.WRITE, ResourceType.TOPIC, t.name));
    }
    const allowed = request.topicData.filter((t) => writable.get(t.name));
    const result = ctx.services.replicas.appendRecords({
      requiredAcks: acks,
      internalTopicsAllowed: false,
      origin: 'client',
      produceVersion: ctx.header.apiVersion,
      topics: allowed,
      servingNode: ctx.services.nodeId,
      timeoutMs: request.timeoutMs,
      transactionalId: request.transactionalId,
    });
    // acks=0: no response; if any partition failed, the connection is closed instead so the
    // producer notices (Kafka's closeConnection) and refreshes its metadata.
    const answer = (appended: Awaited<typeof result>) => {
      const responses =
        allowed.length === request.topicData.length
          ? appended
          : request.topicData.map((t) =>
              writable.get(t.name)
                ? appended[allowed.indexOf(t)]!
                : {
                    name: t.name,
                    partitionResponses: t.partitionData.map((pd) => produceError(pd.index, ErrorCode.TOPIC_AUTHORIZATION_FAILED, null)),
                  },
            );
      const quota = ctx.services.quotas.produce;
      const throttleTimeMs = quota.enabled ? recordAndThrottle(ctx, quota, ctx.requestBytes) : 0;
      if (acks !== 0) return { responses, throttleTimeMs };
      return responses.some((t) => t.partitionResponses.some((pr) => pr.errorCode !== ErrorCode.NONE)) ? CLOSE_CONNECTION : NO_RESPONSE;
    };
    return result instanceof Promise ? result.then(answer) : answer(result);
  },
  // Kafka's ProduceRequest.getErrorResponse: every partition with the code; acks=0 expects no
  // response, so the connection is closed instead.
  errorResponse: (request, errorCode) => (request.acks === 0 ? CLOSE_CONNECTION : everyPartition(request, errorCode, null)),
  rejectVersion: (_ctx, request) =>
    everyPartition(request, ErrorCode.UNSUPPORTED_VERSION, 'Produce v0-2 are not supported; use v3 or later'),
};
