// UpdateFeatures (API key 57), versions 0-2: `kafka-features.sh upgrade|downgrade|disable`.
//
// Behaviour (Kafka's ControllerApis.handleUpdateFeatures over QuorumController.updateFeatures):
// the updates go to the controller (forwarded by a broker), which checks them all against the
// cluster and writes FeatureLevelRecords (packages/metadata controller/feature-control.ts: the
// levels every node supports, upgrade vs downgrade, metadata.version downgrades that could lose
// metadata). v0's AllowDowngrade means a safe downgrade; v1+ carries UpgradeType. One failing
// update fails the request: the top-level error is INVALID_UPDATE_VERSION with "The update failed
// for all features since the following feature had an error: <reason>", and no per-feature
// results. On success, v0-v1 list every feature with NONE (v2 has no per-feature results).
// ValidateOnly (v1+) checks and writes nothing. Authorization: ALTER on the cluster, else
// CLUSTER_AUTHORIZATION_FAILED.
import { ApiKey, ErrorCode, errorInfo, type UpdateFeaturesRequest } from '@tributary/protocol';
import { METADATA_VERSION_FEATURE, UpgradeType, metadataVersionName, updateFailedMessage } from '@tributary/metadata';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

function failed(errorCode: number, errorMessage: string | null) {
  return { throttleTimeMs: 0, errorCode, errorMessage, results: [] };
}

export const updateFeaturesHandler: ApiHandler<typeof ApiKey.UpdateFeatures> = {
  apiKey: ApiKey.UpdateFeatures,
  name: 'UpdateFeatures',
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, request: UpdateFeaturesRequest) {
    if (!ctx.authorize(AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return failed(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorInfo(ErrorCode.CLUSTER_AUTHORIZATION_FAILED).message);
    }
    const v0 = ctx.header.apiVersion === 0;
    const updates = request.featureUpdates.map((u) => ({
      feature: u.feature,
      maxVersionLevel: u.maxVersionLevel,
      upgradeType: v0 ? (u.allowDowngrade ? UpgradeType.SAFE_DOWNGRADE : UpgradeType.UPGRADE) : u.upgradeType,
    }));
    const s = ctx.services;
    const before = s.controller.image.features.metadataVersion;
    const r = await s.controller.updateFeatures(updates, { validateOnly: request.validateOnly });
    if (r.errorCode !== ErrorCode.NONE) {
      s.log.warn(r.errorMessage ?? 'UpdateFeatures failed');
      return failed(r.errorCode, updateFailedMessage(r.errorMessage));
    }
    const mv = updates.find((u) => u.feature === METADATA_VERSION_FEATURE);
    if (mv && !request.validateOnly && before !== undefined && mv.maxVersionLevel !== before) {
      const verb = mv.maxVersionLevel > before ? 'Upgrading' : 'Downgrading';
      s.log.warn(`${verb} metadata.version from ${metadataVersionName(before)} to ${metadataVersionName(mv.maxVersionLevel)}.`);
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      results:
        ctx.header.apiVersion <= 1 ? updates.map((u) => ({ feature: u.feature, errorCode: ErrorCode.NONE, errorMessage: null })) : [],
    };
  },
  errorResponse: (_request, errorCode) => failed(errorCode, errorInfo(errorCode).message),
};
