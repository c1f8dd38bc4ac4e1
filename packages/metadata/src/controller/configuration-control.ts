// Dynamic configs in the controller (Kafka's ConfigurationControlManager), producing
// ConfigRecords (value null = the override is removed) for what changes, nothing for what does not:
//   alterConfigs (legacy AlterConfigs): the topic's overrides become exactly the given set;
//   incrementalAlterConfigs: SET sets a value, DELETE removes an override (a no-op when not set),
//     APPEND / SUBTRACT add or remove items of a list config (only cleanup.policy), starting from
//     the override or else the default value; anything else INVALID_CONFIG ("Config value append
//     is not allowed for config key: x").
// The resulting set is validated as a whole by the injected TopicConfigPolicy (INVALID_CONFIG;
// nothing changes on error). An unknown topic is UNKNOWN_TOPIC_OR_PARTITION ("Topic x does not
// exist.").
// BROKER resources (dynamic broker configs: name "" for the cluster-wide default, else a broker id)
// were validated by the broker the request came to (Kafka's ConfigAdminManager); here, as Kafka's
// ControllerConfigurationValidator, only the name is checked (INVALID_REQUEST "Unable to parse
// broker name as a base 10 number." / "Invalid negative broker ID.") and the values are stored as
// given (APPEND / SUBTRACT work on any name, starting from the stored value).
// GROUP resources (Kafka 4's group configs, type 32) are validated as a whole by the injected
// GroupConfigPolicy, as Kafka's ControllerConfigurationValidator: the empty name is INVALID_REQUEST
// "Default group resources are not allowed."; APPEND / SUBTRACT are INVALID_CONFIG ("Can't APPEND
// to key x because its type is not LIST.": no group config is a list). A group needs not exist.
// Other resource types (or GROUP without a policy) are INVALID_REQUEST.
import { ErrorCode, errorInfo } from '@tributary/protocol';
import type { MetadataImage } from '../image/metadata-image.ts';
import { ConfigResourceType, configRecord, type MetadataRecord } from '../records/metadata-record.ts';
import type { ControllerOptions } from './controller-options.ts';
import { NONE, apiError, sequentially, type ApiError, type ControllerResult } from './results.ts';

export type AlterConfigOpType = 'SET' | 'DELETE' | 'APPEND' | 'SUBTRACT';
export interface AlterConfigOp {
  name: string;
  op: AlterConfigOpType;
  value: string | null;
}

export interface AlterConfigsResource {
  resourceType: number;
  resourceName: string;
  /** The whole new set of overrides. */
  configs: Readonly<Record<string, string | null>>;
}

export interface IncrementalAlterConfigsResource {
  resourceType: number;
  resourceName: string;
  ops: readonly AlterConfigOp[];
}

export interface AlterConfigsResult extends ApiError {
  resourceType: number;
  resourceName: string;
}

export function alterConfigs(
  image: MetadataImage,
  resources: readonly AlterConfigsResource[],
  validateOnly: boolean,
  options: ControllerOptions,
): ControllerResult<AlterConfigsResult[]> {
  return sequentially(image, resources, (img, r) => {
    const id = { resourceType: r.resourceType, resourceName: r.resourceName };
    const res = replaceResourceConfigs(img, r.resourceType, r.resourceName, r.configs, validateOnly, options);
    return { records: res.records, response: { ...id, ...res.response } };
  });
}

export function incrementalAlterConfigs(
  image: MetadataImage,
  resources: readonly IncrementalAlterConfigsResource[],
  validateOnly: boolean,
  options: ControllerOptions,
): ControllerResult<AlterConfigsResult[]> {
  return sequentially(image, resources, (img, r) => {
    const id = { resourceType: r.resourceType, resourceName: r.resourceName };
    const res = applyOps(img, r, validateOnly, options);
    return { records: res.records, response: { ...id, ...res.response } };
  });
}

