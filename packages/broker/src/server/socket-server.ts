// SocketServer: the broker's TCP listeners (node:net). Accepts connections on each listener, wraps
// each socket in a Connection that feeds request frames to the FrameProcessor, and shuts down
// cleanly: stop accepting, let every connection finish the requests it is handling and write
// their answers, then close. Errors on one connection close that connection only.
//
// SSL and SASL_SSL listeners are TLS servers (node:tls) with the listener's ssl.* settings
// (server/tls/): the Connection gets the TLS socket once its handshake is done. A failed handshake
// or bytes that are not TLS close that connection only (logged at debug, with the peer address and
// the TLS error code); a client certificate that does not verify under ssl.client.auth=requested is
// refused (warn). On SSL listeners the principal is the client certificate's subject as Kafka
// names it (User:CN=...,O=..., through ssl.principal.mapping.rules), User:ANONYMOUS without one;
// on SASL_SSL listeners SASL sets it. The key store and trust store files are watched and reloaded
// for new connections when they change (certificate-reloader.ts). PLAINTEXT listeners are plain
// net servers, with nothing added per connection or frame.
//
// Connection limits (connection-quotas.ts): over max.connections.per.ip a new connection is closed
// at once; at max.connections new connections wait, accepted but unread, until one closes; over
// an ip's connection_creation_rate a new connection is held unread for the throttle time, then
// closed (Kafka's delayed close of a throttled connection). A TLS connection is counted once its
// handshake is done (Kafka counts it at accept). The limits change at runtime
// (reconfigureConnectionQuotas, dynamic broker configs).
//
// SASL_PLAINTEXT and SASL_SSL listeners (plain TCP and TLS) authenticate in the processor
// (sasl/sasl-gate.ts): their connections start as User:ANONYMOUS until a SASL login sets the principal.
//
// Memory: every connection of this server shares one RequestMemoryPool of queuedMaxRequestBytes
// (queued.max.request.bytes, request-memory-pool.ts), as Kafka's SocketServer shares one MemoryPool
// among its processors; each connection bounds the rest itself (connection.ts).
//
// Out of file descriptors: node:net closes connections at accept without telling us; a
// DescriptorWatch notices and logs it once per interval (descriptor-watch.ts). Accepting resumes
// by itself when descriptors are free.
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../logger.ts';
import type { BrokerConfig } from '../config/broker-config.ts';
import type { SecurityProtocol } from '../config/listeners.ts';
import { ANONYMOUS, type KafkaPrincipal } from './authorizer.ts';
import type { Sendfile } from '@tributary/sendfile';
import { Connection, type ConnectionLimits, type FrameProcessor } from './connection.ts';
import { CertificateReloader } from './tls/certificate-reloader.ts';
import { loadSslMaterial, serverTlsOptions } from './tls/secure-context.ts';
import { sslPrincipal } from './tls/ssl-principal.ts';
import { resolveSslSettings, storeFiles, type SslSettings } from './tls/ssl-settings.ts';

/** SSL and SASL_SSL listeners speak TLS. */
function usesTls(protocol: SecurityProtocol): boolean {
  return protocol === 'SSL' || protocol === 'SASL_SSL';
}
import { ConnectionQuotas, normalizeAddress, type ConnectionQuotaConfig } from './connection-quotas.ts';
import { RequestMemoryPool } from './request-memory-pool.ts';
import { DescriptorWatch } from './descriptor-watch.ts';

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
  /** The broker's configuration: the ssl.* settings of SSL and SASL_SSL listeners. */
  config?: BrokerConfig;
  /** max.connections, max.connections.per.ip(.overrides); default unlimited. */
  connectionQuotas?: ConnectionQuotaConfig;
  /** connection_creation_rate of ip entities (quota/ip-connection-rate.ts): ms to hold a new connection before closing it, 0 = accept. */
  connectionRate?: { recordAndGetThrottleTimeMs(ip: string, now: number): number };
  /** queued.max.request.bytes: request bytes all connections may hold; <= 0 or absent = unbounded. */
  queuedMaxRequestBytes?: number;
  /** The sendfile addon: Fetch records of plaintext connections are sent with it (zero-copy.ts); absent = copy path. */
  sendfile?: Sendfile | null;
}

