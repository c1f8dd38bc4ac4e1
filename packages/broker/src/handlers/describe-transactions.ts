// DescribeTransactions (API key 65): the state of transactional ids (kafka-transactions.sh describe).
//
// Versions: 0.
//
// Behaviour (Kafka's KafkaApis.handleDescribeTransactionsRequest): for each id, in request order:
// DESCRIBE on the transactional id, else TRANSACTIONAL_ID_AUTHORIZATION_FAILED; then the
// coordinator's answer: NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS by the id's partition,
// TRANSACTIONAL_ID_NOT_FOUND, INVALID_REQUEST for '', or its state name, timeout, start time,
// producer id and epoch and partitions (while committing/aborting, those whose marker is not
// written yet). Partitions of topics the principal may not DESCRIBE are left out.
//
// Not implemented: quotas.
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { describeTransaction } from '../coordinator/transaction/transaction-listing.ts';
import { AclOperation, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

const errorState = (transactionalId: string, errorCode: number) => ({
  errorCode,
  transactionalId,
  transactionState: '',
  transactionTimeoutMs: 0,
  transactionStartTimeMs: 0n,
  producerId: 0n,
  producerEpoch: 0,
  topics: [],
});

export const describeTransactionsHandler: ApiHandler<typeof ApiKey.DescribeTransactions> = {
  apiKey: ApiKey.DescribeTransactions,
  name: 'DescribeTransactions',
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, request) {
    const coordinator = ctx.services.txnCoordinator.coordinator;
    const transactionStates = request.transactionalIds.map((id) => {
      if (!ctx.authorize(AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, id)) {
        return errorState(id, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      }
      const d = describeTransaction(coordinator, id);
      return { ...d, topics: d.topics.filter((t) => ctx.authorize(AclOperation.DESCRIBE, ResourceType.TOPIC, t.topic)) };
    });
    return { throttleTimeMs: 0, transactionStates };
  },
  // Kafka's getErrorResponse: every id with the code.
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    transactionStates: request.transactionalIds.map((id) => errorState(id, errorCode)),
  }),
};
