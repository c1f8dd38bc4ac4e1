// Topic set-up and inspection for broker tests, over a running broker: topics are created through
// its controller (as CreateTopics does) and read back from its metadata cache and ReplicaManager.
import type { AlterConfigOp, CreatableTopic } from '@tributary/metadata';
import type { BrokerConfig } from '../../src/config/broker-config.ts';
import type { ControllerChannel } from '../../src/metadata/controller-channel.ts';
import type { MetadataCache } from '../../src/metadata/metadata-cache.ts';
import type { ReplicaManager } from '../../src/replica/replica-manager.ts';
import type { TopicView } from '../../src/metadata/metadata-cache.ts';
import type { Partition } from '../../src/replica/partition.ts';
import { effectiveTopicConfig, type TopicRuntimeConfig } from '../../src/metadata/topic-config.ts';

export interface TestTopic extends TopicView {
  /** Config overrides. */
  readonly configs: Record<string, string>;
  /** The runtime config the data path reads (from partition 0). */
  readonly runtime: TopicRuntimeConfig;
}

export interface DeletedTopic {
  name: string;
  topicId: string;
  partitions: number[];
}

/** What the helpers need of a broker: its services, or a BrokerCore. */
export interface TopicHost {
  readonly config: BrokerConfig;
  readonly controller: ControllerChannel;
  readonly metadata: MetadataCache;
  readonly replicas: ReplicaManager;
}

export class TestTopics {
  private readonly broker: { services: TopicHost };

  constructor(host: TopicHost) {
    this.broker = { services: host };
  }

  async createTopic(
    req: CreatableTopic & { validateOnly?: boolean },
  ): Promise<{ errorCode: number; errorMessage: string | null; topic?: TestTopic }> {
    const { validateOnly, ...topic } = req;
    const [r] = await this.broker.services.controller.createTopics([topic], { validateOnly });
    return { errorCode: r!.errorCode, errorMessage: r!.errorMessage, topic: validateOnly ? undefined : this.topic(req.name) };
  }

  async createPartitions(name: string, count: number) {
    const [r] = await this.broker.services.controller.createPartitions([{ name, count }]);
    return r!;
  }

  async deleteTopic(name: string) {
    const [r] = await this.broker.services.controller.deleteTopics([{ name }]);
    return r!;
  }

  async alterTopicConfigs(name: string, configs: Record<string, string | null>) {
    const [r] = await this.broker.services.controller.alterConfigs([{ resourceType: 2, resourceName: name, configs }]);
    return r!;
  }

  async incrementalAlterTopicConfigs(name: string, ops: AlterConfigOp[]) {
    const [r] = await this.broker.services.controller.incrementalAlterConfigs([{ resourceType: 2, resourceName: name, ops }]);
    return r!;
  }

  describeTopicConfigs(name: string) {
    return effectiveTopicConfig(this.broker.services.metadata.topicConfigs(name), this.broker.services.config);
  }

  topic(name: string): TestTopic | undefined {
    const s = this.broker.services;
    const t = s.metadata.topic(name);
    if (!t) return undefined;
    return {
      ...t,
      configs: s.metadata.topicConfigs(name),
      get runtime() {
        return s.replicas.getPartition(name, 0)!.config;
      },
    };
  }

  topicById(id: string): TopicView | undefined {
    return this.broker.services.metadata.topicById(id);
  }

  partition(topic: string, partition: number): Partition | undefined {
    return this.broker.services.replicas.getPartition(topic, partition);
  }

  get logs() {
    return this.broker.services.replicas.logs;
  }

  get replicas() {
    return this.broker.services.replicas;
  }

  /** Calls `listener` with the topics each metadata change deletes. */
  onTopicsDeleted(listener: (topics: DeletedTopic[]) => void): void {
    const controller = this.broker.services.controller;
    let first = true;
    controller.subscribe((delta) => {
      if (first) {
        first = false;
        return;
      }
      const deleted = [...(delta.topics?.deletedTopicIds ?? [])].map((id) => delta.topics!.image.getTopic(id)!);
      if (deleted.length > 0)
        listener(deleted.map((t) => ({ name: t.name, topicId: t.topicId, partitions: [...t.partitions.keys()].sort((a, b) => a - b) })));
    });
  }
}

export const topicsOf = (broker: { services: TopicHost }) => new TestTopics(broker.services);
export const topicsOfCore = (core: TopicHost) => new TestTopics(core);
