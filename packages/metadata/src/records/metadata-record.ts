// The KRaft metadata records Tributary reads and writes (Kafka's `metadata/src/main/resources/common/metadata/*.json`,
// shared/kafka-protocol/metadata/), as one typed union: `{ type: 'TopicRecord', data: TopicRecord }`.
// The bodies are the generated codecs of @tributary/protocol; this file adds each type's apiKey and
// the version Tributary writes. Any version the codec knows is read.
//
// Written versions are those of the metadata.version the log was bootstrapped with (see
// METADATA_VERSION): 3.7-IV2 (feature level 17) since JBOD directory assignment (KIP-858), before
// that 3.6-IV2 (14), whose logs are still read and written as they were. The four record types
// that changed at 3.7-IV2 are written at the version their content needs, which is the version
// Kafka picks for each level: the controller fills `Directories` / `LogDirs` only when the level
// has them (isDirectoryAssignmentSupported). ELR (KIP-966, 3.8-IV0) is not written; fencing goes
// through BrokerRegistrationChangeRecord (3.3-IV2+) and an ISR shrink does not bump the leader
// epoch (3.6-IV0+, KAFKA-15021).
//
//   type             apiKey  written              read
//   RegisterBroker      0       2, 3 with LogDirs   0-3
//   UnregisterBroker    1       0      0
//   Topic               2       0      0
//   Partition           3       0, 1 with Directories  0-2
//   Config              4       0      0
//   PartitionChange     5       0, 1 with Directories  0-2
//   FenceBroker         7       0      0
//   UnfenceBroker       8       0      0
//   RemoveTopic         9       0      0
//   FeatureLevel       12       0      0
//   ClientQuota        14       0      0
//   ProducerIds        15       0      0
//   BrokerRegChange    17       1, 2 with LogDirs   0-2
//   NoOp               20       0      0
//   AccessControlEntry 18       0      0
//   RemoveAccessCE     19       0      0
//   UserScramCredential 11      0      0
//   RemoveUserScramCredential 22 0     0
import {
  decodeAccessControlEntryRecord,
  decodeRemoveAccessControlEntryRecord,
  encodeAccessControlEntryRecord,
  encodeRemoveAccessControlEntryRecord,
  type AccessControlEntryRecord,
  type RemoveAccessControlEntryRecord,
  decodeBrokerRegistrationChangeRecord,
  decodeClientQuotaRecord,
  decodeConfigRecord,
  decodeFeatureLevelRecord,
  decodeFenceBrokerRecord,
  decodeNoOpRecord,
  decodePartitionChangeRecord,
  decodePartitionRecord,
  decodeProducerIdsRecord,
  decodeRegisterBrokerRecord,
  decodeRemoveTopicRecord,
  decodeTopicRecord,
  decodeUnfenceBrokerRecord,
  decodeUnregisterBrokerRecord,
  decodeUserScramCredentialRecord,
  decodeRemoveUserScramCredentialRecord,
  encodeUserScramCredentialRecord,
  encodeRemoveUserScramCredentialRecord,
  type UserScramCredentialRecord,
  type RemoveUserScramCredentialRecord,
  encodeBrokerRegistrationChangeRecord,
  encodeClientQuotaRecord,
  encodeConfigRecord,
  encodeFeatureLevelRecord,
  encodeFenceBrokerRecord,
  encodeNoOpRecord,
  encodePartitionChangeRecord,
  encodePartitionRecord,
  encodeProducerIdsRecord,
  encodeRegisterBrokerRecord,
  encodeRemoveTopicRecord,
  encodeTopicRecord,
  encodeUnfenceBrokerRecord,
  encodeUnregisterBrokerRecord,
  type BrokerRegistrationChangeRecord,
  type ClientQuotaRecord,
  type ConfigRecord,
  type FeatureLevelRecord,
  type FenceBrokerRecord,
  type NoOpRecord,
  type PartitionChangeRecord,
  type PartitionRecord,
  type ProducerIdsRecord,
  type Reader,
  type RegisterBrokerRecord,
  type RemoveTopicRecord,
  type TopicRecord,
  type UnfenceBrokerRecord,
  type UnregisterBrokerRecord,
  type Writer,
} from '@tributary/protocol';

