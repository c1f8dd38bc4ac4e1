// Metadata (API key 3), versions 0-12.
//
// Behaviour: brokers = this node with the advertised endpoint of the listener the request came in
// on (rack null); controller id = this node (v1+); cluster id (v2+). Topics: v0 with an empty list,
// or v1+ with a null list, means every topic (internal ones included, flagged isInternal). Named
// topics that do not exist are auto-created with num.partitions and default.replication.factor
// when auto.create.topics.enable is true and the request allows it (v4+ AllowAutoTopicCreation;
// always for v0-3) — except internal topic names, which only their coordinator creates. Unlike
// Kafka, whose answer for a just-created topic is LEADER_NOT_AVAILABLE until the controller has
// elected leaders, the topic is answered at once with its partitions (creation is synchronous and
// this node leads everything; every client accepts this). Invalid names get INVALID_TOPIC_EXCEPTION
// when auto-creation applies; other unknown topics UNKNOWN_TOPIC_OR_PARTITION; v10+ lookups by topic id answer UNKNOWN_TOPIC_ID.
// Topic ids v10+, leader epochs v7+, offline replicas (empty) v5+.
// Not implemented: authorized operations (always -2147483648, "not requested"), racks.
import { ApiKey, ErrorCode, type MetadataResponseTopic } from '@tributary/protocol';
import type { Topic } from '../partitions/topic-manager.ts';
import { isInternalTopic, topicNameProblem } from '../partitions/topic-names.ts';
import type { ApiHandler, RequestContext } from './registry.ts';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const NOT_REQUESTED = -2147483648;

function topicMetadata(t: Topic): MetadataResponseTopic {
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.topicId,
    isInternal: t.internal,
    partitions: t.partitions.map((p) => ({
      errorCode: ErrorCode.NONE,
      partitionIndex: p.partition,
      leaderId: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: p.replicas,
      isrNodes: p.isr,
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: NOT_REQUESTED,
  };
}

function errorTopic(errorCode: number, name: string | null, topicId = ZERO_UUID): MetadataResponseTopic {
  return { errorCode, name, topicId, isInternal: name !== null && isInternalTopic(name), partitions: [], topicAuthorizedOperations: NOT_REQUESTED };
}

export function brokersFor(ctx: RequestContext) {
  const s = ctx.services;
  const eps = s.advertisedListeners;
  const ep = eps.find((e) => e.name === ctx.connection.listenerName) ?? eps[0];
  return ep ? [{ nodeId: s.nodeId, host: ep.host, port: ep.port, rack: null }] : [];
}

export const metadataHandler: ApiHandler<typeof ApiKey.Metadata> = {
  apiKey: ApiKey.Metadata,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 12,
  handle(ctx, request) {
    const s = ctx.services;
    const version = ctx.header.apiVersion;
    const topics = s.topics;
    const all = request.topics === null || (version === 0 && request.topics.length === 0);
    const out: MetadataResponseTopic[] = [];
    if (all) {
      for (const t of topics.topics()) out.push(topicMetadata(t));
    } else {
      const autoCreate = s.config.get('auto.create.topics.enable') && (version < 4 || request.allowAutoTopicCreation);
      const seen = new Set<string>();
      for (const rt of request.topics!) {
        if (rt.name === null) {
          const t = topics.topicById(rt.topicId);
          out.push(t ? topicMetadata(t) : errorTopic(ErrorCode.UNKNOWN_TOPIC_ID, null, rt.topicId));
          continue;
        }
        if (seen.has(rt.name)) continue;
        seen.add(rt.name);
        const t = topics.topic(rt.name);
        if (t) { out.push(topicMetadata(t)); continue; }
        if (autoCreate && topicNameProblem(rt.name)) { out.push(errorTopic(ErrorCode.INVALID_TOPIC_EXCEPTION, rt.name)); continue; }
        if (autoCreate && !isInternalTopic(rt.name)) {
          const r = topics.createTopic({ name: rt.name });
          if (r.topic) { out.push(topicMetadata(r.topic)); continue; }
          if (r.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS && topics.topic(rt.name)) { out.push(topicMetadata(topics.topic(rt.name)!)); continue; }
          s.log.warn('auto topic creation failed', { topic: rt.name, error: r.errorMessage });
          out.push(errorTopic(r.errorCode === ErrorCode.INVALID_TOPIC_EXCEPTION ? r.errorCode : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, rt.name));
          continue;
        }
        out.push(errorTopic(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, rt.name));
      }
    }
    return {
      throttleTimeMs: 0,
      brokers: brokersFor(ctx),
      clusterId: s.clusterId,
      controllerId: s.nodeId,
      topics: out,
      clusterAuthorizedOperations: NOT_REQUESTED,
    };
  },
};
