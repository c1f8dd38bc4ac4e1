// ApiVersions negotiation: for each API the client uses, the version sent to a broker is the
// highest version both support (min(client max, broker max), if not below either minimum). A
// broker that does not list an API, or whose range does not overlap, cannot serve it: the caller
// gets a non-retriable UNSUPPORTED_VERSION error naming the API and both ranges.
import { KafkaClientError } from '../network/errors.ts';

export interface VersionRange {
  minVersion: number;
  maxVersion: number;
}

export class UnsupportedVersionError extends KafkaClientError {
  override name = 'UnsupportedVersionError';
  constructor(message: string, broker?: string) {
    super(message, 'UNSUPPORTED_VERSION', false, { code: 35, broker });
  }
}

/** The highest common version, or -1 when the ranges do not overlap. */
export function highestCommonVersion(client: VersionRange, broker: VersionRange): number {
  const v = Math.min(client.maxVersion, broker.maxVersion);
  return v >= Math.max(client.minVersion, broker.minVersion) ? v : -1;
}

/** What one broker advertised in its ApiVersions response. */
export class ApiVersionsTable {
  private readonly ranges: Map<number, VersionRange>;

  constructor(
    apiKeys: Iterable<{ apiKey: number; minVersion: number; maxVersion: number }>,
    readonly broker?: string,
  ) {
    this.ranges = new Map();
    for (const k of apiKeys) this.ranges.set(k.apiKey, { minVersion: k.minVersion, maxVersion: k.maxVersion });
  }

  supports(apiKey: number): boolean {
    return this.ranges.has(apiKey);
  }

  range(apiKey: number): VersionRange | undefined {
    return this.ranges.get(apiKey);
  }

  /** Version to use for `apiKey`, or throws UnsupportedVersionError. */
  choose(apiKey: number, client: VersionRange, apiName = `API ${apiKey}`): number {
    const broker = this.ranges.get(apiKey);
    if (!broker)
      throw new UnsupportedVersionError(`broker ${this.broker ?? ''} does not support ${apiName}`.replace('  ', ' '), this.broker);
    const v = highestCommonVersion(client, broker);
    if (v < 0) {
      throw new UnsupportedVersionError(
        `no common version of ${apiName}: client ${client.minVersion}-${client.maxVersion}, broker ${broker.minVersion}-${broker.maxVersion}`,
        this.broker,
      );
    }
    return v;
  }
}
