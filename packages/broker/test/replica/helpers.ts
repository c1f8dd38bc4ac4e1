// Shared by the replica/ unit tests: a ReplicaManager on a MemoryFileSystem and a MockTime (no
// TCP, no LocalController, no metadata log) that follows a MetadataImage built here by replaying
// metadata records, as a broker follows the published image: every change is replayed into a
// MetadataDelta (@tributary/metadata) and handed to replicas.applyDelta. Partitions are hosted from
// TopicRecord / PartitionRecord (any leader, epoch, replicas, ISR); leadership, deletion and
// config changes are asked of the controller state machine (Controller: image x request ->
// records), whose records are replayed the same way. Also record batches.
import { createHash } from 'node:crypto';
import { ErrorCode, encodeRecordBatch, type RecordBatchInput } from '@tributary/protocol';
import {
  ConfigResourceType,
  Controller,
  MetadataImage,
  applyRecords,
  type MetadataDelta,
  type MetadataRecord,
  type PartitionChangeRequest,
  type PartitionRegistration,
} from '@tributary/metadata';
import { MemoryFileSystem, MockTime } from '@tributary/storage';
import { BrokerConfig } from '../../src/config/broker-config.ts';
import { silentLogger } from '../../src/logger.ts';
import { controllerOptions } from '../../src/metadata/controller-options.ts';
import type { TopicConfigs } from '../../src/metadata/topic-config.ts';
import type { AlterIsr, Partition } from '../../src/replica/partition.ts';
import { ReplicaManager } from '../../src/replica/replica-manager.ts';

export const NODE_ID = 1;
export const T0 = 1_700_000_000_000;

/** A topic's id: derived from its name (a Uuid in Kafka's base64url form), so it is the same after a restart. */
export function topicIdOf(topic: string): string {
  return createHash('md5').update(topic).digest('base64url');
}

export interface Harness {
  fs: MemoryFileSystem;
  time: MockTime;
  config: BrokerConfig;
  replicas: ReplicaManager;
  /** The controller state machine (pure: it reads the image and returns records). */
  controller: Controller;
  /** The image the ReplicaManager was last given. */
  readonly image: MetadataImage;
  /** Replays `records` on the image and applies the delta to the ReplicaManager; returns the delta. */
  publish(records: MetadataRecord[]): MetadataDelta;
  /**
   * Adds `topic-partition` to the metadata (TopicRecord and ConfigRecords of `configs` when the
   * topic is new, then a PartitionRecord: leader this node, ISR [1], epoch 0 unless told), whether
   * or not this node is a replica.
   */
  assign(topic: string, opts?: HostOptions): MetadataDelta;
  /** assign(), then the Partition this node now hosts (throws if it hosts none). */
  host(topic: string, opts?: HostOptions): Partition;
  /** A new leader and/or ISR through the controller (PartitionChangeRecord); the new registration. */
  changePartition(p: Partition, change: Omit<PartitionChangeRequest, 'topic' | 'partition'>): PartitionRegistration;
  /** Deletes a topic through the controller (RemoveTopicRecord). */
  deleteTopic(topic: string): void;
  /** Replaces a topic's config overrides through the controller, as AlterConfigs does (ConfigRecords). */
  alter(topic: string, configs: TopicConfigs): void;
}

export interface HostOptions {
  partition?: number;
  leader?: number;
  leaderEpoch?: number;
  replicas?: number[];
  isr?: number[];
  /** The topic's config overrides; only when the topic is new (configs are per topic). */
  configs?: TopicConfigs;
  /** The topic's id when it is new (default topicIdOf(topic)). */
  topicId?: string;
}

export interface HarnessOptions {
  settings?: Record<string, string | number | boolean>;
  fs?: MemoryFileSystem;
  time?: MockTime;
  /** ReplicaManagerOptions.isLocalReplica. */
  isLocalReplica?: (brokerId: number) => boolean;
  /**
   * ISR changes: `true` sends them to this harness's controller (changePartition, published at
   * once); a function answers them itself. Default: none (the ISR never changes from the leader).
   */
  alterIsr?: true | AlterIsr;
}

function check(what: string, r: { errorCode: number; errorMessage: string | null }): void {
  if (r.errorCode !== ErrorCode.NONE) throw new Error(`${what}: error ${r.errorCode} ${r.errorMessage ?? ''}`);
}

/**
 * A started ReplicaManager on a MemoryFileSystem (log dir /data) and a MockTime at T0, following a
 * metadata image that starts with the controller's bootstrap records. A second harness on the same
 * `fs` is a restart: its image starts empty again, and hosting a topic finds the log on disk.
 */
