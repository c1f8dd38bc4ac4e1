// The admin client: topic, config, offset, record and group administration over the shared
// cluster. Requests go where Kafka's AdminClient sends them: topic creation/deletion/partitions
// to the controller (any broker forwards in KRaft), ListOffsets and DeleteRecords to partition
// leaders, group operations to the group's coordinator, ListGroups to every broker, broker
// configs to that broker, DescribeQuorum to any broker (describe-metadata-quorum.ts), transaction
// operations to transaction coordinators, every broker or partition leaders (transactions.ts), ACL
// operations to any broker (acls.ts), client quotas to any broker (client-quotas.ts), partition
// reassignments and UnregisterBroker to any broker, which forwards them to the controller
// (reassignments.ts), leader elections to the controller (elect-leaders.ts), feature levels to any
// broker (features.ts). Per-item errors are
// thrown as KafkaClientError naming the item.
import { ApiKey, ErrorCode, errorInfo } from '@tributary/protocol';
import type {
  AclBinding,
  AclBindingFilter,
  Admin,
  ClientQuotaAlteration,
  ClientQuotaEntry,
  ClientQuotaFilterComponent,
  ClusterDescription,
  ConfigEntry,
  ConfigResource,
  ConfigSourceName,
  ElectionTypeName,
  ElectLeadersPartitionResult,
  FeatureMetadata,
  FeatureUpdate,
  LogDirDescription,
  ReplicaLogDirAssignment,
  ReplicaLogDirResult,
  GroupDescription,
  NewTopic,
  OffsetToCommit,
  PartitionProducerState,
  PartitionReassignment,
  QuorumInfo,
  TargetReassignment,
  TopicDescription,
  TransactionDescription,
  TransactionListing,
} from '../api.ts';
import type { TopicPartition } from '../assignors/types.ts';
import { alterClientQuotas, describeClientQuotas } from './client-quotas.ts';
import { describeMetadataQuorum } from './describe-metadata-quorum.ts';
import { alterUserScramCredentials, describeUserScramCredentials, type UserScramCredentialAlteration } from './user-scram-credentials.ts';
import { describeProducers, describeTransactions, listTransactions } from './transactions.ts';
import { createAcls, deleteAcls, describeAcls } from './acls.ts';
import { alterPartitionReassignments, listPartitionReassignments } from './reassignments.ts';
import { electLeaders } from './elect-leaders.ts';
import { describeFeatures, updateFeatures } from './features.ts';
import { alterReplicaLogDirs, describeLogDirs } from './log-dirs.ts';
import type { Cluster } from '../cluster/cluster.ts';
import type { BrokerConnection } from '../network/connection.ts';
import { KafkaClientError } from '../network/errors.ts';
import { listOffsets } from '../consumer/fetcher.ts';
import { decodeAssignment, flattenTopicPartitions } from '../assignors/consumer-protocol.ts';

const RESOURCE_TYPE = { topic: 2, broker: 4 } as const;

/** DescribeConfigs' configSource codes (Kafka's DescribeConfigsResponse.ConfigSource), by id. */
const CONFIG_SOURCES: readonly ConfigSourceName[] = [
  'UNKNOWN',
  'DYNAMIC_TOPIC_CONFIG',
  'DYNAMIC_BROKER_CONFIG',
  'DYNAMIC_DEFAULT_BROKER_CONFIG',
  'STATIC_BROKER_CONFIG',
  'DEFAULT_CONFIG',
  'DYNAMIC_BROKER_LOGGER_CONFIG',
  'CLIENT_METRICS_CONFIG',
  'GROUP_CONFIG',
];
const sourceName = (code: number): ConfigSourceName => CONFIG_SOURCES[code] ?? 'UNKNOWN';

