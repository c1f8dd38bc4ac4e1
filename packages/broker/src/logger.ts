// Logger: the broker's small logging seam. Handlers and the network layer log through it so tests can
// silence or capture output and the CLI can print to the console.

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

function format(fields?: Record<string, unknown>): string {
  if (!fields) return '';
  const parts = Object.entries(fields).map(([k, v]) => `${k}=${v instanceof Error ? v.message : String(v)}`);
  return parts.length ? ' ' + parts.join(' ') : '';
}

/** Writes `[time] LEVEL message k=v` lines to stderr at or above `level`. */
export function consoleLogger(level: LogLevel = 'info'): Logger {
  const min = RANK[level];
  const out = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (RANK[lvl] < min) return;
    process.stderr.write(`[${new Date().toISOString()}] ${lvl.toUpperCase()} ${msg}${format(fields)}\n`);
  };
  return { debug: out('debug'), info: out('info'), warn: out('warn'), error: out('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
