// The metadata quorum as the "quorum" group sees it, over the raw connection (raw-client.ts):
// which node is the active controller and whether every voter caught up (DescribeQuorum, API key
// 55, which a broker forwards to the active controller or answers from its own), and CreateTopics
// one request at a time: timed one by one (metadata-change latency), or retried after a SIGKILL of
// the controller until one succeeds (controller failover). The failover loop sends each attempt, a
// new 1-partition topic, to one of the given brokers; a lost connection or a client timeout moves
// it to the next (as a client walks its bootstrap list), any failure waits RETRY_MS first.
import { ApiKey, ErrorCode } from '@tributary/protocol';
import type { LocalCluster } from '../../packages/tributary/src/cluster/local-cluster.ts';
import { createTopic, waitFor } from './cluster.ts';
import { sleep, withTimeout } from './failover.ts';
import { pickVersion, RawConnection } from './raw-client.ts';
import { Api } from './types.ts';

type Apis = ReadonlyMap<number, [number, number]>;

/** Wait after a failed CreateTopics attempt during a controller failover. */
export const RETRY_MS = 20;
/** The client's own limit on one CreateTopics answer (the broker does not time CreateTopics out). */
export const CLIENT_TIMEOUT_MS = 5_000;

export interface QuorumView {
  leaderId: number;
  leaderEpoch: number;
  highWatermark: number;
  voters: { id: number; logEndOffset: number }[];
}

/** The metadata quorum as broker `brokerId` answers DescribeQuorum (throws on an error). */
export async function describeQuorum(cluster: LocalCluster, apis: Apis, brokerId: number): Promise<QuorumView> {
  const conn = await RawConnection.open('127.0.0.1', cluster.portOf(brokerId));
  try {
    const r = await withTimeout(
      conn.request(ApiKey.DescribeQuorum, pickVersion(apis.get(Api.DescribeQuorum), 2), {
        topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }],
      }),
      CLIENT_TIMEOUT_MS,
    );
    const p = r.topics[0]?.partitions[0];
    const err = r.errorCode || (p?.errorCode ?? -1);
    if (err !== 0 || !p) throw new Error(`DescribeQuorum from broker ${brokerId}: ${ErrorCode[err] ?? err}`);
    return {
      leaderId: p.leaderId,
      leaderEpoch: p.leaderEpoch,
      highWatermark: Number(p.highWatermark),
      voters: p.currentVoters.map((v) => ({ id: v.replicaId, logEndOffset: Number(v.logEndOffset) })),
    };
  } finally {
    conn.close();
  }
}

/**
 * Waits until every running broker names the same active controller (and epoch) and, as the
 * leader describes it (the first broker when the leader is not one), `voters` voters have a log
 * end offset at the high watermark or past it. Returns that view.
 */
export async function waitQuorumCaughtUp(cluster: LocalCluster, apis: Apis, voters: number, timeoutMs = 60_000): Promise<QuorumView> {
  return waitFor(
    `${voters} voter(s) caught up with one leader named by every broker`,
    async () => {
      const live = cluster.brokerIds.filter((id) => cluster.broker(id).running);
      const views = await Promise.all(live.map((id) => describeQuorum(cluster, apis, id)));
      const v = views[live.indexOf(views[0]!.leaderId)] ?? views[0]!;
      if (v.leaderId < 0 || views.some((x) => x.leaderId !== v.leaderId || x.leaderEpoch !== v.leaderEpoch)) return undefined;
      if (v.voters.length !== voters || v.voters.some((x) => x.logEndOffset < v.highWatermark)) return undefined;
      return v;
    },
    timeoutMs,
  );
}

/** Which of `names` broker `brokerId` does not know (Metadata of every topic). */
export async function missingTopics(cluster: LocalCluster, apis: Apis, brokerId: number, names: readonly string[]): Promise<string[]> {
  const conn = await RawConnection.open('127.0.0.1', cluster.portOf(brokerId));
  try {
    const md = await withTimeout(
      conn.request(ApiKey.Metadata, pickVersion(apis.get(Api.Metadata), 12), { topics: null, allowAutoTopicCreation: false }),
      CLIENT_TIMEOUT_MS,
    );
    const known = new Set(md.topics.filter((t) => t.errorCode === 0).map((t) => t.name));
    return names.filter((n) => !known.has(n));
  } finally {
    conn.close();
  }
}

/** Creates `count` topics `<prefix>-<i>` one CreateTopics at a time on one connection: each answer's latency (ms) and the total seconds. */
export async function timeCreateTopics(
  conn: RawConnection,
  apis: Apis,
  o: { prefix: string; count: number; replicationFactor: number },
): Promise<{ latenciesMs: number[]; seconds: number }> {
  const latenciesMs: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < o.count; i++) {
    const t = performance.now();
    const err = await createTopic(conn, apis, `${o.prefix}-${i}`, o.replicationFactor);
    if (err !== null) throw new Error(`CreateTopics ${o.prefix}-${i}: ${err}`);
    latenciesMs.push(performance.now() - t);
  }
  return { latenciesMs, seconds: (performance.now() - t0) / 1000 };
}

export interface ControllerFailoverResult {
  /** From just before the kill to the first successful CreateTopics answer. */
  ms: number;
  /** Failed attempts by error. */
  errors: Record<string, number>;
  /** The broker that answered the first success. */
  via: number;
  /** The topic that first success created. */
  topic: string;
}

/**
 * Runs `kill` (a SIGKILL, perhaps followed by a restart) while sending CreateTopics of new
 * 1-partition topics `<prefix>-<n>` (replication factor `replicationFactor`) to `brokers`, one at a
 * time, until one succeeds; `kill` is awaited before returning.
 */
export async function measureControllerFailover(
  cluster: LocalCluster,
  apis: Apis,
  o: { brokers: number[]; kill: () => Promise<unknown>; prefix: string; replicationFactor: number; deadlineMs?: number },
): Promise<ControllerFailoverResult> {
  const errors: Record<string, number> = {};
  let conn: RawConnection | null = null;
  let next = 0;
  let n = 0;
  const t0 = performance.now();
  const killed = o.kill();
  try {
    for (;;) {
      const id = o.brokers[next % o.brokers.length]!;
      let err: string | null;
      let topic = '';
      try {
        conn ??= await RawConnection.open('127.0.0.1', cluster.portOf(id));
        topic = `${o.prefix}-${n++}`;
        err = await withTimeout(createTopic(conn, apis, topic, o.replicationFactor), CLIENT_TIMEOUT_MS);
      } catch (e) {
        err = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
        conn?.close();
        conn = null;
        next++;
      }
      if (err === null) return { ms: performance.now() - t0, errors, via: id, topic };
      errors[err] = (errors[err] ?? 0) + 1;
      if (performance.now() - t0 > (o.deadlineMs ?? 60_000))
        throw new Error(`no successful CreateTopics within ${o.deadlineMs ?? 60_000} ms (errors ${JSON.stringify(errors)})`);
      await sleep(RETRY_MS);
    }
  } finally {
    conn?.close();
    await killed;
  }
}
