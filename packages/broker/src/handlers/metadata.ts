// Metadata (API key 3).
//
// Versions: 0-12.
//
// Behaviour:
// * Everything comes from the MetadataCache (the image the controller last published).
// * Brokers: the live (registered, unfenced) brokers, with the advertised endpoint of the
//   listener the request came in on (rack null). Controller id: the lowest live broker id (this
//   node on a single broker). Cluster id.
// * Partitions: leader and leader epoch, replicas and ISR as the metadata holds them. A
//   leader that is not alive is answered as leader -1 with LEADER_NOT_AVAILABLE; replicas on
//   brokers that are not alive are listed as offline replicas, and so are this broker's replicas
//   in a failed log dir and any broker's replicas in a dir its registration no longer lists online
//   (JBOD, KIP-858; a leader there is answered as leader -1, LEADER_NOT_AVAILABLE).
// * Topics: v0 with an empty list, or v1+ with a null list, means every topic (internal ones
//   included, flagged isInternal).
// * Named topics that do not exist are auto-created with num.partitions and
//   default.replication.factor when auto.create.topics.enable is true and the request allows it
//   (AllowAutoTopicCreation; always before v4), except internal topic names, which only their
//   coordinator creates. Unlike Kafka, whose answer for a just-created topic is
//   LEADER_NOT_AVAILABLE until the controller has elected leaders, the topic is answered with
//   its partitions as soon as the controller has created it (it assigns leaders at once; every
//   client accepts this).
// * Invalid names get INVALID_TOPIC_EXCEPTION when auto-creation applies; other unknown topics
//   UNKNOWN_TOPIC_OR_PARTITION; lookups by topic id, UNKNOWN_TOPIC_ID.
// * Authorization (as Kafka's KafkaApis): DESCRIBE on each topic. A named topic refused is
//   answered TOPIC_AUTHORIZATION_FAILED before saying whether it exists, one asked by id without
//   its name; "all topics" leaves refused ones out. Auto-creation needs CREATE on the cluster or
//   the topic, else TOPIC_AUTHORIZATION_FAILED. IncludeTopicAuthorizedOperations (v8+): the
//   allowed operations, as a bit field, of each named topic the principal may describe, errors
//   included (an unknown topic, an invalid name), as KafkaApis sets them on its authorized topics;
//   topics refused, and unknown ids, keep -2147483648. IncludeClusterAuthorizedOperations (v8-10):
//   the cluster's, 0 without DESCRIBE on it (Kafka's AuthHelper.authorizedOperations); v11+ has
//   no such field (DescribeCluster answers it). Not requested: -2147483648.
//
// Version notes:
// * v1: controller id.
// * v2: cluster id.
// * v4: AllowAutoTopicCreation.
// * v5: offline replicas.
// * v7: leader epochs.
// * v10: topic ids, and lookups by topic id.
//
// Not implemented:
// * racks
import { ApiKey, ErrorCode, type MetadataResponseTopic } from '@tributary/protocol';
import type { MetadataCache, TopicView } from '../metadata/metadata-cache.ts';
import { isInternalTopic, topicNameProblem } from '@tributary/metadata';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import {
  AUTHORIZED_OPERATIONS_NOT_REQUESTED as NOT_REQUESTED,
  authorizedOperations,
  clusterAuthorizedOperations,
} from '../security/authorizer/authorized-operations.ts';
import type { ApiHandler, RequestContext } from '../server/handler-registry.ts';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** Whether broker `r`'s replica of a partition is offline: its broker is not alive, or (this broker) its log dir failed. */
type ReplicaOffline = (topic: string, partition: number, r: number) => boolean;

function topicMetadata(t: TopicView, cluster: MetadataCache, offline: ReplicaOffline): MetadataResponseTopic {
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.topicId,
    isInternal: t.internal,
    partitions: t.partitions.map((p) => {
      const leaderLive = cluster.isLive(p.leader) && !offline(t.name, p.partition, p.leader);
      return {
        errorCode: leaderLive ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE,
        partitionIndex: p.partition,
        leaderId: leaderLive ? p.leader : -1,
        leaderEpoch: p.leaderEpoch,
        replicaNodes: p.replicas as number[],
        isrNodes: p.isr as number[],
        offlineReplicas: p.replicas.filter((r) => !cluster.isLive(r) || offline(t.name, p.partition, r)),
      };
    }),
    topicAuthorizedOperations: NOT_REQUESTED,
  };
}

function errorTopic(
  errorCode: number,
  name: string | null,
  topicId = ZERO_UUID,
  isInternal = name !== null && isInternalTopic(name),
): MetadataResponseTopic {
  return { errorCode, name, topicId, isInternal, partitions: [], topicAuthorizedOperations: NOT_REQUESTED };
}

/** The live brokers with their endpoint of the listener this request came in on. */
export function brokersFor(ctx: RequestContext) {
  return ctx.services.metadata.liveEndpoints(ctx.connection.listenerName);
}