function check(code: number, what: string, message?: string | null, details: { topic?: string; partition?: number } = {}): void {
  if (code === ErrorCode.NONE) return;
  const info = errorInfo(code);
  throw new KafkaClientError(`${what}: ${info.name}${message ? ` (${message})` : ''}`, info.name, info.retriable, { code, ...details });
}

export class KafkaAdmin implements Admin {
  constructor(private readonly cluster: Cluster) {}

  private async controller(): Promise<BrokerConnection> {
    const stale = this.cluster.metadataStale();
    if (this.cluster.metadata.controllerId < 0 || stale) await this.cluster.refreshMetadata();
    const id = this.cluster.metadata.controllerId;
    return id >= 0 ? this.cluster.connectionTo(id) : this.cluster.anyConnection();
  }

  private async coordinatorOf(groupId: string): Promise<BrokerConnection> {
    const { nodeId, host, port } = await this.findCoordinator(groupId);
    return this.cluster.connectionToAddress(host, port, nodeId);
  }

  private async findCoordinator(groupId: string): Promise<{ nodeId: number; host: string; port: number }> {
    const any = await this.cluster.anyConnection();
    const r = await any.request(ApiKey.FindCoordinator, { key: groupId, keyType: 0 });
    check(r.errorCode, `FindCoordinator for group ${groupId}`, r.errorMessage);
    return { nodeId: r.nodeId, host: r.host, port: r.port };
  }

