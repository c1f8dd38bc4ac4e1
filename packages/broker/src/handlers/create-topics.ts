// CreateTopics (API key 19).
//
// Versions: 0-7.
//
// Behaviour:
// * The topics go to the controller in one call (ControllerChannel.createTopics: records, then
//   durable), which validates as Kafka's controller does:
//   INVALID_TOPIC_EXCEPTION (bad name, or a collision on '.'/'_'), TOPIC_ALREADY_EXISTS,
//   INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR (<= 0 other than -1, or more than the
//   registered brokers), INVALID_REPLICA_ASSIGNMENT, INVALID_REQUEST (both a count and an
//   assignment), INVALID_CONFIG (unknown name or bad value).
// * NumPartitions / ReplicationFactor -1 take num.partitions / default.replication.factor.
// * A name given twice fails with INVALID_REQUEST ("Duplicate topic name.").
// * Authorization: CREATE on the cluster, or on each topic, else TOPIC_AUTHORIZATION_FAILED
//   ("Authorization failed."). A created topic whose configs the principal may not describe
//   (DESCRIBE_CONFIGS) is answered without them, with TopicConfigErrorCode
//   TOPIC_AUTHORIZATION_FAILED (v5+).
//
// Version notes:
// * v1: ValidateOnly checks without creating.
// * v5: the topic's partition count, replication factor and every effective config (value,
//   source) are answered.
// * v7: the topic id.
//
// Not implemented:
// * timeoutMs (the controller answers once the records are durable)
// * create-topic policies
// * quotas
import { ApiKey, ErrorCode, errorInfo, type CreateTopicsResponseCreatableTopicResult } from '@tributary/protocol';
import type { CreatableTopic } from '@tributary/metadata';
import { CONFIG_SOURCE, effectiveTopicConfig } from '../metadata/topic-config.ts';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export const createTopicsHandler: ApiHandler<typeof ApiKey.CreateTopics> = {
  apiKey: ApiKey.CreateTopics,
  name: 'CreateTopics',
  minVersion: 0,
  maxVersion: 7,
  async handle(ctx, request) {
    const counts = new Map<string, number>();
    for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const results: CreateTopicsResponseCreatableTopicResult[] = [];
    const done = new Set<string>();
    const clusterCreate = ctx.authorize(AclOperation.CREATE, ResourceType.CLUSTER, CLUSTER_NAME);
    // Checked here, in request order; the rest go to the controller in one call.
    const creatable: Array<{ index: number; topic: CreatableTopic }> = [];
    for (const rt of request.topics) {
      const base = { name: rt.name, topicId: ZERO_UUID, topicConfigErrorCode: 0, numPartitions: -1, replicationFactor: -1, configs: [] };
      if (counts.get(rt.name)! > 1) {
        if (done.has(rt.name)) continue;
        done.add(rt.name);
        results.push({ ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' });
        continue;
      }
      if (!clusterCreate && !ctx.authorize(AclOperation.CREATE, ResourceType.TOPIC, rt.name)) {
        results.push({ ...base, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'Authorization failed.' });
        continue;
      }
      creatable.push({
        index: results.length,
        topic: {
          name: rt.name,
          numPartitions: rt.numPartitions,
          replicationFactor: rt.replicationFactor,
          assignments: rt.assignments,
          configs: Object.fromEntries(rt.configs.map((c) => [c.name, c.value])),
        },
      });
      results.push({ ...base, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null });
    }
    if (creatable.length === 0) return { throttleTimeMs: 0, topics: results };
    const created = await ctx.services.controller.createTopics(
      creatable.map((c) => c.topic),
      { validateOnly: request.validateOnly },
    );
    for (const [i, r] of created.entries()) {
      const at = creatable[i]!.index;
      const base = results[at]!;
      const t = r.topic;
      if (!t) {
        results[at] = { ...base, errorCode: r.errorCode, errorMessage: r.errorMessage };
        continue;
      }
      if (!ctx.authorize(AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, r.name)) {
        // Created, but its configuration is not shown (v5+ TopicConfigErrorCode).
        results[at] = {
          ...base,
          topicId: t.topicId,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          topicConfigErrorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
        };
        continue;
      }
      const configs = effectiveTopicConfig(t.configs, ctx.services.config).map((c) => ({
        name: c.name,
        value: c.value,
        readOnly: false,
        configSource: CONFIG_SOURCE[c.source],
        isSensitive: false,
      }));
      results[at] = {
        ...base,
        topicId: t.topicId,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        numPartitions: t.numPartitions,
        replicationFactor: t.replicationFactor,
        configs,
      };
    }
    return { throttleTimeMs: 0, topics: results };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({ name: t.name, errorCode, errorMessage: errorInfo(errorCode).message })),
  }),
};
