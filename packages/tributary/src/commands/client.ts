// What the client commands share: a `Kafka` client from `--bootstrap-server` (default
// 127.0.0.1:9092, as Kafka's scripts), `--command-config` (TLS and SASL from Kafka's client
// properties: command-config.ts), `--client-id` and `--api-timeout-ms` (how long admin
// operations keep retrying an unreachable broker: 15 s, not the client's 60 s, since someone is
// waiting at a terminal), and one way to run a command body:
// usage errors print the command's usage and exit 1; client errors (unknown topic, broker
// unreachable, ...) print one line naming the Kafka error and exit 1; the client is always closed.
import { Kafka, KafkaClientError, type Admin } from '@tributary/client';
import { UsageError } from './command.ts';
import { parseArgs, type OptionSpec, type ParsedArgs } from './args.ts';
import { readCommandConfig } from './command-config.ts';

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';
export const DEFAULT_API_TIMEOUT_MS = 15_000;

export const COMMON_USAGE = `Common options:
  --bootstrap-server <host:port[,...]>  brokers to connect to (default ${DEFAULT_BOOTSTRAP})
  --client-id <id>                      client.id sent with requests (default tributary-cli)
  --api-timeout-ms <ms>                 how long admin operations retry an unreachable broker (default ${DEFAULT_API_TIMEOUT_MS})
  --command-config <file>               Kafka client properties: security.protocol, ssl.truststore.location,
                                        ssl.keystore.location, ssl.key.password, sasl.mechanism, sasl.jaas.config, ...`;

export function kafkaFrom(p: ParsedArgs): Kafka {
  apiTimeoutMs(p); // every command refuses a bad value alike, admin operations or not
  const configFile = p.values.get('command-config');
  return new Kafka({
    ...(configFile !== undefined ? readCommandConfig(configFile) : {}),
    bootstrapServers: p.values.get('bootstrap-server') ?? DEFAULT_BOOTSTRAP,
    clientId: p.values.get('client-id') ?? 'tributary-cli',
    connectTimeoutMs: 5_000,
    requestTimeoutMs: 30_000,
  });
}

/** An admin client whose operations give up after `--api-timeout-ms` (Kafka's default.api.timeout.ms). */
export function adminFrom(kafka: Kafka, p: ParsedArgs): Admin {
  return kafka.admin({ defaultApiTimeoutMs: apiTimeoutMs(p) });
}

function apiTimeoutMs(p: ParsedArgs): number {
  const raw = p.values.get('api-timeout-ms');
  const timeoutMs = raw === undefined ? DEFAULT_API_TIMEOUT_MS : Number(raw);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError(`--api-timeout-ms must be a positive integer, got "${raw}"`);
  return timeoutMs;
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

/** An admin subcommand body: resolves to the exit code. */
export type AdminSubcommand = (admin: Admin, p: ParsedArgs) => Promise<number>;

/**
 * The `run` of a command made of admin subcommands (`tributary topics create ...`): parses the
 * options, picks the subcommand named by the first positional argument, and runs it with an admin
 * client that is closed afterwards.
 */
export function adminSubcommands(name: string, usage: string, spec: OptionSpec, subcommands: Record<string, AdminSubcommand>) {
  return (args: string[]): Promise<number> =>
    runCommand(name, usage, async () => {
      const p = parseArgs(args, spec);
      const sub = p.positional[0];
      const fn = sub ? subcommands[sub] : undefined;
      if (!fn) throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'missing subcommand');
      const kafka = kafkaFrom(p);
      try {
        return await fn(adminFrom(kafka, p), p);
      } finally {
        await kafka.close();
      }
    });
}

/** Kafka's ToolsUtils.prettyPrintTable (and TransactionsCommand's): every cell padded to its column's width, then a tab. */
export function prettyTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => `${c.padEnd(widths[i]!)}\t`).join('') + '\n';
  return line(header) + rows.map(line).join('');
}

/** Formats rows as left-aligned columns, as Kafka's tools print them. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
