// The Admin handed out by `kafka.admin()`: every operation of KafkaAdmin run through
// withAdminRetries (retry.ts), so a coordinator that is loading or moved, a controller change or a
// lost connection is retried within `defaultApiTimeoutMs` instead of failing the call.
import type { Admin, AdminConfig } from '../api.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { KafkaAdmin } from './admin.ts';
import { withAdminRetries, type AdminRetryOptions } from './retry.ts';

type Args<K extends keyof Admin> = Parameters<Admin[K]>;

export class RetryingAdmin implements Admin {
  private readonly inner: KafkaAdmin;
  private readonly retry: AdminRetryOptions;

  constructor(cluster: Cluster, config: AdminConfig = {}) {
    this.inner = new KafkaAdmin(cluster);
    this.retry = {
      timeoutMs: config.defaultApiTimeoutMs ?? 60000,
      backoffMs: config.retryBackoffMs ?? 100,
      clock: cluster.clock,
      onRetry: () => cluster.metadata.requestUpdate(),
    };
  }

  private run<T>(op: () => Promise<T>): Promise<T> {
    return withAdminRetries(op, this.retry);
  }

  createTopics(...a: Args<'createTopics'>) {
    return this.run(() => this.inner.createTopics(...a));
  }
  deleteTopics(...a: Args<'deleteTopics'>) {
    return this.run(() => this.inner.deleteTopics(...a));
  }
  listTopics(...a: Args<'listTopics'>) {
    return this.run(() => this.inner.listTopics(...a));
  }
  describeTopics(...a: Args<'describeTopics'>) {
    return this.run(() => this.inner.describeTopics(...a));
  }
  createPartitions(...a: Args<'createPartitions'>) {
    return this.run(() => this.inner.createPartitions(...a));
  }
  describeConfigs(...a: Args<'describeConfigs'>) {
    return this.run(() => this.inner.describeConfigs(...a));
  }
  describeConfigEntries(...a: Args<'describeConfigEntries'>) {
    return this.run(() => this.inner.describeConfigEntries(...a));
  }
  alterConfigs(...a: Args<'alterConfigs'>) {
    return this.run(() => this.inner.alterConfigs(...a));
  }
  listOffsets(...a: Args<'listOffsets'>) {
    return this.run(() => this.inner.listOffsets(...a));
  }
  deleteRecords(...a: Args<'deleteRecords'>) {
    return this.run(() => this.inner.deleteRecords(...a));
  }
  listGroups(...a: Args<'listGroups'>) {
    return this.run(() => this.inner.listGroups(...a));
  }
  describeGroups(...a: Args<'describeGroups'>) {
    return this.run(() => this.inner.describeGroups(...a));
  }
  deleteGroups(...a: Args<'deleteGroups'>) {
    return this.run(() => this.inner.deleteGroups(...a));
  }
  listGroupOffsets(...a: Args<'listGroupOffsets'>) {
    return this.run(() => this.inner.listGroupOffsets(...a));
  }
  alterGroupOffsets(...a: Args<'alterGroupOffsets'>) {
    return this.run(() => this.inner.alterGroupOffsets(...a));
  }
  createAcls(...a: Args<'createAcls'>) {
    return this.run(() => this.inner.createAcls(...a));
  }
  describeAcls(...a: Args<'describeAcls'>) {
    return this.run(() => this.inner.describeAcls(...a));
  }
  deleteAcls(...a: Args<'deleteAcls'>) {
    return this.run(() => this.inner.deleteAcls(...a));
  }
  describeCluster(...a: Args<'describeCluster'>) {
    return this.run(() => this.inner.describeCluster(...a));
  }
  describeFeatures(...a: Args<'describeFeatures'>) {
    return this.run(() => this.inner.describeFeatures(...a));
  }
  updateFeatures(...a: Args<'updateFeatures'>) {
    return this.run(() => this.inner.updateFeatures(...a));
  }
  describeMetadataQuorum(...a: Args<'describeMetadataQuorum'>) {
    return this.run(() => this.inner.describeMetadataQuorum(...a));
  }
  describeTransactions(...a: Args<'describeTransactions'>) {
    return this.run(() => this.inner.describeTransactions(...a));
  }
  listTransactions(...a: Args<'listTransactions'>) {
    return this.run(() => this.inner.listTransactions(...a));
  }
  describeProducers(...a: Args<'describeProducers'>) {
    return this.run(() => this.inner.describeProducers(...a));
  }
  describeClientQuotas(...a: Args<'describeClientQuotas'>) {
    return this.run(() => this.inner.describeClientQuotas(...a));
  }
  alterClientQuotas(...a: Args<'alterClientQuotas'>) {
    return this.run(() => this.inner.alterClientQuotas(...a));
  }
  alterUserScramCredentials(...a: Args<'alterUserScramCredentials'>) {
    return this.run(() => this.inner.alterUserScramCredentials(...a));
  }
  describeUserScramCredentials(...a: Args<'describeUserScramCredentials'>) {
    return this.run(() => this.inner.describeUserScramCredentials(...a));
  }
  alterPartitionReassignments(...a: Args<'alterPartitionReassignments'>) {
    return this.run(() => this.inner.alterPartitionReassignments(...a));
  }
  listPartitionReassignments(...a: Args<'listPartitionReassignments'>) {
    return this.run(() => this.inner.listPartitionReassignments(...a));
  }
  unregisterBroker(...a: Args<'unregisterBroker'>) {
    return this.run(() => this.inner.unregisterBroker(...a));
  }
  electLeaders(...a: Args<'electLeaders'>) {
    return this.run(() => this.inner.electLeaders(...a));
  }
  alterReplicaLogDirs(...a: Args<'alterReplicaLogDirs'>) {
    return this.run(() => this.inner.alterReplicaLogDirs(...a));
  }
  describeLogDirs(...a: Args<'describeLogDirs'>) {
    return this.run(() => this.inner.describeLogDirs(...a));
  }
}
