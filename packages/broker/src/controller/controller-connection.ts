// ControllerConnection: one connection from a broker to the controller (Kafka's
// NodeToControllerChannelManager, reduced to one voter): the addresses come from
// `controller.quorum.voters` (`id@host:port,...`) or `controller.quorum.bootstrap.servers`
// (`host:port,...`); requests use the client's BrokerConnection with the versions a broker speaks
// to its controller (CONTROLLER_API_VERSIONS in server/inter-broker-versions.ts). A request that fails on the network (unreachable,
// closed, timed out) closes the connection and is retried on the next address after a backoff
// that doubles from `reconnectBackoffMs` up to `reconnectBackoffMaxMs`, until it is answered or
// the connection is closed (then it rejects). Protocol errors are answers, returned as they are;
// any other failure (a request that does not encode, a version not agreed) rejects at once.
// With `leaderId`, requests go to the quorum's leader: at its configured address, or at the one
// `resolve` learned (a node with only bootstrap servers learns the leader's endpoint from the
// quorum's answers, quorum-endpoints.ts); while the leader is unknown, to the addresses in turn.
import { BrokerConnection, KafkaClientError } from '@tributary/client';
import { ErrorCode, type ApiKey, type Encodable, type RequestOf, type ResponseOf } from '@tributary/protocol';
import { systemTime, type Time } from '@tributary/storage';
import type { Logger } from '../logger.ts';
import { controllerApiRange } from '../server/inter-broker-versions.ts';

export interface ControllerAddress {
  /** The voter's node id (a bootstrap server's pseudo id, -2, -3, ...: parseBootstrapServers). */
  id: number;
  host: string;
  port: number;
}

/** `controller.quorum.voters`: `id@host:port` entries, comma-separated. */
export function parseQuorumVoters(voters: string): ControllerAddress[] {
  return splitList(voters).map((v) => {
    const m = /^(\d+)@(.+):(\d+)$/.exec(v);
    if (!m) throw new Error(`invalid controller.quorum.voters entry '${v}' (expected id@host:port)`);
    return { id: Number(m[1]), host: stripBrackets(m[2]!), port: Number(m[3]) };
  });
}

/** The pseudo id of the first bootstrap server (-1 means "no node"). */
const BOOTSTRAP_FIRST_ID = -2;

/**
 * `controller.quorum.bootstrap.servers`: `host:port` entries, comma-separated. They have no node
 * ids: entry i gets the pseudo id -2 - i (-2, -3, ..., as Kafka's KafkaRaftClient numbers them).
 */
export function parseBootstrapServers(servers: string): ControllerAddress[] {
  return splitList(servers).map((v, i) => {
    const m = /^(.+):(\d+)$/.exec(v);
    if (!m) throw new Error(`invalid controller.quorum.bootstrap.servers entry '${v}' (expected host:port)`);
    return { id: BOOTSTRAP_FIRST_ID - i, host: stripBrackets(m[1]!), port: Number(m[2]) };
  });
}

const splitList = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
const stripBrackets = (h: string) => (h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h);

export interface ControllerConnectionOptions {
  addresses: readonly ControllerAddress[];
  clientId: string;
  time?: Time;
  log: Logger;
  requestTimeoutMs?: number;
  reconnectBackoffMs?: number;
  reconnectBackoffMaxMs?: number;
  /**
   * The quorum's leader as this node knows it (-1: unknown): requests go to it when it is among
   * the addresses; an answer of NOT_CONTROLLER (a controller that is not, or no longer, active)
   * is retried there after the backoff.
   */
  leaderId?: () => number;
  /** Where a node not among `addresses` is (endpoints learned from the quorum); undefined when unknown. */
  resolve?: (nodeId: number) => ControllerAddress | undefined;
  /** TLS options of a new connection (the controller listener is SSL); undefined = plaintext. */
  tls?: () => import('node:tls').ConnectionOptions | undefined;
  /** SASL login of a new connection (the controller listener is SASL_*); undefined = none. */
  sasl?: () => import('@tributary/client').SaslConfig | undefined;
}

