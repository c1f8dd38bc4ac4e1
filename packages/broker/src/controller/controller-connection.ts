// ControllerConnection: one connection from a broker to the controller (Kafka's
// NodeToControllerChannelManager, reduced to one voter): the addresses come from
// `controller.quorum.voters` (`id@host:port,...`) or `controller.quorum.bootstrap.servers`
// (`host:port,...`); requests use the client's BrokerConnection with the versions a broker speaks
// to its controller (CONTROLLER_API_VERSIONS in server/inter-broker-versions.ts). A request that fails on the network (unreachable,
// closed, timed out) closes the connection and is retried on the next address after a backoff
// that doubles from `reconnectBackoffMs` up to `reconnectBackoffMaxMs`, until it is answered or
// the connection is closed (then it rejects). Protocol errors are answers, returned as they are;
// any other failure (a request that does not encode, a version not agreed) rejects at once.
import { BrokerConnection, KafkaClientError } from '@tributary/client';
import type { ApiKey, Encodable, RequestOf, ResponseOf } from '@tributary/protocol';
import { systemTime, type Time } from '@tributary/storage';
import type { Logger } from '../logger.ts';
import { controllerApiRange } from '../server/inter-broker-versions.ts';

export interface ControllerAddress {
  /** The voter's node id (-1 from bootstrap servers). */
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

/** `controller.quorum.bootstrap.servers`: `host:port` entries, comma-separated. */
export function parseBootstrapServers(servers: string): ControllerAddress[] {
  return splitList(servers).map((v) => {
    const m = /^(.+):(\d+)$/.exec(v);
    if (!m) throw new Error(`invalid controller.quorum.bootstrap.servers entry '${v}' (expected host:port)`);
    return { id: -1, host: stripBrackets(m[1]!), port: Number(m[2]) };
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
        return await conn.request(apiKey, body, opts);
      } catch (err) {
        if (this.closed || !(err instanceof KafkaClientError && err.retriable)) throw err;
        this.options.log.warn('controller request failed; retrying', { broker: conn.broker, apiKey, attempt, error: err });
        if (this.connection === conn) {
          conn.close();
          this.connection = null;
          this.next = (this.next + 1) % this.options.addresses.length;
        }
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

  private connect(): BrokerConnection {
    if (!this.connection) {
      const a = this.options.addresses[this.next]!;
      this.connection = new BrokerConnection(
        {
          host: a.host,
          port: a.port,
          clientId: this.options.clientId,
          apiRange: controllerApiRange,
          requestTimeoutMs: this.options.requestTimeoutMs ?? 30_000,
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