  async createTopics(topics: NewTopic[], options: { validateOnly?: boolean } = {}): Promise<void> {
    const c = await this.controller();
    const r = await c.request(ApiKey.CreateTopics, {
      topics: topics.map((t) => ({
        name: t.name,
        numPartitions: t.partitions ?? -1,
        replicationFactor: t.replicationFactor ?? -1,
        assignments: [],
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
      timeoutMs: this.cluster.options.requestTimeoutMs ?? 30000,
      validateOnly: options.validateOnly ?? false,
    });
    for (const t of r.topics) check(t.errorCode, `create topic ${t.name}`, t.errorMessage, { topic: t.name });
    this.cluster.metadata.requestUpdate();
  }

  async deleteTopics(names: string[]): Promise<void> {
    const c = await this.controller();
    const timeoutMs = this.cluster.options.requestTimeoutMs ?? 30000;
    // v0-5 name topics in `topicNames`, v6+ in `topics` (name or id)
    const r = await c.request(
      ApiKey.DeleteTopics,
      c.versionFor(ApiKey.DeleteTopics) >= 6
        ? { topics: names.map((name) => ({ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' })), timeoutMs }
        : { topicNames: names, timeoutMs },
    );
    for (const name of names) this.cluster.metadata.forget(name);
    for (const t of r.responses) check(t.errorCode, `delete topic ${t.name}`, t.errorMessage, { topic: t.name ?? undefined });
    this.cluster.metadata.requestUpdate();
  }

  async listTopics(options: { includeInternal?: boolean } = {}): Promise<string[]> {
    await this.cluster.refreshMetadata({ all: true });
    return this.cluster.metadata
      .topicNames()
      .filter((t) => {
        const s = this.cluster.metadata.topic(t)!;
        return s.errorCode === ErrorCode.NONE && (options.includeInternal || !s.isInternal);
      })
      .sort();
  }

  async describeTopics(names: string[]): Promise<TopicDescription[]> {
    await this.cluster.refreshMetadata({ topics: names });
    return names.map((name) => {
      const t = this.cluster.metadata.topic(name);
      if (!t)
        throw new KafkaClientError(`describe topic ${name}: UNKNOWN_TOPIC_OR_PARTITION`, 'UNKNOWN_TOPIC_OR_PARTITION', true, {
          topic: name,
          code: 3,
        });
      check(t.errorCode, `describe topic ${name}`, null, { topic: name });
      return {
        name,
        topicId: t.topicId,
        internal: t.isInternal,
        partitions: t.partitions.map((p) => ({
          partition: p.partition,
          leader: p.leader,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicas,
          isr: p.isr,
        })),
      };
    });
  }

  async createPartitions(topic: string, totalCount: number): Promise<void> {
    const c = await this.controller();
    const r = await c.request(ApiKey.CreatePartitions, {
      topics: [{ name: topic, count: totalCount, assignments: null }],
      timeoutMs: this.cluster.options.requestTimeoutMs ?? 30000,
      validateOnly: false,
    });
    for (const t of r.results) check(t.errorCode, `create partitions for ${t.name}`, t.errorMessage, { topic: t.name });
    this.cluster.metadata.requestUpdate(topic);
  }

  private async configConnection(resource: ConfigResource): Promise<BrokerConnection> {
    if (resource.type === 'broker' && resource.name !== '') return this.cluster.connectionTo(Number(resource.name));
    return this.cluster.anyConnection();
  }

  async describeConfigs(
    resources: ConfigResource[],
    options: { overridesOnly?: boolean; excludeDefaults?: boolean } = {},
  ): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>();
    for (const res of resources) {
      const c = await this.configConnection(res);
      const r = await c.request(ApiKey.DescribeConfigs, {
        resources: [{ resourceType: RESOURCE_TYPE[res.type], resourceName: res.name, configurationKeys: null }],
        includeSynonyms: false,
        includeDocumentation: false,
      });
      for (const result of r.results) {
        check(result.errorCode, `describe configs of ${res.type} ${res.name}`, result.errorMessage);
        const configs: Record<string, string> = {};
        for (const cfg of result.configs) {
          if (cfg.value === null) continue;
          // configSource (v1+): 1 DYNAMIC_TOPIC_CONFIG, 2 DYNAMIC_BROKER_CONFIG, 3 DYNAMIC_DEFAULT_BROKER_CONFIG, 4 STATIC_BROKER_CONFIG, 5 DEFAULT_CONFIG
          if (options.overridesOnly && (cfg.configSource >= 0 ? cfg.configSource !== (res.type === 'topic' ? 1 : 2) : cfg.isDefault))
            continue;
          // Kafka's ConfigEntry.isDefault(): the source is DEFAULT_CONFIG
          if (options.excludeDefaults && (cfg.configSource >= 0 ? cfg.configSource === 5 : cfg.isDefault)) continue;
          configs[cfg.name] = cfg.value;
        }
        out.set(`${res.type}:${res.name}`, configs);
      }
    }
    return out;
  }

  async describeConfigEntries(resource: ConfigResource): Promise<ConfigEntry[]> {
    const c = await this.configConnection(resource);
    const r = await c.request(ApiKey.DescribeConfigs, {
      resources: [{ resourceType: RESOURCE_TYPE[resource.type], resourceName: resource.name, configurationKeys: null }],
      includeSynonyms: true,
      includeDocumentation: false,
    });
    const out: ConfigEntry[] = [];
    for (const result of r.results) {
      check(result.errorCode, `describe configs of ${resource.type} ${resource.name}`, result.errorMessage);
      for (const cfg of result.configs) {
        out.push({
          name: cfg.name,
          value: cfg.value,
          source: sourceName(cfg.configSource),
          isSensitive: cfg.isSensitive,
          readOnly: cfg.readOnly,
          synonyms: cfg.synonyms.map((x) => ({ name: x.name, value: x.value, source: sourceName(x.source) })),
        });
      }
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async alterConfigs(
    resource: ConfigResource,
    changes: Record<string, string | null>,
    options: { incremental?: boolean; validateOnly?: boolean } = {},
  ): Promise<void> {
    const c = await this.configConnection(resource);
    if (options.incremental === false) {
      // legacy AlterConfigs: the given set replaces every override of the resource
      const configs = Object.entries(changes).map(([name, value]) => {
        if (value === null)
          throw new KafkaClientError(
            `alter configs of ${resource.type} ${resource.name}: ${name} is null; leave it out to return it to its default`,
            'INVALID_CONFIG',
            false,
            {},
          );
        return { name, value };
      });
      const r = await c.request(ApiKey.AlterConfigs, {
        resources: [{ resourceType: RESOURCE_TYPE[resource.type], resourceName: resource.name, configs }],
        validateOnly: options.validateOnly ?? false,
      });
      for (const x of r.responses) check(x.errorCode, `alter configs of ${resource.type} ${resource.name}`, x.errorMessage);
      return;
    }
    const r = await c.request(ApiKey.IncrementalAlterConfigs, {
      resources: [
        {
          resourceType: RESOURCE_TYPE[resource.type],
          resourceName: resource.name,
          // configOperation: 0 SET, 1 DELETE
          configs: Object.entries(changes).map(([name, value]) => ({ name, configOperation: value === null ? 1 : 0, value })),
        },
      ],
      validateOnly: options.validateOnly ?? false,
    });
    for (const x of r.responses) check(x.errorCode, `alter configs of ${resource.type} ${resource.name}`, x.errorMessage);
  }

  async listOffsets(
    topic: string,
    at: 'earliest' | 'latest' | { timestamp: number },
  ): Promise<Array<{ partition: number; offset: bigint; timestamp: number }>> {
    await this.cluster.ensureTopics([topic]);
    const t = this.cluster.metadata.topic(topic);
    if (!t || t.partitions.length === 0)
      throw new KafkaClientError(`list offsets of ${topic}: UNKNOWN_TOPIC_OR_PARTITION`, 'UNKNOWN_TOPIC_OR_PARTITION', true, {
        topic,
        code: 3,
      });
    const byLeader = new Map<number, number[]>();
    for (const p of t.partitions) {
      let l = byLeader.get(p.leader);
      if (!l) byLeader.set(p.leader, (l = []));
      l.push(p.partition);
    }
    const out: Array<{ partition: number; offset: bigint; timestamp: number }> = [];
    for (const [leader, partitions] of byLeader) {
      if (leader < 0)
        throw new KafkaClientError(`list offsets of ${topic}: LEADER_NOT_AVAILABLE`, 'LEADER_NOT_AVAILABLE', true, { topic, code: 5 });
      const r = await listOffsets(
        this.cluster,
        leader,
        partitions.map((partition) => ({ tp: { topic, partition }, target: at })),
      );
      for (const partition of partitions) {
        const x = r.get(`${topic}\u0000${partition}`)!;
        check(x.errorCode, `list offsets of ${topic}-${partition}`, null, { topic, partition });
        out.push({ partition, offset: x.offset, timestamp: Number(x.timestamp) });
      }
    }
    return out.sort((a, b) => a.partition - b.partition);
  }

  async deleteRecords(topic: string, before: Array<{ partition: number; offset: bigint }>): Promise<void> {
    await this.cluster.ensureTopics([topic]);
    const byLeader = new Map<number, typeof before>();
    for (const b of before) {
      const leader = this.cluster.metadata.leaderFor(topic, b.partition);
      if (leader === undefined)
        throw new KafkaClientError(`delete records of ${topic}-${b.partition}: LEADER_NOT_AVAILABLE`, 'LEADER_NOT_AVAILABLE', true, {
          topic,
          partition: b.partition,
          code: 5,
        });
      let l = byLeader.get(leader);
      if (!l) byLeader.set(leader, (l = []));
      l.push(b);
    }
    for (const [leader, items] of byLeader) {
      const r = await this.cluster.request(leader, ApiKey.DeleteRecords, {
        topics: [{ name: topic, partitions: items.map((i) => ({ partitionIndex: i.partition, offset: i.offset })) }],
        timeoutMs: this.cluster.options.requestTimeoutMs ?? 30000,
      });
      for (const t of r.topics)
        for (const p of t.partitions)
          check(p.errorCode, `delete records of ${t.name}-${p.partitionIndex}`, null, { topic: t.name, partition: p.partitionIndex });
    }
  }

  async listGroups(): Promise<Array<{ groupId: string; protocolType: string; state: string }>> {
    await this.cluster.refreshMetadata();
    const seen = new Map<string, { groupId: string; protocolType: string; state: string }>();
    const brokers = this.cluster.metadata.brokerList();
    for (const b of brokers.length ? brokers : [null]) {
      const c = b ? await this.cluster.connectionTo(b.nodeId) : await this.cluster.anyConnection();
      const r = await c.request(ApiKey.ListGroups, { statesFilter: [], typesFilter: [] });
      check(r.errorCode, 'list groups');
      for (const g of r.groups) seen.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType, state: g.groupState });
    }
    return [...seen.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : 1));
  }

  async describeGroups(groupIds: string[]): Promise<GroupDescription[]> {
    const out: GroupDescription[] = [];
    for (const groupId of groupIds) {
      const coordinator = await this.findCoordinator(groupId);
      const c = await this.cluster.connectionToAddress(coordinator.host, coordinator.port, coordinator.nodeId);
      const r = await c.request(ApiKey.DescribeGroups, { groups: [groupId], includeAuthorizedOperations: false });
      for (const g of r.groups) {
        check(g.errorCode, `describe group ${g.groupId}`);
        out.push({
          groupId: g.groupId,
          state: g.groupState,
          protocolType: g.protocolType,
          protocol: g.protocolData,
          members: g.members.map((m) => {
            let assignment: Array<{ topic: string; partition: number }> = [];
            if (g.protocolType === 'consumer' && m.memberAssignment.length > 0) {
              try {
                assignment = flattenTopicPartitions(decodeAssignment(m.memberAssignment).assignedPartitions);
              } catch {
                assignment = [];
              }
            }
            return { memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, host: m.clientHost, assignment };
          }),
          coordinator,
        });
      }
    }
    return out;
  }

  async deleteGroups(groupIds: string[]): Promise<void> {
    for (const groupId of groupIds) {
      const c = await this.coordinatorOf(groupId);
      const r = await c.request(ApiKey.DeleteGroups, { groupsNames: [groupId] });
      for (const g of r.results) check(g.errorCode, `delete group ${g.groupId}`);
    }
  }

  async listGroupOffsets(groupId: string): Promise<OffsetToCommit[]> {
    const c = await this.coordinatorOf(groupId);
    const r = await c.request(ApiKey.OffsetFetch, { groupId, topics: null, requireStable: false });
    check(r.errorCode, `list offsets of group ${groupId}`);
    const out: OffsetToCommit[] = [];
    for (const t of r.topics) {
      for (const p of t.partitions) {
        if (p.errorCode !== ErrorCode.NONE || p.committedOffset < 0n) continue;
        out.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.metadata ?? undefined });
      }
    }
    return out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }

  async alterGroupOffsets(groupId: string, offsets: OffsetToCommit[]): Promise<void> {
    const c = await this.coordinatorOf(groupId);
    const byTopic = new Map<string, OffsetToCommit[]>();
    for (const o of offsets) {
      let l = byTopic.get(o.topic);
      if (!l) byTopic.set(o.topic, (l = []));
      l.push(o);
    }
    // generation -1 and no member id: allowed while the group is empty
    const r = await c.request(ApiKey.OffsetCommit, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [...byTopic].map(([name, ps]) => ({
        name,
        partitions: ps.map((p) => ({
          partitionIndex: p.partition,
          committedOffset: p.offset,
          committedLeaderEpoch: -1,
          commitTimestamp: -1n,
          committedMetadata: p.metadata ?? '',
        })),
      })),
    });
    for (const t of r.topics)
      for (const p of t.partitions)
        check(p.errorCode, `alter offset of group ${groupId} for ${t.name}-${p.partitionIndex}`, null, {
          topic: t.name,
          partition: p.partitionIndex,
        });
  }

  describeMetadataQuorum(): Promise<QuorumInfo> {
    return describeMetadataQuorum(this.cluster);
  }

  describeTransactions(transactionalIds: string[]): Promise<TransactionDescription[]> {
    return describeTransactions(this.cluster, transactionalIds);
  }

  listTransactions(options?: { states?: string[]; producerIds?: bigint[]; durationMs?: number }): Promise<TransactionListing[]> {
    return listTransactions(this.cluster, options);
  }

  describeProducers(partitions: TopicPartition[], options?: { brokerId?: number }): Promise<PartitionProducerState[]> {
    return describeProducers(this.cluster, partitions, options);
  }

  createAcls(bindings: AclBinding[]): Promise<void> {
    return createAcls(this.cluster, bindings);
  }

  describeAcls(filter: AclBindingFilter): Promise<Array<Required<AclBinding>>> {
    return describeAcls(this.cluster, filter);
  }

  deleteAcls(filters: AclBindingFilter[]): Promise<Array<Required<AclBinding>>> {
    return deleteAcls(this.cluster, filters);
  }

  describeClientQuotas(components: ClientQuotaFilterComponent[], options?: { strict?: boolean }): Promise<ClientQuotaEntry[]> {
    return describeClientQuotas(this.cluster, components, options);
  }

  alterClientQuotas(alterations: ClientQuotaAlteration[], options?: { validateOnly?: boolean }): Promise<void> {
    return alterClientQuotas(this.cluster, alterations, options);
  }

  alterUserScramCredentials(alterations: UserScramCredentialAlteration[]): Promise<void> {
    return alterUserScramCredentials(this.cluster, alterations);
  }

  describeUserScramCredentials(users?: string[]) {
    return describeUserScramCredentials(this.cluster, users);
  }

  alterPartitionReassignments(reassignments: readonly TargetReassignment[]): Promise<void> {
    return alterPartitionReassignments(this.cluster, reassignments);
  }

  listPartitionReassignments(partitions?: readonly TopicPartition[]): Promise<PartitionReassignment[]> {
    return listPartitionReassignments(this.cluster, partitions);
  }

  async unregisterBroker(brokerId: number): Promise<void> {
    const c = await this.cluster.anyConnection();
    const r = await c.request(ApiKey.UnregisterBroker, { brokerId });
    check(r.errorCode, `unregister broker ${brokerId}`, r.errorMessage);
  }

  async electLeaders(electionType: ElectionTypeName, partitions: TopicPartition[] | null): Promise<ElectLeadersPartitionResult[]> {
    const results = await electLeaders(await this.controller(), electionType, partitions, this.cluster.options.requestTimeoutMs ?? 30000);
    this.cluster.metadata.requestUpdate();
    return results;
  }

  alterReplicaLogDirs(assignments: readonly ReplicaLogDirAssignment[]): Promise<ReplicaLogDirResult[]> {
    return alterReplicaLogDirs(this.cluster, assignments);
  }

  describeLogDirs(brokerIds: readonly number[], partitions: readonly TopicPartition[] | null = null): Promise<LogDirDescription[]> {
    return describeLogDirs(this.cluster, brokerIds, partitions);
  }

  describeFeatures(): Promise<FeatureMetadata> {
    return describeFeatures(this.cluster);
  }

  updateFeatures(updates: Readonly<Record<string, FeatureUpdate>>, options: { validateOnly?: boolean } = {}): Promise<void> {
    return updateFeatures(this.cluster, updates, options);
  }

  async describeCluster(): Promise<ClusterDescription> {
    await this.cluster.refreshMetadata();
    const m = this.cluster.metadata;
    return {
      clusterId: m.clusterId,
      controllerId: m.controllerId,
      brokers: m
        .brokerList()
        .map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }))
        .sort((a, b) => a.nodeId - b.nodeId),
    };
  }
}
