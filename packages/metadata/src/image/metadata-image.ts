// MetadataImage: the whole cluster metadata at one point of the `__cluster_metadata` log (Kafka's
// org.apache.kafka.image.MetadataImage): features, brokers, topics with their partitions, dynamic
// configs, producer id blocks, ACLs, client quotas, and the provenance (offset and epoch of the last
// record applied). Immutable; a MetadataDelta replays records on top of one and `apply()`s into the next.
// Built only by replaying records, so a broker following the log and the controller writing it
// see the same thing.
import { AclsImage } from '../acl/acls-image.ts';
import { ClientQuotasImage } from './client-quotas-image.ts';
import { ClusterImage } from './cluster-image.ts';
import { ConfigsImage } from './configs-image.ts';
import { FeaturesImage, ProducerIdsImage } from './features-image.ts';
import type { PartitionRegistration } from './partition-registration.ts';
import { TopicsImage, type TopicImage } from './topics-image.ts';

/** Where an image stands in the log (Kafka's MetadataProvenance). */
export interface MetadataProvenance {
  /** Offset of the last record applied; -1 for the empty image. */
  readonly lastOffset: number;
  /** Leader epoch of the batch holding it; -1 for the empty image. */
  readonly lastEpoch: number;
}

export const EMPTY_PROVENANCE: MetadataProvenance = Object.freeze({ lastOffset: -1, lastEpoch: -1 });

export class MetadataImage {
  static readonly EMPTY = new MetadataImage(
    EMPTY_PROVENANCE,
    FeaturesImage.EMPTY,
    ClusterImage.EMPTY,
    TopicsImage.EMPTY,
    ConfigsImage.EMPTY,
    ProducerIdsImage.EMPTY,
  );

  constructor(
    readonly provenance: MetadataProvenance,
    readonly features: FeaturesImage,
    readonly cluster: ClusterImage,
    readonly topics: TopicsImage,
    readonly configs: ConfigsImage,
    readonly producerIds: ProducerIdsImage,
    readonly acls: AclsImage = AclsImage.EMPTY,
    readonly clientQuotas: ClientQuotasImage = ClientQuotasImage.EMPTY,
  ) {}

  get isEmpty(): boolean {
    return (
      this.features.isEmpty &&
      this.cluster.isEmpty &&
      this.topics.isEmpty &&
      this.configs.isEmpty &&
      this.producerIds.isEmpty &&
      this.acls.isEmpty &&
      this.clientQuotas.isEmpty
    );
  }

  /** Shorthands for the broker's lookups. */
  topic(name: string): TopicImage | undefined {
    return this.topics.getTopicByName(name);
  }

  topicById(topicId: string): TopicImage | undefined {
    return this.topics.getTopic(topicId);
  }

  partition(topic: string, partition: number): PartitionRegistration | undefined {
    return this.topics.getTopicByName(topic)?.partitions.get(partition);
  }

  /** A topic's config overrides. */
  topicConfigs(topic: string): Record<string, string> {
    return this.configs.topicConfigs(topic);
  }
}
