// Produce (API key 0), versions 3-11 served; 0-2 answered UNSUPPORTED_VERSION per partition
// (rejectVersion), as Kafka 4 does.
//
// Behaviour: Acks must be 0, 1 or -1 (else INVALID_REQUIRED_ACKS for every partition). Per
// partition: invalid topic name -> INVALID_TOPIC_EXCEPTION; internal topics (__consumer_offsets,
// __transaction_state) refuse client writes (INVALID_TOPIC_EXCEPTION); unknown topic or partition
// -> UNKNOWN_TOPIC_OR_PARTITION; a partition led by another node (a LocalCluster) ->
// NOT_LEADER_OR_FOLLOWER, nothing appended. The records go through log-validator.ts (exactly one v2 batch per
// partition -> else INVALID_RECORD; zstd before v7 -> UNSUPPORTED_COMPRESSION_TYPE; CRC,
// max.message.bytes -> MESSAGE_TOO_LARGE, segment.bytes -> RECORD_LIST_TOO_LARGE, the topic's
// compression.type with recompression) and are appended by the Partition (offsets, leader epoch
// and, for message.timestamp.type=LogAppendTime, the broker time stamped into the batch headers;
// acks=-1 checks min.insync.replicas -> NOT_ENOUGH_REPLICAS). With tributary.durability=fsync
// the answer waits for the fsync covering the append (group commit). All partitions are
// validated and written without waiting for one another; the answer is synchronous (no promise)
// unless recompression or an fsync wait needs one. acks=0 gets no response; when any partition
// of an acks=0 request fails, the connection is closed instead (after the responses to earlier
// requests are written), as Kafka does, so the producer notices and refreshes its metadata.
// Response: base offset, LogAppendTime (-1 for CreateTime topics), log start offset (v5+), error
// message (v8+). Storage failures answer KAFKA_STORAGE_ERROR.
// Idempotent producers (batches with a producer id): epoch and sequence checks per partition
// (INVALID_PRODUCER_EPOCH, OUT_OF_ORDER_SEQUENCE_NUMBER), and a retried duplicate of one of the
// last 5 batches is answered with its original offsets without appending (producer-state.ts).
// CreateTime topics refuse batches outside message.timestamp.before/after.max.ms (INVALID_TIMESTAMP,
// checked on the batch header's timestamps).
// After a restart producer state is rebuilt from the active segment only (no snapshots).
// Not implemented: transactions (transactional
// batches are stored as sent), per-record timestamp checks
// (message.timestamp.before/after.max.ms), quotas / throttling, request timeoutMs (nothing waits
// on other replicas).
import { ApiKey, ErrorCode, type ProduceResponsePartitionProduceResponse } from '@tributary/protocol';
import type { Partition } from '../replica/partition.ts';
import { PartitionError } from '../replica/partition.ts';
import { validateRecords } from '../replica/log-validator.ts';
import { isInternalTopic, topicNameProblem } from '../metadata/topic-names.ts';
import type { TopicManager } from '../partitions/topic-manager.ts';
import { CLOSE_CONNECTION, NO_RESPONSE, type ApiHandler } from '../server/handler-registry.ts';

type PartitionResponse = Omit<ProduceResponsePartitionProduceResponse, 'currentLeader' | 'recordErrors'>;

function errorResponse(index: number, errorCode: number, errorMessage: string | null = null): PartitionResponse {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, errorMessage };
}

function codeOf(err: unknown): number {
  if (err instanceof PartitionError) return err.errorCode;
  const code = (err as { errorCode?: unknown })?.errorCode;
  return typeof code === 'number' ? code : ErrorCode.UNKNOWN_SERVER_ERROR;
}

function appended(p: Partition, info: { firstOffset: number; logAppendTimeMs: number }): PartitionResponse {
  return {
    index: p.partition,
    errorCode: ErrorCode.NONE,
    baseOffset: BigInt(info.firstOffset),
    logAppendTimeMs: BigInt(info.logAppendTimeMs),
    logStartOffset: BigInt(p.logStartOffset),
    errorMessage: null,
  };
}

function failed(topics: TopicManager, p: Partition, err: unknown): PartitionResponse {
  // The topic was deleted while this append was in flight.
  if (topics.partition(p.topic, p.partition) !== p) return errorResponse(p.partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
  return errorResponse(p.partition, codeOf(err), (err as Error).message ?? null);
}

function notLeader(p: Partition): PartitionError {
  return new PartitionError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `This server is not the leader for partition ${p.topic}-${p.partition} (leader ${p.leader}).`);
}

