// The admin client's transaction operations, routed as Kafka's AdminClient routes them:
//   describeTransactions: FindCoordinator (key type 1) per transactional id, then one
//     DescribeTransactions per coordinator; TRANSACTIONAL_ID_NOT_FOUND and the like thrown naming the id.
//   listTransactions: ListTransactions to every broker (each coordinates its own ids), each
//     listing tagged with the broker that answered; the state / producer id / duration (v1) filters.
//   describeProducers: DescribeProducers to each partition's leader, or to one broker (`brokerId`,
//     reading a follower's producer state); -1 coordinator epochs and transaction start offsets
//     read as null (Java's empty OptionalInt / OptionalLong).
// Errors asking to go elsewhere (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, NOT_LEADER_OR_FOLLOWER)
// are retriable, so RetryingAdmin runs the operation again.
import { ApiKey, ErrorCode, errorInfo } from '@tributary/protocol';
import type { PartitionProducerState, TransactionDescription, TransactionListing } from '../api.ts';
import type { TopicPartition } from '../assignors/types.ts';
import type { Cluster } from '../cluster/cluster.ts';
import type { BrokerConnection } from '../network/connection.ts';
import { KafkaClientError } from '../network/errors.ts';
import { UnsupportedVersionError } from '../cluster/api-versions.ts';

function check(code: number, what: string, message?: string | null, details: { topic?: string; partition?: number } = {}): void {
  if (code === ErrorCode.NONE) return;
  const info = errorInfo(code);
  throw new KafkaClientError(`${what}: ${info.name}${message ? ` (${message})` : ''}`, info.name, info.retriable, { code, ...details });
}

/** The coordinator of a transactional id: its node id (as FindCoordinator names it) and a connection to it. */
async function transactionCoordinator(
  cluster: Cluster,
  transactionalId: string,
): Promise<{ nodeId: number; connection: BrokerConnection }> {
  const any = await cluster.anyConnection();
  const r = await any.request(ApiKey.FindCoordinator, { key: transactionalId, keyType: 1, coordinatorKeys: [] });
  check(r.errorCode, `FindCoordinator for transactional id ${transactionalId}`, r.errorMessage);
  return { nodeId: r.nodeId, connection: await cluster.connectionToAddress(r.host, r.port, r.nodeId) };
}

export async function describeTransactions(cluster: Cluster, transactionalIds: string[]): Promise<TransactionDescription[]> {
  const byCoordinator = new Map<number, { connection: BrokerConnection; ids: string[] }>();
  for (const id of transactionalIds) {
    const c = await transactionCoordinator(cluster, id);
    let e = byCoordinator.get(c.nodeId);
    if (!e) byCoordinator.set(c.nodeId, (e = { connection: c.connection, ids: [] }));
    e.ids.push(id);
  }
  const found = new Map<string, TransactionDescription>();
  for (const [nodeId, { connection, ids }] of byCoordinator) {
    const r = await connection.request(ApiKey.DescribeTransactions, { transactionalIds: ids });
    for (const t of r.transactionStates) {
      check(t.errorCode, `describe transaction of transactional id ${t.transactionalId}`);
      found.set(t.transactionalId, {
        transactionalId: t.transactionalId,
        coordinatorId: nodeId,
        state: t.transactionState,
        producerId: t.producerId,
        producerEpoch: t.producerEpoch,
        transactionTimeoutMs: t.transactionTimeoutMs,
        transactionStartTimeMs: t.transactionStartTimeMs < 0n ? null : Number(t.transactionStartTimeMs),
        topicPartitions: t.topics.flatMap((x) => x.partitions.map((partition) => ({ topic: x.topic, partition }))),
      });
    }
  }
  return transactionalIds.map((id) => {
    const d = found.get(id);
    if (!d)
      throw new KafkaClientError(
        `describe transaction of transactional id ${id}: no answer from its coordinator`,
        'UNKNOWN_SERVER_ERROR',
        false,
      );
    return d;
  });
}

