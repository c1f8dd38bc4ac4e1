// Logger: the broker's small logging seam. Handlers and the network layer log through it so tests can
// silence or capture output and the CLI can print to the console. The console sink writes text
// (`[time] LEVEL message k=v`) or, with `tributary.log.format=json`, one JSON object a line
// ({time, level, logger, message, ...fields}) for log shippers; the Log4jController passes each
// message's logger name as the third argument.

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>, logger?: string): void;
  info(msg: string, fields?: Record<string, unknown>, logger?: string): void;
  warn(msg: string, fields?: Record<string, unknown>, logger?: string): void;
  error(msg: string, fields?: Record<string, unknown>, logger?: string): void;
}

export type LogFormat = 'text' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

function format(fields?: Record<string, unknown>): string {
  if (!fields) return '';
  const parts = Object.entries(fields).map(([k, v]) => `${k}=${v instanceof Error ? v.message : String(v)}`);
  return parts.length ? ' ' + parts.join(' ') : '';
}

function fieldValue(v: unknown): unknown {
  if (v instanceof Error) return v.message;
  if (typeof v === 'bigint') return v.toString();
  return v;
}

/** One JSON log line: time, level, logger, message, then the fields (an Error as its message). */
export function jsonLine(
  level: string,
  msg: string,
  fields: Record<string, unknown> | undefined,
  logger: string | undefined,
  now = new Date(),
): string {
  const out: Record<string, unknown> = { time: now.toISOString(), level: level.toUpperCase() };
  if (logger !== undefined) out.logger = logger;
  out.message = msg;
  for (const [k, v] of Object.entries(fields ?? {})) if (!(k in out)) out[k] = fieldValue(v);
  return JSON.stringify(out) + '\n';
}

/** Writes `[time] LEVEL message k=v` lines (or JSON lines) to stderr at or above `level`. */
export function consoleLogger(level: LogLevel = 'info', logFormat: LogFormat = 'text'): Logger {
  const min = RANK[level];
  const out = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>, logger?: string) => {
    if (RANK[lvl] < min) return;
    if (logFormat === 'json') process.stderr.write(jsonLine(lvl, msg, fields, logger));
    else process.stderr.write(`[${new Date().toISOString()}] ${lvl.toUpperCase()} ${msg}${format(fields)}\n`);
  };
  return { debug: out('debug'), info: out('info'), warn: out('warn'), error: out('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
