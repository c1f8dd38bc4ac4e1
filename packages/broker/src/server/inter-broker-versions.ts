// The API versions a broker uses when it is the client: to other brokers (replica Fetch,
// ListOffsets) and to the controller. Negotiation picks the highest version in both this range and
// the other side's.
import type { VersionRange } from '@tributary/client';
import { ApiKey } from '@tributary/protocol';

const r = (minVersion: number, maxVersion: number): VersionRange => ({ minVersion, maxVersion });

export const INTER_BROKER_API_VERSIONS: Readonly<Record<number, VersionRange>> = {
  [ApiKey.ApiVersions]: r(0, 3),
  [ApiKey.Fetch]: r(12, 12),
  [ApiKey.ListOffsets]: r(4, 8),
  [ApiKey.OffsetForLeaderEpoch]: r(3, 4),
};

export function interBrokerApiRange(apiKey: number): VersionRange {
  const range = INTER_BROKER_API_VERSIONS[apiKey];
  if (!range) throw new Error(`the broker does not send API ${apiKey}`);
  return range;
}
