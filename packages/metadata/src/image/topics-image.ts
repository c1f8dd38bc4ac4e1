// TopicsImage: every topic of the cluster, by id and by name, each with its partitions (Kafka's
// org.apache.kafka.image.TopicsImage / TopicImage). Immutable: a MetadataDelta builds the next one,
// sharing the TopicImage objects of topics it did not touch.
//
// Topic ids are Kafka Uuids in their string form (base64url, 22 characters), as @tributary/protocol
// decodes them.
import type { PartitionRegistration } from './partition-registration.ts';

export interface TopicImage {
  readonly name: string;
  readonly topicId: string;
  /** Partition id -> registration; ids are 0..n-1 once the topic's records are all applied. */
  readonly partitions: ReadonlyMap<number, PartitionRegistration>;
}

export class TopicsImage {
  static readonly EMPTY = new TopicsImage(new Map(), new Map());

  constructor(
    readonly byId: ReadonlyMap<string, TopicImage>,
    readonly byName: ReadonlyMap<string, TopicImage>,
  ) {}

  get isEmpty(): boolean {
    return this.byId.size === 0;
  }

  getTopic(topicId: string): TopicImage | undefined {
    return this.byId.get(topicId);
  }

  getTopicByName(name: string): TopicImage | undefined {
    return this.byName.get(name);
  }

  getPartition(topicId: string, partition: number): PartitionRegistration | undefined {
    return this.byId.get(topicId)?.partitions.get(partition);
  }

  /** Every topic, in name order. */
  topics(): TopicImage[] {
    return [...this.byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

/** The partition registrations of a topic in partition id order. */
export function partitionsInOrder(t: TopicImage): Array<[number, PartitionRegistration]> {
  return [...t.partitions.entries()].sort((a, b) => a[0] - b[0]);
}
