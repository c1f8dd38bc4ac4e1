// FindCoordinator (API key 10).
//
// Versions: 0-6.
//
// Behaviour:
// * KeyType 0 (group): the coordinator of a group is the leader of
//   __consumer_offsets-<partitionFor(group)> (on a single broker, this broker): its NodeId, and the
//   host and port of the advertised listener the request came in on, from the metadata. A
//   leader that is not alive: COORDINATOR_NOT_AVAILABLE with "no node".
// * __consumer_offsets is created on first use (offsets.topic.num.partitions, compacted); the
//   request waits for the creation instead of answering COORDINATOR_NOT_AVAILABLE as Kafka does.
//   The coordinator named may still be loading its partition: its own requests then answer
//   COORDINATOR_LOAD_IN_PROGRESS.
// * KeyType 1 (transaction): the leader of __transaction_state-<partitionFor(id)>, the same way;
//   __transaction_state is created on first use (transaction.state.log.num.partitions, compacted).
// * Other key types: INVALID_REQUEST (Kafka's "Unknown coordinator type").
// * Authorization: DESCRIBE on the group (else GROUP_AUTHORIZATION_FAILED) or on the
//   transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED), answered with "no node".
//
// Version notes:
// * v0-3: one Key, answered at the top level.
// * v4: every CoordinatorKeys entry, answered in Coordinators.
//
// Not implemented:
// * the share coordinator (key type 2)
import { ApiKey, ErrorCode, errorInfo } from '@tributary/protocol';
import { GROUP_METADATA_TOPIC_NAME } from '../coordinator/offsets-topic-host.ts';
import { TRANSACTION_STATE_TOPIC_NAME } from '../coordinator/transaction-coordinator-service.ts';
import { AclOperation, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler, RequestContext } from '../server/handler-registry.ts';

interface Coordinator {
  key: string;
  nodeId: number;
  host: string;
  port: number;
  errorCode: number;
  errorMessage: string | null;
}

const noNode = (key: string, errorCode: number): Coordinator => ({
  key,
  nodeId: -1,
  host: '',
  port: -1,
  errorCode,
  errorMessage: errorInfo(errorCode).message,
});

async function findOne(ctx: RequestContext, key: string, keyType: number): Promise<Coordinator> {
  if (keyType === 0 && !ctx.authorize(AclOperation.DESCRIBE, ResourceType.GROUP, key)) {
    return noNode(key, ErrorCode.GROUP_AUTHORIZATION_FAILED);
  }
  if (keyType === 1 && !ctx.authorize(AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key)) {
    return noNode(key, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  }
  if (keyType !== 0 && keyType !== 1) return noNode(key, ErrorCode.INVALID_REQUEST);
  const coordinator =
    keyType === 0
      ? {
          topic: GROUP_METADATA_TOPIC_NAME,
          service: ctx.services.groupCoordinator,
          ensure: () => ctx.services.groupCoordinator.ensureOffsetsTopic(),
        }
      : {
          topic: TRANSACTION_STATE_TOPIC_NAME,
          service: ctx.services.txnCoordinator,
          ensure: () => ctx.services.txnCoordinator.ensureTransactionTopic(),
        };
  try {
    await coordinator.ensure();
  } catch (err) {
    ctx.services.log.warn(`creating ${coordinator.topic} failed: ${(err as Error).message}`);
    return noNode(key, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  }
  const leader = ctx.services.metadata.topic(coordinator.topic)?.partitions[coordinator.service.partitionFor(key)]?.leader ?? -1;
  const endpoint = ctx.services.metadata.endpoint(leader, ctx.connection.listenerName);
  if (!endpoint) return noNode(key, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  return { key, nodeId: leader, host: endpoint.host, port: endpoint.port, errorCode: ErrorCode.NONE, errorMessage: null };
}

export const findCoordinatorHandler: ApiHandler<typeof ApiKey.FindCoordinator> = {
  apiKey: ApiKey.FindCoordinator,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 6,
  async handle(ctx, request) {
    if (ctx.header.apiVersion >= 4) {
      const coordinators = await Promise.all(request.coordinatorKeys.map((k) => findOne(ctx, k, request.keyType)));
      return { throttleTimeMs: 0, coordinators };
    }
    const c = await findOne(ctx, request.key, request.keyType);
    return { throttleTimeMs: 0, errorCode: c.errorCode, errorMessage: c.errorMessage, nodeId: c.nodeId, host: c.host, port: c.port };
  },
  // "No node" for the key (v0-3) or for every key (v4+).
  errorResponse(request, errorCode, version) {
    if (version >= 4) return { throttleTimeMs: 0, coordinators: request.coordinatorKeys.map((key) => noNode(key, errorCode)) };
    const { key: _, ...c } = noNode(request.key, errorCode);
    return { throttleTimeMs: 0, ...c };
  },
};
