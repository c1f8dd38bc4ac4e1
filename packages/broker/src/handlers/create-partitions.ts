// CreatePartitions (API key 37).
//
// Versions: 0-3.
//
// Behaviour:
// * Grows each topic to `count` partitions (the controller's CreatePartitions). An unknown topic is
//   UNKNOWN_TOPIC_OR_PARTITION; a count lower than or equal to the current one is
//   INVALID_PARTITIONS (partitions can only be added).
// * Explicit assignments must name one replica list per new partition, of the topic's
//   replication factor, with registered brokers only (on one broker: [this node]), else
//   INVALID_REPLICA_ASSIGNMENT; they are otherwise taken as given.
// * A topic named twice fails with INVALID_REQUEST ("Duplicate topic in request.").
// * Internal topics (__consumer_offsets, __transaction_state) are refused with INVALID_REQUEST:
//   their coordinators map keys to partitions by the partition count, which must not change.
// * Adding more than 10000 partitions in one request is POLICY_VIOLATION ("Excessively large
//   number of partitions per request."), as Kafka's controller.
// * ValidateOnly checks without creating.
// * New partitions are led by this node at leader epoch 0, with empty logs, and are visible to
//   Metadata at once.
// * Authorization: ALTER on each topic, else TOPIC_AUTHORIZATION_FAILED (after the duplicate
//   check).
//
// Not implemented:
// * timeoutMs (the controller answers once the records are durable)
// * create-partitions policies
import { ApiKey, ErrorCode, errorInfo, type CreatePartitionsResponseCreatePartitionsTopicResult } from '@tributary/protocol';
import type { CreatePartitionsTopic } from '@tributary/metadata';
import { isInternalTopic } from '@tributary/metadata';
import { AclOperation, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

/** As Kafka's controller (ReplicationControlManager.MAX_PARTITIONS_PER_BATCH): bounds the work of one request. */
const MAX_PARTITIONS_PER_REQUEST = 10_000;

export const createPartitionsHandler: ApiHandler<typeof ApiKey.CreatePartitions> = {
  apiKey: ApiKey.CreatePartitions,
  name: 'CreatePartitions',
  minVersion: 0,
  maxVersion: 3,
  async handle(ctx, request) {
    const metadata = ctx.services.metadata;
    const count = new Map<string, number>();
    for (const t of request.topics) count.set(t.name, (count.get(t.name) ?? 0) + 1);
    const results: CreatePartitionsResponseCreatePartitionsTopicResult[] = [];
    const answeredDuplicates = new Set<string>();
    const pending: Array<{ index: number; topic: CreatePartitionsTopic }> = [];
    for (const rt of request.topics) {
      if (count.get(rt.name)! > 1) {
        if (answeredDuplicates.has(rt.name)) continue;
        answeredDuplicates.add(rt.name);
        results.push({ name: rt.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic in request.' });
        continue;
      }
      if (!ctx.authorize(AclOperation.ALTER, ResourceType.TOPIC, rt.name)) {
        results.push({ name: rt.name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null });
        continue;
      }
      if (isInternalTopic(rt.name) && metadata.topic(rt.name)) {
        results.push({
          name: rt.name,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: `Cannot increase the partitions of internal topic ${rt.name}.`,
        });
        continue;
      }
      const have = metadata.topic(rt.name)?.partitions.length ?? 0;
      if (rt.count - have > MAX_PARTITIONS_PER_REQUEST) {
        results.push({
          name: rt.name,
          errorCode: ErrorCode.POLICY_VIOLATION,
          errorMessage: 'Excessively large number of partitions per request.',
        });
        continue;
      }
      const assignments = rt.assignments === null ? null : rt.assignments.map((a) => a.brokerIds);
      pending.push({ index: results.length, topic: { name: rt.name, count: rt.count, assignments } });
      results.push({ name: rt.name, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null });
    }
    if (pending.length === 0) return { throttleTimeMs: 0, results };
    const answers = await ctx.services.controller.createPartitions(
      pending.map((p) => p.topic),
      { validateOnly: request.validateOnly },
    );
    for (const [i, r] of answers.entries()) {
      const { index, topic } = pending[i]!;
      results[index] = { name: topic.name, errorCode: r.errorCode, errorMessage: r.errorMessage };
      if (r.errorCode === ErrorCode.NONE && !request.validateOnly)
        ctx.services.log.info('partitions created', { topic: topic.name, count: topic.count });
    }
    return { throttleTimeMs: 0, results };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    results: request.topics.map((t) => ({ name: t.name, errorCode, errorMessage: errorInfo(errorCode).message })),
  }),
};
