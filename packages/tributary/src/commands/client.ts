// What the client commands share: a `Kafka` client from `--bootstrap-server` (default
// 127.0.0.1:9092, as Kafka's scripts) and `--client-id`, and one way to run a command body:
// usage errors print the command's usage and exit 1; client errors (unknown topic, broker
// unreachable, ...) print one line naming the Kafka error and exit 1; the client is always closed.
import { Kafka, KafkaClientError } from '@tributary/client';
import { UsageError } from './command.ts';
import type { ParsedArgs } from './args.ts';

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';

export const COMMON_USAGE = `Common options:
  --bootstrap-server <host:port[,...]>  brokers to connect to (default ${DEFAULT_BOOTSTRAP})
  --client-id <id>                      client.id sent with requests (default tributary-cli)`;

export function kafkaFrom(p: ParsedArgs): Kafka {
  return new Kafka({
    bootstrapServers: p.values.get('bootstrap-server') ?? DEFAULT_BOOTSTRAP,
    clientId: p.values.get('client-id') ?? 'tributary-cli',
    connectTimeoutMs: 5_000,
    requestTimeoutMs: 30_000,
  });
}

/** Writes to stdout, waiting when the pipe is full; resolves false when stdout is gone (EPIPE). */
export function writeOut(text: string): Promise<boolean> | boolean {
  if (stdoutClosed) return false;
  if (process.stdout.write(text)) return true;
  return new Promise((resolve) => {
    const done = () => {
      process.stdout.off('drain', done);
      process.stdout.off('error', done);
      resolve(!stdoutClosed);
    };
    process.stdout.on('drain', done);
    process.stdout.on('error', done);
  });
}

let stdoutClosed = false;
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') stdoutClosed = true;
  else throw err;
});

export function stdoutIsClosed(): boolean {
  return stdoutClosed;
}

export function describeError(err: unknown): string {
  if (err instanceof KafkaClientError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Runs a command body: usage errors -> usage + 1, client errors -> message + 1. */
export async function runCommand(name: string, usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`tributary ${name}: ${err.message}\n\n${usage}\n`);
      return 1;
    }
    process.stderr.write(`tributary ${name}: ${describeError(err)}\n`);
    return 1;
  }
}

/** Formats rows as left-aligned columns, as Kafka's tools print them. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
