// A scriptable in-process Kafka endpoint for client tests: decodes request frames with the shared
// codec and answers through a handler (ApiVersions answered from `apiVersions`, and InitProducerId
// with a fresh producer id, unless the handler does it). Closed by the test; never left running.
import net from 'node:net';
import { ApiKey, API_SPECS, FrameSplitter, decodeRequestFrame, encodeResponseFrame, type RequestHeader } from '@tributary/protocol';

export interface Handled {
  /** Response body, or null for no response (acks=0). */
  body: unknown;
  /** Answer at this version instead of the request's (ApiVersions error answers use 0). */
  version?: number;
}

export type Handler = (header: RequestHeader, body: any) => Handled | null | undefined | Promise<Handled | null | undefined>;

export interface FakeBroker {
  port: number;
  requests: Array<{ header: RequestHeader; body: any }>;
  /** Frames read off the sockets so far, handled or not (handlers run one at a time). */
  readonly framesReceived: number;
  close(): Promise<void>;
  dropConnections(): void;
}

export function defaultApiVersions(overrides: Record<number, [number, number]> = {}) {
  const keys: Array<{ apiKey: number; minVersion: number; maxVersion: number }> = [];
  for (const [k, s] of Object.entries(API_SPECS)) {
    if (!s) continue;
    const o = overrides[Number(k)];
    keys.push({ apiKey: Number(k), minVersion: o ? o[0] : s.minVersion, maxVersion: o ? o[1] : s.maxVersion });
  }
  return keys;
}

/** A Metadata answer: node 1 at `port`, and every requested topic with `partitions` partitions led by it (epoch 0). */
export function singleNodeMetadata(port: number, body: any, partitions = 1): Handled {
  return {
    body: {
      brokers: [{ nodeId: 1, host: '127.0.0.1', port, rack: null }],
      clusterId: 'c',
      controllerId: 1,
      topics: (body.topics ?? []).map((t: { name: string }) => ({
        errorCode: 0,
        name: t.name,
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        isInternal: false,
        partitions: Array.from({ length: partitions }, (_, i) => ({
          errorCode: 0,
          partitionIndex: i,
          leaderId: 1,
          leaderEpoch: 0,
          replicaNodes: [1],
          isrNodes: [1],
          offlineReplicas: [],
        })),
      })),
    },
  };
}

export async function startFakeBroker(handler: Handler, apiVersions = defaultApiVersions()): Promise<FakeBroker> {
  const requests: FakeBroker['requests'] = [];
  const sockets = new Set<net.Socket>();
  let framesReceived = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const d = new FrameSplitter(256 * 1024 * 1024);
    let chain = Promise.resolve();
    socket.on('data', (chunk) => {
      d.push(chunk);
      for (let frame = d.next(); frame; frame = d.next()) {
        framesReceived++;
        chain = chain
          .then(async () => {
            const { header, body } = decodeRequestFrame(frame);
            requests.push({ header, body });
            let out = await handler(header, body);
            if (out === undefined && header.apiKey === ApiKey.InitProducerId) {
              // producers are idempotent by default: a producer id unless the handler answers itself
              out = { body: { errorCode: 0, producerId: 5000n + BigInt(framesReceived), producerEpoch: 0 } };
            }
            if (out === undefined && header.apiKey === ApiKey.ApiVersions) {
              const own = apiVersions.find((k) => k.apiKey === ApiKey.ApiVersions)!;
              out =
                header.apiVersion > own.maxVersion
                  ? { body: { errorCode: 35, apiKeys: [own] }, version: 0 }
                  : { body: { errorCode: 0, apiKeys: apiVersions } };
            }
            if (!out) return;
            socket.write(
              encodeResponseFrame(header.apiKey as any, out.version ?? header.apiVersion, header.correlationId, out.body as any),
            );
          })
          .catch((err) => {
            // a handler bug: report it and drop the connection, as a broker closes on a bad request
            console.error('fake broker:', err);
            socket.destroy();
          });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    requests,
    get framesReceived() {
      return framesReceived;
    },
    dropConnections() {
      for (const s of sockets) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
