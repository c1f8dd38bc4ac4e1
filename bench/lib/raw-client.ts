// A minimal pipelined Kafka connection over @tributary/protocol's generated codec, for load that
// costs the generator almost nothing: it replays pre-encoded Produce frames and runs a bare fetch
// loop (no record decoding). Not a client: no metadata routing, retries or partition choice.
// Responses come back in request order on one connection (Kafka's guarantee), so a FIFO of
// pending requests matches them.
import { connect, type Socket } from 'node:net';
import { ApiKey, decodeResponseFrame, encodeRequestFrame, type RequestOf, type ResponseOf } from '@tributary/protocol';
import type { Encodable } from '@tributary/protocol';

interface Pending {
  apiKey: number;
  version: number;
  resolve(frame: Buffer): void;
  reject(err: Error): void;
}

export class RawConnection {
  private readonly pending: Pending[] = [];
  private chunks: Buffer[] = [];
  private buffered = 0;
  private correlationId = 0;
  private closedError: Error | null = null;

  private constructor(private readonly sock: Socket) {
    sock.setNoDelay(true);
    sock.on('data', (c: Buffer) => this.onData(c));
    const fail = (err: Error) => {
      this.closedError ??= err;
      for (const p of this.pending.splice(0)) p.reject(err);
    };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('connection closed')));
  }

  static open(host: string, port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const sock = connect({ host, port }, () => {
        sock.off('error', reject);
        resolve(new RawConnection(sock));
      });
      sock.once('error', reject);
    });
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      if (this.chunks[0]!.length < 4) this.chunks = [Buffer.concat(this.chunks)];
      const size = this.chunks[0]!.readInt32BE(0);
      if (this.buffered < 4 + size) return;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
      const frame = all.subarray(4, 4 + size);
      const rest = all.subarray(4 + size);
      this.chunks = rest.length ? [rest] : [];
      this.buffered = rest.length;
      const p = this.pending.shift();
      if (p) p.resolve(frame);
    }
  }

  /** Encodes a whole request frame once (to be sent many times with sendFrame). */
  frame<K extends ApiKey>(apiKey: K, version: number, body: Encodable<RequestOf<K>>, capacity = 256): Buffer {
    return encodeRequestFrame(
      { apiKey, apiVersion: version, correlationId: ++this.correlationId, clientId: 'tributary-bench' },
      body,
      capacity,
    );
  }

  /** Sends a pre-encoded frame; resolves the raw response frame (after the size prefix). */
  sendFrame(apiKey: number, version: number, frame: Buffer): Promise<Buffer> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      this.pending.push({ apiKey, version, resolve, reject });
      this.sock.write(frame);
    });
  }

  async request<K extends ApiKey>(apiKey: K, version: number, body: Encodable<RequestOf<K>>): Promise<ResponseOf<K>> {
    const frame = await this.sendFrame(apiKey, version, this.frame(apiKey, version, body));
    return decodeResponseFrame(apiKey, version, frame).body;
  }

  close(): void {
    this.sock.destroy();
  }
}

/** The highest version both this codec and the broker serve (brokerMax from ApiVersions). */
export function pickVersion(brokerRange: [number, number] | undefined, preferred: number): number {
  if (!brokerRange) throw new Error('the broker does not serve this API');
  return Math.min(brokerRange[1], preferred);
}

export { ApiKey };