/** The record bodies by type name. */
export interface MetadataRecordTypes {
  RegisterBrokerRecord: RegisterBrokerRecord;
  UnregisterBrokerRecord: UnregisterBrokerRecord;
  TopicRecord: TopicRecord;
  PartitionRecord: PartitionRecord;
  ConfigRecord: ConfigRecord;
  PartitionChangeRecord: PartitionChangeRecord;
  FenceBrokerRecord: FenceBrokerRecord;
  UnfenceBrokerRecord: UnfenceBrokerRecord;
  RemoveTopicRecord: RemoveTopicRecord;
  FeatureLevelRecord: FeatureLevelRecord;
  ProducerIdsRecord: ProducerIdsRecord;
  BrokerRegistrationChangeRecord: BrokerRegistrationChangeRecord;
  NoOpRecord: NoOpRecord;
  AccessControlEntryRecord: AccessControlEntryRecord;
  RemoveAccessControlEntryRecord: RemoveAccessControlEntryRecord;
  ClientQuotaRecord: ClientQuotaRecord;
  UserScramCredentialRecord: UserScramCredentialRecord;
  RemoveUserScramCredentialRecord: RemoveUserScramCredentialRecord;
}

export type MetadataRecordType = keyof MetadataRecordTypes;

/** One metadata record: its type and its body (every field present, as decoded). */
export type MetadataRecord = { [K in MetadataRecordType]: { type: K; data: MetadataRecordTypes[K] } }[MetadataRecordType];

/** The record of type K. */
export type RecordOf<K extends MetadataRecordType> = Extract<MetadataRecord, { type: K }>;

interface RecordCodec<T> {
  apiKey: number;
  /** The version written (metadata.version 3.6-IV2), unless writtenVersion says otherwise. */
  version: number;
  /** The version a record is written at when it depends on its content (the JBOD fields, see the header). */
  writtenVersion?: (x: T) => number;
  maxVersion: number;
  encode(w: Writer, v: number, x: T): void;
  decode(r: Reader, v: number): T;
}

