// A connection to one broker, speaking Kafka: on connect it negotiates API versions (ApiVersions,
// the highest version both sides support per API; if the broker refuses our ApiVersions version it
// answers in v0 with its own range and we retry with that), then sends typed requests through the
// generated codec, each with a fresh correlation id, pipelined on one socket. Responses come back
// decoded at the version used. Requests with no response (Produce acks=0) resolve with null.
// With `sasl`, the connection authenticates after ApiVersions (SaslHandshake v1, SaslAuthenticate;
// sasl-client.ts) and is ready only once the broker accepted the login.
import {
  API_SPECS,
  ApiKey,
  DecodeError,
  ErrorCode,
  decodeResponseFrame,
  type ApiVersionsResponse,
  type Encodable,
  type RequestOf,
  type ResponseOf,
} from '@tributary/protocol';
import { Transport, type TransportOptions } from './transport.ts';
import { encodeRequestChunks } from './frame-writer.ts';
import { ApiVersionsTable, type VersionRange } from '../cluster/api-versions.ts';
import { clientRange } from './client-versions.ts';
import { KafkaClientError } from './errors.ts';
import { saslAuthenticate, type SaslOptions } from './sasl-client.ts';

type Key = (typeof ApiKey)[keyof typeof ApiKey];

export interface ConnectionOptions extends TransportOptions {
  clientId: string;
  /**
   * The versions this side implements per API (default: the client's, client-versions.ts). A
   * broker talking to another broker or to the controller passes its own, which cover the
   * inter-broker APIs (BrokerRegistration, AlterPartition, replica Fetch, ...).
   */
  apiRange?: (apiKey: number) => VersionRange;
  clientSoftwareName?: string;
  clientSoftwareVersion?: string;
  /** SASL login on every connection (SASL_PLAINTEXT / SASL_SSL listeners). */
  sasl?: SaslOptions;
}

export interface RequestOptions {
  /** Force a version (default: negotiated). */
  version?: number;
  expectResponse?: boolean;
  timeoutMs?: number;
  /** Expected frame size without the byte fields sent by reference (frame-writer.ts), so encoding never regrows its buffer. */
  sizeHint?: number;
  /** Called once the socket no longer reads the request's buffers (see Transport.send). */
  onWritten?: () => void;
  /** Write the request at once rather than at the next tick (see Transport.send). */
  flush?: boolean;
}

export class BrokerConnection {
  readonly transport: Transport;
  private nextCorrelationId = 1;
  private versions: ApiVersionsTable | null = null;
  private connecting: Promise<void> | null = null;

  constructor(
    private readonly options: ConnectionOptions,
    readonly nodeId = -1,
  ) {
    this.transport = new Transport(options);
  }

  get broker(): string {
    return this.transport.broker;
  }

  get isReady(): boolean {
    return this.transport.state === 'ready' && this.versions !== null;
  }

  get isClosed(): boolean {
    return this.transport.state === 'closed';
  }

  /** The broker's advertised API versions (after connect). */
  get apiVersions(): ApiVersionsTable {
    if (!this.versions) throw new Error(`not connected to ${this.broker}`);
    return this.versions;
  }

