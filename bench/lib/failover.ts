// Failover time of a partition's leader, measured with the raw client (raw-client.ts): a producer
// loop sends one acks=all Produce (one 100 B record) at a time to partition 0's leader; on any
// failure (connection refused or closed, NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS, a timeout) it
// waits RETRY_MS, asks the live brokers' Metadata for the leader again and retries. After a steady
// start, the leader is SIGKILLed; the failover time is from just before the kill to the first
// successful acks=all response from another broker (its successor). Also recorded: when the loop's
// Metadata first named the new leader (the election as a client sees it).
import { ApiKey, encodeRecordBatch, ErrorCode } from '@tributary/protocol';
import type { LocalCluster } from '../../packages/tributary/src/cluster/local-cluster.ts';
import { partitionView } from './cluster.ts';
import { pickVersion, RawConnection } from './raw-client.ts';
import { recordValues } from './shapes.ts';
import { Api } from './types.ts';

type Apis = ReadonlyMap<number, [number, number]>;

/** Wait after a failed attempt before asking Metadata again (librdkafka's retry.backoff.ms is 100). */
export const RETRY_MS = 10;
/** Produce timeout (the broker answers REQUEST_TIMED_OUT after it) and the client's own limit. */
const PRODUCE_TIMEOUT_MS = 2_000;
const CLIENT_TIMEOUT_MS = 5_000;

export interface FailoverResult {
  /** From just before the SIGKILL to the first acks=all success on the new leader. */
  ms: number;
  /** From just before the SIGKILL to the loop's first Metadata answer naming another leader. */
  metadataMs: number | null;
  oldLeader: number;
  newLeader: number;
  /** Failed attempts during the failover, by error. */
  errors: Record<string, number>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error('client timeout')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export class PartitionProducer {
  private readonly conns = new Map<number, RawConnection>();
  leader = -1;
  private batch: Buffer | null = null;
  private readonly produceVersion: number;

  constructor(
    readonly cluster: LocalCluster,
    readonly apis: Apis,
    readonly topic: string,
  ) {
    this.produceVersion = pickVersion(apis.get(Api.Produce), 9);
  }

  private async conn(id: number): Promise<RawConnection> {
    let c = this.conns.get(id);
    if (!c) {
      c = await RawConnection.open('127.0.0.1', this.cluster.portOf(id));
      this.conns.set(id, c);
    }
    return c;
  }

  private drop(id: number): void {
    this.conns.get(id)?.close();
    this.conns.delete(id);
  }

  /** Asks the brokers in turn (as a client walks its bootstrap list) for the partition's leader. */
  async refreshLeader(): Promise<number> {
    for (const id of this.cluster.brokerIds) {
      try {
        const v = await withTimeout(partitionView(this.cluster, this.apis, id, this.topic), CLIENT_TIMEOUT_MS);
        if (v.leader >= 0) {
          this.leader = v.leader;
          return v.leader;
        }
      } catch {
        /* this broker is down or does not know: try the next */
      }
    }
    return this.leader;
  }

  /** One acks=all Produce to the current leader: null on success, else what went wrong. */
  async attempt(): Promise<string | null> {
    if (this.leader < 0) await this.refreshLeader();
    const id = this.leader;
    if (id < 0) return 'no leader';
    this.batch ??= await encodeRecordBatch({ records: [{ value: recordValues(100)[0]! }] });
    try {
      const c = await this.conn(id);
      const res = await withTimeout(
        c.request(ApiKey.Produce, this.produceVersion, {
          acks: -1,
          timeoutMs: PRODUCE_TIMEOUT_MS,
          topicData: [{ name: this.topic, partitionData: [{ index: 0, records: this.batch }] }],
        }),
        CLIENT_TIMEOUT_MS,
      );
      const err = res.responses[0]?.partitionResponses[0]?.errorCode ?? -1;
      if (err === 0) return null;
      return ErrorCode[err] ?? `error ${err}`;
    } catch (err) {
      this.drop(id);
      const msg = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      return msg;
    }
  }

  /** Retries until one attempt succeeds; returns the failures seen on the way (by error). */
  async produceUntilOk(deadlineMs: number, errors: Record<string, number> = {}): Promise<Record<string, number>> {
    const end = performance.now() + deadlineMs;
    for (;;) {
      const err = await this.attempt();
      if (err === null) return errors;
      errors[err] = (errors[err] ?? 0) + 1;
      if (performance.now() > end) throw new Error(`no successful acks=all produce within ${deadlineMs} ms (last: ${err})`);
      await sleep(RETRY_MS);
      await this.refreshLeader();
    }
  }

  close(): void {
    for (const id of [...this.conns.keys()]) this.drop(id);
  }
}

/**
 * With `producer` sending (steadily for `steadyMs` first), SIGKILLs the partition's leader and
 * measures the time to the first acks=all success on another broker. The killed broker stays down.
 */
export async function measureFailover(cluster: LocalCluster, producer: PartitionProducer, steadyMs = 500): Promise<FailoverResult> {
  await producer.refreshLeader();
  const steadyEnd = performance.now() + steadyMs;
  while (performance.now() < steadyEnd) await producer.produceUntilOk(10_000);
  const oldLeader = producer.leader;
  const errors: Record<string, number> = {};
  let metadataMs: number | null = null;
  const t0 = performance.now();
  const killed = cluster.broker(oldLeader).kill();
  for (;;) {
    const err = await producer.attempt();
    if (err === null && producer.leader !== oldLeader) break;
    if (err !== null) errors[err] = (errors[err] ?? 0) + 1;
    if (performance.now() - t0 > 60_000)
      throw new Error(`no acks=all success on a new leader within 60 s (errors ${JSON.stringify(errors)})`);
    await sleep(RETRY_MS);
    await producer.refreshLeader();
    if (metadataMs === null && producer.leader !== oldLeader) metadataMs = performance.now() - t0;
  }
  const ms = performance.now() - t0;
  await killed;
  return { ms, metadataMs, oldLeader, newLeader: producer.leader, errors };
}
