// A tiny recording "broker" for capturing what real Kafka clients put on the wire (used by
// scripts/capture-client-frames.ts and scripts/capture-client-batches.ts; not a test, not a broker).
// It listens on 127.0.0.1, hands every request frame (without its size prefix) to a callback,
// decodes it with our codec and answers just well enough for producers and simple consumers:
// ApiVersions (everything we support), Metadata (one-partition topics led by itself), Produce
// (offset 0), ListOffsets, Fetch (no records), FindCoordinator, JoinGroup (single member),
// SyncGroup, OffsetFetch (nothing committed); every other API gets its default (all-zero) response.
import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { API_SPECS, ApiKey, Reader, decodeRequestHeader, encodeResponseFrame } from '@tributary/protocol';

export interface CapturedRequest {
  apiKey: number;
  apiVersion: number;
  /** Kebab-case API name, e.g. "api-versions". */
  api: string;
  /** The request frame without its size prefix (a copy). */
  frame: Buffer;
  /** Decoded body, or undefined when our decoder refused it. */
  body: any;
}

export interface ClientRun {
  label: string;
  cmd: string;
  args: (port: number) => string[];
  /** Written to the client's stdin (then closed). */
  input?: string;
  env?: NodeJS.ProcessEnv;
  /** Killed after this long (default 20 s). */
  timeoutMs?: number;
  onRequest(req: CapturedRequest): void;
}

export const kebab = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

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
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partition,
            highWatermark: 0n,
            lastStableOffset: 0n,
            logStartOffset: 0n,
          })),
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

/** Starts the listener, runs the client until it exits (or its time is up), stops the listener. */
export async function runAgainstFakeBroker(run: ClientRun): Promise<void> {
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
        const req: CapturedRequest = { apiKey: h.apiKey, apiVersion: h.apiVersion, api: kebab(spec.name), frame, body: undefined };
        try {
          req.body = spec.decodeRequest(r, h.apiVersion);
        } catch (e) {
          console.log(`  ! ${run.label} ${req.api} v${h.apiVersion}: ${(e as Error).message}`);
        }
        run.onRequest(req);
        if (req.body === undefined) {
          sock.destroy();
          return;
        }
        if (h.apiKey === ApiKey.Produce && req.body.acks === 0) continue;
        const port = (server.address() as { port: number }).port;
        sock.write(
          encodeResponseFrame(h.apiKey as ApiKey, h.apiVersion, h.correlationId, respond(h.apiKey, h.apiVersion, req.body, port) as never),
        );
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  console.log(
    `${run.label}: ${run.cmd} ${run
      .args(port)
      .map((a) => (a.includes('\n') ? '<script>' : a))
      .join(' ')}`,
  );
  await new Promise<void>((ok) => {
    const p = spawn(run.cmd, run.args(port), { stdio: ['pipe', 'ignore', 'inherit'], env: run.env ?? process.env });
    const timer = setTimeout(() => p.kill('SIGKILL'), run.timeoutMs ?? 20000);
    p.on('exit', () => {
      clearTimeout(timer);
      ok();
    });
    p.stdin.end(run.input ?? '');
  });
  await new Promise<void>((ok) => server.close(() => ok()));
}
