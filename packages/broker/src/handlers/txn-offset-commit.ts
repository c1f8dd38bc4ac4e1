// TxnOffsetCommit (API key 28): a transactional producer commits a consumer group's offsets as
// part of its transaction (sendOffsetsToTransaction).
//
// Versions: 0-4.
//
// Behaviour:
// * Authorization in Kafka's order: WRITE on the transactional id (else
//   TRANSACTIONAL_ID_AUTHORIZATION_FAILED on every partition), READ on the group (else
//   GROUP_AUTHORIZATION_FAILED on every partition), then READ on each topic: a topic refused is
//   answered TOPIC_AUTHORIZATION_FAILED, a topic the metadata does not know
//   UNKNOWN_TOPIC_OR_PARTITION, and so is each partition it does not have; none of these reach the
//   coordinator. Answered in Kafka's order (TxnOffsetCommitResponse.Builder): the partitions
//   answered here first, by topic in request order, then the coordinator's results, appended to
//   their topic or as new topics.
// * The group coordinator validates the group as Kafka's commitTransactionalOffset does (see
//   coordinator/group/offset-metadata-manager.ts): empty group id INVALID_GROUP_ID; an unknown
//   group is created as a simple group, unless a generation is given (ILLEGAL_GENERATION); a
//   group-level error is answered on every partition sent to it.
// * Metadata longer than offset.metadata.max.bytes: OFFSET_METADATA_TOO_LARGE for that partition.
// * The other partitions' OffsetCommit records are appended as ONE transactional record batch of
//   the producer (ProducerId, ProducerEpoch, attributes bit 4, BaseSequence 0) to the group's
//   __consumer_offsets partition, answered once the ISR has it. The partition's producer state
//   checks the epoch: an epoch below the producer's is INVALID_PRODUCER_EPOCH on every partition.
//   Other refused appends are mapped as Kafka's coordinator runtime maps them
//   (NOT_LEADER_OR_FOLLOWER -> NOT_COORDINATOR, NOT_ENOUGH_REPLICAS -> COORDINATOR_NOT_AVAILABLE).
// * The offsets stay pending (OffsetFetch does not show them; with RequireStable it answers
//   UNSTABLE_OFFSET_COMMIT) until the transaction's COMMIT marker reaches the partition
//   (GroupCoordinatorService.onTransactionCompleted); an ABORT marker drops them.
//
// Version notes:
// * v0-1: COORDINATOR_LOAD_IN_PROGRESS is answered COORDINATOR_NOT_AVAILABLE (as Kafka does for
//   clients from before KAFKA-7296).
// * v2: CommittedLeaderEpoch.
// * v3: GenerationId, MemberId, GroupInstanceId, checked like OffsetCommit's when given (the
//   group's state is not, and a request without member is accepted whatever the group holds).
// * v4: TRANSACTION_ABORTABLE may come from KIP-890 verification, which is not implemented.
//
// Not implemented:
// * KIP-890 transaction verification (the coordinator does not ask the transaction coordinator
//   whether the group's partition was added to the transaction)
// * the new consumer protocol's member epochs
// * quotas
import { ApiKey, ErrorCode, type TxnOffsetCommitRequest, type TxnOffsetCommitResponse } from '@tributary/protocol';
import { AclOperation, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

type ResponseTopic = TxnOffsetCommitResponse['topics'][number];
type RequestTopic = TxnOffsetCommitRequest['topics'][number];

/** Every partition with the code (Kafka's TxnOffsetCommitRequest.getErrorResponse). */
const txnOffsetCommitError = (request: TxnOffsetCommitRequest, errorCode: number) => ({
  throttleTimeMs: 0,
  topics: request.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
  })),
});

/** Kafka's TxnOffsetCommitResponse.Builder: topics in the order they are first answered. */
class ResponseBuilder {
  topics: ResponseTopic[] = [];
  private readonly byName = new Map<string, ResponseTopic>();

  add(topic: string, partitionIndex: number, errorCode: number): void {
    let t = this.byName.get(topic);
    if (!t) {
      t = { name: topic, partitions: [] };
      this.topics.push(t);
      this.byName.set(topic, t);
    }
    t.partitions.push({ partitionIndex, errorCode });
  }

  merge(topics: ResponseTopic[]): void {
    for (const t of topics) {
      const existing = this.byName.get(t.name);
      if (existing) existing.partitions.push(...t.partitions);
      else {
        this.topics.push(t);
        this.byName.set(t.name, t);
      }
    }
  }
}

export const txnOffsetCommitHandler: ApiHandler<typeof ApiKey.TxnOffsetCommit> = {
  apiKey: ApiKey.TxnOffsetCommit,
  name: 'TxnOffsetCommit',
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, request) {
    const version = ctx.header.apiVersion;
    if (!ctx.authorize(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId)) {
      return txnOffsetCommitError(request, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    }
    if (!ctx.authorize(AclOperation.READ, ResourceType.GROUP, request.groupId)) {
      return txnOffsetCommitError(request, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    }
    const response = new ResponseBuilder();
    const valid: RequestTopic[] = [];
    for (const t of request.topics) {
      if (!ctx.authorize(AclOperation.READ, ResourceType.TOPIC, t.name)) {
        for (const p of t.partitions) response.add(t.name, p.partitionIndex, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        continue;
      }
      const count = ctx.services.metadata.topic(t.name)?.partitions.length;
      if (count === undefined) {
        for (const p of t.partitions) response.add(t.name, p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        continue;
      }
      const existing = t.partitions.filter((p) => p.partitionIndex >= 0 && p.partitionIndex < count);
      for (const p of t.partitions) if (!existing.includes(p)) response.add(t.name, p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      if (existing.length > 0) valid.push({ name: t.name, partitions: existing });
    }
    if (valid.length > 0) {
      const result = await ctx.services.groupCoordinator.coordinator.commitTransactionalOffsets({
        transactionalId: request.transactionalId,
        groupId: request.groupId,
        producerId: request.producerId,
        producerEpoch: request.producerEpoch,
        generationId: version >= 3 ? request.generationId : -1,
        memberId: version >= 3 ? request.memberId : '',
        groupInstanceId: version >= 3 ? request.groupInstanceId : null,
        apiVersion: version,
        topics: valid.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            committedOffset: Number(p.committedOffset),
            committedLeaderEpoch: version >= 2 ? p.committedLeaderEpoch : -1,
            committedMetadata: p.committedMetadata,
          })),
        })),
      });
      response.merge(result.topics);
    }
    if (version < 2) {
      for (const t of response.topics) {
        for (const p of t.partitions) {
          if (p.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) p.errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;
        }
      }
    }
    return { throttleTimeMs: 0, topics: response.topics };
  },
  errorResponse: txnOffsetCommitError,
};