export async function listTransactions(
  cluster: Cluster,
  options: { states?: string[]; producerIds?: bigint[]; durationMs?: number } = {},
): Promise<TransactionListing[]> {
  await cluster.refreshMetadata();
  const out: TransactionListing[] = [];
  const brokers = cluster.metadata.brokerList();
  for (const b of brokers.length ? brokers : [null]) {
    const c = b ? await cluster.connectionTo(b.nodeId) : await cluster.anyConnection();
    if (options.durationMs !== undefined && c.versionFor(ApiKey.ListTransactions) < 1)
      throw new UnsupportedVersionError(`list transactions: broker ${c.broker} cannot filter by duration (ListTransactions v1+)`, c.broker);
    const r = await c.request(ApiKey.ListTransactions, {
      stateFilters: options.states ?? [],
      producerIdFilters: options.producerIds ?? [],
      durationFilter: options.durationMs === undefined ? -1n : BigInt(options.durationMs),
    });
    check(r.errorCode, `list transactions on broker ${b?.nodeId ?? c.broker}`);
    for (const t of r.transactionStates)
      out.push({
        transactionalId: t.transactionalId,
        producerId: t.producerId,
        state: t.transactionState,
        coordinatorId: b?.nodeId ?? c.nodeId,
      });
  }
  return out;
}

export async function describeProducers(
  cluster: Cluster,
  partitions: TopicPartition[],
  options: { brokerId?: number } = {},
): Promise<PartitionProducerState[]> {
  await cluster.ensureTopics([...new Set(partitions.map((p) => p.topic))]);
  const byNode = new Map<number, TopicPartition[]>();
  for (const tp of partitions) {
    const node = options.brokerId ?? cluster.metadata.leaderFor(tp.topic, tp.partition);
    if (node === undefined || node < 0)
      throw new KafkaClientError(`describe producers of ${tp.topic}-${tp.partition}: LEADER_NOT_AVAILABLE`, 'LEADER_NOT_AVAILABLE', true, {
        ...tp,
        code: ErrorCode.LEADER_NOT_AVAILABLE,
      });
    let l = byNode.get(node);
    if (!l) byNode.set(node, (l = []));
    l.push(tp);
  }
  const found = new Map<string, PartitionProducerState>();
  for (const [node, tps] of byNode) {
    const byTopic = new Map<string, number[]>();
    for (const tp of tps) {
      let l = byTopic.get(tp.topic);
      if (!l) byTopic.set(tp.topic, (l = []));
      l.push(tp.partition);
    }
    const r = await cluster.request(node, ApiKey.DescribeProducers, {
      topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
    });
    for (const t of r.topics) {
      for (const p of t.partitions) {
        check(p.errorCode, `describe producers of ${t.name}-${p.partitionIndex} on broker ${node}`, p.errorMessage, {
          topic: t.name,
          partition: p.partitionIndex,
        });
        found.set(`${t.name}\u0000${p.partitionIndex}`, {
          topic: t.name,
          partition: p.partitionIndex,
          activeProducers: p.activeProducers.map((a) => ({
            producerId: a.producerId,
            producerEpoch: a.producerEpoch,
            lastSequence: a.lastSequence,
            lastTimestamp: Number(a.lastTimestamp),
            coordinatorEpoch: a.coordinatorEpoch < 0 ? null : a.coordinatorEpoch,
            currentTransactionStartOffset: a.currentTxnStartOffset < 0n ? null : a.currentTxnStartOffset,
          })),
        });
      }
    }
  }
  return partitions.map((tp) => {
    const s = found.get(`${tp.topic}\u0000${tp.partition}`);
    if (!s)
      throw new KafkaClientError(`describe producers of ${tp.topic}-${tp.partition}: no answer`, 'UNKNOWN_SERVER_ERROR', false, { ...tp });
    return s;
  });
}
