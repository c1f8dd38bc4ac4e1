// Shared pieces of the cluster fault tests: a LocalCluster of separate processes on 127.0.0.1 (a
// controller and brokers, `tributary start` each) in a temporary directory, removed afterwards;
// the cluster's view of a partition through Metadata (leader, epoch, ISR) from any live broker; a
// bounded wait; one record produced, the latest offset read; and each replica's log bytes for the log-matching check. Nodes' output is kept and
// printed when a test fails.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { ApiKey, ErrorCode, encodeRecordBatch } from '@tributary/protocol';
import { LocalCluster, type LocalClusterOptions } from '../../packages/tributary/src/cluster/local-cluster.ts';
import { withWire } from '../interop/wire-client.ts';

export interface FaultCluster {
  cluster: LocalCluster;
  dataDir: string;
  /** The last lines every node printed (for failure messages). */
  log(): string;
  /** How many lines, since the start, matched each of the patterns given as `watch`. */
  matched(name: string): number;
}

/** Starts a cluster for the test `t`; it is killed and its directory removed when the test ends. */
export async function startFaultCluster(
  t: TestContext,
  opts: Omit<LocalClusterOptions, 'dataDir'> & {
    brokers: number;
    watch?: Record<string, RegExp>;
    /** Runs before any node starts (e.g. mounts a file system on a broker's log dir). */
    beforeStart?: (cluster: LocalCluster) => void;
  },
): Promise<FaultCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-fault-'));
  const lines: string[] = [];
  const { watch = {}, beforeStart, ...clusterOptions } = opts;
  const counts = new Map<string, number>();
  const cluster = new LocalCluster({
    ...clusterOptions,
    dataDir,
    onLine: (l) => {
      for (const [name, re] of Object.entries(watch)) if (re.test(l)) counts.set(name, (counts.get(name) ?? 0) + 1);
      lines.push(l);
      if (lines.length > 4000) lines.splice(0, 1000);
    },
  });
  t.after(async () => {
    await cluster.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeStart?.(cluster);
  await cluster.start();
  return { cluster, dataDir, log: () => lines.slice(-200).join('\n'), matched: (name) => counts.get(name) ?? 0 };
}

export interface PartitionView {
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}

/** The partition as Metadata v12 from the first live broker answers it. */
export async function partitionView(cluster: LocalCluster, topic: string, partition = 0): Promise<PartitionView> {
  let last: unknown = null;
  for (const id of cluster.brokerIds) {
    if (!cluster.broker(id).running) continue;
    try {
      const md = await withWire(cluster.portOf(id), (c) =>
        c.request(ApiKey.Metadata, 12, { topics: [{ name: topic, topicId: undefined }], allowAutoTopicCreation: false }),
      );
      const t = md.topics[0];
      const p = t?.partitions.find((x) => x.partitionIndex === partition);
      if (!t || t.errorCode !== ErrorCode.NONE || !p) throw new Error(`Metadata ${topic}: error ${t?.errorCode}`);
      return { leader: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: p.replicaNodes, isr: p.isrNodes };
    } catch (err) {
      last = err;
    }
  }
  throw new Error(`no live broker answered Metadata for ${topic}: ${(last as Error)?.message}`);
}

/** Creates a topic through the first live broker (forwarded to the controller); throws unless NONE. */
export async function createReplicatedTopic(
  cluster: LocalCluster,
  name: string,
  numPartitions: number,
  replicationFactor: number,
  configs: Record<string, string> = {},
): Promise<void> {
  const live = cluster.brokerIds.find((id) => cluster.broker(id).running);
  if (live === undefined) throw new Error('no broker is running');
  const res = await withWire(cluster.portOf(live), (c) =>
    c.request(ApiKey.CreateTopics, 5, {
      topics: [
        {
          name,
          numPartitions,
          replicationFactor,
          assignments: [],
          configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })),
        },
      ],
      timeoutMs: 10_000,
      validateOnly: false,
    }),
  );
  const t = res.topics[0];
  if (!t || t.errorCode !== ErrorCode.NONE) throw new Error(`CreateTopics ${name}: error ${t?.errorCode} ${t?.errorMessage ?? ''}`);
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let lastErr: unknown = null;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > end)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A replica's segment files of `topic`-`partition`, concatenated in offset order. */
export function replicaLogBytes(dataDir: string, brokerId: number, topic: string, partition = 0): Buffer {
  const dir = join(dataDir, `broker-${brokerId}`, `${topic}-${partition}`);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort();
  return Buffer.concat(files.map((f) => readFileSync(join(dir, f))));
}

/** One record to `partition` (default 0) of `topic` at the broker on `port` (Produce v9, `acks` default all); the partition's answer. */
export async function produceOne(port: number, topic: string, value: string, acks = -1, partition = 0) {
  const records = await encodeRecordBatch({ records: [{ value, timestamp: Date.now() }] });
  const r = await withWire(port, (c) =>
    c.request(ApiKey.Produce, 9, { acks, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] }),
  );
  return r.responses[0]!.partitionResponses[0]!;
}

/** The latest offset (the high watermark) of partition 0 of `topic` at the broker on `port` (ListOffsets, -1). */
export async function latestOffset(port: number, topic: string): Promise<bigint> {
  const r = await withWire(port, (c) =>
    c.request(ApiKey.ListOffsets, 4, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] }],
    }),
  );
  const p = r.topics[0]!.partitions[0]!;
  if (p.errorCode !== ErrorCode.NONE) throw new Error(`ListOffsets: error ${p.errorCode}`);
  return p.offset;
}