interface PendingSocket {
  socket: net.Socket;
  listenerName: string;
  securityProtocol: SecurityProtocol;
  principal: KafkaPrincipal;
}

export class SocketServer {
  private readonly servers: net.Server[] = [];
  private readonly reloaders: CertificateReloader[] = [];
  private readonly handshaking = new Set<net.Socket>();
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 1;
  private stopping: Promise<void> | null = null;
  private readonly quotas: ConnectionQuotas;
  /** Accepted while at max.connections: waiting for a slot (Kafka's blocked acceptor). */
  private readonly pending: PendingSocket[] = [];
  /** Connections over their ip's creation rate, closed when their throttle time is over. */
  private readonly throttled = new Set<net.Socket>();
  /** The request bytes every connection of this server holds (queued.max.request.bytes). */
  readonly requestMemory: RequestMemoryPool;
  private readonly descriptors: DescriptorWatch;

  constructor(private readonly opts: SocketServerOptions) {
    this.quotas = new ConnectionQuotas(opts.connectionQuotas);
    this.requestMemory = new RequestMemoryPool(opts.queuedMaxRequestBytes ?? -1);
    this.descriptors = new DescriptorWatch({ log: opts.log, connections: () => this.connections.size });
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
    this.descriptors.start();
    return bound;
  }

