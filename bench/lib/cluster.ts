// A Tributary cluster of separate processes for the "cluster" and "quorum" groups: LocalCluster (a
// controller process, node 0, and brokers 1..n; or, `combined`, n broker,controller nodes that are
// all voters of the metadata quorum; `tributary start` each, on 127.0.0.1) in the run's temp
// directory, started from this checkout or BENCH_BROKER_ROOT like single brokers are; stopped
// (SIGTERM, then SIGKILL) by the harness after the scenario. It samples the brokers' CPU and RSS
// together (or every node's, the dedicated controller included), keeps the WARN/ERROR lines the
// nodes print, and answers what a partition looks like (leader, ISR) through Metadata over the raw
// connection.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { LocalCluster } from '../../packages/tributary/src/cluster/local-cluster.ts';
import { brokerRoot, trackForCleanup } from './broker-process.ts';
import { ProcSampler } from './proc-stats.ts';
import { pickVersion, RawConnection } from './raw-client.ts';
import { Api, type RunContext } from './types.ts';

/** The `system` of the cluster group's rows (kept apart from the single-broker 'tributary' rows and goals). */
export const CLUSTER_SYSTEM = 'tributary 3 brokers';
/** broker.session.timeout.ms of the failover scenario (the controller fences a silent broker after it). */
export const FAILOVER_SESSION_TIMEOUT_MS = 2_000;

type Apis = ReadonlyMap<number, [number, number]>;
type Settings = Record<string, string | number>;

export interface BenchCluster {
  readonly cluster: LocalCluster;
  readonly bootstrap: string;
  /** The settings every broker / the controller got on top of LocalCluster's own (for the printed setup). */
  readonly brokerSettings: Settings;
  /** CPU% and peak RSS of the live broker processes together (not the controller). */
  sampler(): ProcSampler;
  /** The same over every live node process, the dedicated controller included (all combined nodes when combined). */
  nodesSampler(): ProcSampler;
  /** WARN / ERROR lines the nodes printed so far (the last 50), and how many there were. */
  warnings(): { count: number; last: string[] };
  stop(): Promise<void>;
}

export async function startCluster(
  ctx: RunContext,
  o: { brokers: number; brokerSettings?: Settings; controllerSettings?: Settings; combined?: boolean },
): Promise<BenchCluster> {
  const dataDir = await mkdtemp(join(ctx.tmp, 'cluster-'));
  const warned: string[] = [];
  let warnCount = 0;
  const cluster = new LocalCluster({
    brokers: o.brokers,
    dataDir,
    brokerSettings: o.brokerSettings,
    controllerSettings: o.controllerSettings,
    combined: o.combined,
    command: [process.execPath, '--import', 'tsx', join(brokerRoot(ctx.root), 'packages/tributary/src/cli.ts')],
    onLine: (line) => {
      if (!/\] (WARN|ERROR) |Error:|error:/.test(line)) return;
      warnCount++;
      warned.push(line.length > 300 ? `${line.slice(0, 300)}...` : line);
      if (warned.length > 50) warned.shift();
    },
  });
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      const timer = setTimeout(() => void cluster.kill(), 10_000);
      try {
        await cluster.stop();
      } finally {
        clearTimeout(timer);
        untrack();
        await rm(dataDir, { recursive: true, force: true });
      }
    })());
  const untrack = trackForCleanup({ stop });
  try {
    await cluster.start();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    cluster,
    bootstrap: cluster.bootstrap,
    brokerSettings: { ...o.brokerSettings },
    sampler: () => new ProcSampler(pids(cluster.brokerIds.map((id) => cluster.broker(id)))),
    nodesSampler: () =>
      new ProcSampler(pids([...(o.combined ? [] : [cluster.controller]), ...cluster.brokerIds.map((id) => cluster.broker(id))])),
    warnings: () => ({ count: warnCount, last: [...warned] }),
    stop,
  };
}

const pids = (nodes: { pid: number | undefined; running: boolean }[]) =>
  nodes.filter((n) => n.running && n.pid !== undefined).map((n) => n.pid!);

export interface PartitionView {
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}

/** Partition `partition` of `topic` as broker `brokerId` answers Metadata (throws on errors or a missing partition). */
export async function partitionView(
  cluster: LocalCluster,
  apis: Apis,
  brokerId: number,
  topic: string,
  partition = 0,
): Promise<PartitionView> {
  const conn = await RawConnection.open('127.0.0.1', cluster.portOf(brokerId));
  try {
    const md = await conn.request(ApiKey.Metadata, pickVersion(apis.get(Api.Metadata), 12), {
      topics: [{ name: topic }],
      allowAutoTopicCreation: false,
    });
    const t = md.topics.find((x) => x.name === topic);
    const p = t?.partitions.find((x) => x.partitionIndex === partition);
    if (t?.errorCode !== 0 || !p) throw new Error(`Metadata ${topic} from broker ${brokerId}: error ${t?.errorCode ?? 'no topic'}`);
    return { leader: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: [...p.replicaNodes], isr: [...p.isrNodes] };
  } finally {
    conn.close();
  }
}

/** Polls `probe` every 50 ms until it returns a value (not undefined/false) or `timeoutMs` passes. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  let lastErr: unknown = null;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > end)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until every live broker reports the partition with a leader and all its replicas in the ISR. */
export async function waitFullIsr(cluster: LocalCluster, apis: Apis, topic: string, timeoutMs = 30_000): Promise<PartitionView> {
  return waitFor(
    `${topic}-0 to have a leader and a full ISR on every live broker`,
    async () => {
      let view: PartitionView | undefined;
      for (const id of cluster.brokerIds) {
        if (!cluster.broker(id).running) continue;
        const v = await partitionView(cluster, apis, id, topic);
        if (v.leader < 0 || v.isr.length !== v.replicas.length) return undefined;
        if (view && (view.leader !== v.leader || view.leaderEpoch !== v.leaderEpoch)) return undefined;
        view = v;
      }
      return view;
    },
    timeoutMs,
  );
}

/** Creates a 1-partition topic with a replication factor and topic configs through broker 1 (forwarded to the controller). */
export async function createReplicatedTopic(
  c: BenchCluster,
  apis: Apis,
  name: string,
  replicationFactor: number,
  configs: Record<string, string> = {},
): Promise<PartitionView> {
  const conn = await RawConnection.open('127.0.0.1', c.cluster.portOf(c.cluster.brokerIds[0]!));
  try {
    const err = await createTopic(conn, apis, name, replicationFactor, configs);
    if (err !== null) throw new Error(`CreateTopics ${name}: ${err}`);
  } finally {
    conn.close();
  }
  return waitFullIsr(c.cluster, apis, name);
}

/** One CreateTopics request of one 1-partition topic on `conn`: null once created, else the error (name and message). */
export async function createTopic(
  conn: RawConnection,
  apis: Apis,
  name: string,
  replicationFactor: number,
  configs: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<string | null> {
  const res = await conn.request(ApiKey.CreateTopics, pickVersion(apis.get(Api.CreateTopics), 7), {
    topics: [
      {
        name,
        numPartitions: 1,
        replicationFactor,
        assignments: [],
        configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })),
      },
    ],
    timeoutMs,
  });
  const t = res.topics[0];
  if (t?.errorCode === 0) return null;
  return `${t ? (ErrorCode[t.errorCode] ?? `error ${t.errorCode}`) : 'no topic in the answer'}${t?.errorMessage ? ` (${t.errorMessage})` : ''}`;
}
