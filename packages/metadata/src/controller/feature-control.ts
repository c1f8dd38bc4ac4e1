// Finalized features in the controller (Kafka's FeatureControlManager.updateFeatures, as
// QuorumController.updateFeatures runs it for UpdateFeatures): every update is checked against the
// image, and the first failure fails the whole request, with Kafka's INVALID_UPDATE_VERSION
// messages ("Invalid update version <v> for feature <f>. <reason>"):
//   - the upgrade type must be known (1 upgrade, 2 safe downgrade, 3 unsafe downgrade);
//   - the level is not below 0, and every node supports it: this controller (SUPPORTED_FEATURES:
//     "Local controller <id> only supports versions 14-17", or "... does not support this
//     feature"), then every registered broker by the Features of its registration ("Broker <id>
//     ..."). Tributary's controllers do not register (KIP-919), so, as Kafka below 3.7-IV0, the
//     other controllers are not checked;
//   - a lower level needs a downgrade type, a higher one the upgrade type;
//   - metadata.version: a downgrade across a level that changed the metadata is refused ("Invalid
//     metadata.version <v>. Refusing to perform the requested downgrade because it might delete
//     metadata information.", or "Unsafe metadata downgrade is not supported in this version.");
//   - any other feature: Tributary knows none, so only level 0 (nothing to finalize) passes the
//     support check, and it is then refused as Kafka refuses a feature it does not know ("Feature
//     <f> not found.").
// Success writes one FeatureLevelRecord per changed feature, atomically; `validateOnly` writes
// nothing. Brokers follow metadata.version from the record (3.7-IV2 turns on directory assignment).
import { ErrorCode } from '@tributary/protocol';
import type { MetadataImage } from '../image/metadata-image.ts';
import { type MetadataRecord, featureLevelRecord } from '../records/metadata-record.ts';
import {
  METADATA_VERSION_FEATURE,
  MINIMUM_BOOTSTRAP_METADATA_VERSION,
  SUPPORTED_FEATURES,
  metadataChangedBetween,
  metadataVersionName,
} from '../records/metadata-version.ts';
import { NONE, apiError, type ApiError, type ControllerResult } from './results.ts';

/** QuorumController.updateFeatures' top-level message for a failed request. */
const UPDATE_FAILED = 'The update failed for all features since the following feature had an error: ';

/** The top-level UpdateFeatures error message for a failed update's reason. */
export function updateFailedMessage(reason: string | null): string {
  return UPDATE_FAILED + (reason ?? '');
}

/** The reason inside a top-level UpdateFeatures error message (what a forwarding broker hands on). */
export function updateFailedReason(message: string | null): string | null {
  return message?.startsWith(UPDATE_FAILED) ? message.slice(UPDATE_FAILED.length) : message;
}

/** Kafka's FeatureUpdate.UpgradeType. */
export const UpgradeType = { UPGRADE: 1, SAFE_DOWNGRADE: 2, UNSAFE_DOWNGRADE: 3 } as const;

export interface FeatureUpdate {
  feature: string;
  maxVersionLevel: number;
  upgradeType: number;
}

type Range = readonly [number, number];
const DISABLED: Range = [0, 0];

/** Kafka's VersionRange.toString: "14-17", "3" for a one-level range. */
function rangeText([min, max]: Range): string {
  return min === max ? String(min) : `${min}-${max}`;
}

/** Kafka's QuorumFeatures.reasonNotSupported. */
function reasonNotSupported(level: number, what: string, range: Range): string | null {
  if (level >= range[0] && level <= range[1]) return null;
  return range[1] === 0 ? `${what} does not support this feature.` : `${what} only supports versions ${rangeText(range)}`;
}

function invalidUpdateVersion(feature: string, level: number, message: string): ApiError {
  return apiError(ErrorCode.INVALID_UPDATE_VERSION, `Invalid update version ${level} for feature ${feature}. ${message}`);
}

function invalidMetadataVersion(level: number, message: string): ApiError {
  return apiError(ErrorCode.INVALID_UPDATE_VERSION, `Invalid metadata.version ${level}. ${message}`);
}

/** Kafka's FeatureControlManager.updateFeatures (see the header). `nodeId`: this controller's id. */
export function updateFeatures(
  image: MetadataImage,
  updates: readonly FeatureUpdate[],
  validateOnly: boolean,
  nodeId: number,
): ControllerResult<ApiError> {
  const records: MetadataRecord[] = [];
  for (const u of updates) {
    const error = updateFeature(image, u, nodeId, records);
    if (error.errorCode !== ErrorCode.NONE) return { records: [], response: error };
  }
  return { records: validateOnly ? [] : records, response: NONE };
}

function updateFeature(image: MetadataImage, u: FeatureUpdate, nodeId: number, records: MetadataRecord[]): ApiError {
  const { feature, maxVersionLevel: level, upgradeType } = u;
  if (upgradeType < UpgradeType.UPGRADE || upgradeType > UpgradeType.UNSAFE_DOWNGRADE)
    return invalidUpdateVersion(feature, level, 'The controller does not support the given upgrade type.');
  const current = image.features.finalizedVersions.get(feature) ?? 0;
  if (level < 0) return invalidUpdateVersion(feature, level, 'A feature version cannot be less than 0.');
  const local = reasonNotSupported(level, `Local controller ${nodeId}`, SUPPORTED_FEATURES[feature] ?? DISABLED);
  if (local !== null) return invalidUpdateVersion(feature, level, local);
  for (const id of image.cluster.brokerIds()) {
    const r = image.cluster.broker(id)!.features.get(feature);
    const reason = reasonNotSupported(level, `Broker ${id}`, r ? [r.min, r.max] : DISABLED);
    if (reason !== null) return invalidUpdateVersion(feature, level, reason);
  }
  if (level < current && upgradeType === UpgradeType.UPGRADE)
    return invalidUpdateVersion(
      feature,
      level,
      "Can't downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade.",
    );
  if (level > current && upgradeType !== UpgradeType.UPGRADE)
    return invalidUpdateVersion(feature, level, "Can't downgrade to a newer version.");
  if (feature !== METADATA_VERSION_FEATURE) return invalidUpdateVersion(feature, level, `Feature ${feature} not found.`);
  if (level < MINIMUM_BOOTSTRAP_METADATA_VERSION)
    return invalidMetadataVersion(
      level,
      `Unable to set a metadata.version less than ${metadataVersionName(MINIMUM_BOOTSTRAP_METADATA_VERSION)}`,
    );
  if (level < current && metadataChangedBetween(level, current)) {
    return upgradeType === UpgradeType.UNSAFE_DOWNGRADE
      ? invalidMetadataVersion(level, 'Unsafe metadata downgrade is not supported in this version.')
      : invalidMetadataVersion(level, 'Refusing to perform the requested downgrade because it might delete metadata information.');
  }
  if (level !== current) records.push(featureLevelRecord(feature, level));
  return NONE;
}