export const RECORD_CODECS: { readonly [K in MetadataRecordType]: RecordCodec<MetadataRecordTypes[K]> } = {
  RegisterBrokerRecord: {
    apiKey: 0,
    version: 2,
    maxVersion: 3,
    writtenVersion: (x) => (x.logDirs.length > 0 ? 3 : 2),
    encode: encodeRegisterBrokerRecord,
    decode: decodeRegisterBrokerRecord,
  },
  UnregisterBrokerRecord: {
    apiKey: 1,
    version: 0,
    maxVersion: 0,
    encode: encodeUnregisterBrokerRecord,
    decode: decodeUnregisterBrokerRecord,
  },
  TopicRecord: { apiKey: 2, version: 0, maxVersion: 0, encode: encodeTopicRecord, decode: decodeTopicRecord },
  PartitionRecord: {
    apiKey: 3,
    version: 0,
    maxVersion: 2,
    writtenVersion: (x) => (x.directories.length > 0 ? 1 : 0),
    encode: encodePartitionRecord,
    decode: decodePartitionRecord,
  },
  ConfigRecord: { apiKey: 4, version: 0, maxVersion: 0, encode: encodeConfigRecord, decode: decodeConfigRecord },
  PartitionChangeRecord: {
    apiKey: 5,
    version: 0,
    maxVersion: 2,
    writtenVersion: (x) => (x.directories !== null ? 1 : 0),
    encode: encodePartitionChangeRecord,
    decode: decodePartitionChangeRecord,
  },
  FenceBrokerRecord: { apiKey: 7, version: 0, maxVersion: 0, encode: encodeFenceBrokerRecord, decode: decodeFenceBrokerRecord },
  UnfenceBrokerRecord: { apiKey: 8, version: 0, maxVersion: 0, encode: encodeUnfenceBrokerRecord, decode: decodeUnfenceBrokerRecord },
  RemoveTopicRecord: { apiKey: 9, version: 0, maxVersion: 0, encode: encodeRemoveTopicRecord, decode: decodeRemoveTopicRecord },
  FeatureLevelRecord: { apiKey: 12, version: 0, maxVersion: 0, encode: encodeFeatureLevelRecord, decode: decodeFeatureLevelRecord },
  ProducerIdsRecord: { apiKey: 15, version: 0, maxVersion: 0, encode: encodeProducerIdsRecord, decode: decodeProducerIdsRecord },
  BrokerRegistrationChangeRecord: {
    apiKey: 17,
    version: 1,
    maxVersion: 2,
    writtenVersion: (x) => (x.logDirs.length > 0 ? 2 : 1),
    encode: encodeBrokerRegistrationChangeRecord,
    decode: decodeBrokerRegistrationChangeRecord,
  },
  NoOpRecord: { apiKey: 20, version: 0, maxVersion: 0, encode: encodeNoOpRecord, decode: decodeNoOpRecord },
  AccessControlEntryRecord: {
    apiKey: 18,
    version: 0,
    maxVersion: 0,
    encode: encodeAccessControlEntryRecord,
    decode: decodeAccessControlEntryRecord,
  },
  RemoveAccessControlEntryRecord: {
    apiKey: 19,
    version: 0,
    maxVersion: 0,
    encode: encodeRemoveAccessControlEntryRecord,
    decode: decodeRemoveAccessControlEntryRecord,
  },
  ClientQuotaRecord: { apiKey: 14, version: 0, maxVersion: 0, encode: encodeClientQuotaRecord, decode: decodeClientQuotaRecord },
  UserScramCredentialRecord: {
    apiKey: 11,
    version: 0,
    maxVersion: 0,
    encode: encodeUserScramCredentialRecord,
    decode: decodeUserScramCredentialRecord,
  },
  RemoveUserScramCredentialRecord: {
    apiKey: 22,
    version: 0,
    maxVersion: 0,
    encode: encodeRemoveUserScramCredentialRecord,
    decode: decodeRemoveUserScramCredentialRecord,
  },
};

/** Record type by apiKey (for decoding). */
export const RECORD_TYPE_BY_API_KEY: ReadonlyMap<number, MetadataRecordType> = new Map(
  (Object.keys(RECORD_CODECS) as MetadataRecordType[]).map((t) => [RECORD_CODECS[t].apiKey, t]),
);

/** Kafka's LeaderConstants: no leader, and "leader unchanged" in a PartitionChangeRecord. */
export const NO_LEADER = -1;
export const NO_LEADER_CHANGE = -2;

/** Kafka's LeaderRecoveryState. */
export const LeaderRecoveryState = { RECOVERED: 0, RECOVERING: 1 } as const;
export type LeaderRecoveryState = (typeof LeaderRecoveryState)[keyof typeof LeaderRecoveryState];
/** PartitionChangeRecord.LeaderRecoveryState: -1 = unchanged. */
export const NO_LEADER_RECOVERY_CHANGE = -1;

/** BrokerRegistrationChangeRecord.Fenced: Kafka's BrokerRegistrationFencingChange. */
export const BrokerFencingChange = { UNFENCE: -1, NONE: 0, FENCE: 1 } as const;
/** BrokerRegistrationChangeRecord.InControlledShutdown: Kafka's BrokerRegistrationInControlledShutdownChange. */
export const BrokerControlledShutdownChange = { NONE: 0, IN_CONTROLLED_SHUTDOWN: 1 } as const;

