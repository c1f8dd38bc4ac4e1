// Drives consumer group members of the groups interop tests: each member is a child process
// (consumer.py for kafka-python / confluent-kafka, consumer.mjs for KafkaJS / @platformatic/kafka)
// printing JSON lines with its current assignment and each record processed. Also: topic setup and
// producing with KafkaJS, waiting for conditions, and the "each partition owned exactly once" check.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { PYTHON } from '../tools.ts';

// @platformatic/kafka 2.x uses Promise.withResolvers (Node 22+); the tests run on Node 20 too.
const P = Promise as unknown as { withResolvers?: () => unknown };
P.withResolvers ??= function withResolvers() {
  let resolve!: (v: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

const DIR = fileURLToPath(new URL('.', import.meta.url));

export type Lib = 'kafka-python' | 'confluent-kafka' | 'kafkajs' | 'platformatic';

export interface MemberConfig {
  lib: Lib;
  bootstrap: string;
  group: string;
  topic: string;
  strategy?: string;
  sessionTimeoutMs?: number;
  clientId?: string;
  /** group.instance.id (static membership; confluent-kafka). */
  groupInstanceId?: string;
}

export class Member {
  readonly proc: ChildProcess;
  assigned: number[] = [];
  /** "partition:offset" of every record processed. */
  readonly records = new Set<string>();
  readonly output: string[] = [];
  /** Every assignment reported, in order. */
  readonly assignments: number[][] = [];
  alive = true;
  readonly exited: Promise<void>;

  constructor(readonly cfg: MemberConfig) {
    const arg = JSON.stringify({ sessionTimeoutMs: 2000, ...cfg });
    const py = cfg.lib === 'kafka-python' || cfg.lib === 'confluent-kafka';
    this.proc = py
      ? spawn(PYTHON, [`${DIR}consumer.py`, arg], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, [`${DIR}consumer.mjs`, arg], { stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      this.output.push(`${Date.now() % 100000} ${line}`);
      try {
        const msg = JSON.parse(line) as { assigned?: number[]; rec?: [number, number] };
        if (msg.assigned) {
          this.assigned = msg.assigned;
          this.assignments.push(msg.assigned);
        }
        if (msg.rec) this.records.add(`${msg.rec[0]}:${msg.rec[1]}`);
      } catch {
        /* not ours */
      }
    });
    this.proc.stderr!.on('data', (d: Buffer) => this.output.push(`stderr: ${d.toString().trim()}`));
    this.exited = new Promise((resolve) =>
      this.proc.once('exit', () => {
        this.alive = false;
        resolve();
      }),
    );
  }

  /** Crash: no LeaveGroup, the coordinator notices through the session timeout. */
  async kill(): Promise<void> {
    this.proc.kill('SIGKILL');
    await this.exited;
  }

  /** Graceful stop: the member leaves the group. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 8000);
    await this.exited;
    clearTimeout(t);
  }
}

/** Runs test/interop/groups/admin.py and parses its JSON output. */
export function pythonAdmin(cfg: Record<string, unknown>): Promise<any> {
  return new Promise((resolve, reject) => {
    const p = spawn(PYTHON, [`${DIR}admin.py`, JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d));
    p.stderr.on('data', (d: Buffer) => (err += d));
    p.once('exit', (code) => {
      if (code !== 0) reject(new Error(`admin.py exited ${code}: ${err}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!));
    });
  });
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True when the live members' assignments cover partitions 0..n-1, each exactly once, and every member has one. */
export function ownedExactlyOnce(members: Member[], n: number): boolean {
  const live = members.filter((m) => m.alive);
  const all = live.flatMap((m) => m.assigned).sort((a, b) => a - b);
  return all.length === n && all.every((p, i) => p === i) && live.every((m) => m.assigned.length > 0);
}

export const describeAssignment = (members: Member[]) =>
  members.map((m) => `${m.cfg.lib}${m.alive ? '' : '(dead)'}: [${m.assigned.join(',')}]`).join('; ');

/** Every "partition:offset" for offsets [0, perPartition) of partitions [0, n). */
export function expectedRecords(n: number, perPartition: number): string[] {
  return Array.from({ length: n }, (_, p) => Array.from({ length: perPartition }, (_, o) => `${p}:${o}`)).flat();
}

export function missing(members: Member[], expected: string[]): string[] {
  const seen = new Set(members.flatMap((m) => [...m.records]));
  return expected.filter((r) => !seen.has(r));
}

export function kafka(bootstrap: string): Kafka {
  return new Kafka({ clientId: 'groups-interop', brokers: [bootstrap], logLevel: logLevel.NOTHING });
}

export async function createTopic(bootstrap: string, topic: string, numPartitions: number): Promise<void> {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions }] });
  await admin.disconnect();
}

/** Produces `perPartition` records to each of partitions [0, n). */
export async function produce(bootstrap: string, topic: string, n: number, perPartition: number): Promise<void> {
  const producer = kafka(bootstrap).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const messages = Array.from({ length: n }, (_, partition) =>
    Array.from({ length: perPartition }, (_, i) => ({ partition, value: `p${partition}-${i}` })),
  ).flat();
  await producer.send({ topic, messages });
  await producer.disconnect();
}