function applyOps(
  image: MetadataImage,
  r: IncrementalAlterConfigsResource,
  validateOnly: boolean,
  options: ControllerOptions,
): ControllerResult<ApiError> {
  const unsupported = checkResource(image, r.resourceType, r.resourceName, options, false);
  if (unsupported) return { records: [], response: unsupported };
  const broker = r.resourceType === ConfigResourceType.BROKER;
  const next: Record<string, string | null> = { ...stored(image, r.resourceType, r.resourceName) };
  for (const o of r.ops) {
    if (o.op === 'DELETE') {
      delete next[o.name];
      continue;
    }
    if (o.op === 'SET') {
      next[o.name] = o.value;
      continue;
    }
    if (r.resourceType === ConfigResourceType.GROUP) {
      return { records: [], response: apiError(ErrorCode.INVALID_CONFIG, `Can't ${o.op} to key ${o.name} because its type is not LIST.`) };
    }
    if (!broker && o.name !== 'cleanup.policy') {
      return { records: [], response: apiError(ErrorCode.INVALID_CONFIG, `Config value append is not allowed for config key: ${o.name}`) };
    }
    const cur = (next[o.name] ?? (broker ? null : options.topicConfigs.defaultValue(o.name)) ?? '').split(',').filter((x) => x !== '');
    const items = (o.value ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
    const result = o.op === 'APPEND' ? [...cur, ...items.filter((x) => !cur.includes(x))] : cur.filter((x) => !items.includes(x));
    next[o.name] = result.join(',');
  }
  return replaceResourceConfigs(image, r.resourceType, r.resourceName, next, validateOnly, options);
}

function stored(image: MetadataImage, type: number, name: string): Record<string, string> {
  return Object.fromEntries(image.configs.configs(type, name));
}

/** Whether the resource may be altered; `validating`: the group name is checked too (Kafka checks it with the values). */
function checkResource(image: MetadataImage, type: number, name: string, options: ControllerOptions, validating: boolean): ApiError | null {
  if (type === ConfigResourceType.GROUP && options.groupConfigs) {
    return validating && name === '' ? apiError(ErrorCode.INVALID_REQUEST, 'Default group resources are not allowed.') : null;
  }
  if (type === ConfigResourceType.BROKER) {
    if (name === '') return null;
    if (!/^[+-]?\d+$/.test(name)) return apiError(ErrorCode.INVALID_REQUEST, 'Unable to parse broker name as a base 10 number.');
    return Number(name) < 0 ? apiError(ErrorCode.INVALID_REQUEST, 'Invalid negative broker ID.') : null;
  }
  if (type !== ConfigResourceType.TOPIC)
    return apiError(ErrorCode.INVALID_REQUEST, `The controller only alters TOPIC and BROKER configs, not resource type ${type}.`);
  if (!image.topic(name)) return apiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`);
  return null;
}

function replaceResourceConfigs(
  image: MetadataImage,
  type: number,
  name: string,
  configs: Readonly<Record<string, string | null>>,
  validateOnly: boolean,
  options: ControllerOptions,
): ControllerResult<ApiError> {
  const unsupported = checkResource(image, type, name, options, true);
  if (unsupported) return { records: [], response: unsupported };
  if (type === ConfigResourceType.BROKER) return replaceBrokerConfigs(image, name, configs, validateOnly);
  const validated = type === ConfigResourceType.GROUP ? options.groupConfigs!.validate(configs) : options.topicConfigs.validate(configs);
  if (!('configs' in validated))
    return { records: [], response: apiError(validated.errorCode, validated.errorMessage ?? errorInfo(validated.errorCode).message) };
  if (validateOnly) return { records: [], response: NONE };
  const resourceType = type === ConfigResourceType.GROUP ? ConfigResourceType.GROUP : ConfigResourceType.TOPIC;
  const current = stored(image, resourceType, name);
  const records: MetadataRecord[] = [];
  for (const k of Object.keys(current)) {
    if (!(k in validated.configs)) records.push(configRecord(resourceType, name, k, null));
  }
  for (const [k, v] of Object.entries(validated.configs)) {
    if (current[k] !== v) records.push(configRecord(resourceType, name, k, v));
  }
  return { records, response: NONE };
}

/** The dynamic configs of a BROKER resource become exactly `configs` (null values dropped). */
function replaceBrokerConfigs(
  image: MetadataImage,
  name: string,
  configs: Readonly<Record<string, string | null>>,
  validateOnly: boolean,
): ControllerResult<ApiError> {
  if (validateOnly) return { records: [], response: NONE };
  const current = stored(image, ConfigResourceType.BROKER, name);
  const records: MetadataRecord[] = [];
  for (const k of Object.keys(current)) {
    if (configs[k] === undefined || configs[k] === null) records.push(configRecord(ConfigResourceType.BROKER, name, k, null));
  }
  for (const [k, v] of Object.entries(configs)) {
    if (v !== null && current[k] !== v) records.push(configRecord(ConfigResourceType.BROKER, name, k, v));
  }
  return { records, response: NONE };
}