/** ConfigRecord.ResourceType values (Kafka's ConfigResource.Type). */
export const ConfigResourceType = { TOPIC: 2, BROKER: 4, GROUP: 32 } as const;
export type ConfigResourceType = (typeof ConfigResourceType)[keyof typeof ConfigResourceType];

// ---- constructors: a record with the spec's defaults for every field left out ----

export function topicRecord(name: string, topicId: string): RecordOf<'TopicRecord'> {
  return { type: 'TopicRecord', data: { name, topicId } };
}

export function partitionRecord(
  x: Pick<PartitionRecord, 'topicId' | 'partitionId' | 'replicas' | 'isr' | 'leader' | 'leaderEpoch'> & Partial<PartitionRecord>,
): RecordOf<'PartitionRecord'> {
  return {
    type: 'PartitionRecord',
    data: {
      removingReplicas: [],
      addingReplicas: [],
      leaderRecoveryState: LeaderRecoveryState.RECOVERED,
      partitionEpoch: 0,
      directories: [],
      eligibleLeaderReplicas: null,
      lastKnownElr: null,
      ...x,
    },
  };
}

/** A PartitionChangeRecord: fields left out mean "unchanged" (null lists, leader -2, recovery state -1). */
export function partitionChangeRecord(
  x: Pick<PartitionChangeRecord, 'topicId' | 'partitionId'> & Partial<PartitionChangeRecord>,
): RecordOf<'PartitionChangeRecord'> {
  return {
    type: 'PartitionChangeRecord',
    data: {
      isr: null,
      leader: NO_LEADER_CHANGE,
      replicas: null,
      removingReplicas: null,
      addingReplicas: null,
      leaderRecoveryState: NO_LEADER_RECOVERY_CHANGE,
      directories: null,
      eligibleLeaderReplicas: null,
      lastKnownElr: null,
      ...x,
    },
  };
}

export function configRecord(
  resourceType: ConfigResourceType,
  resourceName: string,
  name: string,
  value: string | null,
): RecordOf<'ConfigRecord'> {
  return { type: 'ConfigRecord', data: { resourceType, resourceName, name, value } };
}

export function removeTopicRecord(topicId: string): RecordOf<'RemoveTopicRecord'> {
  return { type: 'RemoveTopicRecord', data: { topicId } };
}

export function featureLevelRecord(name: string, featureLevel: number): RecordOf<'FeatureLevelRecord'> {
  return { type: 'FeatureLevelRecord', data: { name, featureLevel } };
}

export function brokerRegistrationChangeRecord(
  x: Pick<BrokerRegistrationChangeRecord, 'brokerId' | 'brokerEpoch'> & Partial<BrokerRegistrationChangeRecord>,
): RecordOf<'BrokerRegistrationChangeRecord'> {
  return {
    type: 'BrokerRegistrationChangeRecord',
    data: { fenced: BrokerFencingChange.NONE, inControlledShutdown: BrokerControlledShutdownChange.NONE, logDirs: [], ...x },
  };
}

export function accessControlEntryRecord(acl: AccessControlEntryRecord): RecordOf<'AccessControlEntryRecord'> {
  return { type: 'AccessControlEntryRecord', data: { ...acl } };
}

export function removeAccessControlEntryRecord(id: string): RecordOf<'RemoveAccessControlEntryRecord'> {
  return { type: 'RemoveAccessControlEntryRecord', data: { id } };
}

/** A ClientQuotaRecord: `value` null removes the key from the entity (entity type -> name, null = default). */
export function clientQuotaRecord(
  entity: Readonly<Record<string, string | null>>,
  key: string,
  value: number | null,
): RecordOf<'ClientQuotaRecord'> {
  const list = Object.keys(entity)
    .sort()
    .map((entityType) => ({ entityType, entityName: entity[entityType] ?? null }));
  return { type: 'ClientQuotaRecord', data: { entity: list, key, value: value ?? 0, remove: value === null } };
}
