// AddOffsetsToTxn (API key 25): a consumer group's offsets join a producer's transaction.
//
// Versions: 0-4.
//
// Behaviour (Kafka's KafkaApis.handleAddOffsetsToTxnRequest): the group's __consumer_offsets
// partition (partitionFor(group), as the group coordinator computes it) is added to the
// transaction exactly as AddPartitionsToTxn adds a partition, so EndTxn's markers reach it and the
// offsets sent with TxnOffsetCommit become visible (commit) or are dropped (abort).
// * Authorization: WRITE on the transactional id, else TRANSACTIONAL_ID_AUTHORIZATION_FAILED; READ
//   on the group, else GROUP_AUTHORIZATION_FAILED.
// * Errors from the coordinator: NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS,
//   INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED (INVALID_PRODUCER_EPOCH below v2),
//   CONCURRENT_TRANSACTIONS, INVALID_REQUEST (empty id).
//
// Not implemented: quotas.
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { GROUP_METADATA_TOPIC_NAME } from '../coordinator/offsets-topic-host.ts';
import { tpKey } from '../coordinator/transaction/transaction-metadata.ts';
import { AclOperation, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

export const addOffsetsToTxnHandler: ApiHandler<typeof ApiKey.AddOffsetsToTxn> = {
  apiKey: ApiKey.AddOffsetsToTxn,
  name: 'AddOffsetsToTxn',
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, request) {
    const { transactionalId, producerId, producerEpoch, groupId } = request;
    if (!ctx.authorize(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, transactionalId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
    }
    if (!ctx.authorize(AclOperation.READ, ResourceType.GROUP, groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    }
    const offsets = tpKey(GROUP_METADATA_TOPIC_NAME, ctx.services.groupCoordinator.partitionFor(groupId));
    let code = await ctx.services.txnCoordinator.coordinator.addPartitionsToTransaction(transactionalId, producerId, producerEpoch, [
      offsets,
    ]);
    if (ctx.header.apiVersion < 2 && code === ErrorCode.PRODUCER_FENCED) code = ErrorCode.INVALID_PRODUCER_EPOCH;
    return { throttleTimeMs: 0, errorCode: code };
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode }),
};
