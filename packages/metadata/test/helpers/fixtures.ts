// Test fixtures: controller options with a small topic config policy (Kafka's messages for the
// names it knows), deterministic topic ids, and an image with registered brokers.
import { ErrorCode } from '@tributary/protocol';
import {
  Controller,
  MetadataImage,
  SecurityProtocol,
  applyRecords,
  type ControllerOptions,
  type MetadataRecord,
  type TopicConfigPolicy,
} from '../../src/index.ts';

const DEFAULTS: Record<string, string> = {
  'cleanup.policy': 'delete',
  'retention.ms': '604800000',
  'min.insync.replicas': '1',
  'unclean.leader.election.enable': 'false',
};

export const testPolicy: TopicConfigPolicy = {
  validate(configs) {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(configs)) {
      if (!(name in DEFAULTS)) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: `Unknown topic config name: ${name}` };
      if (value === null)
        return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: `Null value not supported for topic configs: ${name}` };
      if (name === 'retention.ms' && !/^-?\d+$/.test(value.trim())) {
        return {
          errorCode: ErrorCode.INVALID_CONFIG,
          errorMessage: `Invalid value ${value} for configuration ${name}: Not a number of type LONG`,
        };
      }
      if (name === 'cleanup.policy' && value.split(',').some((x) => !['delete', 'compact'].includes(x.trim()))) {
        return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: `Invalid value ${value} for configuration ${name}` };
      }
      out[name] = value.trim();
    }
    return { configs: out };
  },
  defaultValue: (name) => DEFAULTS[name],
};

/** Topic ids id-1, id-2, ... as 22-character base64url strings. */
export function sequentialTopicIds(): () => string {
  let n = 0;
  return () => Buffer.alloc(16, 0).fill(++n, 15).toString('base64url');
}

export function options(over: Partial<ControllerOptions> = {}): ControllerOptions {
  return {
    numPartitions: 1,
    defaultReplicationFactor: 1,
    deleteTopicEnable: true,
    uncleanLeaderElectionEnable: false,
    topicConfigs: testPolicy,
    newTopicId: sequentialTopicIds(),
    ...over,
  };
}

/** A Uuid string for a broker's incarnation. */
export function incarnationId(n: number): string {
  return Buffer.alloc(16, 100 + n).toString('base64url');
}

export function endpoint(port: number) {
  return { name: 'PLAINTEXT', host: 'localhost', port, securityProtocol: SecurityProtocol.PLAINTEXT };
}

/** Applies a controller result's records at the next offsets (provenance moves on). */
export function commit(image: MetadataImage, records: readonly MetadataRecord[]): MetadataImage {
  const last = image.provenance.lastOffset + records.length;
  return applyRecords(image, records, { lastOffset: last, lastEpoch: 1 }).image;
}

/**
 * An image with brokers `ids` registered (epoch = registration offset, rack from `racks`) and
 * unfenced unless listed in `fenced`.
 */
export function clusterImage(
  ids: number[],
  fenced: number[] = [],
  c = new Controller(options()),
  racks: Readonly<Record<number, string>> = {},
): MetadataImage {
  let image = commit(MetadataImage.EMPTY, c.bootstrapRecords());
  for (const id of ids) {
    image = commit(
      image,
      c.registerBroker(
        image,
        { brokerId: id, incarnationId: incarnationId(id), endpoints: [endpoint(9090 + id)], rack: racks[id] ?? null },
        image.provenance.lastOffset + 1,
      ).records,
    );
    if (!fenced.includes(id)) image = commit(image, c.unfenceBroker(image, id).records);
  }
  return image;
}
