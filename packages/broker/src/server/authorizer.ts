// Authorizer: the seam Kafka's ACLs plug into (org.apache.kafka.server.authorizer.Authorizer).
// Handlers call `ctx.authorize(operation, resourceType, resourceName)` where Kafka's KafkaApis
// authorizes, and answer Kafka's *_AUTHORIZATION_FAILED codes (TOPIC 29, GROUP 30, CLUSTER 31,
// TRANSACTIONAL_ID 53) when it says no. The broker is given one Authorizer (BrokerOptions
// .authorizer); the default allows everything, as Kafka does without authorizer.class.name.
//
// The principal is the connection's (ConnectionInfo.principal): User:ANONYMOUS on PLAINTEXT
// listeners, the only kind so far. Operation and resource type ids are Kafka's AclOperation and
// ResourceType; the cluster resource is named "kafka-cluster" (Kafka's Resource.CLUSTER_NAME).
// Which operation implies which (ALL, READ => DESCRIBE, ...) is the authorizer's business, as in
// Kafka's StandardAuthorizer.

/** Kafka's AclOperation ids. */
export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;
export type AclOperation = (typeof AclOperation)[keyof typeof AclOperation];

/** Kafka's (ACL) ResourceType ids. */
export const ResourceType = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const;
export type ResourceType = (typeof ResourceType)[keyof typeof ResourceType];

/** The name of the one CLUSTER resource. */
export const CLUSTER_NAME = 'kafka-cluster';

/** Kafka's KafkaPrincipal: who sent a request. */
export interface KafkaPrincipal {
  /** e.g. 'User' */
  readonly type: string;
  readonly name: string;
}

/** The principal of an unauthenticated connection (PLAINTEXT). */
export const ANONYMOUS: KafkaPrincipal = Object.freeze({ type: 'User', name: 'ANONYMOUS' });

/** What an Authorizer sees of a request (Kafka's AuthorizableRequestContext); a RequestContext is one. */
export interface AuthorizableRequestContext {
  readonly connection: { readonly principal: KafkaPrincipal; readonly listenerName: string; readonly remoteAddress: string };
  readonly header: {
    readonly apiKey: number;
    readonly apiVersion: number;
    readonly correlationId: number;
    readonly clientId: string | null;
  };
}

export interface Authorizer {
  /** Whether the request's principal may perform `operation` on the resource. */
  authorize(request: AuthorizableRequestContext, operation: AclOperation, resourceType: ResourceType, resourceName: string): boolean;
  /**
   * Whether the principal may perform `operation` on some resource of the type (Kafka's
   * Authorizer.authorizeByResourceType); when absent, asked as `authorize` on the wildcard name "*".
   */
  authorizeByResourceType?(request: AuthorizableRequestContext, operation: AclOperation, resourceType: ResourceType): boolean;
}

/** The default: every operation is allowed (Kafka without an authorizer). */
export const allowAll: Authorizer = { authorize: () => true, authorizeByResourceType: () => true };
