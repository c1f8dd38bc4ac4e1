// Where the transaction coordinator's WriteTxnMarkers requests go (the MarkerWriter seam of
// TransactionMarkerChannelManager): a partition led by a node of this process is written by calling
// writeTxnMarkers (write-txn-markers.ts) with that node's services; any other broker gets the
// request (v1) over a connection to its inter-broker listener (inter.broker.listener.name, else its
// first endpoint; server/inter-broker-connections.ts). A
// failure (no such broker, connection lost, timeout, a local node not started yet) rejects, and the
// channel manager retries after its backoff.
import { ApiKey, type WriteTxnMarkersRequest, type WriteTxnMarkersResponse } from '@tributary/protocol';
import type { BrokerConfig } from '../../config/broker-config.ts';
import type { MetadataCache } from '../../metadata/metadata-cache.ts';
import { InterBrokerConnections } from '../../server/inter-broker-connections.ts';
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
  private readonly connections: InterBrokerConnections;
  private closed = false;

  constructor(private readonly o: TxnMarkerSenderOptions) {
    this.connections = new InterBrokerConnections({ ...o, purpose: 'txn-marker-sender' });
  }

  /** The MarkerWriter: sends `request` to `destination`. */
  readonly write = async (destination: number, request: WriteTxnMarkersRequest): Promise<WriteTxnMarkersResponse> => {
    if (this.closed) throw new Error('the transaction marker sender is closed');
    if (this.o.isLocal(destination)) {
      const services = this.o.localServices(destination);
      if (!services) throw new Error(`node ${destination} is not started yet`);
      return writeTxnMarkers(services, request, destination);
    }
    return this.connections.to(destination).request(ApiKey.WriteTxnMarkers, request, { version: 1 });
  };

  close(): void {
    this.closed = true;
    this.connections.close();
  }
}
