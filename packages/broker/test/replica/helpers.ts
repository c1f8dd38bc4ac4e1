// Shared by the replica/ unit tests: a ReplicaManager on a MemoryFileSystem and a MockTime (no
// TCP, no TopicManager), partitions hosted straight from a registration, and record batches.
import { encodeRecordBatch, type RecordBatchInput } from '@tributary/protocol';
import { MemoryFileSystem, MockTime } from '@tributary/storage';
import { BrokerConfig } from '../../src/config/broker-config.ts';
import { silentLogger } from '../../src/logger.ts';
import { runtimeConfig, toLogConfig, type TopicConfigs, type TopicRuntimeConfig } from '../../src/metadata/topic-config.ts';
import type { Partition } from '../../src/replica/partition.ts';
import { ReplicaManager } from '../../src/replica/replica-manager.ts';

export const NODE_ID = 1;
export const T0 = 1_700_000_000_000;

export interface Harness {
  fs: MemoryFileSystem;
  time: MockTime;
  config: BrokerConfig;
  replicas: ReplicaManager;
  /** Hosts `topic-partition` (leader: this node, ISR [1], epoch 0 unless told). */
  host(topic: string, opts?: HostOptions): Partition;
  /** Replaces a hosted topic's runtime config (as AlterConfigs would). */
  alter(p: Partition, configs: TopicConfigs): void;
}

export interface HostOptions {
  partition?: number;
  leader?: number;
  leaderEpoch?: number;
  replicas?: number[];
  isr?: number[];
  configs?: TopicConfigs;
}

export interface HarnessOptions {
  settings?: Record<string, string | number | boolean>;
  fs?: MemoryFileSystem;
  time?: MockTime;
}

/** A started ReplicaManager on a MemoryFileSystem (log dir /data) and a MockTime at T0. */
export function harness(opts: HarnessOptions = {}): Harness {
  const time = opts.time ?? new MockTime(T0);
  const fs = opts.fs ?? new MemoryFileSystem(time);
  const config = BrokerConfig.load({ settings: { 'log.dirs': '/data', 'node.id': NODE_ID, ...opts.settings } });
  const replicas = new ReplicaManager({ config, nodeId: NODE_ID, clusterId: 'c1', time, log: silentLogger, fs });
  replicas.startup();
  const runtimes = new Map<string, TopicRuntimeConfig>();
  return {
    fs, time, config, replicas,
    host(topic, o = {}) {
      const partition = o.partition ?? 0;
      const key = `${topic}-${partition}`;
      runtimes.set(key, runtimeConfig(o.configs ?? {}, config));
      return replicas.makePartition({
        topic, topicId: `id-${topic}`, partition,
        leader: o.leader ?? NODE_ID, leaderEpoch: o.leaderEpoch ?? 0,
        replicas: o.replicas ?? [NODE_ID], isr: o.isr ?? [NODE_ID],
      }, () => runtimes.get(key)!, toLogConfig(o.configs ?? {}, config));
    },
    alter(p, configs) {
      runtimes.set(p.key, runtimeConfig(configs, config));
    },
  };
}

export interface BatchOptions extends Omit<RecordBatchInput, 'records'> {
  /** Bytes per record value (default 10). */
  valueBytes?: number;
  /** Timestamp of every record (default T0). */
  timestamp?: number;
}

/** One v2 batch of `count` records, values `valueBytes` long, timestamps T0 unless told. */
export function batch(count = 1, o: BatchOptions = {}): Promise<Buffer> {
  const { valueBytes = 10, timestamp = T0, ...rest } = o;
  const records = Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: Buffer.alloc(valueBytes, 97 + (i % 26)), timestamp }));
  return encodeRecordBatch({ records, ...rest });
}

/** An idempotent batch: producer id, epoch and base sequence set. */
export function idempotent(producerId: bigint, producerEpoch: number, baseSequence: number, count = 1, o: BatchOptions = {}): Promise<Buffer> {
  return batch(count, { producerId, producerEpoch, baseSequence, ...o });
}

/** Base offsets of the whole batches in `records`, in order. */
export function baseOffsets(records: Buffer): number[] {
  const out: number[] = [];
  for (let pos = 0; pos + 12 <= records.length; pos += records.readInt32BE(pos + 8) + 12) out.push(Number(records.readBigInt64BE(pos)));
  return out;
}
