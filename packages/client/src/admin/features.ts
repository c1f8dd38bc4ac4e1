// Admin.describeFeatures / Admin.updateFeatures (kafka-features.sh): the cluster's finalized
// feature levels and what a broker supports come from ApiVersions v3+ (its SupportedFeatures,
// FinalizedFeatures and FinalizedFeaturesEpoch tagged fields), asked of any broker, as Kafka's
// AdminClient does; UpdateFeatures (API key 57) goes to any broker, which forwards it to the
// controller. A failed update is thrown as a KafkaClientError with the controller's message (one
// failing feature fails them all).
import { ApiKey, ErrorCode } from '@tributary/protocol';
import type { FeatureMetadata, FeatureUpdate } from '../api.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { failAdmin } from './admin-error.ts';

const UPGRADE_TYPE = { upgrade: 1, 'safe-downgrade': 2, 'unsafe-downgrade': 3 } as const;

export async function describeFeatures(cluster: Cluster): Promise<FeatureMetadata> {
  const c = await cluster.anyConnection();
  const r = await c.request(ApiKey.ApiVersions, { clientSoftwareName: 'tributary', clientSoftwareVersion: '0' });
  if (r.errorCode !== ErrorCode.NONE) failAdmin('describe features', r.errorCode, null);
  return {
    finalizedFeatures: Object.fromEntries(
      (r.finalizedFeatures ?? []).map((f) => [f.name, { minVersionLevel: f.minVersionLevel, maxVersionLevel: f.maxVersionLevel }]),
    ),
    finalizedFeaturesEpoch: r.finalizedFeaturesEpoch !== undefined && r.finalizedFeaturesEpoch >= 0n ? r.finalizedFeaturesEpoch : null,
    supportedFeatures: Object.fromEntries(
      (r.supportedFeatures ?? []).map((f) => [f.name, { minVersion: f.minVersion, maxVersion: f.maxVersion }]),
    ),
  };
}

export async function updateFeatures(
  cluster: Cluster,
  updates: Readonly<Record<string, FeatureUpdate>>,
  options: { validateOnly?: boolean } = {},
): Promise<void> {
  const c = await cluster.anyConnection();
  const r = await c.request(ApiKey.UpdateFeatures, {
    timeoutMs: cluster.options.requestTimeoutMs ?? 30000,
    featureUpdates: Object.entries(updates).map(([feature, u]) => ({
      feature,
      maxVersionLevel: u.maxVersionLevel,
      upgradeType: UPGRADE_TYPE[u.upgradeType ?? 'upgrade'],
      allowDowngrade: false, // v0 only
    })),
    validateOnly: options.validateOnly ?? false,
  });
  if (r.errorCode !== ErrorCode.NONE) failAdmin('update features', r.errorCode, r.errorMessage);
  for (const x of r.results ?? [])
    if (x.errorCode !== ErrorCode.NONE) failAdmin(`update feature ${x.feature}`, x.errorCode, x.errorMessage);
}
