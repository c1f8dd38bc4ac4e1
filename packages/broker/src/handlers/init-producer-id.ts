// InitProducerId (API key 22): producer ids for idempotent producers.
//
// Versions: 0-5.
//
// Behaviour:
// * Authorization first: WRITE on the transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
//   or, without one, IDEMPOTENT_WRITE on the cluster (else CLUSTER_AUTHORIZATION_FAILED).
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
// * TransactionalId "": INVALID_REQUEST. TransactionTimeoutMs <= 0 or above Kafka's default
//   transaction.max.timeout.ms (900000): INVALID_TRANSACTION_TIMEOUT, as Kafka.
// * Any other TransactionalId: transactions are not implemented, so there is no transaction
//   coordinator; the answer is COORDINATOR_NOT_AVAILABLE, what Kafka answers while no coordinator
//   for the id is available (its FindCoordinator says the same). Clients retry it until their
//   initTransactions() timeout, then report it.
// * A new id block that cannot be written to disk: COORDINATOR_NOT_AVAILABLE (retriable).
//
// Version notes:
// * v3: ProducerId and ProducerEpoch (KIP-360).
//
// Not implemented:
// * transactions (__transaction_state, the transaction coordinator)
// * Kafka's alternative to IDEMPOTENT_WRITE (WRITE on any topic)
// * quotas
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

/** Kafka's default transaction.max.timeout.ms. */
export const TRANSACTION_MAX_TIMEOUT_MS = 900_000;
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
  handle(ctx, request) {
    const { transactionalId, transactionTimeoutMs, producerId, producerEpoch } = request;
    if (transactionalId !== null) {
      if (!ctx.authorize(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, transactionalId)) {
        return answer(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      }
    } else if (!ctx.authorize(AclOperation.IDEMPOTENT_WRITE, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return answer(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    }
    if ((producerId === -1n) !== (producerEpoch === -1)) return answer(ErrorCode.INVALID_REQUEST);
    if (transactionalId !== null) {
      if (transactionalId === '') return answer(ErrorCode.INVALID_REQUEST);
      if (transactionTimeoutMs <= 0 || transactionTimeoutMs > TRANSACTION_MAX_TIMEOUT_MS)
        return answer(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
      return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
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
