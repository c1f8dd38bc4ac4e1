// MetricsServer: a node's Prometheus endpoint (a broker's, or a dedicated controller's), an HTTP
// server (node:http) on tributary.metrics.port that answers GET /metrics with the text exposition
// format (`text/plain; version=0.0.4`), built by `collect` at each scrape. HEAD answers the headers
// only; any other path is 404, any other method 405. A collect that throws is a 500 (and logged).
// Bound on the node's host (its first listener's; an empty or wildcard host: every interface);
// port 0 picks a free port, which `port` tells once started. Stopping closes idle keep-alive
// connections too, so it never waits for a scraper to hang up.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.ts';

export const METRICS_PATH = '/metrics';
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface MetricsServerOptions {
  /** '' (or 0.0.0.0, ::) for every interface. */
  host: string;
  /** 0: a free port. */
  port: number;
  /** The exposition text of a scrape. */
  collect: () => string | Promise<string>;
  log: Logger;
}

export class MetricsServer {
  private readonly server: Server;
  private boundPort = -1;

  constructor(private readonly options: MetricsServerOptions) {
    this.server = createServer((req, res) => void this.answer(req, res));
  }

  /** The bound port (-1 before start). */
  get port(): number {
    return this.boundPort;
  }

  /** Where metrics are served, as a URL (`0.0.0.0` standing for every interface). */
  get url(): string {
    const host = this.options.host || '0.0.0.0';
    return `http://${host.includes(':') ? `[${host}]` : host}:${this.boundPort}${METRICS_PATH}`;
  }

  async start(): Promise<number> {
    const host = this.options.host === '' ? undefined : this.options.host;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (this.server.address() as AddressInfo).port;
    return this.boundPort;
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== METRICS_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`Not found: metrics are at ${METRICS_PATH}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
      return;
    }
    let body: string;
    try {
      body = await this.options.collect();
    } catch (err) {
      this.options.log.error('cannot collect the metrics', { err });
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Cannot collect the metrics\n');
      return;
    }
    res.writeHead(200, { 'content-type': EXPOSITION_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}
