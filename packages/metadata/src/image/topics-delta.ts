// TopicsDelta / TopicDelta: the topic changes of a run of records on top of a TopicsImage (Kafka's
// org.apache.kafka.image.TopicsDelta / TopicDelta), and what they mean for one broker
// (`localChanges`, Kafka's LocalReplicaChanges): the partitions it now leads, the ones it now
// follows, and the replicas it must delete.
//
// Replay rules (as Kafka's): TopicRecord starts a new topic; PartitionRecord sets a partition;
// PartitionChangeRecord merges into the partition (partition-registration.ts); RemoveTopicRecord
// drops the topic and any change of it in this delta. A record about an unknown topic or partition
// is an error: the log is not one Kafka's controller would have written.
import type { PartitionChangeRecord, PartitionRecord, RemoveTopicRecord, TopicRecord } from '@tributary/protocol';
import { mergePartitionChange, partitionFromRecord, type PartitionRegistration } from './partition-registration.ts';
import { TopicsImage, type TopicImage } from './topics-image.ts';

export class TopicDelta {
  /** Partition id -> its new registration (new partitions and changed ones). */
  readonly partitionChanges = new Map<number, PartitionRegistration>();

  constructor(readonly image: TopicImage) {}

  get name(): string {
    return this.image.name;
  }
  get topicId(): string {
    return this.image.topicId;
  }

  /** The partition as of this delta. */
  partition(id: number): PartitionRegistration | undefined {
    return this.partitionChanges.get(id) ?? this.image.partitions.get(id);
  }

  /** Partitions that did not exist in the base image. */
  newPartitions(): number[] {
    return [...this.partitionChanges.keys()].filter((p) => !this.image.partitions.has(p)).sort((a, b) => a - b);
  }

  replayPartition(r: PartitionRecord): void {
    this.partitionChanges.set(r.partitionId, partitionFromRecord(r));
  }

  replayPartitionChange(r: PartitionChangeRecord): void {
    const prev = this.partition(r.partitionId);
    if (!prev) throw new Error(`PartitionChangeRecord for unknown partition ${r.partitionId} of topic ${this.name} (${this.topicId})`);
    this.partitionChanges.set(r.partitionId, mergePartitionChange(prev, r));
  }

  apply(): TopicImage {
    if (this.partitionChanges.size === 0) return this.image;
    const partitions = new Map(this.image.partitions);
    for (const [id, p] of this.partitionChanges) partitions.set(id, p);
    return { name: this.image.name, topicId: this.image.topicId, partitions };
  }
}

/** A partition this broker now leads or follows, with what it was before (undefined: new to the image). */
export interface LocalPartitionChange {
  topicName: string;
  topicId: string;
  partition: number;
  registration: PartitionRegistration;
  previous: PartitionRegistration | undefined;
}

/** A replica this broker must drop: it left the assignment, or its topic was deleted. */
export interface LocalPartitionDelete {
  topicName: string;
  topicId: string;
  partition: number;
  /** The whole topic was deleted (Kafka then deletes the log; else it may only stop the replica). */
  topicDeleted: boolean;
}

export interface LocalReplicaChanges {
  leaders: LocalPartitionChange[];
  followers: LocalPartitionChange[];
  deletes: LocalPartitionDelete[];
}

export class TopicsDelta {
  readonly changedTopics = new Map<string, TopicDelta>();
  readonly deletedTopicIds = new Set<string>();
  /** Topics created in this delta: name -> id. */
  readonly createdTopics = new Map<string, string>();

  constructor(readonly image: TopicsImage) {}

  /** The topic as of this delta (undefined when unknown or deleted). */
  topic(topicId: string): TopicDelta | TopicImage | undefined {
    if (this.deletedTopicIds.has(topicId)) return undefined;
    return this.changedTopics.get(topicId) ?? this.image.getTopic(topicId);
  }

  private topicDelta(topicId: string, what: string): TopicDelta {
    let d = this.changedTopics.get(topicId);
    if (d) return d;
    const img = this.deletedTopicIds.has(topicId) ? undefined : this.image.getTopic(topicId);
    if (!img) throw new Error(`${what} for unknown topic id ${topicId}`);
    d = new TopicDelta(img);
    this.changedTopics.set(topicId, d);
    return d;
  }

  replayTopic(r: TopicRecord): void {
    if (this.topic(r.topicId)) throw new Error(`TopicRecord for topic ${r.name}: topic id ${r.topicId} exists`);
    this.changedTopics.set(r.topicId, new TopicDelta({ name: r.name, topicId: r.topicId, partitions: new Map() }));
    this.createdTopics.set(r.name, r.topicId);
  }

  replayPartition(r: PartitionRecord): void {
    this.topicDelta(r.topicId, 'PartitionRecord').replayPartition(r);
  }

  replayPartitionChange(r: PartitionChangeRecord): void {
    this.topicDelta(r.topicId, 'PartitionChangeRecord').replayPartitionChange(r);
  }

  /** Returns the removed topic's name (its configs go too: see MetadataDelta). */
  replayRemoveTopic(r: RemoveTopicRecord): string {
    const changed = this.changedTopics.get(r.topicId);
    let name: string;
    if (changed) {
      this.changedTopics.delete(r.topicId);
      name = changed.name;
      if (this.image.getTopic(r.topicId)) this.deletedTopicIds.add(r.topicId);
    } else {
      const img = this.deletedTopicIds.has(r.topicId) ? undefined : this.image.getTopic(r.topicId);
      if (!img) throw new Error(`Unable to delete topic with id ${r.topicId}: no such topic found.`);
      name = img.name;
      this.deletedTopicIds.add(r.topicId);
    }
    this.createdTopics.delete(name);
    return name;
  }

  /** Topic ids created in this delta. */
  createdTopicIds(): string[] {
    return [...this.createdTopics.values()];
  }

  apply(): TopicsImage {
    if (this.changedTopics.size === 0 && this.deletedTopicIds.size === 0) return this.image;
    const byId = new Map(this.image.byId);
    const byName = new Map(this.image.byName);
    for (const id of this.deletedTopicIds) {
      const t = byId.get(id);
      if (t) {
        byId.delete(id);
        byName.delete(t.name);
      }
    }
    for (const [id, d] of this.changedTopics) {
      const t = d.apply();
      byId.set(id, t);
      byName.set(t.name, t);
    }
    return new TopicsImage(byId, byName);
  }

  /** What this delta means for the replicas of `brokerId` (Kafka's TopicsDelta.localChanges). */
  localChanges(brokerId: number): LocalReplicaChanges {
    const out: LocalReplicaChanges = { leaders: [], followers: [], deletes: [] };
    for (const id of this.deletedTopicIds) {
      const t = this.image.getTopic(id)!;
      for (const [p, reg] of t.partitions) {
        if (reg.replicas.includes(brokerId)) out.deletes.push({ topicName: t.name, topicId: id, partition: p, topicDeleted: true });
      }
    }
    for (const d of this.changedTopics.values()) {
      for (const [p, reg] of d.partitionChanges) {
        const previous = d.image.partitions.get(p);
        if (!reg.replicas.includes(brokerId)) {
          if (previous?.replicas.includes(brokerId))
            out.deletes.push({ topicName: d.name, topicId: d.topicId, partition: p, topicDeleted: false });
          continue;
        }
        if (previous && previous.partitionEpoch === reg.partitionEpoch) continue;
        const change = { topicName: d.name, topicId: d.topicId, partition: p, registration: reg, previous };
        (reg.leader === brokerId ? out.leaders : out.followers).push(change);
      }
    }
    return out;
  }
}