/** Validates and appends; synchronous unless recompression or an fsync wait makes it asynchronous. */
function appendOne(topics: TopicManager, nodeId: number, p: Partition, records: Buffer, acks: number, version: number, now: () => number): PartitionResponse | Promise<PartitionResponse> {
  try {
    const cfg = p.config;
    const v = validateRecords(records, {
      get topicPartition() { return `${p.topic}-${p.partition}`; }, // built only for an error message
      produceVersion: version,
      maxMessageBytes: cfg.maxMessageBytes,
      segmentBytes: p.log.config.segmentBytes,
      compressionType: cfg.compressionType,
      timestamps: cfg.logAppendTime ? null : { now: now(), beforeMaxMs: cfg.timestampBeforeMaxMs, afterMaxMs: cfg.timestampAfterMaxMs },
    });
    if (v.records instanceof Promise) {
      // leadership may have moved while the records were recompressed
      return v.records.then((batches) => (p.leader === nodeId ? p.appendAsLeaderNow(batches, acks) : Promise.reject(notLeader(p)))).then((info) => appended(p, info), (err) => failed(topics, p, err));
    }
    const info = p.appendAsLeaderNow(v.records, acks);
    if (info instanceof Promise) return info.then((i) => appended(p, i), (err) => failed(topics, p, err));
    return appended(p, info);
  } catch (err) {
    return failed(topics, p, err);
  }
}

function produceTo(topics: TopicManager, nodeId: number, name: string, index: number, records: Buffer | null, acks: number, version: number, now: () => number): PartitionResponse | Promise<PartitionResponse> {
  if (isInternalTopic(name)) return errorResponse(index, ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${name}`);
  const p = topics.partition(name, index);
  if (!p) {
    // Hosted topics have valid names: the name is only checked on a miss, to pick the error.
    const nameProblem = topicNameProblem(name);
    if (nameProblem) return errorResponse(index, ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem);
    return errorResponse(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
  }
  if (p.leader !== nodeId) return failed(topics, p, notLeader(p));
  if (records === null || records.length === 0) return errorResponse(index, ErrorCode.INVALID_RECORD, `Produce requests with version ${version} must have at least one record batch per partition`);
  return appendOne(topics, nodeId, p, records, acks, version, now);
}

export const produceHandler: ApiHandler<typeof ApiKey.Produce> = {
  apiKey: ApiKey.Produce,
  name: 'Produce',
  minVersion: 3,
  maxVersion: 11,
  handle(ctx, request) {
    const acks = request.acks;
    const topics = ctx.services.topics;
    const nodeId = ctx.services.nodeId;
    const validAcks = acks === 0 || acks === 1 || acks === -1;
    const clock = ctx.services.time;
    const now = () => clock.now();
    // Every partition is validated and appended before any is waited on; the answer is
    // synchronous unless some partition has to wait (recompression, fsync mode).
    let waits: Array<Promise<unknown>> | null = null;
    const responses = request.topicData.map((t) => {
      const partitionResponses: PartitionResponse[] = [];
      for (const pd of t.partitionData) {
        const r = validAcks ? produceTo(topics, nodeId, t.name, pd.index, pd.records, acks, ctx.header.apiVersion, now) : errorResponse(pd.index, ErrorCode.INVALID_REQUIRED_ACKS);
        if (r instanceof Promise) {
          const i = partitionResponses.length;
          partitionResponses.push(errorResponse(pd.index, ErrorCode.UNKNOWN_SERVER_ERROR));
          (waits ??= []).push(r.then((res) => { partitionResponses[i] = res; }));
        } else {
          partitionResponses.push(r);
        }
      }
      return { name: t.name, partitionResponses };
    });
    // acks=0: no response; if any partition failed, the connection is closed instead so the
    // producer notices (Kafka's closeConnection) and refreshes its metadata.
    const failedAny = () => responses.some((t) => t.partitionResponses.some((pr) => pr.errorCode !== ErrorCode.NONE));
    const answer = () => (acks === 0 ? (failedAny() ? CLOSE_CONNECTION : NO_RESPONSE) : { responses, throttleTimeMs: 0 });
    return waits ? Promise.all(waits as Array<Promise<unknown>>).then(answer) : answer();
  },
  rejectVersion(ctx, request) {
    return {
      responses: request.topicData.map((t) => ({
        name: t.name,
        partitionResponses: t.partitionData.map((pd) => errorResponse(pd.index, ErrorCode.UNSUPPORTED_VERSION, 'Produce v0-2 are not supported; use v3 or later')),
      })),
      throttleTimeMs: 0,
    };
  },
};
