// The controller operations as RPCs: a ControllerChannel operation (the shapes LocalController
// takes and returns) turned into the request a broker forwards to the controller, and the answer
// turned back into the shape LocalController returns (RemoteController uses these).
//   createTopics            CreateTopics v7 (a created topic's overrides: its DYNAMIC_TOPIC_CONFIG entries)
//   createPartitions        CreatePartitions
//   deleteTopics            DeleteTopics v6 (by name or id)
//   alterConfigs            AlterConfigs
//   incrementalAlterConfigs IncrementalAlterConfigs (SET 0, DELETE 1, APPEND 2, SUBTRACT 3)
//   createAcls              CreateAcls v3
//   deleteAcls              DeleteAcls v3 (the matching ACLs come back without their ids)
//   alterClientQuotas       AlterClientQuotas (a null value: Remove)
//   electLeaders            ElectLeaders v2 (the controller's answer as it came, without its throttle time)
//   unregisterBroker        UnregisterBroker v0
//   alterPartitionReassignments / listPartitionReassignments
//                           AlterPartitionReassignments / ListPartitionReassignments (answered as they come)
import type {
  AclBinding,
  AclBindingFilter,
  AlterClientQuotasResult,
  ApiError,
  DeleteAclsFilterResult,
  AlterConfigOpType,
  AlterConfigsResource,
  AlterConfigsResult,
  ClientQuotaAlteration,
  CreatableTopic,
  CreatePartitionsResult,
  CreatePartitionsTopic,
  CreateTopicResult,
  DeletableTopic,
  DeleteTopicResult,
  ElectLeadersRequestData,
  ElectLeadersResult,
  IncrementalAlterConfigsResource,
  ListReassignmentsTopic,
  ReassignableTopic,
} from '@tributary/metadata';
import { type ApiKey, ErrorCode, type Encodable, type RequestOf, type ResponseOf } from '@tributary/protocol';
import { CONFIG_SOURCE } from '../metadata/topic-config.ts';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const TIMEOUT_MS = 30_000;

type Req<K extends ApiKey> = Encodable<RequestOf<K>>;

export function createTopicsRequest(topics: readonly CreatableTopic[], validateOnly: boolean): Req<typeof ApiKey.CreateTopics> {
  return {
    timeoutMs: TIMEOUT_MS,
    validateOnly,
    topics: topics.map((t) => ({
      name: t.name,
      numPartitions: t.numPartitions ?? -1,
      replicationFactor: t.replicationFactor ?? -1,
      assignments: (t.assignments ?? []).map((a) => ({ partitionIndex: a.partitionIndex, brokerIds: [...a.brokerIds] })),
      configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
    })),
  };
}

export function createTopicsResults(topics: readonly CreatableTopic[], res: ResponseOf<typeof ApiKey.CreateTopics>): CreateTopicResult[] {
  return topics.map((t) => {
    const r = res.topics.find((x) => x.name === t.name);
    if (!r) return { name: t.name, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'the controller did not answer this topic' };
    if (r.errorCode !== ErrorCode.NONE) return { name: r.name, errorCode: r.errorCode, errorMessage: r.errorMessage };
    const overrides = (r.configs ?? []).filter((c) => c.configSource === CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG && c.value !== null);
    return {
      name: r.name,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      topic: {
        topicId: r.topicId,
        numPartitions: r.numPartitions,
        replicationFactor: r.replicationFactor,
        configs: Object.fromEntries(overrides.map((c) => [c.name, c.value!])),
      },
    };
  });
}

export function createPartitionsRequest(
  topics: readonly CreatePartitionsTopic[],
  validateOnly: boolean,
): Req<typeof ApiKey.CreatePartitions> {
  return {
    timeoutMs: TIMEOUT_MS,
    validateOnly,
    topics: topics.map((t) => ({
      name: t.name,
      count: t.count,
      assignments: t.assignments ? t.assignments.map((brokerIds) => ({ brokerIds: [...brokerIds] })) : null,
    })),
  };
}

export function createPartitionsResults(res: ResponseOf<typeof ApiKey.CreatePartitions>): CreatePartitionsResult[] {
  return res.results.map((r) => ({ name: r.name, errorCode: r.errorCode, errorMessage: r.errorMessage }));
}

export function deleteTopicsRequest(topics: readonly DeletableTopic[]): Req<typeof ApiKey.DeleteTopics> {
  return {
    timeoutMs: TIMEOUT_MS,
    topics: topics.map((t) => ({ name: t.name ?? null, topicId: t.topicId ?? ZERO_UUID })),
  };
}

export function deleteTopicsResults(res: ResponseOf<typeof ApiKey.DeleteTopics>): DeleteTopicResult[] {
  return res.responses.map((r) => ({ name: r.name, topicId: r.topicId, errorCode: r.errorCode, errorMessage: r.errorMessage }));
}

