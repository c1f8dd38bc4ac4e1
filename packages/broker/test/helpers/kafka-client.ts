// A tiny Kafka test client over a real socket: encodes requests with the generated codec, sends the
// frame, reads the response frame and decodes it at the same version. Responses come back in
// request order, so pipelined calls are matched by correlation id.
import { decodeResponseFrame, encodeRequestFrame, type ApiKey, type Encodable, type RequestOf, type ResponseOf } from '@tributary/protocol';
import { connect, type WireClient } from './wire-client.ts';

export interface KafkaTestClient {
  wire: WireClient;
  /** Sends one request and resolves with its decoded response. */
  request<K extends ApiKey>(apiKey: K, version: number, body: Encodable<RequestOf<K>>): Promise<ResponseOf<K>>;
  /** Sends a request expecting no response (acks=0). */
  send<K extends ApiKey>(apiKey: K, version: number, body: Encodable<RequestOf<K>>): void;
  close(): void;
}

/** `clientId`: the request header's client id (default 'test'). */
export async function kafkaClient(port: number, clientId = 'test'): Promise<KafkaTestClient> {
  const wire = await connect(port);
  let correlationId = 0;
  // Responses arrive in request order: a queue of waiters in send order.
  let chain: Promise<unknown> = Promise.resolve();
  return {
    wire,
    request(apiKey, version, body) {
      const id = ++correlationId;
      wire.send(encodeRequestFrame({ apiKey, apiVersion: version, correlationId: id, clientId }, body));
      const p = chain.then(async () => {
        const [frame] = await wire.frames(1);
        const res = decodeResponseFrame(apiKey, version, frame!);
        if (res.correlationId !== id) throw new Error(`correlation id ${res.correlationId}, expected ${id}`);
        return res.body;
      });
      chain = p.catch(() => {});
      return p;
    },
    send(apiKey, version, body) {
      wire.send(encodeRequestFrame({ apiKey, apiVersion: version, correlationId: ++correlationId, clientId }, body));
    },
    close: () => wire.socket.destroy(),
  };
}
