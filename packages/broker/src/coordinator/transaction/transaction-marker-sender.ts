// Where the transaction coordinator's WriteTxnMarkers requests go (the MarkerWriter seam of
// TransactionMarkerChannelManager): a partition led by a node of this process is written by calling
// writeTxnMarkers (write-txn-markers.ts) with that node's services; any other broker gets the
// request (v1) over a connection to its inter-broker listener (inter.broker.listener.name, else its
// first endpoint), one kept per broker and reopened once closed, as the replica fetchers do. A
// failure (no such broker, connection lost, timeout, a local node not started yet) rejects, and the
// channel manager retries after its backoff.
import { BrokerConnection } from '@tributary/client';
import { ApiKey, type WriteTxnMarkersRequest, type WriteTxnMarkersResponse } from '@tributary/protocol';
import type { BrokerConfig } from '../../config/broker-config.ts';
import type { MetadataCache } from '../../metadata/metadata-cache.ts';
import { interBrokerApiRange } from '../../server/inter-broker-versions.ts';
import type { BrokerServices } from '../../services.ts';
import { writeTxnMarkers } from './write-txn-markers.ts';

export interface TxnMarkerSenderOptions {
  /** This broker's id (the connections' client id). */
  nodeId: number;
  config: BrokerConfig;
  metadata: MetadataCache;
  isLocal: (nodeId: number) => boolean;
  /** The services of a local node, once it is started. */
  localServices: (nodeId: number) => BrokerServices | undefined;
  /** Kafka's request.timeout.ms of the marker sender (30 s). */
  requestTimeoutMs?: number;
}

export class TxnMarkerSender {
  /** One connection per broker, with the endpoint it was opened to. */
  private readonly connections = new Map<number, { endpoint: string; connection: BrokerConnection }>();
  private closed = false;

  constructor(private readonly o: TxnMarkerSenderOptions) {}

  /** The MarkerWriter: sends `request` to `destination`. */
  readonly write = async (destination: number, request: WriteTxnMarkersRequest): Promise<WriteTxnMarkersResponse> => {
    if (this.closed) throw new Error('the transaction marker sender is closed');
    if (this.o.isLocal(destination)) {
      const services = this.o.localServices(destination);
      if (!services) throw new Error(`node ${destination} is not started yet`);
      return writeTxnMarkers(services, request, destination);
    }
    return this.connectionTo(destination).request(ApiKey.WriteTxnMarkers, request, { version: 1 });
  };

  close(): void {
    this.closed = true;
    for (const c of this.connections.values()) c.connection.close();
    this.connections.clear();
  }

  private connectionTo(destination: number): BrokerConnection {
    const b = this.o.metadata.broker(destination);
    const wanted = this.o.config.interBrokerListenerName;
    const e = b?.endpoints.find((x) => x.name === wanted) ?? b?.endpoints[0];
    if (!e) throw new Error(`no endpoint for broker ${destination}`);
    const endpoint = `${e.host}:${e.port}`;
    const known = this.connections.get(destination);
    if (known && known.endpoint === endpoint && !known.connection.isClosed) return known.connection;
    known?.connection.close(); // the broker moved, or the connection closed
    const connection = new BrokerConnection(
      {
        host: e.host,
        port: e.port,
        clientId: `broker-${this.o.nodeId}-txn-marker-sender`,
        apiRange: interBrokerApiRange,
        requestTimeoutMs: this.o.requestTimeoutMs ?? 30_000,
      },
      destination,
    );
    this.connections.set(destination, { endpoint, connection });
    return connection;
  }
}
