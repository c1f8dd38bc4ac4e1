// ListTransactions (API key 66): the transactional ids a coordinator knows (kafka-transactions.sh list).
//
// Versions: 0-1.
//
// Behaviour (Kafka's KafkaApis.handleListTransactionsRequest + TransactionStateManager
// .listTransactionStates): every id of the __transaction_state partitions this broker leads, with
// its producer id and state name, filtered by StateFilters (Kafka's state names; unknown ones are
// echoed in UnknownStateFilters), ProducerIdFilters and (v1) DurationFilter (only transactions
// running longer than that many ms; -1: all). COORDINATOR_LOAD_IN_PROGRESS while a partition
// loads, COORDINATOR_NOT_AVAILABLE once shutting down. Ids the principal may not DESCRIBE are left
// out.
//
// Not implemented: quotas.
import { ApiKey } from '@tributary/protocol';
import { listTransactions } from '../coordinator/transaction/transaction-listing.ts';
import { AclOperation, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

export const listTransactionsHandler: ApiHandler<typeof ApiKey.ListTransactions> = {
  apiKey: ApiKey.ListTransactions,
  name: 'ListTransactions',
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, request) {
    const r = listTransactions(
      ctx.services.txnCoordinator.coordinator,
      { states: request.stateFilters, producerIds: request.producerIdFilters, durationMs: Number(request.durationFilter) },
      ctx.services.time.now(),
    );
    return {
      throttleTimeMs: 0,
      ...r,
      transactionStates: r.transactionStates.filter((t) =>
        ctx.authorize(AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, t.transactionalId),
      ),
    };
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode, unknownStateFilters: [], transactionStates: [] }),
};
