// The records that rebuild an image from nothing (Kafka's MetadataImage.write through an
// ImageWriter: what a snapshot holds). Replaying them on the empty image gives back an equal image;
// the delta of that replay is the "full" delta a listener gets when it subscribes (Kafka's
// MetadataLoader does the same when a publisher is installed).
//
// Order: features (metadata.version first), brokers, topics (each TopicRecord followed by its
// PartitionRecords), configs, producer ids, client quotas, SCRAM credentials.
import {
  accessControlEntryRecord,
  clientQuotaRecord,
  configRecord,
  featureLevelRecord,
  partitionRecord,
  topicRecord,
  type ConfigResourceType,
  type MetadataRecord,
} from '../records/metadata-record.ts';
import { METADATA_VERSION_FEATURE } from '../records/metadata-version.ts';
import type { MetadataImage } from './metadata-image.ts';
import { partitionsInOrder } from './topics-image.ts';
import { DirectoryId } from '../records/directory-id.ts';

export function imageRecords(image: MetadataImage): MetadataRecord[] {
  const out: MetadataRecord[] = [];
  const features = [...image.features.finalizedVersions].sort(([a], [b]) =>
    a === METADATA_VERSION_FEATURE ? -1 : b === METADATA_VERSION_FEATURE ? 1 : a < b ? -1 : 1,
  );
  for (const [name, level] of features) out.push(featureLevelRecord(name, level));
  for (const id of image.cluster.brokerIds()) {
    const b = image.cluster.broker(id)!;
    out.push({
      type: 'RegisterBrokerRecord',
      data: {
        brokerId: b.id,
        isMigratingZkBroker: false,
        incarnationId: b.incarnationId,
        brokerEpoch: b.epoch,
        endPoints: b.endpoints.map((e) => ({ ...e })),
        features: [...b.features].map(([name, r]) => ({ name, minSupportedVersion: r.min, maxSupportedVersion: r.max })),
        rack: b.rack,
        fenced: b.fenced,
        inControlledShutdown: b.inControlledShutdown,
        logDirs: [...b.directories],
      },
    });
  }
  for (const t of image.topics.topics()) {
    out.push(topicRecord(t.name, t.topicId));
    for (const [p, reg] of partitionsInOrder(t)) {
      out.push(
        partitionRecord({
          topicId: t.topicId,
          partitionId: p,
          replicas: [...reg.replicas],
          isr: [...reg.isr],
          removingReplicas: [...reg.removingReplicas],
          addingReplicas: [...reg.addingReplicas],
          leader: reg.leader,
          leaderRecoveryState: reg.leaderRecoveryState,
          leaderEpoch: reg.leaderEpoch,
          partitionEpoch: reg.partitionEpoch,
          // none when every replica is MIGRATING (read back the same): a log before 3.7-IV2 stays at v0
          directories: reg.directories.every((d) => d === DirectoryId.MIGRATING) ? [] : [...reg.directories],
        }),
      );
    }
  }
  for (const { type, name, configs } of image.configs.entries()) {
    for (const [k, v] of configs) out.push(configRecord(type as ConfigResourceType, name, k, v));
  }
  if (!image.producerIds.isEmpty) {
    out.push({ type: 'ProducerIdsRecord', data: { brokerId: -1, brokerEpoch: -1n, nextProducerId: image.producerIds.nextProducerId } });
  }
  for (const acl of image.acls.acls.values()) out.push(accessControlEntryRecord(acl));
  for (const { entity, quotas } of image.clientQuotas.entries.values()) {
    for (const [k, v] of quotas) out.push(clientQuotaRecord(entity, k, v));
  }
  for (const [mechanism, users] of image.scram.mechanisms)
    for (const [name, c] of users)
      out.push({
        type: 'UserScramCredentialRecord',
        data: { name, mechanism, salt: c.salt, storedKey: c.storedKey, serverKey: c.serverKey, iterations: c.iterations },
      });
  return out;
}