export const metadataHandler: ApiHandler<typeof ApiKey.Metadata> = {
  apiKey: ApiKey.Metadata,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 12,
  handle(ctx, request) {
    const s = ctx.services;
    const version = ctx.header.apiVersion;
    const topics = s.metadata;
    // Topics to auto-create: their slot in `out` is filled once the controller has created them.
    const toCreate: Array<{ index: number; name: string }> = [];
    const all = request.topics === null || (version === 0 && request.topics.length === 0);
    // this broker's replicas in a failed log dir (JBOD): offline, and not a leader
    // and any broker's replica in a log dir its registration no longer lists online (the controller's view)
    const offline: ReplicaOffline = (topic, partition, r) => {
      if (r === s.nodeId && s.replicas.isReplicaOffline(topic, partition)) return true;
      const p = topics.partition(topic, partition);
      return p !== undefined && topics.isReplicaInOfflineDir(p, r);
    };
    const describable = (name: string) => ctx.authorize(AclOperation.DESCRIBE, ResourceType.TOPIC, name);
    const out: MetadataResponseTopic[] = [];
    if (all) {
      for (const t of topics.topics()) if (describable(t.name)) out.push(topicMetadata(t, topics, offline));
    } else {
      const autoCreate = s.config.get('auto.create.topics.enable') && (version < 4 || request.allowAutoTopicCreation);
      let clusterCreate: boolean | undefined;
      const creatable = (name: string) =>
        (clusterCreate ??= ctx.authorize(AclOperation.CREATE, ResourceType.CLUSTER, CLUSTER_NAME)) ||
        ctx.authorize(AclOperation.CREATE, ResourceType.TOPIC, name);
      const seen = new Set<string>();
      for (const rt of request.topics!) {
        if (rt.name === null) {
          const t = topics.topicById(rt.topicId);
          if (!t) out.push(errorTopic(ErrorCode.UNKNOWN_TOPIC_ID, null, rt.topicId));
          else if (!describable(t.name))
            out.push(errorTopic(ErrorCode.TOPIC_AUTHORIZATION_FAILED, null, rt.topicId)); // ids are not secret
          else out.push(topicMetadata(t, topics, offline));
          continue;
        }
        if (seen.has(rt.name)) continue;
        seen.add(rt.name);
        // Whether a topic the principal may not describe exists is not disclosed.
        if (!describable(rt.name)) {
          out.push(errorTopic(ErrorCode.TOPIC_AUTHORIZATION_FAILED, rt.name, ZERO_UUID, false));
          continue;
        }
        const t = topics.topic(rt.name);
        if (t) {
          out.push(topicMetadata(t, topics, offline));
          continue;
        }
        if (autoCreate && !creatable(rt.name)) {
          out.push(errorTopic(ErrorCode.TOPIC_AUTHORIZATION_FAILED, rt.name));
          continue;
        }
        if (autoCreate && topicNameProblem(rt.name)) {
          out.push(errorTopic(ErrorCode.INVALID_TOPIC_EXCEPTION, rt.name));
          continue;
        }
        if (autoCreate && !isInternalTopic(rt.name)) {
          toCreate.push({ index: out.length, name: rt.name });
          out.push(errorTopic(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, rt.name));
          continue;
        }
        out.push(errorTopic(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, rt.name));
      }
    }
    const answer = () => {
      if (version >= 8 && request.includeTopicAuthorizedOperations) {
        // every named topic answered is one the principal may describe, except those refused
        for (const t of out)
          if (t.name !== null && t.errorCode !== ErrorCode.TOPIC_AUTHORIZATION_FAILED)
            t.topicAuthorizedOperations = authorizedOperations(ctx, ResourceType.TOPIC, t.name);
      }
      return {
        throttleTimeMs: 0,
        brokers: brokersFor(ctx),
        clusterId: s.clusterId,
        controllerId: topics.controllerId,
        topics: out,
        clusterAuthorizedOperations:
          version >= 8 && version <= 10 && request.includeClusterAuthorizedOperations ? clusterAuthorizedOperations(ctx) : NOT_REQUESTED,
      };
    };
    if (toCreate.length === 0) return answer();
    // Kafka's AutoTopicCreationManager: this broker's num.partitions and default.replication.factor
    const numPartitions = s.config.get('num.partitions');
    const replicationFactor = s.config.get('default.replication.factor');
    return s.controller.createTopics(toCreate.map((c) => ({ name: c.name, numPartitions, replicationFactor }))).then((created) => {
      for (const [i, r] of created.entries()) {
        const { index, name } = toCreate[i]!;
        const t = topics.topic(name);
        if (t && (r.errorCode === ErrorCode.NONE || r.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS)) {
          out[index] = topicMetadata(t, topics, offline);
          continue;
        }
        s.log.warn('auto topic creation failed', { topic: name, error: r.errorMessage });
        out[index] = errorTopic(
          r.errorCode === ErrorCode.INVALID_TOPIC_EXCEPTION ? r.errorCode : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          name,
        );
      }
      return answer();
    });
  },
  // Kafka's MetadataRequest.getErrorResponse: each requested topic with the code (a null name as
  // ''), no brokers; "all topics" (null, or v0's empty list) answers no topics.
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    topics: (request.topics ?? []).map((t) => ({ errorCode, name: t.name ?? '', topicId: t.topicId, isInternal: false, partitions: [] })),
  }),
};
