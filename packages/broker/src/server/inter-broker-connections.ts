// Connections from this broker to other brokers' inter-broker listeners (inter.broker.listener.name,
// else a broker's first endpoint), for requests a broker sends as a client: the transaction
// coordinator's WriteTxnMarkers, a partition leader's transaction verification (AddPartitionsToTxn
// v4, KIP-890). One connection per broker, opened on first use, reopened once closed or once the
// broker's endpoint changed in the metadata, as the replica fetchers do.
import { interBrokerSaslLogin } from './sasl/broker-login.ts';
import { BrokerConnection } from '@tributary/client';
import type { BrokerConfig } from '../config/broker-config.ts';
import type { MetadataCache } from '../metadata/metadata-cache.ts';
import { interBrokerApiRange } from './inter-broker-versions.ts';
import { outboundTls } from './tls/outbound-tls.ts';

export interface InterBrokerConnectionsOptions {
  /** This broker's id (in the connections' client id). */
  nodeId: number;
  /** What the connections are for (the client id's suffix, e.g. `txn-marker-sender`). */
  purpose: string;
  config: BrokerConfig;
  metadata: MetadataCache;
  /** Kafka's request.timeout.ms of the sender (30 s). */
  requestTimeoutMs?: number;
}

export class InterBrokerConnections {
  private readonly connections = new Map<number, { endpoint: string; connection: BrokerConnection }>();
  private closed = false;

  constructor(private readonly o: InterBrokerConnectionsOptions) {}

  /** The connection to broker `nodeId`; throws when it is closed or the broker has no endpoint. */
  to(nodeId: number): BrokerConnection {
    if (this.closed) throw new Error(`the ${this.o.purpose} connections are closed`);
    const b = this.o.metadata.broker(nodeId);
    const wanted = this.o.config.interBrokerListenerName;
    const e = b?.endpoints.find((x) => x.name === wanted) ?? b?.endpoints[0];
    if (!e) throw new Error(`no endpoint for broker ${nodeId}`);
    const endpoint = `${e.host}:${e.port}`;
    const known = this.connections.get(nodeId);
    if (known && known.endpoint === endpoint && !known.connection.isClosed) return known.connection;
    known?.connection.close(); // the broker moved, or the connection closed
    const connection = new BrokerConnection(
      {
        host: e.host,
        port: e.port,
        clientId: `broker-${this.o.nodeId}-${this.o.purpose}`,
        apiRange: interBrokerApiRange,
        requestTimeoutMs: this.o.requestTimeoutMs ?? 30_000,
        sasl: interBrokerSaslLogin(this.o.config),
        tls: outboundTls(this.o.config, e.name),
      },
      nodeId,
    );
    this.connections.set(nodeId, { endpoint, connection });
    return connection;
  }

  close(): void {
    this.closed = true;
    for (const c of this.connections.values()) c.connection.close();
    this.connections.clear();
  }
}
