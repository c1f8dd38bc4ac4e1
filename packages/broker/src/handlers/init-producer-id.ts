// InitProducerId (API key 22): producer ids for idempotent and transactional producers.
//
// Versions: 0-5.
//
// Behaviour:
// * Authorization first: WRITE on the transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
//   or, without one, IDEMPOTENT_WRITE on the cluster or WRITE on some topic (Kafka 3.x's
//   authorizeByResourceType; else CLUSTER_AUTHORIZATION_FAILED).
// * ProducerId / ProducerEpoch must both be -1 or both be set, else INVALID_REQUEST (Kafka's
//   KafkaApis check).
// * No TransactionalId (null): an idempotent producer.
//   - Without a current producer id: a new producer id with epoch 0, from ProducerIdManager
//     (blocks of 1000 persisted in the data dir before use: ids never repeat across restarts).
//   - With a current producer id and epoch (KIP-360, sent by librdkafka after UNKNOWN_PRODUCER_ID
//     or a sequence gap): the same id with the epoch bumped by one, so partitions fence the old
//     epoch's in-flight batches and expect sequence 0. When the epoch is exhausted (>= 32766, as
//     Kafka's TransactionMetadata.isEpochExhausted) or the id was never issued by this broker: a
//     new id with epoch 0. (Kafka itself always answers a new id here for a null TransactionalId;
//     both are what the clients expect, which take whatever id and epoch come back.)
//   - Idempotent producers are not fenced by one another (each has its own id), so no epoch state
//     is kept.
// * A TransactionalId: the transaction coordinator's (Kafka's TransactionCoordinator
//   .handleInitProducerId, coordinator/transaction/): "" -> INVALID_REQUEST; TransactionTimeoutMs
//   <= 0 or above transaction.max.timeout.ms -> INVALID_TRANSACTION_TIMEOUT; not this broker's id
//   -> NOT_COORDINATOR (COORDINATOR_LOAD_IN_PROGRESS while its partition loads); a new id -> a
//   producer id at epoch 0; a known one -> its epoch bumped (a new producer id once exhausted); an
//   ongoing transaction is aborted first (its producer fenced by a bumped epoch) and the answer is
//   CONCURRENT_TRANSACTIONS, as while a commit/abort completes (the producer retries). With
//   ProducerId/ProducerEpoch (KIP-360) they must be the id's current producer, else
//   PRODUCER_FENCED, answered INVALID_PRODUCER_EPOCH below v4 as Kafka does. __transaction_state is
//   created on first use here too (as by FindCoordinator).
// * A new id block that cannot be had from the controller: COORDINATOR_NOT_AVAILABLE (retriable).
//
// Version notes:
// * v3: ProducerId and ProducerEpoch (KIP-360).
//
// Not implemented:
// * quotas
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

/** Kafka's isEpochExhausted: epochs at or above this value rotate to a new producer id. */
export const EXHAUSTED_EPOCH = 32766;

function answer(errorCode: number, producerId = -1n, producerEpoch = -1) {
  return { throttleTimeMs: 0, errorCode, producerId, producerEpoch };
}

export const initProducerIdHandler: ApiHandler<typeof ApiKey.InitProducerId> = {
  apiKey: ApiKey.InitProducerId,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, request) {
    const { transactionalId, transactionTimeoutMs, producerId, producerEpoch } = request;
    if (transactionalId !== null) {
      if (!ctx.authorize(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, transactionalId)) {
        return answer(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      }
    } else if (
      !ctx.authorize(AclOperation.IDEMPOTENT_WRITE, ResourceType.CLUSTER, CLUSTER_NAME) &&
      !ctx.authorizeByResourceType(AclOperation.WRITE, ResourceType.TOPIC)
    ) {
      return answer(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    }
    if ((producerId === -1n) !== (producerEpoch === -1)) return answer(ErrorCode.INVALID_REQUEST);
    if (transactionalId !== null) {
      const txn = ctx.services.txnCoordinator;
      if (transactionalId !== '' && txn.coordinator.validTimeout(transactionTimeoutMs)) {
        try {
          await txn.ensureTransactionTopic();
        } catch (err) {
          ctx.services.log.warn(`creating __transaction_state failed: ${(err as Error).message}`);
          return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
        }
      }
      const expected = producerId === -1n ? null : { producerId, producerEpoch };
      const r = await txn.coordinator.initProducerId(transactionalId, transactionTimeoutMs, expected);
      const code = ctx.header.apiVersion < 4 && r.errorCode === ErrorCode.PRODUCER_FENCED ? ErrorCode.INVALID_PRODUCER_EPOCH : r.errorCode;
      return answer(code, r.producerId, r.producerEpoch);
    }
    const ids = ctx.services.producerIds;
    const current = Number(producerId);
    if (producerId !== -1n && producerEpoch >= 0 && producerEpoch < EXHAUSTED_EPOCH && ids.wasIssued(current)) {
      return answer(ErrorCode.NONE, producerId, producerEpoch + 1);
    }
    const failed = (err: unknown) => {
      ctx.services.log.error('cannot get a producer id block from the controller', { err });
      return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    };
    let id: number | Promise<number>;
    try {
      id = ids.generate();
    } catch (err) {
      return failed(err);
    }
    // A new block comes from the controller (asynchronously); within a block ids come at once.
    if (id instanceof Promise) return id.then((x) => answer(ErrorCode.NONE, BigInt(x), 0), failed);
    return answer(ErrorCode.NONE, BigInt(id), 0);
  },
  errorResponse: (_request, errorCode) => answer(errorCode),
};
