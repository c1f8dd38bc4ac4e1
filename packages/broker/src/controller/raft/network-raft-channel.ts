// NetworkRaftChannel: how a controller reaches the other voters of the `__cluster_metadata` quorum
// (Kafka's KafkaNetworkChannel over its NetworkClient): one connection per destination, addressed by
// `controller.quorum.voters` (parseQuorumVoters), speaking the client's BrokerConnection with the
// versions a controller sends (CONTROLLER_API_VERSIONS: the highest both sides support).
//
// A broker with only `controller.quorum.bootstrap.servers` (KIP-853) addresses them by pseudo id
// (-2, -3, ...; parseBootstrapServers) and learns the leader's id and endpoint from the answers:
// the NodeEndpoints entry of the leader an answer names (Fetch v16+, Vote / BeginQuorumEpoch /
// EndQuorumEpoch v1+) goes into the shared QuorumEndpoints, so the Raft core, once it follows that
// leader id, fetches from it (and the RPC connection finds it there too). A connection to a node
// whose learned address changed is replaced.
//
// Each call sends once and settles once: it resolves with the voter's answer (protocol errors are
// answers, in the message's errorCode) or rejects —
// * within `requestTimeoutMs` (controller.quorum.request.timeout.ms, Kafka's default 2000), counting
//   the connect and the ApiVersions exchange: RequestTimeoutError, and the connection is closed;
// * when the connection fails or closes: ConnectionError (retriable);
// * at once while the voter's reconnect backoff runs (after a failed or closed connection,
//   `reconnectBackoffMs` doubling per consecutive failure up to `reconnectBackoffMaxMs`):
//   ConnectionError. The Raft core's own timers decide when to ask again; an answer resets the
//   backoff, and the next call after the backoff connects anew;
// * for a pre-vote to a voter that speaks only Vote v0/v1: PreVoteUnsupportedError (errorCode
//   UNSUPPORTED_VERSION), nothing sent — such a voter would take it for a real vote. The core can
//   do what Kafka 4.0 does: stand as a candidate and ask for real votes;
// * for a destination whose address is unknown (or this node itself), or after close(): an Error.
// Retrying is never the channel's: a Raft request is only worth sending in the state that made it.
import { BrokerConnection, ConnectionError, KafkaClientError, RequestTimeoutError } from '@tributary/client';
import { ApiKey, type Encodable, type RequestOf, type ResponseOf } from '@tributary/protocol';
import type {
  BeginQuorumEpochRequest,
  EndQuorumEpochRequest,
  FetchRequest,
  FetchResponse,
  FetchSnapshotRequest,
  FetchSnapshotResponse,
  QuorumEpochResponse,
  RaftChannel,
  VoteRequest,
  VoteResponse,
} from '@tributary/raft';
import { systemTime, type Time } from '@tributary/storage';
import type { Logger } from '../../logger.ts';
import { controllerApiRange } from '../../server/inter-broker-versions.ts';
import type { ControllerAddress } from '../controller-connection.ts';
import { QuorumEndpoints } from '../quorum-endpoints.ts';
import {
  beginQuorumEpochRequestToWire,
  endQuorumEpochRequestToWire,
  fetchRequestToWire,
  fetchResponseFromWire,
  leaderEndpointFromWire,
  quorumEpochResponseFromWire,
  voteRequestToWire,
  voteResponseFromWire,
  type LeaderEndpoint,
} from './raft-wire.ts';
import { fetchSnapshotRequestToWire, fetchSnapshotResponseFromWire } from './fetch-snapshot-wire.ts';

export interface NetworkRaftChannelOptions {
  /** This controller's node id (the voters' ids come with their addresses). */
  nodeId: number;
  clusterId: string;
  /** The voters, from `controller.quorum.voters` (parseQuorumVoters); this node's own entry is allowed. */
  voters?: readonly ControllerAddress[];
  /**
   * Where the destinations are (default: `voters` only): shared with the RPC connection, and
   * learned into from the answers' leader endpoints (bootstrap servers).
   */
  endpoints?: QuorumEndpoints;
  /** The controller listener's name, sent with this leader's endpoint in BeginQuorumEpoch/EndQuorumEpoch v1. */
  listenerName?: string;
  /** controller.quorum.request.timeout.ms (default 2000). */
  requestTimeoutMs?: number;
  /** Backoff after a failed connection: doubles per consecutive failure from this (default 50) ... */
  reconnectBackoffMs?: number;
  /** ... up to this (default 1000). */
  reconnectBackoffMaxMs?: number;
  clientId?: string;
  /** TLS options of a new connection (the controller listener is SSL); undefined = plaintext. */
  tls?: () => import('node:tls').ConnectionOptions | undefined;
  /** SASL login of a new connection (the controller listener is SASL_*); undefined = none. */
  sasl?: () => import('@tributary/client').SaslConfig | undefined;
  time?: Time;
  log: Logger;
}

