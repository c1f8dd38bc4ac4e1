// AlterPartition (API key 56), on the controller listener.
//
// Versions: 0-3 (v2+ topics by id, v3 ISR members with their broker epochs).
//
// Behaviour: a partition leader's new ISR, checked and written by the controller
// (@tributary/metadata alter-partition.ts: Kafka's ReplicationControlManager.alterPartition):
// STALE_BROKER_EPOCH for the whole request; per partition UNKNOWN_TOPIC_OR_PARTITION /
// UNKNOWN_TOPIC_ID, NOT_CONTROLLER, FENCED_LEADER_EPOCH, INVALID_REQUEST, INVALID_UPDATE_VERSION,
// INELIGIBLE_REPLICA (OPERATION_NOT_ATTEMPTED before v2); accepted partitions are answered as they
// are after the change.
//
// Not implemented: reassignment completion (NEW_LEADER_ELECTED).
import { ApiKey } from '@tributary/protocol';
import { ALTER_PARTITION_MAX_VERSION } from '@tributary/metadata';
import type { ApiHandler } from '../../server/handler-registry.ts';
import type { ControllerBackend } from '../controller-backend.ts';

export function alterPartitionHandler(controller: ControllerBackend): ApiHandler<typeof ApiKey.AlterPartition> {
  return {
    apiKey: ApiKey.AlterPartition,
    name: 'AlterPartition',
    minVersion: 0,
    maxVersion: ALTER_PARTITION_MAX_VERSION,
    handle: (ctx, request) => controller.alterPartition(request, ctx.header.apiVersion),
  };
}
