// SocketServer: the broker's TCP listeners (node:net). Accepts connections on each listener, wraps
// each socket in a Connection that feeds request frames to the FrameProcessor, and shuts down
// cleanly: stop accepting, let every connection finish the requests it is handling and write
// their answers, then close. Errors on one connection close that connection only.
// Connection limits (connection-quotas.ts): over max.connections.per.ip a new connection is closed
// at once; at max.connections new connections wait, accepted but unread, until one closes; over
// an ip's connection_creation_rate a new connection is held unread for the throttle time, then
// closed (Kafka's delayed close of a throttled connection).
// SASL_PLAINTEXT listeners are plain TCP too: their authentication is the processor's (sasl-gate.ts).
import net from 'node:net';
import type { Logger } from '../logger.ts';
import type { SecurityProtocol } from '../config/listeners.ts';
import { ANONYMOUS } from './authorizer.ts';
import { Connection, type ConnectionLimits, type FrameProcessor } from './connection.ts';
import { ConnectionQuotas, normalizeAddress, type ConnectionQuotaConfig } from './connection-quotas.ts';

export interface ListenerSpec {
  /** Listener name, e.g. PLAINTEXT. */
  name: string;
  /** Interface to bind; '' or '0.0.0.0' for all. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** listener.security.protocol.map's entry; absent = PLAINTEXT. */
  securityProtocol?: SecurityProtocol;
}

export interface BoundListener extends ListenerSpec {
  /** The port actually bound (differs from `port` when that was 0). */
  boundPort: number;
}

export interface SocketServerOptions {
  listeners: ListenerSpec[];
  limits: ConnectionLimits;
  processor: FrameProcessor;
  log: Logger;
  /** max.connections, max.connections.per.ip(.overrides); default unlimited. */
  connectionQuotas?: ConnectionQuotaConfig;
  /** connection_creation_rate of ip entities (quota/ip-connection-rate.ts): ms to hold a new connection before closing it, 0 = accept. */
  connectionRate?: { recordAndGetThrottleTimeMs(ip: string, now: number): number };
}

interface PendingSocket {
  socket: net.Socket;
  listenerName: string;
  securityProtocol: SecurityProtocol;
}

export class SocketServer {
  private readonly servers: net.Server[] = [];
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 1;
  private stopping: Promise<void> | null = null;
  private readonly quotas: ConnectionQuotas;
  /** Accepted while at max.connections: waiting for a slot (Kafka's blocked acceptor). */
  private readonly pending: PendingSocket[] = [];
  /** Connections over their ip's creation rate, closed when their throttle time is over. */
  private readonly throttled = new Set<net.Socket>();

  constructor(private readonly opts: SocketServerOptions) {
    this.quotas = new ConnectionQuotas(opts.connectionQuotas);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async start(): Promise<BoundListener[]> {
    const bound: BoundListener[] = [];
    try {
      for (const spec of this.opts.listeners) bound.push(await this.listen(spec));
    } catch (err) {
      await this.stop();
      throw err;
    }
    return bound;
  }

  private listen(spec: ListenerSpec): Promise<BoundListener> {
    const protocol = spec.securityProtocol ?? 'PLAINTEXT';
    if (protocol !== 'PLAINTEXT' && protocol !== 'SASL_PLAINTEXT')
      return Promise.reject(new Error(`listener ${spec.name}: ${protocol} is not supported yet`));
    const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket, spec.name, protocol));
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: spec.host || undefined, port: spec.port }, () => {
        server.off('error', reject);
        server.on('error', (err) => this.opts.log.error('listener error', { listener: spec.name, error: err }));
        const addr = server.address() as net.AddressInfo;
        resolve({ ...spec, boundPort: addr.port });
      });
    });
  }

  private accept(socket: net.Socket, listenerName: string, securityProtocol: SecurityProtocol): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    if (this.quotas.atMaxConnections || this.pending.length > 0) {
      const p: PendingSocket = { socket, listenerName, securityProtocol };
      socket.pause();
      socket.on('error', () => {});
      socket.once('close', () => {
        const i = this.pending.indexOf(p);
        if (i >= 0) this.pending.splice(i, 1);
      });
      this.pending.push(p);
      return;
    }
    this.open(socket, listenerName, securityProtocol);
  }

  /** Lets waiting connections in while there is room under max.connections. */
  private admitPending(): void {
    while (!this.stopping && this.pending.length > 0 && !this.quotas.atMaxConnections) {
      const p = this.pending.shift()!;
      if (p.socket.destroyed) continue;
      this.open(p.socket, p.listenerName, p.securityProtocol);
      p.socket.resume();
    }
  }

  private open(socket: net.Socket, listenerName: string, securityProtocol: SecurityProtocol): void {
    const address = normalizeAddress(socket.remoteAddress ?? '');
    if (!this.quotas.tryInc(address)) {
      this.opts.log.info('rejected connection: too many connections from this address (max.connections.per.ip)', {
        remote: address,
        limit: this.quotas.limitFor(address),
      });
      socket.destroy();
      return;
    }
    const throttleMs = this.opts.connectionRate?.recordAndGetThrottleTimeMs(address, Date.now()) ?? 0;
    if (throttleMs > 0) {
      this.quotas.dec(address);
      this.opts.log.debug('delaying the close of a throttled connection (connection_creation_rate)', { remote: address, throttleMs });
      socket.pause();
      socket.on('error', () => {});
      this.throttled.add(socket);
      const timer = setTimeout(() => socket.destroy(), throttleMs);
      socket.once('close', () => {
        clearTimeout(timer);
        this.throttled.delete(socket);
      });
      return;
    }
    const conn = new Connection(
      socket,
      {
        id: this.nextConnectionId++,
        remoteAddress: socket.remoteAddress ?? '',
        remotePort: socket.remotePort ?? 0,
        listenerName,
        securityProtocol,
        principal: ANONYMOUS, // until a SASL login sets it (server/sasl/)
      },
      this.opts.processor,
      this.opts.limits,
      this.opts.log,
    );
    this.connections.add(conn);
    conn.whenClosed().then(() => {
      this.connections.delete(conn);
      this.quotas.dec(address);
      this.admitPending();
    });
  }

  /**
   * Stops accepting, drains every connection (in-flight requests are answered; handlers see their
   * abort signal), and closes. Connections still open after `timeoutMs` are closed forcibly.
   */
  stop(timeoutMs = 30_000): Promise<void> {
    this.stopping ??= (async () => {
      for (const p of this.pending.splice(0)) p.socket.destroy();
      for (const s of this.throttled) s.destroy();
      const closed = this.servers.map((s) => new Promise<void>((r) => s.close(() => r())));
      const drained = Promise.all([...this.connections].map((c) => c.drain()));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
      await Promise.race([drained, timeout]);
      clearTimeout(timer);
      for (const c of this.connections) c.close('broker stopping');
      await Promise.all(closed);
    })();
    return this.stopping;
  }
}