type Key = (typeof ApiKey)[keyof typeof ApiKey];

interface Peer {
  readonly address: ControllerAddress;
  connection: BrokerConnection | null;
  failures: number;
  /** When a new connection may be tried (after a failure). */
  retryAt: number;
}

export class NetworkRaftChannel implements RaftChannel<Buffer> {
  private readonly peers = new Map<number, Peer>();
  private readonly time: Time;
  private readonly endpoints: QuorumEndpoints;
  private closed = false;

  constructor(private readonly options: NetworkRaftChannelOptions) {
    this.time = options.time ?? systemTime;
    this.endpoints = options.endpoints ?? new QuorumEndpoints(options.voters ?? []);
  }

  async vote(destination: number, request: VoteRequest): Promise<VoteResponse> {
    const { clusterId } = this.options;
    const response = await this.send(destination, ApiKey.Vote, (version) =>
      voteRequestToWire(request, { clusterId, voterId: destination, version }),
    );
    return this.learnLeader(voteResponseFromWire(response), response.nodeEndpoints);
  }

  async beginQuorumEpoch(destination: number, request: BeginQuorumEpochRequest): Promise<QuorumEpochResponse> {
    const o = { clusterId: this.options.clusterId, voterId: destination, listener: this.listener, leader: this.self() };
    const response = await this.send(destination, ApiKey.BeginQuorumEpoch, (version) =>
      beginQuorumEpochRequestToWire(request, { ...o, version }),
    );
    return this.learnLeader(quorumEpochResponseFromWire(response), response.nodeEndpoints);
  }

  async endQuorumEpoch(destination: number, request: EndQuorumEpochRequest): Promise<QuorumEpochResponse> {
    const o = { clusterId: this.options.clusterId, listener: this.listener, leader: this.self() };
    const response = await this.send(destination, ApiKey.EndQuorumEpoch, (version) =>
      endQuorumEpochRequestToWire(request, { ...o, version }),
    );
    return this.learnLeader(quorumEpochResponseFromWire(response), response.nodeEndpoints);
  }

  async fetch(destination: number, request: FetchRequest): Promise<FetchResponse<Buffer>> {
    // The long poll is the leader's: the answer may take MaxWaitMs before the request timeout starts to count.
    const extraMs = Math.max(0, request.maxWaitMs);
    let version = -1;
    const response = await this.send(
      destination,
      ApiKey.Fetch,
      (v) => {
        version = v;
        return fetchRequestToWire(request, this.options.clusterId, v);
      },
      extraMs,
    );
    return this.learnLeader(fetchResponseFromWire(response, version), response.nodeEndpoints);
  }

  async fetchSnapshot(destination: number, request: FetchSnapshotRequest): Promise<FetchSnapshotResponse<Buffer>> {
    const response = await this.send(destination, ApiKey.FetchSnapshot, () => fetchSnapshotRequestToWire(request, this.options.clusterId));
    return fetchSnapshotResponseFromWire(response, request);
  }

  /** Closes every connection; calls in flight reject, later calls reject at once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const peer of this.peers.values()) {
      peer.connection?.close();
      peer.connection = null;
    }
  }

  private get listener(): string {
    return this.options.listenerName ?? 'CONTROLLER';
  }

  private self(): LeaderEndpoint | undefined {
    const me = this.options.voters?.find((v) => v.id === this.options.nodeId);
    return me ? { nodeId: me.id, host: me.host, port: me.port } : undefined;
  }

  /** Records the endpoint of the leader `answer` names, when its NodeEndpoints carry it (KIP-853). */
  private learnLeader<A extends { leaderId: number }>(answer: A, nodeEndpoints: readonly LeaderEndpoint[]): A {
    const leader = leaderEndpointFromWire(nodeEndpoints, answer.leaderId);
    if (leader && leader.nodeId !== this.options.nodeId && this.endpoints.learn(leader)) {
      this.options.log.info('learned the quorum leader endpoint', { leaderId: leader.nodeId, host: leader.host, port: leader.port });
    }
    return answer;
  }

