// The client's cluster: bootstrap servers, one BrokerConnection per broker node (shared by the
// producer, consumers and admin of one Kafka object), the metadata cache and its refreshes, and
// reconnect backoff per address (exponential from `reconnect.backoff.ms` to
// `reconnect.backoff.max.ms`, with jitter). A closed connection is replaced on next use, after the
// backoff. Metadata is fetched from any reachable broker (bootstrap servers in turn before the
// first response) and converted to the cache's shape.
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiKey, ErrorCode, type Encodable, type MetadataResponse, type RequestOf, type ResponseOf } from '@tributary/protocol';
import { BrokerConnection, type RequestOptions } from '../network/connection.ts';
import { backoffMs } from '../network/backoff.ts';
import { ClientClosedError, ConnectionError, KafkaClientError } from '../network/errors.ts';
import { MetadataCache, type MetadataSnapshot } from './metadata-cache.ts';
import type tls from 'node:tls';
import type { SaslOptions } from '../network/sasl-client.ts';

type Key = (typeof ApiKey)[keyof typeof ApiKey];

export interface ClusterOptions {
  bootstrapServers: string[];
  clientId: string;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  reconnectBackoffMs?: number;
  reconnectBackoffMaxMs?: number;
  metadataMaxAgeMs?: number;
  /** `client.rack`: sent in group subscriptions for rack-aware assignment. */
  clientRack?: string;
  tls?: tls.ConnectionOptions | true;
  /** SASL login on every connection. */
  sasl?: SaslOptions;
  clock?: () => number;
  random?: () => number;
  /** Waits before a reconnect (tests inject one with a fake clock). */
  sleep?: (ms: number) => Promise<void>;
}

