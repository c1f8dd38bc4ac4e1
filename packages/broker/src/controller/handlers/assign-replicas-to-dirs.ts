// AssignReplicasToDirs (API key 73), on the controller listener.
//
// Versions: 0.
//
// Behaviour: a broker with several log dirs says which dir holds each of its replicas (JBOD,
// KIP-858; Kafka's ControllerApis.handleAssignReplicasToDirs, ReplicationControlManager
// .handleAssignReplicasToDirs: @tributary/metadata replica-directories.ts). Needs CLUSTER_ACTION
// (wrapped by controller-apis.ts). Top level: UNSUPPORTED_VERSION below metadata.version 3.7-IV2,
// STALE_BROKER_EPOCH for an unknown broker or another epoch. Per partition: UNKNOWN_TOPIC_ID,
// UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER (not a replica of it). A replica assigned to a
// dir the broker does not list online leaves the ISR and its leadership.
//
// Not implemented: nothing beyond Kafka's behaviour.
import { ApiKey } from '@tributary/protocol';
import type { ApiHandler } from '../../server/handler-registry.ts';
import type { ControllerBackend } from '../controller-backend.ts';

export function assignReplicasToDirsHandler(controller: ControllerBackend): ApiHandler<typeof ApiKey.AssignReplicasToDirs> {
  return {
    apiKey: ApiKey.AssignReplicasToDirs,
    name: 'AssignReplicasToDirs',
    minVersion: 0,
    maxVersion: 0,
    handle: (_ctx, request) => controller.assignReplicasToDirs(request),
  };
}
