// MetadataDelta: records replayed on top of a MetadataImage, then applied into the next image
// (Kafka's org.apache.kafka.image.MetadataDelta). It is also the change summary listeners get
// with each new image: `topics` (changedTopics, deletedTopicIds, createdTopics, localChanges(broker)),
// `cluster.changedBrokers`, `configs.changedResources()`, `features.changes`, `acls.changes`,
// `clientQuotas.changedEntities()`.
//
//   const delta = new MetadataDelta(image);
//   for (const { offset, record } of batch.records) delta.replay(record);
//   const next = delta.apply({ lastOffset: batch.lastOffset, lastEpoch: batch.leaderEpoch });
//
// Sub-deltas are created on first use, so `delta.topics` etc. are null when nothing of that kind
// changed. Deleting a topic also drops its TOPIC config resource, as Kafka does.
import { ConfigResourceType, type MetadataRecord } from '../records/metadata-record.ts';
import { AclsDelta } from '../acl/acls-image.ts';
import { ClientQuotasDelta } from './client-quotas-image.ts';
import { ClusterDelta } from './cluster-image.ts';
import { ConfigsDelta } from './configs-image.ts';
import { FeaturesDelta, ProducerIdsImage } from './features-image.ts';
import { MetadataImage, type MetadataProvenance } from './metadata-image.ts';
import { TopicsDelta } from './topics-delta.ts';

export class MetadataDelta {
  private featuresDelta: FeaturesDelta | null = null;
  private clusterDelta: ClusterDelta | null = null;
  private topicsDelta: TopicsDelta | null = null;
  private configsDelta: ConfigsDelta | null = null;
  private clientQuotasDelta: ClientQuotasDelta | null = null;
  private nextProducerId: bigint | null = null;
  private aclsDelta: AclsDelta | null = null;
  private count = 0;

  constructor(readonly image: MetadataImage) {}

  get features(): FeaturesDelta | null {
    return this.featuresDelta;
  }
  get cluster(): ClusterDelta | null {
    return this.clusterDelta;
  }
  get topics(): TopicsDelta | null {
    return this.topicsDelta;
  }
  get configs(): ConfigsDelta | null {
    return this.configsDelta;
  }
  get acls(): AclsDelta | null {
    return this.aclsDelta;
  }

  get clientQuotas(): ClientQuotasDelta | null {
    return this.clientQuotasDelta;
  }
  /** The new next producer id, when a ProducerIdsRecord was replayed. */
  get producerIds(): bigint | null {
    return this.nextProducerId;
  }
  /** Records replayed so far. */
  get recordCount(): number {
    return this.count;
  }

  private getFeatures(): FeaturesDelta {
    return (this.featuresDelta ??= new FeaturesDelta(this.image.features));
  }
  private getCluster(): ClusterDelta {
    return (this.clusterDelta ??= new ClusterDelta(this.image.cluster));
  }
  private getTopics(): TopicsDelta {
    return (this.topicsDelta ??= new TopicsDelta(this.image.topics));
  }
  private getConfigs(): ConfigsDelta {
    return (this.configsDelta ??= new ConfigsDelta(this.image.configs));
  }

  private getAcls(): AclsDelta {
    return (this.aclsDelta ??= new AclsDelta(this.image.acls));
  }

  private getClientQuotas(): ClientQuotasDelta {
    return (this.clientQuotasDelta ??= new ClientQuotasDelta(this.image.clientQuotas));
  }

  replay(record: MetadataRecord): void {
    this.count++;
    switch (record.type) {
      case 'RegisterBrokerRecord':
        this.getCluster().replayRegister(record.data);
        break;
      case 'UnregisterBrokerRecord':
        this.getCluster().replayUnregister(record.data.brokerId, record.data.brokerEpoch);
        break;
      case 'FenceBrokerRecord':
        this.getCluster().replayFencing(record.data.id, record.data.epoch, true);
        break;
      case 'UnfenceBrokerRecord':
        this.getCluster().replayFencing(record.data.id, record.data.epoch, false);
        break;
      case 'BrokerRegistrationChangeRecord':
        this.getCluster().replayRegistrationChange(record.data);
        break;
      case 'TopicRecord':
        this.getTopics().replayTopic(record.data);
        break;
      case 'PartitionRecord':
        this.getTopics().replayPartition(record.data);
        break;
      case 'PartitionChangeRecord':
        this.getTopics().replayPartitionChange(record.data);
        break;
      case 'RemoveTopicRecord': {
        const name = this.getTopics().replayRemoveTopic(record.data);
        this.getConfigs().removeResource(ConfigResourceType.TOPIC, name);
        break;
      }
      case 'ConfigRecord':
        this.getConfigs().replay(record.data);
        break;
      case 'FeatureLevelRecord':
        this.getFeatures().replay(record.data);
        break;
      case 'ProducerIdsRecord':
        this.nextProducerId = record.data.nextProducerId;
        break;
      case 'AccessControlEntryRecord':
        this.getAcls().replay(record.data);
        break;
      case 'RemoveAccessControlEntryRecord':
        this.getAcls().replayRemove(record.data);
        break;
      case 'ClientQuotaRecord':
        this.getClientQuotas().replay(record.data);
        break;
      case 'NoOpRecord':
        break;
      default: {
        const never: never = record;
        throw new Error(`cannot replay ${(never as MetadataRecord).type}`);
      }
    }
  }

  replayAll(records: Iterable<MetadataRecord>): this {
    for (const r of records) this.replay(r);
    return this;
  }

  /** The image after every record replayed, at `provenance`. */
  apply(provenance: MetadataProvenance): MetadataImage {
    const i = this.image;
    return new MetadataImage(
      provenance,
      this.featuresDelta?.apply() ?? i.features,
      this.clusterDelta?.apply() ?? i.cluster,
      this.topicsDelta?.apply() ?? i.topics,
      this.configsDelta?.apply() ?? i.configs,
      this.nextProducerId === null ? i.producerIds : new ProducerIdsImage(this.nextProducerId),
      this.aclsDelta?.apply() ?? i.acls,
      this.clientQuotasDelta?.apply() ?? i.clientQuotas,
    );
  }
}

/** Replays `records` on `image` and returns the delta and the next image (provenance kept unless given). */
export function applyRecords(
  image: MetadataImage,
  records: Iterable<MetadataRecord>,
  provenance: MetadataProvenance = image.provenance,
): { delta: MetadataDelta; image: MetadataImage } {
  const delta = new MetadataDelta(image).replayAll(records);
  return { delta, image: delta.apply(provenance) };
}
