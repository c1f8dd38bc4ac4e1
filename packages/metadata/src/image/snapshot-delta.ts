// snapshotDelta: the change from the current image to one loaded from a snapshot (Kafka's
// MetadataLoader loading a snapshot: everything the snapshot lacks is deleted, everything in it is
// replayed). Listeners get it like any delta: topics, brokers and ACLs gone are removed (RemoveTopic,
// UnregisterBroker, RemoveAccessControlEntry), configs, client quotas and features gone are cleared, then the snapshot's records rebuild
// the rest (a topic both have is not created again: its partitions are replayed over), so a broker
// that fell behind the log start lands on the snapshot's state exactly, and keeps the logs of the
// partitions it still hosts.
import {
  ConfigResourceType,
  clientQuotaRecord,
  configRecord,
  featureLevelRecord,
  removeAccessControlEntryRecord,
  removeTopicRecord,
  type MetadataRecord,
} from '../records/metadata-record.ts';
import { imageRecords } from './image-records.ts';
import { MetadataDelta } from './metadata-delta.ts';
import type { MetadataImage } from './metadata-image.ts';

export function snapshotDelta(current: MetadataImage, snapshot: MetadataImage): { delta: MetadataDelta; image: MetadataImage } {
  const removals: MetadataRecord[] = [];
  for (const t of current.topics.topics()) {
    if (!snapshot.topics.getTopic(t.topicId)) removals.push(removeTopicRecord(t.topicId));
  }
  for (const id of current.cluster.brokerIds()) {
    if (!snapshot.cluster.broker(id)) {
      removals.push({ type: 'UnregisterBrokerRecord', data: { brokerId: id, brokerEpoch: current.cluster.broker(id)!.epoch } });
    }
  }
  const removedTopicNames = new Set(
    current.topics
      .topics()
      .filter((t) => !snapshot.topics.getTopic(t.topicId))
      .map((t) => t.name),
  );
  for (const { type, name, configs } of current.configs.entries()) {
    // a removed topic's configs go with it
    if (type === ConfigResourceType.TOPIC && removedTopicNames.has(name)) continue;
    for (const key of configs.keys()) {
      if (!snapshot.configs.resources.get(`${type}:${name}`)?.has(key))
        removals.push(configRecord(type as ConfigResourceType, name, key, null));
    }
  }
  for (const id of current.acls.acls.keys()) {
    if (!snapshot.acls.acls.has(id)) removals.push(removeAccessControlEntryRecord(id));
  }
  for (const { entity, quotas } of current.clientQuotas.entries.values()) {
    const kept = snapshot.clientQuotas.quotas(entity);
    for (const key of quotas.keys()) if (!kept.has(key)) removals.push(clientQuotaRecord(entity, key, null));
  }
  for (const name of current.features.finalizedVersions.keys()) {
    if (!snapshot.features.finalizedVersions.has(name)) removals.push(featureLevelRecord(name, 0));
  }
  // a topic both have keeps its TopicRecord; its partitions are replayed over (PartitionRecord replaces)
  const rebuild = imageRecords(snapshot).filter((r) => !(r.type === 'TopicRecord' && current.topics.getTopic(r.data.topicId)));
  const delta = new MetadataDelta(current).replayAll([...removals, ...rebuild]);
  return { delta, image: delta.apply(snapshot.provenance) };
}
