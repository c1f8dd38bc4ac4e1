// The broker's read view of cluster metadata: each topic with its id and partitions, and each
// partition's leader, leader epoch, replicas and ISR (what Metadata, Produce and Fetch consult).
/** One partition as Metadata/Produce/Fetch see it; replication-ready even on a single broker. */
export interface PartitionState {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}

export interface TopicState {
  name: string;
  /** Kafka's Uuid.toString form (base64url, 22 chars). */
  topicId: string;
  internal: boolean;
  partitions: PartitionState[];
}

/** Read view of cluster metadata (implemented by the TopicManager). */
export interface MetadataView {
  topics(): Iterable<TopicState>;
  topic(name: string): TopicState | undefined;
}
