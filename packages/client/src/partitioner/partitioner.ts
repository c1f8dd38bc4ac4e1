// Partition choice for a record, as the Java producer does it (`KafkaProducer.partition` +
// `BuiltInPartitioner`): an explicit `partition` wins; then a custom partitioner if configured
// (returning `undefined` defers to the built-in rule); a record with a key goes to
// `toPositive(murmur2(key)) % partitionCount` over all partitions (unless `ignoreKeys`, Java's
// `partitioner.ignore.keys`); a record without a key goes to the topic's sticky partition.
import { partitionForKey } from './murmur2.ts';
import { StickyPartitioner, defaultRandomInt, type RandomInt } from './sticky-partitioner.ts';

/** What a custom partitioner sees. `availablePartitions` are the partitions that have a leader. */
export interface PartitionerArgs {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  partitionCount: number;
  availablePartitions: readonly number[];
}

/** A custom partitioner: returns a partition in [0, partitionCount), or `undefined` for the default rule. */
export type Partitioner = (args: PartitionerArgs) => number | undefined;

export interface PartitionChoice {
  partition: number;
  /** True when the sticky (unkeyed) rule chose it: the caller must report appended bytes. */
  sticky: boolean;
}

export interface DefaultPartitionerOptions {
  /** `batch.size`: bytes produced to the sticky partition before switching (default 16384). */
  batchSize?: number;
  /** Java's `partitioner.ignore.keys`: use the sticky partition even for keyed records. */
  ignoreKeys?: boolean;
  custom?: Partitioner;
  random?: RandomInt;
}

export class DefaultPartitioner {
  private readonly sticky = new Map<string, StickyPartitioner>();
  private readonly batchSize: number;
  private readonly ignoreKeys: boolean;
  private readonly custom: Partitioner | undefined;
  private readonly random: RandomInt;

  constructor(options: DefaultPartitionerOptions = {}) {
    this.batchSize = options.batchSize ?? 16384;
    this.ignoreKeys = options.ignoreKeys ?? false;
    this.custom = options.custom;
    this.random = options.random ?? defaultRandomInt;
  }

  partition(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    partitionCount: number,
    availablePartitions: readonly number[],
    explicit?: number,
  ): PartitionChoice {
    if (partitionCount < 1) throw new RangeError(`topic ${topic} has no partitions`);
    if (explicit !== undefined && explicit !== null) {
      if (!Number.isInteger(explicit) || explicit < 0 || explicit >= partitionCount) {
        throw new RangeError(`partition ${explicit} is not in [0, ${partitionCount}) for topic ${topic}`);
      }
      return { partition: explicit, sticky: false };
    }
    if (this.custom) {
      const p = this.custom({ topic, key, value, partitionCount, availablePartitions });
      if (p !== undefined) {
        if (!Number.isInteger(p) || p < 0 || p >= partitionCount) {
          throw new RangeError(`custom partitioner returned ${p}, not in [0, ${partitionCount}) for topic ${topic}`);
        }
        return { partition: p, sticky: false };
      }
    }
    if (key !== null && !this.ignoreKeys) return { partition: partitionForKey(key, partitionCount), sticky: false };
    return { partition: this.stickyFor(topic).partition(partitionCount, availablePartitions), sticky: true };
  }

  /** Reports bytes appended to the sticky partition of `topic` (may switch it). */
  onStickyAppend(
    topic: string,
    appendedBytes: number,
    partitionCount: number,
    availablePartitions: readonly number[],
    enableSwitch = true,
  ): void {
    this.sticky.get(topic)?.onAppend(appendedBytes, partitionCount, availablePartitions, enableSwitch);
  }

  /** The per-topic sticky state (created on first use). */
  stickyFor(topic: string): StickyPartitioner {
    let s = this.sticky.get(topic);
    if (!s) {
      s = new StickyPartitioner(this.batchSize, this.random);
      this.sticky.set(topic, s);
    }
    return s;
  }
}
