// metadata.version (Kafka's org.apache.kafka.server.common.MetadataVersion): the cluster-wide
// feature whose level says which records and RPC fields the controller and brokers may use. It is
// finalized by a FeatureLevelRecord at the head of the metadata log (the bootstrap) and changed by
// UpdateFeatures (`kafka-features.sh upgrade`).
//
// Every KRaft level Kafka defines has a name, "<release>-IV<n>" (KRAFT_METADATA_VERSIONS): level 1
// is 3.0-IV1, 17 is 3.7-IV2, 25 is 4.0-IV3. A name without its IV ("3.7") means the release's last
// level, as Kafka's MetadataVersion.fromVersionString reads it.
//
// Tributary runs levels SUPPORTED_METADATA_VERSIONS (3.6-IV2 to 3.7-IV2). The levels that change
// what it does: 3.7-IV2 (17), directory assignment for JBOD (KIP-858). 3.7-IV0 and 3.7-IV1 change
// nothing Tributary writes (Kafka's controller registration, KIP-919, is not used by Tributary's
// static quorum). New metadata logs start at METADATA_VERSION unless inter.broker.protocol.version
// names another supported level (Kafka 3.x's BootstrapDirectory.readFromConfiguration).

/** metadata.version: the feature Kafka finalizes in a FeatureLevelRecord at the head of the log. */
export const METADATA_VERSION_FEATURE = 'metadata.version';

/**
 * Kafka's KRaft metadata.version levels (MetadataVersion.featureLevel), 3.0-IV1 to 4.0-IV3: level,
 * name, and whether the level changed the metadata (didMetadataChange: a downgrade across such a
 * level could lose records the lower level cannot express, so Kafka refuses it).
 */
export const KRAFT_METADATA_VERSIONS: ReadonlyArray<readonly [level: number, name: string, metadataChanged: boolean]> = [
  [1, '3.0-IV1', true],
  [2, '3.1-IV0', false],
  [3, '3.2-IV0', true],
  [4, '3.3-IV0', false],
  [5, '3.3-IV1', true],
  [6, '3.3-IV2', true],
  [7, '3.3-IV3', true],
  [8, '3.4-IV0', true],
  [9, '3.5-IV0', false],
  [10, '3.5-IV1', false],
  [11, '3.5-IV2', true],
  [12, '3.6-IV0', false],
  [13, '3.6-IV1', true],
  [14, '3.6-IV2', true],
  [15, '3.7-IV0', true],
  [16, '3.7-IV1', false],
  [17, '3.7-IV2', true],
  [18, '3.7-IV3', false],
  [19, '3.7-IV4', false],
  [20, '3.8-IV0', false],
  [21, '3.9-IV0', false],
  [22, '4.0-IV0', false],
  [23, '4.0-IV1', true],
  [24, '4.0-IV2', false],
  [25, '4.0-IV3', false],
];

/** Kafka's MetadataVersion feature levels that change what Tributary writes or does. */
export const MetadataVersion = {
  /** KRaft delegation tokens in Kafka; the lowest level Tributary runs (what it bootstrapped before JBOD). */
  IBP_3_6_IV2: 14,
  /** JBOD in KRaft (KIP-858): directory assignment, LogDirs, OfflineLogDirs, AssignReplicasToDirs. */
  IBP_3_7_IV2: 17,
} as const;

/** The metadata.version levels Tributary runs (what its nodes register as supported). */
export const SUPPORTED_METADATA_VERSIONS = { min: MetadataVersion.IBP_3_6_IV2, max: MetadataVersion.IBP_3_7_IV2 } as const;

/** Kafka's MINIMUM_BOOTSTRAP_VERSION (3.3-IV0): no level below it can be set. */
export const MINIMUM_BOOTSTRAP_METADATA_VERSION = 4;

/**
 * The metadata.version a new metadata log is bootstrapped with by default: 3.7-IV2, the first level
 * with directory assignment (Kafka's isDirectoryAssignmentSupported). Logs bootstrapped at 3.6-IV2
 * keep their level (and run without directory tracking) until metadata.version is upgraded.
 */
export const METADATA_VERSION: number = MetadataVersion.IBP_3_7_IV2;

/** The features a Tributary node supports, by name: [min, max] levels (BrokerRegistration's Features). */
export const SUPPORTED_FEATURES: Readonly<Record<string, readonly [number, number]>> = {
  [METADATA_VERSION_FEATURE]: [SUPPORTED_METADATA_VERSIONS.min, SUPPORTED_METADATA_VERSIONS.max],
};

/** Kafka's MetadataVersion.isDirectoryAssignmentSupported (3.7-IV2+). */
export function isDirectoryAssignmentSupported(metadataVersion: number | undefined): boolean {
  return metadataVersion !== undefined && metadataVersion >= MetadataVersion.IBP_3_7_IV2;
}

const NAME_BY_LEVEL: ReadonlyMap<number, string> = new Map(KRAFT_METADATA_VERSIONS.map(([level, name]) => [level, name]));
const METADATA_CHANGED: ReadonlySet<number> = new Set(KRAFT_METADATA_VERSIONS.filter(([, , changed]) => changed).map(([level]) => level));

/**
 * Kafka's MetadataVersion.checkIfMetadataChanged: whether a level in (lower, higher] changed the
 * metadata, i.e. a downgrade from `higher` to `lower` could lose information.
 */
export function metadataChangedBetween(lower: number, higher: number): boolean {
  for (let level = higher; level > lower; level--) if (METADATA_CHANGED.has(level)) return true;
  return false;
}

/** A level's name ("3.7-IV2"); a level Kafka does not define is shown as its number. */
export function metadataVersionName(level: number): string {
  return NAME_BY_LEVEL.get(level) ?? String(level);
}

/**
 * Kafka's MetadataVersion.fromVersionString over the KRaft levels: "3.7-IV2" is 17, "3.7" the last
 * IV of 3.7 (19), "3.7.1" as "3.7"; undefined for anything else (pre-KRaft versions included).
 */
export function parseMetadataVersion(value: string): number | undefined {
  const segments = value.split('.');
  const key = segments.length > 2 ? segments.slice(0, 2).join('.') : value;
  let found: number | undefined;
  for (const [level, name] of KRAFT_METADATA_VERSIONS) {
    if (name === key || name.slice(0, name.indexOf('-')) === key) found = level;
  }
  return found;
}
