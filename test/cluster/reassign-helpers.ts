// Helpers of the partition reassignment cluster tests: a topic on given replicas, the wire's
// AlterPartitionReassignments (KafkaJS cannot cancel: it refuses null replicas) and
// ListPartitionReassignments, dynamic broker configs and the replication throttles set as Kafka's
// kafka-reassign-partitions.sh --throttle sets them, a KafkaJS client that retries through a move,
// a partition's records read back, and a replica's log directory.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import kafkajsModule from 'kafkajs';
import type { Kafka as KafkaType } from 'kafkajs';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import type { LocalCluster } from '../../packages/tributary/src/cluster/local-cluster.ts';
import { readPartition, withWire } from '../interop/wire-client.ts';

const { Kafka, logLevel } = kafkajsModule;

const live = (cluster: LocalCluster) => cluster.brokerIds.filter((id) => cluster.broker(id).running);

/** Runs `fn` against the first live broker that answers. */
async function anyBroker<T>(cluster: LocalCluster, fn: (port: number) => Promise<T>): Promise<T> {
  let last: unknown = null;
  for (const id of live(cluster)) {
    try {
      return await fn(cluster.portOf(id));
    } catch (err) {
      last = err;
    }
  }
  throw last ?? new Error('no broker is running');
}

/** Creates `name` with one partition on `replicas` (CreateTopics v5 with an assignment); throws unless NONE. */
export async function createAssignedTopic(cluster: LocalCluster, name: string, replicas: number[], configs: Record<string, string> = {}) {
  const res = await anyBroker(cluster, (port) =>
    withWire(port, (c) =>
      c.request(ApiKey.CreateTopics, 5, {
        topics: [
          {
            name,
            numPartitions: -1,
            replicationFactor: -1,
            assignments: [{ partitionIndex: 0, brokerIds: replicas }],
            configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })),
          },
        ],
        timeoutMs: 10_000,
        validateOnly: false,
      }),
    ),
  );
  const t = res.topics[0];
  if (!t || t.errorCode !== ErrorCode.NONE) throw new Error(`CreateTopics ${name}: error ${t?.errorCode} ${t?.errorMessage ?? ''}`);
}

/** AlterPartitionReassignments v0 of partition 0 of `topic` (null: cancel); the partition's error code and message. */
export async function alterReassignment(cluster: LocalCluster, topic: string, replicas: number[] | null) {
  const r = await anyBroker(cluster, (port) =>
    withWire(port, (c) =>
      c.request(ApiKey.AlterPartitionReassignments, 0, {
        timeoutMs: 10_000,
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, replicas }] }],
      }),
    ),
  );
  const p = r.responses[0]!.partitions[0]!;
  return { errorCode: r.errorCode || p.errorCode, errorMessage: p.errorMessage };
}

export interface Ongoing {
  replicas: number[];
  adding: number[];
  removing: number[];
}

/** ListPartitionReassignments v0 of `topic`-0: its reassignment in progress, or null. */
export async function ongoingReassignment(cluster: LocalCluster, topic: string): Promise<Ongoing | null> {
  const r = await anyBroker(cluster, (port) =>
    withWire(port, (c) =>
      c.request(ApiKey.ListPartitionReassignments, 0, { timeoutMs: 10_000, topics: [{ name: topic, partitionIndexes: [0] }] }),
    ),
  );
  if (r.errorCode !== ErrorCode.NONE) throw new Error(`ListPartitionReassignments: error ${r.errorCode}`);
  const p = r.topics[0]?.partitions[0];
  return p ? { replicas: p.replicas, adding: p.addingReplicas, removing: p.removingReplicas } : null;
}

/** IncrementalAlterConfigs (SET, or DELETE for null) of a broker's own dynamic configs, sent to that broker; throws unless NONE. */
export async function alterBrokerConfigs(cluster: LocalCluster, brokerId: number, configs: Record<string, string | null>) {
  const r = await withWire(cluster.portOf(brokerId), (c) =>
    c.request(ApiKey.IncrementalAlterConfigs, 1, {
      validateOnly: false,
      resources: [
        {
          resourceType: 4,
          resourceName: String(brokerId),
          configs: Object.entries(configs).map(([name, value]) => ({ name, configOperation: value === null ? 1 : 0, value })),
        },
      ],
    }),
  );
  const res = r.responses[0]!;
  if (res.errorCode !== ErrorCode.NONE) throw new Error(`IncrementalAlterConfigs broker ${brokerId}: ${res.errorCode} ${res.errorMessage}`);
}

/** IncrementalAlterConfigs SET of a topic's configs; throws unless NONE. */
export async function alterTopicConfigs(cluster: LocalCluster, topic: string, configs: Record<string, string>) {
  const r = await anyBroker(cluster, (port) =>
    withWire(port, (c) =>
      c.request(ApiKey.IncrementalAlterConfigs, 1, {
        validateOnly: false,
        resources: [
          {
            resourceType: 2,
            resourceName: topic,
            configs: Object.entries(configs).map(([name, value]) => ({ name, configOperation: 0, value })),
          },
        ],
      }),
    ),
  );
  const res = r.responses[0]!;
  if (res.errorCode !== ErrorCode.NONE) throw new Error(`IncrementalAlterConfigs ${topic}: ${res.errorCode} ${res.errorMessage}`);
}

/**
 * The throttle of a move of `topic`-0 from `current` to `target`, as kafka-reassign-partitions.sh
 * --throttle sets it: the rate on every broker involved, the leader throttle on the current
 * replicas, the follower throttle on the replicas being added.
 */
export async function throttleMove(cluster: LocalCluster, topic: string, current: number[], target: number[], bytesPerSecond: number) {
  const adding = target.filter((id) => !current.includes(id));
  for (const id of new Set([...current, ...target])) {
    await alterBrokerConfigs(cluster, id, {
      'leader.replication.throttled.rate': String(bytesPerSecond),
      'follower.replication.throttled.rate': String(bytesPerSecond),
    });
  }
  await alterTopicConfigs(cluster, topic, {
    'leader.replication.throttled.replicas': current.map((id) => `0:${id}`).join(','),
    'follower.replication.throttled.replicas': adding.map((id) => `0:${id}`).join(','),
  });
}

/** A KafkaJS client that keeps retrying through leadership moves. */
export function patientKafkajs(bootstrap: string): KafkaType {
  return new Kafka({
    clientId: 'reassignment-test',
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
  });
}

/** Every record value of `topic`-0 up to the high watermark, read from the broker on `port`. */
export async function readValues(port: number, topic: string): Promise<string[]> {
  const { batches } = await readPartition(port, topic);
  return batches.flatMap((b) => b.records.map((r) => r.value?.toString('utf8') ?? ''));
}

/** Whether `brokerId` has a directory for `topic`-0 (or one being deleted: `<name>.<uuid>-delete`). */
export function hasReplicaDir(dataDir: string, brokerId: number, topic: string): boolean {
  const dir = join(dataDir, `broker-${brokerId}`);
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((f) => f === `${topic}-0` || f.startsWith(`${topic}-0.`));
}