export function harness(opts: HarnessOptions = {}): Harness {
  const time = opts.time ?? new MockTime(T0);
  const fs = opts.fs ?? new MemoryFileSystem(time);
  const config = BrokerConfig.load({ settings: { 'log.dirs': '/data', 'node.id': NODE_ID, ...opts.settings } });
  const replicas = new ReplicaManager({
    config,
    nodeId: NODE_ID,
    clusterId: 'c1',
    time,
    log: silentLogger,
    fs,
    isLocalReplica: opts.isLocalReplica,
    alterIsr:
      opts.alterIsr === true
        ? async (p, newIsr) => {
            const { records, response } = controller.changePartition(image, { topic: p.topic, partition: p.partition, isr: newIsr });
            publish(records);
            const r = response.partition;
            return r
              ? { errorCode: response.errorCode, isr: r.isr, leaderEpoch: r.leaderEpoch, partitionEpoch: r.partitionEpoch }
              : response;
          }
        : opts.alterIsr,
  });
  replicas.startup();
  const controller = new Controller(controllerOptions(config));
  let image = MetadataImage.EMPTY;

  const publish = (records: MetadataRecord[]): MetadataDelta => {
    const next = applyRecords(image, records, { lastOffset: image.provenance.lastOffset + records.length, lastEpoch: 1 });
    image = next.image;
    replicas.applyDelta(next.delta, next.image);
    return next.delta;
  };

  const assign = (topic: string, o: HostOptions = {}): MetadataDelta => {
    const records: MetadataRecord[] = [];
    const topicId = image.topic(topic)?.topicId ?? o.topicId ?? topicIdOf(topic);
    if (!image.topic(topic)) {
      records.push({ type: 'TopicRecord', data: { name: topic, topicId } });
      const validated = controller.options.topicConfigs.validate(o.configs ?? {});
      if (!('configs' in validated)) throw new Error(`configs of ${topic}: ${validated.errorMessage}`);
      for (const [name, value] of Object.entries(validated.configs)) {
        records.push({ type: 'ConfigRecord', data: { resourceType: ConfigResourceType.TOPIC, resourceName: topic, name, value } });
      }
    } else if (o.configs || o.topicId) {
      throw new Error(`topic ${topic} exists: its configs change through alter(), its id never`);
    }
    records.push({
      type: 'PartitionRecord',
      data: {
        topicId,
        partitionId: o.partition ?? 0,
        replicas: o.replicas ?? [NODE_ID],
        isr: o.isr ?? [NODE_ID],
        leader: o.leader ?? NODE_ID,
        leaderEpoch: o.leaderEpoch ?? 0,
        removingReplicas: [],
        addingReplicas: [],
        leaderRecoveryState: 0,
        partitionEpoch: 0,
        directories: [],
        eligibleLeaderReplicas: null,
        lastKnownElr: null,
      },
    });
    return publish(records);
  };

  publish(controller.bootstrapRecords());
  return {
    fs,
    time,
    config,
    replicas,
    controller,
    publish,
    assign,
    get image() {
      return image;
    },
    host(topic, o = {}) {
      assign(topic, o);
      const p = replicas.getPartition(topic, o.partition ?? 0);
      if (!p) throw new Error(`node ${NODE_ID} hosts no replica of ${topic}-${o.partition ?? 0}`);
      return p;
    },
    changePartition(p, change) {
      const { records, response } = controller.changePartition(image, { topic: p.topic, partition: p.partition, ...change });
      check(`changePartition ${p.key}`, response);
      publish(records);
      return response.partition!;
    },
    deleteTopic(topic) {
      const { records, response } = controller.deleteTopics(image, [{ name: topic }]);
      check(`deleteTopics ${topic}`, response[0]!);
      publish(records);
    },
    alter(topic, configs) {
      const { records, response } = controller.alterConfigs(image, [
        { resourceType: ConfigResourceType.TOPIC, resourceName: topic, configs },
      ]);
      check(`alterConfigs ${topic}`, response[0]!);
      publish(records);
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
export function idempotent(
  producerId: bigint,
  producerEpoch: number,
  baseSequence: number,
  count = 1,
  o: BatchOptions = {},
): Promise<Buffer> {
  return batch(count, { producerId, producerEpoch, baseSequence, ...o });
}

/** Base offsets of the whole batches in `records`, in order. */
export function baseOffsets(records: Buffer): number[] {
  const out: number[] = [];
  for (let pos = 0; pos + 12 <= records.length; pos += records.readInt32BE(pos + 8) + 12) out.push(Number(records.readBigInt64BE(pos)));
  return out;
}
