// SocketServer: the broker's TCP listeners (node:net). Accepts connections on each listener, wraps
// each socket in a Connection that feeds request frames to the FrameProcessor, and shuts down
// cleanly: stop accepting, let every connection finish the requests it is handling and write
// their answers, then close. Errors on one connection close that connection only.
// SASL_PLAINTEXT listeners are plain TCP too: their authentication is the processor's (sasl-gate.ts).
import net from 'node:net';
import type { Logger } from '../logger.ts';
import type { SecurityProtocol } from '../config/listeners.ts';
import { ANONYMOUS } from './authorizer.ts';
import { Connection, type ConnectionLimits, type FrameProcessor } from './connection.ts';

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
}

export class SocketServer {
  private readonly servers: net.Server[] = [];
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 1;
  private stopping: Promise<void> | null = null;

  constructor(private readonly opts: SocketServerOptions) {}

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
    conn.whenClosed().then(() => this.connections.delete(conn));
  }

  /**
   * Stops accepting, drains every connection (in-flight requests are answered; handlers see their
   * abort signal), and closes. Connections still open after `timeoutMs` are closed forcibly.
   */
  stop(timeoutMs = 30_000): Promise<void> {
    this.stopping ??= (async () => {
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
