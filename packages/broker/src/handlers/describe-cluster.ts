// DescribeCluster (API key 60), versions 0-1.
//
// Behaviour: cluster id (from meta.properties), controller id and brokers from the metadata (a
// single broker is its own controller and the only broker; in a cluster, the lowest live broker id): the live brokers with the advertised
// endpoint of the listener the request came in on (rack null). v1 EndpointType: brokers answer type BROKER (1); a request for CONTROLLER
// endpoints gets MISMATCHED_ENDPOINT_TYPE (INVALID_REQUEST at v0), as Kafka's brokers do.
// IncludeClusterAuthorizedOperations: the bit set of Kafka's cluster operations (ALTER,
// ALTER_CONFIGS, CLUSTER_ACTION, CREATE, DESCRIBE, DESCRIBE_CONFIGS, IDEMPOTENT_WRITE) the
// authorizer allows (all of them without an authorizer; 0 without DESCRIBE on the cluster), as
// KafkaApis.handleDescribeCluster; otherwise -2147483648 ("not requested").
// Not implemented: v2 (fenced brokers).
import { ApiKey, ErrorCode, errorInfo } from '@tributary/protocol';
import { brokersFor } from './metadata.ts';
import {
  AUTHORIZED_OPERATIONS_NOT_REQUESTED as NOT_REQUESTED,
  clusterAuthorizedOperations,
} from '../security/authorizer/authorized-operations.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

const ENDPOINT_BROKER = 1;
const ENDPOINT_NAMES: Record<number, string> = { 1: 'BROKER', 2: 'CONTROLLER' };

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