export function parseHostPort(s: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(s.trim().replace(/^[A-Za-z_]+:\/\//, ''));
  if (!m) throw new Error(`bad broker address "${s}" (expected host:port)`);
  return { host: m[1], port: Number(m[2]) };
}

export function snapshotOf(response: MetadataResponse): MetadataSnapshot {
  return {
    clusterId: response.clusterId,
    controllerId: response.controllerId,
    brokers: response.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
    topics: response.topics
      .filter((t) => t.name !== null)
      .map((t) => ({
        name: t.name!,
        topicId: t.topicId,
        isInternal: t.isInternal,
        errorCode: t.errorCode,
        partitions: t.partitions.map((p) => ({
          partition: p.partitionIndex,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas,
          errorCode: p.errorCode,
        })),
      })),
  };
}

export class Cluster {
  readonly metadata = new MetadataCache();
  private readonly connections = new Map<string, BrokerConnection>(); // by host:port
  private readonly failures = new Map<string, { attempts: number; retryAtMs: number }>();
  /** Connects under way (backoff included), by address: concurrent callers share one socket. */
  private readonly connecting = new Map<string, Promise<BrokerConnection>>();
  /** Aborted by close(): ends a reconnect backoff at once. */
  private readonly closing = new AbortController();
  private readonly bootstrap: Array<{ host: string; port: number }>;
  private bootstrapIndex = 0;
  private refreshing: Promise<void> | null = null;
  private closed = false;
  readonly clock: () => number;

  constructor(readonly options: ClusterOptions) {
    if (options.bootstrapServers.length === 0) throw new Error('bootstrapServers is empty');
    this.bootstrap = options.bootstrapServers.map(parseHostPort);
    this.clock = options.clock ?? Date.now;
  }

  /** Connection to a broker node (as the metadata names it), connected and negotiated. */
  async connectionTo(nodeId: number): Promise<BrokerConnection> {
    const node = this.metadata.broker(nodeId);
    if (!node) {
      await this.refreshMetadata();
      const again = this.metadata.broker(nodeId);
      if (!again) throw new KafkaClientError(`unknown broker ${nodeId}`, 'BROKER_NOT_AVAILABLE', true, {});
      return this.connectTo(again.host, again.port, nodeId);
    }
    return this.connectTo(node.host, node.port, nodeId);
  }

  /** Some connected broker: a known one, else the bootstrap servers in turn. */
  async anyConnection(): Promise<BrokerConnection> {
    for (const [k, c] of this.connections) if (c.isReady && !k.includes('#')) return c;
    const candidates = this.metadata.brokerList().length
      ? this.metadata.brokerList().map((b) => ({ host: b.host, port: b.port, nodeId: b.nodeId }))
      : [];
    for (let i = 0; i < this.bootstrap.length; i++) {
      const b = this.bootstrap[(this.bootstrapIndex + i) % this.bootstrap.length];
      candidates.push({ ...b, nodeId: -1 });
    }
    let lastError: unknown;
    for (const c of candidates) {
      try {
        return await this.connectTo(c.host, c.port, c.nodeId);
      } catch (err) {
        lastError = err;
        this.bootstrapIndex++;
      }
    }
    throw lastError instanceof Error ? lastError : new ConnectionError('no broker reachable', this.options.bootstrapServers.join(','));
  }

  /**
   * Connection to an address (e.g. a group coordinator from FindCoordinator). A `channel` other
   * than the default gets a socket of its own (the Java consumer talks to its coordinator on a
   * separate connection, so heartbeats never queue behind a long-polling Fetch).
   */
  connectionToAddress(host: string, port: number, nodeId = -1, channel = ''): Promise<BrokerConnection> {
    return this.connectTo(host, port, nodeId, channel);
  }

  private async connectTo(host: string, port: number, nodeId: number, channel = ''): Promise<BrokerConnection> {
    if (this.closed) throw new ClientClosedError(`${host}:${port}`);
    const addr = channel ? `${host}:${port}#${channel}` : `${host}:${port}`;
    const c = this.connections.get(addr);
    if (c && !c.isClosed) {
      await c.connect();
      return c;
    }
    let pending = this.connecting.get(addr);
    if (!pending) {
      pending = this.openConnection(host, port, nodeId, addr).finally(() => this.connecting.delete(addr));
      this.connecting.set(addr, pending);
    }
    return pending;
  }

  /** A new connection to `addr`, after the reconnect backoff its last failure asks for. */
  private async openConnection(host: string, port: number, nodeId: number, addr: string): Promise<BrokerConnection> {
    const failure = this.failures.get(addr);
    if (failure) {
      const wait = failure.retryAtMs - this.clock();
      if (wait > 0) {
        if (this.options.sleep) await this.options.sleep(wait);
        else await sleep(wait, undefined, { signal: this.closing.signal }).catch(() => {}); // close() ends the wait
      }
    }
    if (this.closed) throw new ClientClosedError(addr);
    const c = new BrokerConnection(
      {
        host,
        port,
        clientId: this.options.clientId,
        connectTimeoutMs: this.options.connectTimeoutMs,
        requestTimeoutMs: this.options.requestTimeoutMs,
        tls: this.options.tls,
        sasl: this.options.sasl,
      },
      nodeId,
    );
    this.connections.set(addr, c);
    try {
      await c.connect();
      this.failures.delete(addr);
      return c;
    } catch (err) {
      const attempts = (failure?.attempts ?? 0) + 1;
      const delay = backoffMs(attempts - 1, {
        initialMs: this.options.reconnectBackoffMs ?? 50,
        maxMs: this.options.reconnectBackoffMaxMs ?? 1000,
        random: this.options.random,
      });
      this.failures.set(addr, { attempts, retryAtMs: this.clock() + delay });
      if (this.connections.get(addr) === c) this.connections.delete(addr);
      throw err;
    }
  }

  /** Sends a request to a broker node. */
  async request<K extends Key>(nodeId: number, apiKey: K, body: Encodable<RequestOf<K>>, options?: RequestOptions): Promise<ResponseOf<K>> {
    const c = await this.connectionTo(nodeId);
    return c.request(apiKey, body, options);
  }

  /**
   * Refreshes metadata for the wanted topics (or all topics with `all`). Concurrent calls share
   * one request.
   */
  refreshMetadata(options: { all?: boolean; topics?: string[]; allowAutoTopicCreation?: boolean } = {}): Promise<void> {
    if (options.topics) this.metadata.addTopics(options.topics);
    if (this.refreshing && !options.all) return this.refreshing;
    const run = (async () => {
      const c = await this.anyConnection();
      const wanted = this.metadata.wanted();
      const topics = options.all ? null : wanted.map((name) => ({ name, topicId: undefined }));
      const response = await c.request(ApiKey.Metadata, {
        topics,
        allowAutoTopicCreation: options.allowAutoTopicCreation ?? false,
        includeTopicAuthorizedOperations: false,
      });
      this.metadata.update(snapshotOf(response), this.clock(), options.all === true);
    })().finally(() => {
      if (this.refreshing === run) this.refreshing = null;
    });
    if (!options.all) this.refreshing = run;
    return run;
  }

  /** Whether the metadata should be fetched again: an update was requested, or it is older than metadata.max.age.ms (default 5 min). */
  metadataStale(): boolean {
    return this.metadata.shouldRefresh(this.clock(), this.options.metadataMaxAgeMs ?? 300000);
  }

  /** Makes sure the metadata knows `topics` (refreshing when missing or stale); returns unknown ones. */
  async ensureTopics(topics: string[], allowAutoTopicCreation = false): Promise<string[]> {
    const missing = () => topics.filter((t) => this.metadata.partitionCount(t) === undefined);
    if (missing().length === 0 && !this.metadataStale()) return [];
    for (let attempt = 0; attempt < 5; attempt++) {
      await this.refreshMetadata({ topics, allowAutoTopicCreation });
      const m = missing();
      if (m.length === 0) return [];
      // a topic being created answers LEADER_NOT_AVAILABLE for a moment
      const retry = m.some((t) => this.metadata.topic(t)?.errorCode === ErrorCode.LEADER_NOT_AVAILABLE);
      if (!retry) return m;
      await sleep(50 * (attempt + 1));
      this.metadata.requestUpdate();
    }
    return missing();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
    for (const c of this.connections.values()) c.close();
    this.connections.clear();
  }
}