  private listen(spec: ListenerSpec): Promise<BoundListener> {
    const protocol = spec.securityProtocol ?? 'PLAINTEXT';
    let server: net.Server;
    if (usesTls(protocol)) {
      try {
        server = this.tlsServer(spec, protocol);
      } catch (err) {
        return Promise.reject(err as Error);
      }
    } else {
      server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket, spec.name, protocol, ANONYMOUS));
    }
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: spec.host || undefined, port: spec.port }, () => {
        server.off('error', reject);
        server.on('error', (err: NodeJS.ErrnoException) => {
          // (only when libuv could not close the connection itself: see descriptor-watch.ts)
          if (err.code === 'EMFILE' || err.code === 'ENFILE') this.descriptors.check();
          else this.opts.log.error('listener error', { listener: spec.name, error: err });
        });
        const addr = server.address() as net.AddressInfo;
        resolve({ ...spec, boundPort: addr.port });
      });
    });
  }

  /** A TLS server with the listener's SSL settings; throws when they or their files are not usable. */
  private tlsServer(spec: ListenerSpec, protocol: SecurityProtocol): tls.Server {
    const config = this.opts.config;
    if (!config) throw new Error(`listener ${spec.name}: ${protocol} needs the broker configuration (ssl.* settings)`);
    const settings = resolveSslSettings(config, spec.name);
    const server = tls.createServer(
      // not half-open: a peer that goes away mid-handshake must close its socket (a TLS peer ends
      // with close_notify anyway, after which nothing more can be written)
      { ...serverTlsOptions(settings, loadSslMaterial(settings)), noDelay: true },
      (socket) => this.acceptTls(socket, spec.name, protocol, settings),
    );
    // sockets still in their handshake are not Connections yet: tracked so stop() can close them
    server.on('connection', (raw: net.Socket) => {
      this.handshaking.add(raw);
      raw.once('close', () => this.handshaking.delete(raw));
    });
    server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
      this.opts.log.debug('TLS handshake failed', {
        listener: spec.name,
        remote: `${socket.remoteAddress}:${socket.remotePort}`,
        error: err.code ?? err.message,
      });
      socket.destroy();
    });
    const files = storeFiles(settings);
    if (files.length) this.reloaders.push(new CertificateReloader(files, () => this.reloadTls(server, settings)));
    return server;
  }

  /** Rebuilds a TLS listener's context from its files; a file that does not load leaves the old one. */
  private reloadTls(server: tls.Server, settings: SslSettings): void {
    try {
      server.setSecureContext(serverTlsOptions(settings, loadSslMaterial(settings)));
      this.opts.log.info('SSL key store and trust store reloaded', { listener: settings.listenerName });
    } catch (err) {
      this.opts.log.warn('SSL reload failed, keeping the previous certificates', {
        listener: settings.listenerName,
        error: (err as Error).message,
      });
    }
  }

  private acceptTls(socket: tls.TLSSocket, listenerName: string, protocol: SecurityProtocol, settings: SslSettings): void {
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    // requested: a client may go without a certificate, but one it sends must verify
    if (!socket.authorized && settings.clientAuth !== 'none' && socket.getPeerCertificate()?.raw) {
      this.opts.log.warn('SSL client certificate refused', { listener: listenerName, remote, error: String(socket.authorizationError) });
      socket.destroy();
      return;
    }
    let principal: KafkaPrincipal = ANONYMOUS;
    if (protocol === 'SSL') {
      try {
        principal = sslPrincipal(socket, settings.principalMappingRules);
      } catch (err) {
        this.opts.log.warn('SSL client refused: no principal', { listener: listenerName, remote, error: (err as Error).message });
        socket.destroy();
        return;
      }
    }
    this.accept(socket, listenerName, protocol, principal);
  }

  private accept(socket: net.Socket, listenerName: string, securityProtocol: SecurityProtocol, principal: KafkaPrincipal): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    if (this.quotas.atMaxConnections || this.pending.length > 0) {
      const p: PendingSocket = { socket, listenerName, securityProtocol, principal };
      socket.pause();
      socket.on('error', () => {});
      socket.once('close', () => {
        const i = this.pending.indexOf(p);
        if (i >= 0) this.pending.splice(i, 1);
      });
      this.pending.push(p);
      return;
    }
    this.open(socket, listenerName, securityProtocol, principal);
  }

  /**
   * New connection limits (dynamic broker configs: Kafka's DynamicConnectionQuota): they count from
   * now on; open connections stay; waiting ones come in if the new max.connections has room.
   */
  reconfigureConnectionQuotas(config: ConnectionQuotaConfig): void {
    this.quotas.config = config;
    this.admitPending();
  }

  /** Lets waiting connections in while there is room under max.connections. */
  private admitPending(): void {
    while (!this.stopping && this.pending.length > 0 && !this.quotas.atMaxConnections) {
      const p = this.pending.shift()!;
      if (p.socket.destroyed) continue;
      this.open(p.socket, p.listenerName, p.securityProtocol, p.principal);
      p.socket.resume();
    }
  }

  private open(socket: net.Socket, listenerName: string, securityProtocol: SecurityProtocol, principal: KafkaPrincipal): void {
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
    // zero-copy on plaintext sockets only: TLS encrypts in the process
    const sendfile = usesTls(securityProtocol) ? null : (this.opts.sendfile ?? null);
    const conn = new Connection(
      socket,
      {
        id: this.nextConnectionId++,
        remoteAddress: socket.remoteAddress ?? '',
        remotePort: socket.remotePort ?? 0,
        listenerName,
        securityProtocol,
        principal,
        zeroCopy: sendfile !== null,
      },
      this.opts.processor,
      this.opts.limits,
      this.opts.log,
      this.requestMemory,
      sendfile,
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
      this.descriptors.stop();
      for (const r of this.reloaders) r.close();
      for (const p of this.pending.splice(0)) p.socket.destroy();
      for (const s of this.throttled) s.destroy();
      const closed = this.servers.map((s) => new Promise<void>((r) => s.close(() => r())));
      const drained = Promise.all([...this.connections].map((c) => c.drain()));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
      await Promise.race([drained, timeout]);
      clearTimeout(timer);
      for (const c of this.connections) c.close('broker stopping');
      for (const s of this.handshaking) s.destroy();
      await Promise.all(closed);
    })();
    return this.stopping;
  }
}
