// Hand-rolled Kafka requests that need no client library: ApiVersions v0 (which APIs a broker
// serves, so scenarios can skip what is not there yet) and idle connections that have done one
// ApiVersions round trip each (the "1,000 idle connections" scenario).
//
// ApiVersions v0 request frame: int32 size | int16 apiKey=18 | int16 version=0 | int32 correlationId
// | int16 clientId length | clientId bytes (empty body). Response: int32 size | int32 correlationId |
// int16 errorCode | int32 count | count x (int16 apiKey, int16 minVersion, int16 maxVersion).
import { connect, type Socket } from 'node:net';

const CLIENT_ID = Buffer.from('tributary-bench');

function apiVersionsRequest(correlationId: number): Buffer {
  const buf = Buffer.alloc(4 + 2 + 2 + 4 + 2 + CLIENT_ID.length);
  buf.writeInt32BE(buf.length - 4, 0);
  buf.writeInt16BE(18, 4);
  buf.writeInt16BE(0, 6);
  buf.writeInt32BE(correlationId, 8);
  buf.writeInt16BE(CLIENT_ID.length, 12);
  CLIENT_ID.copy(buf, 14);
  return buf;
}

/** Reads one size-prefixed response frame from a socket (resolves the body after the size). */
function readFrame(sock: Socket, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let acc = Buffer.alloc(0);
    const timer = setTimeout(() => done(new Error('timed out waiting for a response')), timeoutMs);
    const onData = (chunk: Buffer) => {
      acc = Buffer.concat([acc, chunk]);
      if (acc.length >= 4 && acc.length >= 4 + acc.readInt32BE(0)) done(null, acc.subarray(4, 4 + acc.readInt32BE(0)));
    };
    const onEnd = () => done(new Error('connection closed'));
    const done = (err: Error | null, frame?: Buffer) => {
      clearTimeout(timer);
      sock.off('data', onData).off('error', onEnd).off('close', onEnd);
      if (err) reject(err);
      else resolve(frame!);
    };
    sock.on('data', onData).on('error', onEnd).on('close', onEnd);
  });
}

function open(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port }, () => {
      sock.off('error', reject);
      resolve(sock);
    });
    sock.once('error', reject);
  });
}

/** API keys -> [min, max] the broker advertises. */
export async function probeApiVersions(host: string, port: number): Promise<Map<number, [number, number]>> {
  const sock = await open(host, port);
  try {
    const reply = readFrame(sock, 5_000);
    sock.write(apiVersionsRequest(1));
    const body = await reply;
    const apis = new Map<number, [number, number]>();
    const count = body.readInt32BE(6);
    for (let i = 0, p = 10; i < count; i++, p += 6) apis.set(body.readInt16BE(p), [body.readInt16BE(p + 2), body.readInt16BE(p + 4)]);
    return apis;
  } finally {
    sock.destroy();
  }
}

/** Opens `count` connections, each after one ApiVersions round trip; returns them (idle). */
export async function openIdleConnections(host: string, port: number, count: number, concurrency = 50): Promise<Socket[]> {
  const socks: Socket[] = [];
  let next = 0;
  async function worker(): Promise<void> {
    while (next < count) {
      const id = next++;
      const sock = await open(host, port);
      socks.push(sock);
      const reply = readFrame(sock, 10_000);
      sock.write(apiVersionsRequest(id + 1));
      await reply;
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } catch (err) {
    for (const s of socks) s.destroy();
    throw err;
  }
  return socks;
}
