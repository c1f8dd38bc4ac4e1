// The controller listener's Authorizer. Kafka's brokers forward admin requests to the controller
// in an Envelope carrying the client's principal, and the controller authorizes that principal.
// Ours forward the request itself, after authorizing it with the client's principal on the
// broker (controller/remote-controller.ts); so on the controller listener a principal allowed
// CLUSTER_ACTION on the cluster, which Kafka requires of brokers and controllers anyway, is a
// node of this cluster and is allowed what it forwards, while any other principal (an admin
// client talking to the controller directly) is checked operation by operation, as Kafka's
// ControllerApis does.
import { AclOperation, CLUSTER_NAME, ResourceType, type Authorizer } from '../../server/authorizer.ts';

export function forwardingAuthorizer(base: Authorizer): Authorizer {
  return {
    authorize(request, operation, resourceType, resourceName) {
      return (
        base.authorize(request, AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME) ||
        base.authorize(request, operation, resourceType, resourceName)
      );
    },
    ...(base.authorizeByResourceType
      ? {
          authorizeByResourceType: (request, operation, resourceType) =>
            base.authorize(request, AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME) ||
            base.authorizeByResourceType!(request, operation, resourceType),
        }
      : {}),
  };
}
