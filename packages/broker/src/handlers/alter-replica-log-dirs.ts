// AlterReplicaLogDirs (API key 34).
//
// Versions: 0-2 (v2 flexible; the versions differ in nothing else).
//
// Behaviour (Kafka's KafkaApis.handleAlterReplicaLogDirsRequest and
// ReplicaManager.alterReplicaLogDirs; the decisions are in replica/replica-alter-log-dirs.ts):
// * Each partition named is moved to the dir named (an absolute path among log.dirs) while it
//   keeps serving: a future log is made in that dir, the copy runs in the background, and the
//   future log replaces the current one once it has caught up. The answer comes at once; progress
//   shows in DescribeLogDirs (the future replica, IsFutureKey true, its OffsetLag).
// * Per partition: NONE (moving, or already there: a running move elsewhere is cancelled);
//   LOG_DIR_NOT_FOUND (not a configured log dir); KAFKA_STORAGE_ERROR (the dir or the replica is
//   offline, or some log dir is offline and a new future log would be needed);
//   REPLICA_NOT_AVAILABLE (not hosted here: the dir is remembered and the log created there when
//   the partition comes); INVALID_TOPIC_EXCEPTION (name too long for a future log's directory).
//   A partition named under two dirs: the last wins, answered once.
// * Results grouped by topic, in the order topics first appear in the request.
// * Authorization: ALTER on the cluster, else CLUSTER_AUTHORIZATION_FAILED for every partition.
//
// Not implemented: nothing of the protocol; num.replica.alter.log.dirs.threads (each moving
// replica has its own loop on the event loop).
import { ApiKey, ErrorCode, type AlterReplicaLogDirsRequest, type AlterReplicaLogDirsResponse } from '@tributary/protocol';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

/** The results grouped by topic, in first-appearance order. */
function byTopic(results: ReadonlyArray<{ topic: string; partition: number; errorCode: number }>): AlterReplicaLogDirsResponse['results'] {
  const topics = new Map<string, AlterReplicaLogDirsResponse['results'][number]>();
  for (const r of results) {
    let t = topics.get(r.topic);
    if (!t) topics.set(r.topic, (t = { topicName: r.topic, partitions: [] }));
    t.partitions.push({ partitionIndex: r.partition, errorCode: r.errorCode });
  }
  return [...topics.values()];
}

/** Every partition of the request (once) answered `errorCode` (Kafka's AlterReplicaLogDirsRequest.getErrorResponse). */
function everyPartition(request: AlterReplicaLogDirsRequest, errorCode: number): AlterReplicaLogDirsResponse {
  const seen = new Map<string, { topic: string; partition: number; errorCode: number }>();
  for (const d of request.dirs)
    for (const t of d.topics)
      for (const partition of t.partitions) seen.set(`${t.name}-${partition}`, { topic: t.name, partition, errorCode });
  return { throttleTimeMs: 0, results: byTopic([...seen.values()]) };
}

export const alterReplicaLogDirsHandler: ApiHandler<typeof ApiKey.AlterReplicaLogDirs> = {
  apiKey: ApiKey.AlterReplicaLogDirs,
  name: 'AlterReplicaLogDirs',
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, request) {
    if (!ctx.authorize(AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return everyPartition(request, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    }
    const assignments = request.dirs.flatMap((d) =>
      d.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition, logDir: d.path }))),
    );
    const results = ctx.services.replicas.alterReplicaLogDirs(assignments);
    return { throttleTimeMs: 0, results: byTopic(results) };
  },
  errorResponse: (request, errorCode) => everyPartition(request, errorCode),
};
