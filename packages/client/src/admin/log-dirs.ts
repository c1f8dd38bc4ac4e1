// Admin.alterReplicaLogDirs and Admin.describeLogDirs: moving replicas between a broker's log dirs
// (AlterReplicaLogDirs, API key 34) and what each broker's log dirs hold (DescribeLogDirs, 35).
// Both go to each broker named (Kafka's AdminClient sends them per broker, never to the
// controller), one request per broker, in parallel.
//
// alterReplicaLogDirs answers each replica with null (moving, or already there) or a
// KafkaClientError naming it: LOG_DIR_NOT_FOUND, KAFKA_STORAGE_ERROR, REPLICA_NOT_AVAILABLE (not
// on that broker yet: the dir is used when the replica comes), CLUSTER_AUTHORIZATION_FAILED; a
// broker that cannot be reached fails its replicas with the connection's error, as Kafka's
// AlterReplicaLogDirsResult futures do. describeLogDirs answers every dir of every broker named,
// with the replicas in it (a moving replica's future copy: isFuture and its offsetLag); a dir's
// error (KAFKA_STORAGE_ERROR) is in `error`; a top-level error (v3+) throws.
import { ApiKey, ErrorCode, errorInfo } from '@tributary/protocol';
import type { LogDirDescription, ReplicaLogDirAssignment, ReplicaLogDirResult } from '../api.ts';
import type { TopicPartition } from '../assignors/types.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { KafkaClientError } from '../network/errors.ts';

function clientError(code: number, what: string, details: { topic?: string; partition?: number } = {}) {
  const info = errorInfo(code);
  return new KafkaClientError(`${what}: ${info.name}`, info.name, info.retriable, { code, ...details });
}

export async function alterReplicaLogDirs(
  cluster: Cluster,
  assignments: readonly ReplicaLogDirAssignment[],
): Promise<ReplicaLogDirResult[]> {
  const byBroker = new Map<number, ReplicaLogDirAssignment[]>();
  for (const a of assignments) {
    let list = byBroker.get(a.brokerId);
    if (!list) byBroker.set(a.brokerId, (list = []));
    list.push(a);
  }
  const answers = await Promise.all(
    [...byBroker].map(async ([brokerId, list]): Promise<ReplicaLogDirResult[]> => {
      const dirs = new Map<string, Map<string, number[]>>();
      for (const a of list) {
        let topics = dirs.get(a.logDir);
        if (!topics) dirs.set(a.logDir, (topics = new Map()));
        let ps = topics.get(a.topic);
        if (!ps) topics.set(a.topic, (ps = []));
        ps.push(a.partition);
      }
      const codes = new Map<string, number>();
      try {
        const c = await cluster.connectionTo(brokerId);
        const r = await c.request(ApiKey.AlterReplicaLogDirs, {
          dirs: [...dirs].map(([path, topics]) => ({ path, topics: [...topics].map(([name, partitions]) => ({ name, partitions })) })),
        });
        for (const t of r.results) for (const p of t.partitions) codes.set(`${t.topicName}\u0000${p.partitionIndex}`, p.errorCode);
      } catch (err) {
        const e = err instanceof KafkaClientError ? err : new KafkaClientError(String(err), 'NETWORK_EXCEPTION', true);
        return list.map((a) => ({ topic: a.topic, partition: a.partition, brokerId, error: e }));
      }
      return list.map((a) => {
        const code = codes.get(`${a.topic}\u0000${a.partition}`) ?? ErrorCode.UNKNOWN_SERVER_ERROR;
        const what = `move ${a.topic}-${a.partition} on broker ${brokerId} to ${a.logDir}`;
        return {
          topic: a.topic,
          partition: a.partition,
          brokerId,
          error: code === ErrorCode.NONE ? null : clientError(code, what, { topic: a.topic, partition: a.partition }),
        };
      });
    }),
  );
  return answers.flat();
}

export async function describeLogDirs(
  cluster: Cluster,
  brokerIds: readonly number[],
  partitions: readonly TopicPartition[] | null = null,
): Promise<LogDirDescription[]> {
  let topics: Array<{ topic: string; partitions: number[] }> | null = null;
  if (partitions) {
    const m = new Map<string, number[]>();
    for (const { topic, partition } of partitions) m.set(topic, [...(m.get(topic) ?? []), partition]);
    topics = [...m].map(([topic, ps]) => ({ topic, partitions: ps }));
  }
  const perBroker = await Promise.all(
    brokerIds.map(async (brokerId): Promise<LogDirDescription[]> => {
      const c = await cluster.connectionTo(brokerId);
      const r = await c.request(ApiKey.DescribeLogDirs, { topics });
      if (r.errorCode !== undefined && r.errorCode !== ErrorCode.NONE)
        throw clientError(r.errorCode, `describe the log dirs of broker ${brokerId}`);
      return r.results.map((d) => ({
        brokerId,
        path: d.logDir,
        error: d.errorCode === ErrorCode.NONE ? null : clientError(d.errorCode, `log dir ${d.logDir} of broker ${brokerId}`),
        totalBytes: d.totalBytes === undefined || d.totalBytes < 0n ? null : Number(d.totalBytes),
        usableBytes: d.usableBytes === undefined || d.usableBytes < 0n ? null : Number(d.usableBytes),
        replicas: d.topics.flatMap((t) =>
          t.partitions.map((p) => ({
            topic: t.name,
            partition: p.partitionIndex,
            size: Number(p.partitionSize),
            offsetLag: Number(p.offsetLag),
            isFuture: p.isFutureKey,
          })),
        ),
      }));
    }),
  );
  return perBroker.flat();
}
