// EndTxn (API key 26): a producer commits or aborts its transaction.
//
// Versions: 0-4.
//
// Behaviour (Kafka's KafkaApis.handleEndTxnRequest + TransactionCoordinator.handleEndTransaction):
// * Authorization: WRITE on the transactional id, else TRANSACTIONAL_ID_AUTHORIZATION_FAILED.
// * Ongoing -> PrepareCommit / PrepareAbort is written to __transaction_state and the producer is
//   answered NONE at once; the COMMIT/ABORT markers then go to every partition of the transaction
//   and CompleteCommit / CompleteAbort is written. Until then a retried EndTxn (or any other request
//   of the id) answers CONCURRENT_TRANSACTIONS; once complete, a retry of the same outcome answers
//   NONE, the other outcome INVALID_TXN_STATE (as does EndTxn with no transaction: Empty).
// * Other errors: NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, INVALID_PRODUCER_ID_MAPPING,
//   PRODUCER_FENCED (INVALID_PRODUCER_EPOCH below v2), INVALID_REQUEST (empty id).
//
// Not implemented: v5 (KIP-890 part 2: the epoch bumped at every commit/abort; Kafka serves it
// only with transaction.version 2, which this cluster does not have), quotas.
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { AclOperation, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

export const endTxnHandler: ApiHandler<typeof ApiKey.EndTxn> = {
  apiKey: ApiKey.EndTxn,
  name: 'EndTxn',
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, request) {
    const { transactionalId, producerId, producerEpoch, committed } = request;
    if (!ctx.authorize(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, transactionalId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
    }
    const r = await ctx.services.txnCoordinator.coordinator.endTransaction(transactionalId, producerId, producerEpoch, committed);
    const code = ctx.header.apiVersion < 2 && r.errorCode === ErrorCode.PRODUCER_FENCED ? ErrorCode.INVALID_PRODUCER_EPOCH : r.errorCode;
    return { throttleTimeMs: 0, errorCode: code };
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode }),
};