  connect(): Promise<void> {
    if (this.isReady) return Promise.resolve();
    if (!this.connecting) {
      this.connecting = (async () => {
        await this.transport.connect();
        const versions = await this.negotiate();
        if (this.options.sasl) {
          try {
            await this.authenticate(versions, this.options.sasl);
          } catch (err) {
            this.transport.close();
            throw err;
          }
        }
        this.versions = versions;
      })().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  /** The version this connection uses for `apiKey`. */
  versionFor(apiKey: number): number {
    return this.apiVersions.choose(apiKey, (this.options.apiRange ?? clientRange)(apiKey), API_SPECS[apiKey]?.name);
  }

  async request<K extends Key>(
    apiKey: K,
    body: Encodable<RequestOf<K>>,
    options: RequestOptions & { expectResponse: false },
  ): Promise<null>;
  async request<K extends Key>(apiKey: K, body: Encodable<RequestOf<K>>, options?: RequestOptions): Promise<ResponseOf<K>>;
  async request<K extends Key>(apiKey: K, body: Encodable<RequestOf<K>>, options: RequestOptions = {}): Promise<ResponseOf<K> | null> {
    await this.connect();
    const version = options.version ?? this.versionFor(apiKey);
    const { body: response } = await this.send(apiKey, version, body, options);
    return response;
  }

  /** Sends at an explicit version, without requiring negotiation (used for ApiVersions itself). */
  private async send<K extends Key>(
    apiKey: K,
    version: number,
    body: Encodable<RequestOf<K>>,
    options: RequestOptions = {},
  ): Promise<{ body: ResponseOf<K> | null; frame: Buffer | null }> {
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = this.nextCorrelationId === 0x7fffffff ? 1 : this.nextCorrelationId + 1;
    const frame = encodeRequestChunks(
      { apiKey, apiVersion: version, correlationId, clientId: this.options.clientId },
      body,
      options.sizeHint ?? 256,
    );
    const expectResponse = options.expectResponse ?? true;
    const responseFrame = await this.transport.send(
      correlationId,
      frame,
      expectResponse,
      options.timeoutMs,
      options.onWritten,
      options.flush,
    );
    if (responseFrame === null) return { body: null, frame: null };
    try {
      return { body: decodeResponseFrame(apiKey, version, responseFrame).body, frame: responseFrame };
    } catch (err) {
      if (apiKey === ApiKey.ApiVersions) return { body: null, frame: responseFrame };
      this.transport.close();
      throw new KafkaClientError(
        `malformed ${API_SPECS[apiKey]?.name} v${version} response from ${this.broker}: ${(err as Error).message}`,
        'CORRUPT_MESSAGE',
        true,
        { broker: this.broker },
        { cause: err },
      );
    }
  }

  private async authenticate(versions: ApiVersionsTable, sasl: SaslOptions): Promise<void> {
    const range = this.options.apiRange ?? clientRange;
    const version = (apiKey: number) => versions.choose(apiKey, range(apiKey), API_SPECS[apiKey]?.name);
    if (version(ApiKey.SaslHandshake) < 1)
      throw new KafkaClientError(`${this.broker} does not serve SaslHandshake v1`, 'UNSUPPORTED_VERSION', false, { broker: this.broker });
    await saslAuthenticate(
      {
        broker: this.broker,
        saslRequest: (async (apiKey: typeof ApiKey.SaslHandshake | typeof ApiKey.SaslAuthenticate, body: never) => {
          const { body: response } = await this.send(apiKey, apiKey === ApiKey.SaslHandshake ? 1 : version(apiKey), body);
          return response;
        }) as never,
      },
      sasl,
    );
  }

  private async negotiate(): Promise<ApiVersionsTable> {
    let version = clientRange(ApiKey.ApiVersions).maxVersion;
    for (let attempt = 0; attempt < 2; attempt++) {
      const { body, frame } = await this.send(ApiKey.ApiVersions, version, {
        clientSoftwareName: this.options.clientSoftwareName ?? 'tributary',
        clientSoftwareVersion: this.options.clientSoftwareVersion ?? '0.1.0',
      });
      let response: ApiVersionsResponse | null = body;
      if (response === null || response.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
        // the broker answers an unsupported ApiVersions version in v0, listing its range
        try {
          response = decodeResponseFrame(ApiKey.ApiVersions, 0, frame!).body;
        } catch (err) {
          if (!(err instanceof DecodeError) || response === null) throw err;
        }
        const own = response!.apiKeys.find((k) => k.apiKey === ApiKey.ApiVersions);
        if (response!.errorCode === ErrorCode.UNSUPPORTED_VERSION && own && attempt === 0) {
          version = Math.min(version, own.maxVersion);
          continue;
        }
      }
      if (response!.errorCode !== ErrorCode.NONE) {
        throw new KafkaClientError(`ApiVersions failed on ${this.broker}: error ${response!.errorCode}`, 'UNSUPPORTED_VERSION', false, {
          broker: this.broker,
          code: response!.errorCode,
        });
      }
      return new ApiVersionsTable(response!.apiKeys, this.broker);
    }
    throw new KafkaClientError(`could not agree on an ApiVersions version with ${this.broker}`, 'UNSUPPORTED_VERSION', false, {
      broker: this.broker,
    });
  }

  close(): void {
    this.transport.close();
  }
}
