// AddPartitionsToTxn (API key 24): partitions join a producer's transaction.
//
// Versions: 0-5.
//
// Behaviour (Kafka's KafkaApis.handleAddPartitionsToTxnRequest + TransactionCoordinator):
// * v0-3 (from producers): one transaction, at the top level; v4+ (from brokers, KIP-890) a batch
//   of transactions, each answered in ResultsByTransaction, optionally VerifyOnly.
// * Authorization: v0-3 WRITE on the transactional id (else every partition
//   TRANSACTIONAL_ID_AUTHORIZATION_FAILED) and WRITE on each topic (internal topics are never
//   authorized here: offsets join through AddOffsetsToTxn) -> TOPIC_AUTHORIZATION_FAILED; v4+
//   CLUSTER_ACTION on the cluster, else the whole request CLUSTER_AUTHORIZATION_FAILED (top-level).
// * A partition the metadata does not know: UNKNOWN_TOPIC_OR_PARTITION. When any partition of a
//   transaction fails these checks, nothing is added: the others answer OPERATION_NOT_ATTEMPTED.
// * Otherwise the coordinator adds them (Ongoing, written to __transaction_state) and every
//   partition gets its one answer: NONE, NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS,
//   INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED (INVALID_PRODUCER_EPOCH below v2),
//   CONCURRENT_TRANSACTIONS while a transition or commit/abort is in progress, INVALID_REQUEST for
//   an empty id. VerifyOnly checks instead: NONE for a partition in the transaction,
//   TRANSACTION_ABORTABLE for one not in it.
//
// Not implemented: quotas.
import {
  ApiKey,
  ErrorCode,
  type AddPartitionsToTxnRequest,
  type AddPartitionsToTxnRequestAddPartitionsToTxnTransaction as Transaction,
  type AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult as TopicResult,
} from '@tributary/protocol';
import { isInternalTopic } from '@tributary/metadata';
import { parseTpKey, tpKey } from '../coordinator/transaction/transaction-metadata.ts';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler, RequestContext } from '../server/handler-registry.ts';

/** Partition keys of a transaction's topics, in request order, each once. */
function partitionsOf(topics: Array<{ name: string; partitions: number[] }>): string[] {
  return [...new Set(topics.flatMap((t) => t.partitions.map((p) => tpKey(t.name, p))))];
}

/** Results grouped by topic in first-seen order. */
function resultsOf(keys: string[], code: (key: string) => number): TopicResult[] {
  const byTopic = new Map<string, TopicResult>();
  for (const k of keys) {
    const { topic, partition } = parseTpKey(k);
    let t = byTopic.get(topic);
    if (!t) {
      t = { name: topic, resultsByPartition: [] };
      byTopic.set(topic, t);
    }
    t.resultsByPartition.push({ partitionIndex: partition, partitionErrorCode: code(k) });
  }
  return [...byTopic.values()];
}

async function addOne(ctx: RequestContext, txn: Transaction, version: number): Promise<TopicResult[]> {
  const keys = partitionsOf(txn.topics);
  const id = txn.transactionalId;
  if (version < 4 && !ctx.authorize(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, id)) {
    return resultsOf(keys, () => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  }
  const failed = new Map<string, number>();
  const allowed = new Map<string, boolean>();
  const metadata = ctx.services.metadata;
  for (const k of keys) {
    const { topic, partition } = parseTpKey(k);
    let ok = allowed.get(topic);
    if (ok === undefined) {
      ok = version >= 4 || (!isInternalTopic(topic) && ctx.authorize(AclOperation.WRITE, ResourceType.TOPIC, topic));
      allowed.set(topic, ok);
    }
    if (!ok) failed.set(k, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    else if (partition < 0 || partition >= (metadata.topic(topic)?.partitions.length ?? 0))
      failed.set(k, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  }
  if (failed.size > 0) return resultsOf(keys, (k) => failed.get(k) ?? ErrorCode.OPERATION_NOT_ATTEMPTED);
  const coordinator = ctx.services.txnCoordinator.coordinator;
  if (txn.verifyOnly) {
    const codes = coordinator.verifyPartitionsInTransaction(id, txn.producerId, txn.producerEpoch, keys);
    return resultsOf(keys, (k) => codes.get(k) ?? ErrorCode.UNKNOWN_SERVER_ERROR);
  }
  let code = await coordinator.addPartitionsToTransaction(id, txn.producerId, txn.producerEpoch, keys);
  if (version < 2 && code === ErrorCode.PRODUCER_FENCED) code = ErrorCode.INVALID_PRODUCER_EPOCH;
  return resultsOf(keys, () => code);
}

/** v0-3 carry their one transaction at the top level (Kafka's normalizeRequest). */
function transactionsOf(request: AddPartitionsToTxnRequest, version: number): Transaction[] {
  if (version >= 4) return request.transactions;
  return [
    {
      transactionalId: request.v3AndBelowTransactionalId,
      producerId: request.v3AndBelowProducerId,
      producerEpoch: request.v3AndBelowProducerEpoch,
      verifyOnly: false,
      topics: request.v3AndBelowTopics,
    },
  ];
}

export const addPartitionsToTxnHandler: ApiHandler<typeof ApiKey.AddPartitionsToTxn> = {
  apiKey: ApiKey.AddPartitionsToTxn,
  name: 'AddPartitionsToTxn',
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, request) {
    const version = ctx.header.apiVersion;
    if (version >= 4 && !ctx.authorize(AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED };
    }
    const txns = transactionsOf(request, version);
    const results = await Promise.all(txns.map((t) => addOne(ctx, t, version)));
    if (version < 4) return { throttleTimeMs: 0, resultsByTopicV3AndBelow: results[0]! };
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      resultsByTransaction: txns.map((t, i) => ({ transactionalId: t.transactionalId, topicResults: results[i]! })),
    };
  },
  // Kafka's getErrorResponse: every partition (v0-3), the top-level code (v4+).
  errorResponse(request, errorCode, version) {
    if (version >= 4) return { throttleTimeMs: 0, errorCode };
    return { throttleTimeMs: 0, resultsByTopicV3AndBelow: resultsOf(partitionsOf(request.v3AndBelowTopics), () => errorCode) };
  },
};
