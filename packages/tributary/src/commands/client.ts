// What the client commands share: a `Kafka` client from `--bootstrap-server` (else the
// TRIBUTARY_BROKERS environment variable, else 127.0.0.1:9092, as Kafka's scripts; probed first:
// when no broker accepts a connection within 3 s the command fails at once with a hint, instead
// of retrying for --api-timeout-ms), `--command-config` (TLS and SASL from Kafka's client
// properties: command-config.ts), `--client-id` and `--api-timeout-ms` (how long admin
// operations keep retrying an unreachable broker: 15 s, not the client's 60 s, since someone is
// waiting at a terminal), and one way to run a command body:
// usage errors print the command's usage and exit 1; client errors (unknown topic, broker
// unreachable, ...) print one line naming the Kafka error and exit 1; the client is always closed.
import { connect } from 'node:net';
import { Kafka, KafkaClientError, type Admin } from '@tributary/client';
import { UsageError } from './command.ts';
import { parseArgs, type OptionSpec, type ParsedArgs } from './args.ts';
import { readCommandConfig } from './command-config.ts';

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';
export const DEFAULT_API_TIMEOUT_MS = 15_000;
/** How long the CLI waits for some bootstrap broker to accept a connection before it gives up. */
export const PROBE_WINDOW_MS = 3_000;

export const COMMON_USAGE = `Common options:
  --bootstrap-server <host:port[,...]>  brokers to connect to (default $TRIBUTARY_BROKERS, else ${DEFAULT_BOOTSTRAP})
  --client-id <id>                      client.id sent with requests (default tributary-cli)
  --api-timeout-ms <ms>                 how long admin operations retry an unreachable broker (default ${DEFAULT_API_TIMEOUT_MS})
  --command-config <file>               Kafka client properties: security.protocol, ssl.truststore.location,
                                        ssl.keystore.location, ssl.key.password, sasl.mechanism, sasl.jaas.config, ...`;

/** The brokers to bootstrap from: --bootstrap-server, else $TRIBUTARY_BROKERS, else 127.0.0.1:9092. */
export function bootstrapOf(p: ParsedArgs): string {
  const fromEnv = process.env.TRIBUTARY_BROKERS?.trim();
  return p.values.get('bootstrap-server') ?? (fromEnv ? fromEnv : DEFAULT_BOOTSTRAP);
}

export function kafkaFrom(p: ParsedArgs): Kafka {
  apiTimeoutMs(p); // every command refuses a bad value alike, admin operations or not
  const configFile = p.values.get('command-config');
  return new Kafka({
    ...(configFile !== undefined ? readCommandConfig(configFile) : {}),
    bootstrapServers: bootstrapOf(p),
    clientId: p.values.get('client-id') ?? 'tributary-cli',
    connectTimeoutMs: 5_000,
    requestTimeoutMs: 30_000,
  });
}

/**
 * A client once some bootstrap broker accepts a TCP connection; when none does within
 * PROBE_WINDOW_MS (or --api-timeout-ms, if shorter) fails with a hint, as a person at a terminal
 * wants to know at once that nothing is listening.
 */
export async function connectKafka(p: ParsedArgs): Promise<Kafka> {
  const kafka = kafkaFrom(p);
  try {
    await ensureBrokerAnswers(p);
  } catch (err) {
    await kafka.close();
    throw err;
  }
  return kafka;
}

/** Throws the fail-fast hint when no bootstrap broker accepts a connection within the probe window. */
export async function ensureBrokerAnswers(p: ParsedArgs): Promise<void> {
  const bootstrap = bootstrapOf(p);
  const windowMs = Math.min(PROBE_WINDOW_MS, apiTimeoutMs(p));
  if (!(await someBrokerListens(bootstrap, windowMs))) {
    const hint =
      bootstrap === DEFAULT_BOOTSTRAP
        ? 'is one running? start one with `tributary start`, or name one with --bootstrap-server or TRIBUTARY_BROKERS'
        : 'is one running there? (check --bootstrap-server / TRIBUTARY_BROKERS)';
    throw new Error(`no broker answered at ${bootstrap} within ${formatSeconds(windowMs)}; ${hint}`);
  }
}

/** The admin, each of whose operations first awaits `probe` (run once). */
function probedAdmin(admin: Admin, probe: () => Promise<void>): Admin {
  let probed: Promise<void> | undefined;
  return new Proxy(admin, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        probed ??= probe();
        await probed;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** True once one of `host:port,...` accepts a TCP connection; tries each again every 100 ms until `windowMs`. */
export async function someBrokerListens(bootstrap: string, windowMs: number): Promise<boolean> {
  const addresses = bootstrap
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '')
    .map((a) => {
      const at = a.lastIndexOf(':');
      return { host: a.slice(0, at).replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(a.slice(at + 1)) };
    })
    .filter((a) => Number.isInteger(a.port) && a.port > 0 && a.port < 65536);
  if (addresses.length === 0) return true; // a malformed list: let the client report it
  const deadline = Date.now() + windowMs;
  for (;;) {
    const left = deadline - Date.now();
    const results = await Promise.all(addresses.map((a) => tcpAccepts(a.host, a.port, Math.max(100, Math.min(left, 1000)))));
    if (results.some((r) => r)) return true;
    if (Date.now() + 100 >= deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function tcpAccepts(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
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

/** Writes to stdout (text, or bytes as they are), waiting when the pipe is full; resolves false when stdout is gone (EPIPE). */
export function writeOut(text: string | Uint8Array): Promise<boolean> | boolean {
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
        // the probe runs at the admin's first call, so a subcommand's usage errors come first
        return await fn(
          probedAdmin(adminFrom(kafka, p), () => ensureBrokerAnswers(p)),
          p,
        );
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