type Key = (typeof ApiKey)[keyof typeof ApiKey];

export class ControllerConnection {
  private connection: BrokerConnection | null = null;
  private next = 0;
  private closed = false;
  private readonly closing = new AbortController();
  private readonly time: Time;

  constructor(private readonly options: ControllerConnectionOptions) {
    if (options.addresses.length === 0) throw new Error('no controller address (controller.quorum.voters or bootstrap servers)');
    this.time = options.time ?? systemTime;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends until answered (see the header); `version` forces a version (else negotiated). */
  async request<K extends Key>(
    apiKey: K,
    body: Encodable<RequestOf<K>>,
    opts: { version?: number; timeoutMs?: number } = {},
  ): Promise<ResponseOf<K>> {
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new Error('the controller connection is closed');
      const conn = this.connect();
      try {
        const res = await conn.request(apiKey, body, opts);
        if (!this.options.leaderId || !answersNotController(res)) return res;
        this.options.log.info('not the active controller; retrying at the leader', { broker: conn.broker, apiKey, attempt });
        if (this.connection === conn && conn.nodeId !== this.options.leaderId()) this.drop(conn);
        await this.sleep(this.backoff(attempt));
      } catch (err) {
        if (this.closed || !(err instanceof KafkaClientError && err.retriable)) throw err;
        this.options.log.warn('controller request failed; retrying', { broker: conn.broker, apiKey, attempt, error: err });
        if (this.connection === conn) this.drop(conn);
        await this.sleep(this.backoff(attempt));
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    this.connection?.close();
    this.connection = null;
  }

  /** Closes `conn`; the next request goes to the leader, or the next address. */
  private drop(conn: BrokerConnection): void {
    conn.close();
    this.connection = null;
    this.next = (this.next + 1) % this.options.addresses.length;
  }

  private connect(): BrokerConnection {
    const leader = this.options.leaderId?.() ?? -1;
    const leaderAt = leader >= 0 ? this.options.addresses.findIndex((a) => a.id === leader) : -1;
    const leaderAddress = leaderAt >= 0 ? this.options.addresses[leaderAt] : leader >= 0 ? this.options.resolve?.(leader) : undefined;
    if (this.connection && leaderAddress && this.connection.nodeId !== leader) {
      this.connection.close();
      this.connection = null;
    }
    if (leaderAt >= 0) this.next = leaderAt;
    if (!this.connection) {
      const a = leaderAddress ?? this.options.addresses[this.next]!;
      this.connection = new BrokerConnection(
        {
          host: a.host,
          port: a.port,
          clientId: this.options.clientId,
          apiRange: controllerApiRange,
          requestTimeoutMs: this.options.requestTimeoutMs ?? 30_000,
          tls: this.options.tls?.(),
          sasl: this.options.sasl?.(),
        },
        a.id,
      );
    }
    return this.connection;
  }

  private backoff(attempt: number): number {
    const base = this.options.reconnectBackoffMs ?? 50;
    return Math.min(base * 2 ** Math.min(attempt, 16), this.options.reconnectBackoffMaxMs ?? 1000);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.closing.signal;
      const done = () => {
        cancel();
        signal.removeEventListener('abort', done);
        resolve();
      };
      const cancel = this.time.setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** Whether an answer says NOT_CONTROLLER, at the top level or for any item of a top-level list. */
export function answersNotController(res: unknown): boolean {
  if (typeof res !== 'object' || res === null) return false;
  const r = res as Record<string, unknown>;
  if (r.errorCode === ErrorCode.NOT_CONTROLLER) return true;
  for (const v of Object.values(r)) {
    if (!Array.isArray(v)) continue;
    for (const item of v) if ((item as { errorCode?: unknown } | null)?.errorCode === ErrorCode.NOT_CONTROLLER) return true;
  }
  return false;
}
