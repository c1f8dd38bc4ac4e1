// DescribeCluster (API key 60), versions 0-1.
//
// Behaviour: cluster id (from meta.properties), controller id and brokers from the metadata (a
// single broker is its own controller and the only broker; in a cluster, the lowest live broker id): the live brokers with the advertised
// endpoint of the listener the request came in on (rack null). v1 EndpointType: brokers answer type BROKER (1); a request for CONTROLLER
// endpoints gets MISMATCHED_ENDPOINT_TYPE (INVALID_REQUEST at v0), as Kafka's brokers do.
// IncludeClusterAuthorizedOperations: the bit set of Kafka's cluster operations (ALTER,
// ALTER_CONFIGS, CLUSTER_ACTION, CREATE, DESCRIBE, DESCRIBE_CONFIGS, IDEMPOTENT_WRITE) the
// authorizer allows (0 without DESCRIBE on the cluster); otherwise -2147483648 ("not requested").
// Not implemented: v2 (fenced brokers).
import { ApiKey, ErrorCode, errorInfo } from '@tributary/protocol';
import { brokersFor } from './metadata.ts';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler, RequestContext } from '../server/handler-registry.ts';

const NOT_REQUESTED = -2147483648;
const ENDPOINT_BROKER = 1;
const ENDPOINT_NAMES: Record<number, string> = { 1: 'BROKER', 2: 'CONTROLLER' };
/** The operations Kafka defines on the cluster resource. */
const CLUSTER_OPERATIONS: readonly AclOperation[] = [
  AclOperation.CREATE,
  AclOperation.ALTER,
  AclOperation.DESCRIBE,
  AclOperation.CLUSTER_ACTION,
  AclOperation.DESCRIBE_CONFIGS,
  AclOperation.ALTER_CONFIGS,
  AclOperation.IDEMPOTENT_WRITE,
];

/** Kafka's AuthHelper.authorizedOperations on the cluster: a bit per allowed operation; 0 without DESCRIBE. */
function clusterAuthorizedOperations(ctx: RequestContext): number {
  if (!ctx.authorize(AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME)) return 0;
  let bits = 0;
  for (const op of CLUSTER_OPERATIONS) if (ctx.authorize(op, ResourceType.CLUSTER, CLUSTER_NAME)) bits |= 1 << op;
  return bits;
}

export const describeClusterHandler: ApiHandler<typeof ApiKey.DescribeCluster> = {
  apiKey: ApiKey.DescribeCluster,
  name: 'DescribeCluster',
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, request) {
    const s = ctx.services;
    const base = {
      throttleTimeMs: 0,
      endpointType: ENDPOINT_BROKER,
      clusterId: s.clusterId,
      controllerId: -1,
      brokers: [],
      clusterAuthorizedOperations: NOT_REQUESTED,
    };
    if (request.endpointType !== ENDPOINT_BROKER) {
      return {
        ...base,
        errorCode: ctx.header.apiVersion === 0 ? ErrorCode.INVALID_REQUEST : ErrorCode.MISMATCHED_ENDPOINT_TYPE,
        errorMessage: `The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type ${ENDPOINT_NAMES[request.endpointType] ?? request.endpointType}`,
      };
    }
    return {
      ...base,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      controllerId: s.metadata.controllerId,
      brokers: brokersFor(ctx).map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? clusterAuthorizedOperations(ctx) : NOT_REQUESTED,
    };
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode, errorMessage: errorInfo(errorCode).message }),
};