export function alterConfigsRequest(resources: readonly AlterConfigsResource[], validateOnly: boolean): Req<typeof ApiKey.AlterConfigs> {
  return {
    validateOnly,
    resources: resources.map((r) => ({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      configs: Object.entries(r.configs).map(([name, value]) => ({ name, value })),
    })),
  };
}

const OP_CODES: Record<AlterConfigOpType, number> = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 };

export function incrementalAlterConfigsRequest(
  resources: readonly IncrementalAlterConfigsResource[],
  validateOnly: boolean,
): Req<typeof ApiKey.IncrementalAlterConfigs> {
  return {
    validateOnly,
    resources: resources.map((r) => ({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      configs: r.ops.map((o) => ({ name: o.name, configOperation: OP_CODES[o.op], value: o.value })),
    })),
  };
}

export function alterConfigsResults(
  res: ResponseOf<typeof ApiKey.AlterConfigs> | ResponseOf<typeof ApiKey.IncrementalAlterConfigs>,
): AlterConfigsResult[] {
  return res.responses.map((r) => ({
    resourceType: r.resourceType,
    resourceName: r.resourceName,
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
  }));
}

export function createAclsRequest(bindings: readonly AclBinding[]): Req<typeof ApiKey.CreateAcls> {
  return {
    creations: bindings.map((b) => ({
      resourceType: b.resourceType,
      resourceName: b.resourceName,
      resourcePatternType: b.patternType,
      principal: b.principal,
      host: b.host,
      operation: b.operation,
      permissionType: b.permissionType,
    })),
  };
}

export function alterClientQuotasRequest(
  alterations: readonly ClientQuotaAlteration[],
  validateOnly: boolean,
): Req<typeof ApiKey.AlterClientQuotas> {
  return {
    validateOnly,
    entries: alterations.map((a) => ({
      entity: a.entity.map((e) => ({ entityType: e.entityType, entityName: e.entityName })),
      ops: a.ops.map((o) => ({ key: o.key, value: o.value ?? 0, remove: o.value === null })),
    })),
  };
}

export function createAclsResults(res: ResponseOf<typeof ApiKey.CreateAcls>): ApiError[] {
  return res.results.map((r) => ({ errorCode: r.errorCode, errorMessage: r.errorMessage }));
}

export function deleteAclsRequest(filters: readonly AclBindingFilter[]): Req<typeof ApiKey.DeleteAcls> {
  return {
    filters: filters.map((f) => ({
      resourceTypeFilter: f.resourceType,
      resourceNameFilter: f.resourceName,
      patternTypeFilter: f.patternType,
      principalFilter: f.principal,
      hostFilter: f.host,
      operation: f.operation,
      permissionType: f.permissionType,
    })),
  };
}

export function deleteAclsResults(res: ResponseOf<typeof ApiKey.DeleteAcls>): DeleteAclsFilterResult[] {
  return res.filterResults.map((r) => ({
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
    matchingAcls: r.matchingAcls.map((a) => ({
      id: ZERO_UUID,
      resourceType: a.resourceType,
      resourceName: a.resourceName,
      patternType: a.patternType,
      principal: a.principal,
      host: a.host,
      operation: a.operation,
      permissionType: a.permissionType,
    })),
  }));
}

export function alterClientQuotasResults(res: ResponseOf<typeof ApiKey.AlterClientQuotas>): AlterClientQuotasResult[] {
  return res.entries.map((e) => ({ entity: e.entity, errorCode: e.errorCode, errorMessage: e.errorMessage }));
}

export function electLeadersRequest(request: ElectLeadersRequestData): Req<typeof ApiKey.ElectLeaders> {
  return { electionType: request.electionType, topicPartitions: request.topicPartitions, timeoutMs: TIMEOUT_MS };
}

export function electLeadersResult(res: ResponseOf<typeof ApiKey.ElectLeaders>): ElectLeadersResult {
  return { errorCode: res.errorCode, replicaElectionResults: res.replicaElectionResults };
}

export function unregisterBrokerResult(res: ResponseOf<typeof ApiKey.UnregisterBroker>): ApiError {
  return { errorCode: res.errorCode, errorMessage: res.errorMessage };
}

export function alterPartitionReassignmentsRequest(topics: readonly ReassignableTopic[]): Req<typeof ApiKey.AlterPartitionReassignments> {
  return {
    timeoutMs: TIMEOUT_MS,
    topics: topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, replicas: p.replicas === null ? null : [...p.replicas] })),
    })),
  };
}

export function listPartitionReassignmentsRequest(
  topics: readonly ListReassignmentsTopic[] | null,
): Req<typeof ApiKey.ListPartitionReassignments> {
  return {
    timeoutMs: TIMEOUT_MS,
    topics: topics === null ? null : topics.map((t) => ({ name: t.name, partitionIndexes: [...t.partitionIndexes] })),
  };
}
