// TransactionVerifier (Kafka's AddPartitionsToTxnManager, KIP-890 part 1): a partition leader asks
// a transactional producer's coordinator whether partitions were added to its open transaction
// before their first transactional batch is appended. The coordinator is the leader of
// __transaction_state-<partitionFor(transactionalId)>: a node of this process is asked directly
// (TransactionCoordinator.verifyPartitionsInTransaction), another broker with AddPartitionsToTxn v4
// (VerifyOnly true) on its inter-broker listener. Answers one error code per `topic-partition`, as
// the coordinator gave it; no coordinator, or a failed request, answers COORDINATOR_NOT_AVAILABLE /
// NETWORK_EXCEPTION for every partition (the produce path maps them, see produce-verification.ts).
import { ApiKey, ErrorCode, type AddPartitionsToTxnResponse } from '@tributary/protocol';
import type { MetadataCache } from '../../metadata/metadata-cache.ts';
import type { InterBrokerConnections } from '../../server/inter-broker-connections.ts';
import type { TransactionCoordinatorService } from '../transaction-coordinator-service.ts';
import { TRANSACTION_STATE_TOPIC_NAME } from '../transaction-coordinator-service.ts';
import { tpKey } from './transaction-metadata.ts';

export interface TopicPartitionRef {
  topic: string;
  partition: number;
}

export interface TransactionVerifierOptions {
  metadata: MetadataCache;
  isLocal: (nodeId: number) => boolean;
  coordinator: () => TransactionCoordinatorService | null;
  connections: InterBrokerConnections;
}

export class TransactionVerifier {
  constructor(private readonly o: TransactionVerifierOptions) {}

  /** Per `topic-partition` of `partitions`: NONE when it is in the producer's open transaction, else the coordinator's error. */
  readonly verify = async (
    transactionalId: string,
    producerId: bigint,
    producerEpoch: number,
    partitions: readonly TopicPartitionRef[],
  ): Promise<Map<string, number>> => {
    const keys = partitions.map((p) => tpKey(p.topic, p.partition));
    const all = (code: number) => new Map(keys.map((k) => [k, code]));
    const service = this.o.coordinator();
    if (!service) return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const leader = this.o.metadata.partition(TRANSACTION_STATE_TOPIC_NAME, service.partitionFor(transactionalId))?.leader ?? -1;
    if (leader < 0) return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (this.o.isLocal(leader)) return service.coordinator.verifyPartitionsInTransaction(transactionalId, producerId, producerEpoch, keys);
    const topics = new Map<string, number[]>();
    for (const p of partitions) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p.partition]);
    let res: AddPartitionsToTxnResponse;
    try {
      res = await this.o.connections.to(leader).request(
        ApiKey.AddPartitionsToTxn,
        {
          transactions: [
            {
              transactionalId,
              producerId,
              producerEpoch,
              verifyOnly: true,
              topics: [...topics].map(([name, ps]) => ({ name, partitions: ps })),
            },
          ],
        },
        { version: 4 },
      );
    } catch {
      return all(ErrorCode.NETWORK_EXCEPTION);
    }
    if (res.errorCode !== ErrorCode.NONE) {
      // (Kafka: a broker not allowed to verify is told INVALID_TXN_STATE)
      return all(res.errorCode === ErrorCode.CLUSTER_AUTHORIZATION_FAILED ? ErrorCode.INVALID_TXN_STATE : res.errorCode);
    }
    const out = all(ErrorCode.NONE);
    for (const r of res.resultsByTransaction) {
      for (const t of r.topicResults) for (const p of t.resultsByPartition) out.set(tpKey(t.name, p.partitionIndex), p.partitionErrorCode);
    }
    return out;
  };
}
