// AllocateProducerIds (API key 67), on the controller listener.
//
// Versions: 0.
//
// Behaviour: the next block of 1000 producer ids, recorded in the metadata log (ProducerIdsRecord,
// Kafka's ProducerIdControlManager), so blocks are unique cluster-wide. An unknown broker is
// BROKER_ID_NOT_REGISTERED, another broker epoch STALE_BROKER_EPOCH.
import { ApiKey } from '@tributary/protocol';
import type { ApiHandler } from '../../server/handler-registry.ts';
import type { ControllerBackend } from '../controller-backend.ts';

export function allocateProducerIdsHandler(controller: ControllerBackend): ApiHandler<typeof ApiKey.AllocateProducerIds> {
  return {
    apiKey: ApiKey.AllocateProducerIds,
    name: 'AllocateProducerIds',
    minVersion: 0,
    maxVersion: 0,
    async handle(_ctx, request) {
      const r = await controller.allocateProducerIds(request.brokerId, request.brokerEpoch);
      return { throttleTimeMs: 0, errorCode: r.errorCode, producerIdStart: r.firstProducerId, producerIdLen: r.size };
    },
  };
}
