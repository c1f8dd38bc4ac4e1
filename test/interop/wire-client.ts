// A minimal Kafka wire client for the interop tests, built on the generated codec: one TCP
// connection, pipelined requests matched to responses by correlation id, plus raw byte access for
// the bad-input tests. It is the tests' own view of the broker (creating topics, reading back what
// a third-party client stored, batch by batch with its compression), independent of the clients
// under test. Every wait is bounded.
import { connect, type Socket } from 'node:net';
import {
  ApiKey,
  decodeRecordBatches,
  decodeResponseFrame,
  encodeRequestFrame,
  ErrorCode,
  type DecodedBatch,
  type Encodable,
  type RequestOf,
  type ResponseOf,
} from '@tributary/protocol';

type Pending = { apiKey: number; apiVersion: number; resolve: (frame: Buffer) => void; reject: (e: Error) => void };

export class WireClient {
  private buf: Buffer = Buffer.alloc(0);
  private nextCorrelationId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedError: Error | null = null;
  /** Resolves when the peer closes the connection (or it errors). */
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d) => this.onData(d));
    this.closed = new Promise((resolve) => {
      const done = (err?: Error) => {
        this.closedError ??= err ?? new Error('connection closed');
        for (const p of this.pending.values()) p.reject(this.closedError);
        this.pending.clear();
        resolve();
      };
      socket.on('error', done);
      socket.on('close', () => done());
    });
  }

  static connect(port: number, host = '127.0.0.1', timeoutMs = 5_000): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`connect ${host}:${port} timed out`));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        s.setNoDelay(true);
        resolve(new WireClient(s));
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  get isClosed(): boolean {
    return this.closedError !== null;
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    while (this.buf.length >= 4) {
      const size = this.buf.readInt32BE(0);
      if (this.buf.length < 4 + size) break;
      const frame = this.buf.subarray(4, 4 + size);
      this.buf = this.buf.subarray(4 + size);
      const correlationId = frame.readInt32BE(0);
      const p = this.pending.get(correlationId);
      if (p) {
        this.pending.delete(correlationId);
        p.resolve(frame);
      }
    }
  }

  /** Sends one request and resolves with its decoded response body. */
  async request<K extends ApiKey>(
    apiKey: K,
    apiVersion: number,
    body: Encodable<RequestOf<K>>,
    timeoutMs = 10_000,
  ): Promise<ResponseOf<K>> {
    const correlationId = this.nextCorrelationId++;
    const frame = encodeRequestFrame({ apiKey, apiVersion, correlationId, clientId: 'interop-wire' }, body);
    const raw = await this.roundTrip(correlationId, apiKey, apiVersion, frame, timeoutMs);
    return decodeResponseFrame(apiKey, apiVersion, raw).body;
  }

  /** Sends pre-encoded bytes expecting a response with `correlationId`; resolves with the frame (no size prefix). */
  roundTrip(correlationId: number, apiKey: number, apiVersion: number, bytes: Buffer, timeoutMs = 10_000): Promise<Buffer> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new Error(`no response to api ${apiKey} v${apiVersion} (correlation ${correlationId}) within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(correlationId, {
        apiKey,
        apiVersion,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.socket.write(bytes);
    });
  }

  /** Writes raw bytes (no response expected). */
  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Resolves true if the broker closes the connection within `ms`, false otherwise. */
  async closesWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([
      this.closed.then(() => true),
      new Promise<boolean>((res) => {
        timer = setTimeout(() => res(false), ms);
      }),
    ]);
    clearTimeout(timer);
    return r;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Opens a connection, runs `fn`, always closes. */
export async function withWire<T>(port: number, fn: (c: WireClient) => Promise<T>): Promise<T> {
  const c = await WireClient.connect(port);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

/** Creates a topic (CreateTopics v4, what librdkafka sends); throws unless NONE. */
export async function createTopic(port: number, name: string, numPartitions = 1, configs: Record<string, string> = {}): Promise<void> {
  const res = await withWire(port, (c) =>
    c.request(ApiKey.CreateTopics, 4, {
      topics: [
        {
          name,
          numPartitions,
          replicationFactor: 1,
          assignments: [],
          configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })),
        },
      ],
      timeoutMs: 10_000,
    }),
  );
  const t = res.topics[0];
  if (!t || t.errorCode !== ErrorCode.NONE) throw new Error(`CreateTopics ${name}: error ${t?.errorCode} ${t?.errorMessage ?? ''}`);
}

/** Every batch of one partition from `fromOffset` to the high watermark, read with Fetch v11, decoded with our codec. */
export async function readPartition(
  port: number,
  topic: string,
  partition = 0,
  fromOffset = 0n,
): Promise<{ batches: DecodedBatch[]; highWatermark: bigint }> {
  return withWire(port, async (c) => {
    const batches: DecodedBatch[] = [];
    let offset = fromOffset;
    let highWatermark = -1n;
    for (let round = 0; round < 1000; round++) {
      const res = await c.request(ApiKey.Fetch, 11, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 64 << 20,
        isolationLevel: 0,
        topics: [
          {
            topic,
            partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 16 << 20, logStartOffset: -1n, currentLeaderEpoch: -1 }],
          },
        ],
      });
      const p = res.responses[0]?.partitions[0];
      if (!p) throw new Error(`Fetch ${topic}-${partition}: no partition in the response`);
      if (p.errorCode !== ErrorCode.NONE) throw new Error(`Fetch ${topic}-${partition} at ${offset}: error ${p.errorCode}`);
      highWatermark = p.highWatermark;
      const got = p.records ? await decodeRecordBatches(p.records) : [];
      if (!got.length) break;
      batches.push(...got);
      const last = got[got.length - 1]!;
      offset = last.baseOffset + BigInt(last.lastOffsetDelta) + 1n;
      if (offset >= highWatermark) break;
    }
    return { batches, highWatermark };
  });
}

/** Produces one encoded batch with Produce v7 (acks -1 by default); returns the partition's base offset, throws on an error code. */
export async function produceBatch(port: number, topic: string, batch: Buffer, partition = 0, acks = -1): Promise<bigint> {
  const res: ResponseOf<typeof ApiKey.Produce> = await withWire(port, (c) =>
    c.request(ApiKey.Produce, 7, {
      acks,
      timeoutMs: 5_000,
      transactionalId: null,
      topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
    }),
  );
  const p = res.responses[0]?.partitionResponses[0];
  if (!p || p.errorCode !== ErrorCode.NONE)
    throw new Error(`Produce ${topic}-${partition}: error ${p?.errorCode} ${p?.errorMessage ?? ''}`);
  return p.baseOffset;
}

/** ListOffsets v1 for one partition: the earliest offset (timestamp -2, the log start offset) or the latest (-1). */
export async function listOffset(port: number, topic: string, timestamp: -1n | -2n, partition = 0): Promise<number> {
  const res: ResponseOf<typeof ApiKey.ListOffsets> = await withWire(port, (c) =>
    c.request(ApiKey.ListOffsets, 1, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }] }],
    }),
  );
  const p = res.topics[0]?.partitions[0];
  if (!p || p.errorCode !== ErrorCode.NONE) throw new Error(`ListOffsets ${topic}-${partition}: error ${p?.errorCode}`);
  return Number(p.offset);
}
