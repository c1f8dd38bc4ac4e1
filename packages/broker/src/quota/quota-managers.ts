// QuotaManagers: the client quota managers of one broker node (Kafka's QuotaFactory.QuotaManagers):
// `produce` (producer_byte_rate, on Produce request bytes), `fetch` (consumer_byte_rate, on
// consumer Fetch response bytes) and `request` (request_percentage, on the time spent handling
// requests, as Kafka's ClientRequestQuotaManager: a percentage of one thread, throttles capped at
// one quota window; see request-time-quota.ts), all over quota.window.num samples of quota.window.size.seconds
// and reading the client quotas of the node's metadata image (record-and-throttle.ts applies one
// to a request).
// Not done: controller_mutation_rate.
import type { ClientQuotasImage } from '@tributary/metadata';
import type { BrokerConfig } from '../config/broker-config.ts';
import { ClientQuotaManager } from './client-quota-manager.ts';

export interface QuotaManagers {
  readonly produce: ClientQuotaManager;
  readonly fetch: ClientQuotaManager;
  readonly request: ClientQuotaManager;
}

export function createQuotaManagers(config: BrokerConfig, quotas: () => ClientQuotasImage): QuotaManagers {
  const numSamples = config.get('quota.window.num');
  const windowMs = config.get('quota.window.size.seconds') * 1000;
  return {
    produce: new ClientQuotaManager({ quotaKey: 'producer_byte_rate', numSamples, windowMs, quotas }),
    fetch: new ClientQuotaManager({ quotaKey: 'consumer_byte_rate', numSamples, windowMs, quotas }),
    request: new ClientQuotaManager({ quotaKey: 'request_percentage', numSamples, windowMs, quotas, maxThrottleMs: windowMs }),
  };
}