  /** The peer of `destination` at its current address (a new one when the address changed). */
  private peer(destination: number): Peer | undefined {
    if (destination === this.options.nodeId) return undefined;
    const address = this.endpoints.address(destination);
    if (!address) return undefined;
    const known = this.peers.get(destination);
    if (known && known.address.host === address.host && known.address.port === address.port) return known;
    known?.connection?.close();
    const peer: Peer = { address, connection: null, failures: 0, retryAt: 0 };
    this.peers.set(destination, peer);
    return peer;
  }

  /** Sends once to `destination` at the negotiated version (see the header for how it settles). */
  private async send<K extends Key>(
    destination: number,
    apiKey: K,
    build: (version: number) => Encodable<RequestOf<K>>,
    extraMs = 0,
  ): Promise<ResponseOf<K>> {
    if (this.closed) throw new Error('the raft channel is closed');
    const peer = this.peer(destination);
    if (!peer) throw new Error(`no address known for node ${destination} of the quorum (or it is this node)`);
    const now = this.time.now();
    if (!peer.connection && now < peer.retryAt) {
      throw new ConnectionError(`voter ${destination} is in reconnect backoff for ${peer.retryAt - now} ms`, this.broker(peer));
    }
    const connection = this.connect(peer);
    const timeoutMs = (this.options.requestTimeoutMs ?? 2000) + extraMs;
    let cancel: () => void = () => {};
    const deadline = new Promise<never>((_resolve, reject) => {
      cancel = this.time.setTimeout(() => {
        reject(new RequestTimeoutError(`voter ${destination} did not answer ${apiKey} within ${timeoutMs} ms`, connection.broker));
      }, timeoutMs);
    });
    const exchange = (async () => {
      await connection.connect();
      const version = connection.versionFor(apiKey);
      return connection.request(apiKey, build(version), { version, timeoutMs });
    })();
    exchange.catch(() => {}); // settled by the race below; a late rejection is not unhandled
    try {
      const response = await Promise.race([exchange, deadline]);
      peer.failures = 0;
      return response;
    } catch (err) {
      if (err instanceof RequestTimeoutError || err instanceof ConnectionError || (err instanceof KafkaClientError && err.retriable)) {
        this.failed(peer, connection, err);
      }
      throw err;
    } finally {
      cancel();
    }
  }

  private connect(peer: Peer): BrokerConnection {
    if (!peer.connection) {
      const { host, port, id } = peer.address;
      const timeoutMs = this.options.requestTimeoutMs ?? 2000;
      peer.connection = new BrokerConnection(
        {
          host,
          port,
          clientId: this.options.clientId ?? `raft-client-${this.options.nodeId}`,
          apiRange: controllerApiRange,
          connectTimeoutMs: timeoutMs,
          requestTimeoutMs: timeoutMs,
          tls: this.options.tls?.(),
          sasl: this.options.sasl?.(),
        },
        id,
      );
      const connection = peer.connection;
      // A connection that closes between requests (the voter stopped) also starts the backoff.
      connection.transport.onClose((err) => this.failed(peer, connection, err));
    }
    return peer.connection;
  }

  /** A network failure: close the connection (if still the peer's) and start or lengthen the backoff. */
  private failed(peer: Peer, connection: BrokerConnection, err: unknown): void {
    if (peer.connection !== connection) return;
    connection.close();
    peer.connection = null;
    peer.failures++;
    const base = this.options.reconnectBackoffMs ?? 50;
    const backoff = Math.min(base * 2 ** Math.min(peer.failures - 1, 16), this.options.reconnectBackoffMaxMs ?? 1000);
    peer.retryAt = this.time.now() + backoff;
    if (!this.closed) this.options.log.debug('raft request to a voter failed', { voter: peer.address.id, backoffMs: backoff, error: err });
  }

  private broker(peer: Peer): string {
    return `${peer.address.host}:${peer.address.port}`;
  }
}
