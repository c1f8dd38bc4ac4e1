// The resource loop AlterConfigs and IncrementalAlterConfigs share (Kafka's ConfigAdminManager
// checks, in its order): a resource named twice is INVALID_REQUEST "Duplicate resource." (answered
// once); a config name given twice in one resource is INVALID_REQUEST "Error due to duplicate config
// keys"; then the API's own checks; then by resource type: TOPIC, GROUP and BROKER need ALTER_CONFIGS
// on the topic / the group / the cluster (else TOPIC / GROUP / CLUSTER_AUTHORIZATION_FAILED with
// Kafka's message, as its controller answers); TOPIC and GROUP (Kafka 4's group configs,
// group-config.ts) are then altered by the API through the controller, which validates them; BROKER
// (dynamic broker configs) must name this node or "" (the cluster-wide default), then the API
// computes the resource's resulting dynamic configs, which are checked as Kafka's
// DynamicBrokerConfig does (dynamic-broker-config.ts; then the configuration they would make:
// metadata/dynamic-config-publisher.ts's checkReconfiguration) and stored through the controller. On the
// controller listener (a forwarded request) the broker already checked them: they go straight to
// the controller, which checks only the name. BROKER_LOGGER (the broker's log levels,
// broker-logger.ts) is altered by IncrementalAlterConfigs only; the legacy AlterConfigs answers
// INVALID_REQUEST "Unknown resource type 8", as any other type. One result per distinct resource,
// in request order.
import { ErrorCode, errorInfo } from '@tributary/protocol';
import { AclOperation } from '../server/authorizer.ts';
import type { BrokerConfig } from '../config/broker-config.ts';
import { checkReconfiguration } from '../metadata/dynamic-config-publisher.ts';
import { validateDynamicBrokerConfigs } from './dynamic-broker-config.ts';
import {
  ConfigResourceType,
  resolveBrokerResource,
  configAuthorizationError,
  unsupportedResourceType,
  type Authorize,
  type ResourceError,
} from './config-resources.ts';

export interface AlterableResource {
  resourceType: number;
  resourceName: string;
  configs: ReadonlyArray<{ name: string }>;
}

export interface AlterResourceResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

export interface AlterResourceRules<R> {
  nodeId: number;
  /** The running configuration (dynamic BROKER changes are checked against it). */
  config: BrokerConfig;
  /** A BROKER resource's stored dynamic configs ("" = the cluster-wide default). */
  storedBrokerConfigs(name: string): Record<string, string>;
  authorize: Authorize;
  /** The API's own checks on a resource, after the duplicate checks (null: it may go on). */
  validate?(resource: R): ResourceError | null;
  /** Alters (or, validateOnly, checks) a TOPIC or GROUP resource through the controller; errorCode NONE when it succeeded. */
  alterThroughController(resource: R): Promise<{ errorCode: number; errorMessage: string | null }>;
  /** The request came on a controller listener (forwarded by a broker, which checked BROKER resources). */
  onControllerListener: boolean;
  /** The dynamic configs a BROKER resource would have after the change (they are then checked). */
  brokerConfigsAfter(resource: R): { configs: Record<string, string> } | ResourceError;
  /** Stores (or, validateOnly, checks) a BROKER resource's resulting dynamic configs through the controller. */
  alterBroker(resource: R, configs: Record<string, string>): Promise<{ errorCode: number; errorMessage: string | null }>;
  /** Alters (or checks) the broker's log levels (IncrementalAlterConfigs only; absent: the type is unknown). */
  alterBrokerLogger?(resource: R): ResourceError | null;
}

export async function alterConfigResources<R extends AlterableResource>(
  resources: readonly R[],
  rules: AlterResourceRules<R>,
): Promise<AlterResourceResult[]> {
  const key = (r: R) => `${r.resourceType}:${r.resourceName}`;
  const count = new Map<string, number>();
  for (const r of resources) count.set(key(r), (count.get(key(r)) ?? 0) + 1);
  const answered = new Set<string>();
  const results: AlterResourceResult[] = [];
  for (const res of resources) {
    const k = key(res);
    if (answered.has(k)) continue;
    const e =
      count.get(k)! > 1 ? { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate resource.' } : await alterOne(res, rules);
    answered.add(k);
    results.push({
      errorCode: e?.errorCode ?? ErrorCode.NONE,
      errorMessage: e?.errorMessage ?? null,
      resourceType: res.resourceType,
      resourceName: res.resourceName,
    });
  }
  return results;
}

/** Every resource answered with `errorCode` (Kafka's getErrorResponse of both alter APIs). */
export function alterConfigErrors(resources: readonly AlterableResource[], errorCode: number): AlterResourceResult[] {
  const errorMessage = errorInfo(errorCode).message;
  return resources.map((r) => ({ errorCode, errorMessage, resourceType: r.resourceType, resourceName: r.resourceName }));
}

async function alterOne<R extends AlterableResource>(
  res: R,
  rules: AlterResourceRules<R>,
): Promise<{ errorCode: number; errorMessage: string | null } | null> {
  const names = res.configs.map((c) => c.name);
  if (new Set(names).size !== names.length)
    return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Error due to duplicate config keys' };
  const invalid = rules.validate?.(res);
  if (invalid) return invalid;
  const t = res.resourceType;
  if (t === ConfigResourceType.TOPIC || t === ConfigResourceType.BROKER || t === ConfigResourceType.GROUP) {
    const denied = configAuthorizationError(rules.authorize, AclOperation.ALTER_CONFIGS, t, res.resourceName);
    if (denied !== null) return { errorCode: denied, errorMessage: errorInfo(denied).message };
  }
  switch (t) {
    case ConfigResourceType.TOPIC:
    case ConfigResourceType.GROUP:
      return rules.alterThroughController(res);
    case ConfigResourceType.BROKER:
      return alterBroker(res, rules);
    case ConfigResourceType.BROKER_LOGGER:
      if (rules.alterBrokerLogger) return rules.alterBrokerLogger(res);
      return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown resource type ${t}` };
    default:
      return unsupportedResourceType(res.resourceType);
  }
}

async function alterBroker<R extends AlterableResource>(
  res: R,
  rules: AlterResourceRules<R>,
): Promise<{ errorCode: number; errorMessage: string | null } | null> {
  let perBroker = res.resourceName !== '';
  if (!rules.onControllerListener) {
    const r = resolveBrokerResource(res.resourceName, rules.nodeId);
    if (typeof r !== 'string') return r;
    perBroker = r === 'node';
  }
  const after = rules.brokerConfigsAfter(res);
  if (!('configs' in after)) return after;
  if (!rules.onControllerListener) {
    const problem =
      validateDynamicBrokerConfigs(after.configs, perBroker) ??
      checkReconfiguration(
        rules.config,
        { broker: rules.storedBrokerConfigs(String(rules.nodeId)), clusterDefault: rules.storedBrokerConfigs('') },
        perBroker,
        after.configs,
      );
    if (problem) return problem;
  }
  return rules.alterBroker(res, after.configs);
}
