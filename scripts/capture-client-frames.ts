// Records the request frames real Kafka clients send, as fixtures for the codec tests
// (packages/protocol/test/fixtures/frames/<client>-<api>-v<version>.bin, one frame without its size
// prefix per file). A tiny fake broker built on our codec answers ApiVersions, Metadata and Produce
// well enough for the clients to get to their produce requests. Not a test: run by hand with
//   node --import tsx scripts/capture-client-frames.ts
// Clients: kcat (librdkafka) -L and -P; kafka-python and confluent-kafka through /usr/bin/python3.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_SPECS, ApiKey, Reader, decodeRequestHeader, encodeResponseFrame } from '@tributary/protocol';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(root, 'packages/protocol/test/fixtures/frames');
const PYTHON = '/usr/bin/python3';

function respond(apiKey: number, version: number, body: any, port: number): object {
  switch (apiKey) {
    case ApiKey.ApiVersions:
      return { apiKeys: API_SPECS.map((s) => ({ apiKey: s.apiKey, minVersion: s.minVersion, maxVersion: s.maxVersion })) };
    case ApiKey.Metadata: {
      const names: string[] = body.topics?.length ? body.topics.map((t: { name: string }) => t.name) : ['capture'];
      return {
        brokers: [{ nodeId: 0, host: '127.0.0.1', port }],
        clusterId: 'capture-cluster',
        controllerId: 0,
        topics: names.map((name) => ({
          name,
          topicId: 'AQIDBAUGBwgJCgsMDQ4PEA',
          partitions: [{ partitionIndex: 0, leaderId: 0, leaderEpoch: 0, replicaNodes: [0], isrNodes: [0] }],
        })),
      };
    }
    case ApiKey.Produce:
      return {
        responses: body.topicData.map((t: { name: string; partitionData: { index: number }[] }) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((p) => ({ index: p.index, baseOffset: 0n })),
        })),
      };
    case ApiKey.ListOffsets:
      return {
        topics: body.topics.map((t: { name: string; partitions: { partitionIndex: number }[] }) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, offset: 0n, timestamp: -1n })),
        })),
      };
    case ApiKey.Fetch:
      return {
        responses: body.topics.map((t: { topic: string; topicId: string; partitions: { partition: number }[] }) => ({
          topic: t.topic,
          topicId: t.topicId,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, highWatermark: 0n, lastStableOffset: 0n, logStartOffset: 0n })),
        })),
      };
    case ApiKey.FindCoordinator:
      return version >= 4
        ? { coordinators: body.coordinatorKeys.map((key: string) => ({ key, nodeId: 0, host: '127.0.0.1', port })) }
        : { nodeId: 0, host: '127.0.0.1', port };
    case ApiKey.JoinGroup:
      return {
        generationId: 1,
        protocolType: version >= 7 ? body.protocolType : undefined,
        protocolName: body.protocols[0].name,
        leader: 'member-1',
        memberId: 'member-1',
        members: [{ memberId: 'member-1', metadata: body.protocols[0].metadata }],
      };
    case ApiKey.SyncGroup:
      return { assignment: body.assignments[0]?.assignment ?? Buffer.alloc(0) };
    case ApiKey.OffsetFetch:
      return {
        topics: (body.topics ?? []).map((t: { name: string; partitionIndexes: number[] }) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1n })),
        })),
      };
    default:
      return {};
  }
}


async function captureAsync(client: string, cmd: string, args: (port: number) => string[], input?: string): Promise<void> {
  const seen = new Set<string>();
  const server = createServer((sock: Socket) => {
    let pending = Buffer.alloc(0);
    sock.on('error', () => {});
    sock.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const size = pending.readInt32BE(0);
        const frame = Buffer.from(pending.subarray(4, 4 + size));
        pending = pending.subarray(4 + size);
        const r = new Reader(frame);
        const h = decodeRequestHeader(r);
        const spec = API_SPECS[h.apiKey]!;
        const name = `${client}-${spec.name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}-v${h.apiVersion}.bin`;
        if (!seen.has(name)) {
          seen.add(name);
          writeFileSync(join(OUT, name), frame);
          console.log(`  ${name} (${frame.length} bytes)`);
        }
        let body: any;
        try {
          body = spec.decodeRequest(r, h.apiVersion);
        } catch (e) {
          console.log(`  ! ${name}: ${(e as Error).message}`);
          sock.destroy();
          return;
        }
        if (h.apiKey === ApiKey.Produce && body.acks === 0) continue;
        const port = (server.address() as { port: number }).port;
        sock.write(encodeResponseFrame(h.apiKey as ApiKey, h.apiVersion, h.correlationId, respond(h.apiKey, h.apiVersion, body, port) as never));
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  console.log(`${client}: ${cmd} ${args(port).join(' ')}`);
  await new Promise<void>((ok) => {
    const p = spawn(cmd, args(port), { stdio: ['pipe', 'ignore', 'inherit'] });
    const timer = setTimeout(() => p.kill('SIGKILL'), 20000);
    p.on('exit', () => {
      clearTimeout(timer);
      ok();
    });
    p.stdin.end(input ?? '');
  });
  await new Promise<void>((ok) => server.close(() => ok()));
}

const KAFKA_PYTHON = `
import sys
from kafka import KafkaProducer
p = KafkaProducer(bootstrap_servers=sys.argv[1], acks=1, linger_ms=0, request_timeout_ms=5000, api_version_auto_timeout_ms=5000)
p.send('capture', key=b'k', value=b'hello from kafka-python').get(timeout=10)
p.close(timeout=5)
`;
const CONFLUENT = `
import sys
from confluent_kafka import Producer
p = Producer({'bootstrap.servers': sys.argv[1], 'linger.ms': 0, 'enable.idempotence': False})
p.produce('capture', key=b'k', value=b'hello from confluent-kafka')
p.flush(10)
`;

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  await captureAsync('kcat', 'kcat', (port) => ['-b', `127.0.0.1:${port}`, '-L', '-t', 'capture', '-m', '5']);
  await captureAsync('kcat', 'kcat', (port) => ['-b', `127.0.0.1:${port}`, '-P', '-t', 'capture', '-p', '0', '-K', ':', '-m', '5'], 'k1:hello from kcat\nk2:second\n');
  await captureAsync('kcat', 'kcat', (port) => ['-b', `127.0.0.1:${port}`, '-C', '-t', 'capture', '-p', '0', '-o', '0', '-e', '-m', '5']);
  await captureAsync('kcat', 'kcat', (port) => ['-b', `127.0.0.1:${port}`, '-G', 'capture-group', 'capture', '-e', '-m', '5']);
  await captureAsync('kafka-python', PYTHON, (port) => ['-c', KAFKA_PYTHON, `127.0.0.1:${port}`]);
  await captureAsync('confluent-kafka', PYTHON, (port) => ['-c', CONFLUENT, `127.0.0.1:${port}`]);
}

await main();
