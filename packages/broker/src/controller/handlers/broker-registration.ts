// BrokerRegistration (API key 62), on the controller listener.
//
// Versions: 0-4.
//
// Behaviour: a broker registers itself (Kafka's ClusterControlManager.registerBroker): a ClusterId
// other than the controller's is INCONSISTENT_CLUSTER_ID; a broker listing metadata.version
// without the finalized level in its range is UNSUPPORTED_VERSION; otherwise the registration is
// written (RegisterBrokerRecord, fenced) and its offset answered as the new BrokerEpoch. Another
// incarnation of a broker id whose session is live is DUPLICATE_BROKER_REGISTRATION. LogDirs (v2+,
// JBOD, from metadata.version 3.7-IV2) become the broker's online dirs; the same incarnation
// registering again amends its registration (same epoch; a failed dir back online).
//
// Not implemented: PreviousBrokerEpoch (KIP-966 unclean shutdown detection),
// IsMigratingZkBroker (ignored), features other than metadata.version are recorded, not checked.
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { METADATA_VERSION_FEATURE } from '@tributary/metadata';
import type { ApiHandler } from '../../server/handler-registry.ts';
import type { ControllerBackend } from '../controller-backend.ts';

export function brokerRegistrationHandler(controller: ControllerBackend): ApiHandler<typeof ApiKey.BrokerRegistration> {
  return {
    apiKey: ApiKey.BrokerRegistration,
    name: 'BrokerRegistration',
    minVersion: 0,
    maxVersion: 4,
    async handle(ctx, request) {
      const fail = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, brokerEpoch: -1n });
      if (request.clusterId !== ctx.services.clusterId) return fail(ErrorCode.INCONSISTENT_CLUSTER_ID);
      const finalized = controller.image.features.metadataVersion;
      const mv = request.features.find((f) => f.name === METADATA_VERSION_FEATURE);
      if (mv && finalized !== undefined && (finalized < mv.minSupportedVersion || finalized > mv.maxSupportedVersion)) {
        return fail(ErrorCode.UNSUPPORTED_VERSION);
      }
      const r = await controller.registerBroker({
        brokerId: request.brokerId,
        incarnationId: request.incarnationId,
        endpoints: request.listeners.map((l) => ({ name: l.name, host: l.host, port: l.port, securityProtocol: l.securityProtocol })),
        rack: request.rack,
        features: Object.fromEntries(request.features.map((f) => [f.name, [f.minSupportedVersion, f.maxSupportedVersion] as const])),
        logDirs: request.logDirs,
      });
      if (r.errorCode === ErrorCode.NONE)
        ctx.services.log.info('broker registered', { brokerId: request.brokerId, brokerEpoch: String(r.brokerEpoch) });
      return { throttleTimeMs: 0, errorCode: r.errorCode, brokerEpoch: r.brokerEpoch };
    },
  };
}
