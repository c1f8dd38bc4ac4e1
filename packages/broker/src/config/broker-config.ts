// BrokerConfig: the broker's validated configuration, built from (lowest to highest precedence)
// defaults, a server.properties file, KAFKA_* environment variables, and --override key=value
// pairs (or settings passed from code). Every problem — unknown name, unparsable or invalid value,
// conflicting settings — is collected and reported at once in a ConfigError.
//
// Environment mapping (as Kafka's Docker images): KAFKA_ prefix dropped, lower-cased, '___' -> '-',
// '__' -> '_', '_' -> '.': KAFKA_LOG_DIRS -> log.dirs. JVM/tooling variables (KAFKA_HEAP_OPTS,
// KAFKA_OPTS, ...) are ignored.
import { readFileSync } from 'node:fs';
import {
  BROKER_CONFIG_DEFS,
  type BrokerConfigName,
  type BrokerConfigValue,
  type BrokerConfigValues,
  type ConfigDef,
} from './definitions.ts';
import { parseListeners, type ListenerEndpoint } from './listeners.ts';
import { parseProperties } from './properties.ts';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid broker configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** A setting value as given, and where it came from (for error messages). */
interface RawSetting {
  value: string;
  source: string;
}

export interface ConfigSources {
  /** Path of a server.properties file. */
  file?: string;
  /** Environment to read KAFKA_* variables from (pass process.env explicitly; omitted = none). */
  env?: Record<string, string | undefined>;
  /** `key=value` strings as given to --override. */
  overrides?: string[];
  /** Settings from code; values may be strings, numbers, booleans or string arrays. Highest precedence. */
  settings?: Record<string, string | number | boolean | string[] | null | undefined>;
}

const IGNORED_ENV = new Set([
  'KAFKA_HEAP_OPTS',
  'KAFKA_OPTS',
  'KAFKA_JMX_OPTS',
  'KAFKA_JVM_PERFORMANCE_OPTS',
  'KAFKA_GC_LOG_OPTS',
  'KAFKA_LOG4J_OPTS',
  'KAFKA_LOG4J_ROOT_LOGLEVEL',
  'KAFKA_LOG4J_LOGGERS',
  'KAFKA_TOOLS_LOG4J_LOGLEVEL',
  'KAFKA_JMX_HOSTNAME',
  'KAFKA_JMX_PORT',
  'KAFKA_HOME',
  'KAFKA_VERSION',
  'KAFKA_DEBUG',
  'KAFKA_LOG_DIR',
]);

/** KAFKA_LOG_DIRS -> log.dirs (Docker image convention). */
export function envNameToConfigName(env: string): string {
  return env
    .slice('KAFKA_'.length)
    .toLowerCase()
    .replaceAll('___', '\u0000')
    .replaceAll('__', '\u0001')
    .replaceAll('_', '.')
    .replaceAll('\u0000', '-')
    .replaceAll('\u0001', '_');
}

const INT_RE = /^[+-]?\d+$/;

function parseValue(def: ConfigDef, raw: string): { value?: unknown; problem?: string } {
  const s = raw.trim();
  switch (def.type) {
    case 'int': {
      if (!INT_RE.test(s)) return { problem: `"${raw}" is not an integer` };
      const n = Number(s);
      if (n < -2147483648 || n > 2147483647) return { problem: `${s} is out of the int range` };
      return { value: n };
    }
    case 'long': {
      if (!INT_RE.test(s)) return { problem: `"${raw}" is not an integer` };
      const n = BigInt(s);
      if (n < -(2n ** 63n) || n >= 2n ** 63n) return { problem: `${s} is out of the long range` };
      const max = BigInt(Number.MAX_SAFE_INTEGER);
      return { value: n > max ? Number.MAX_SAFE_INTEGER : n < -max ? -Number.MAX_SAFE_INTEGER : Number(n) };
    }
    case 'boolean': {
      const l = s.toLowerCase();
      if (l !== 'true' && l !== 'false') return { problem: `"${raw}" is not true or false` };
      return { value: l === 'true' };
    }
    case 'list':
      return {
        value:
          s === ''
            ? []
            : s
                .split(',')
                .map((x) => x.trim())
                .filter((x) => x !== ''),
      };
    case 'string':
      return { value: s };
  }
}

function toRaw(v: string | number | boolean | string[]): string {
  return Array.isArray(v) ? v.join(',') : String(v);
}

export class BrokerConfig {
  private constructor(
    private readonly values: BrokerConfigValues,
    /** Names explicitly set by some source. */
    private readonly explicit: ReadonlySet<BrokerConfigName>,
    /** Derived, validated listeners. */
    readonly listeners: ListenerEndpoint[],
    readonly advertisedListeners: ListenerEndpoint[] | null,
  ) {}

  /** Builds and validates the configuration; throws ConfigError listing every problem. */
  static load(sources: ConfigSources = {}): BrokerConfig {
    const raw = new Map<string, RawSetting>();
    const problems: string[] = [];
    if (sources.file) {
      let text: string;
      try {
        text = readFileSync(sources.file, 'utf8');
      } catch (err) {
        throw new ConfigError([`cannot read ${sources.file}: ${(err as Error).message}`]);
      }
      for (const e of parseProperties(text)) raw.set(e.key, { value: e.value, source: `${sources.file}:${e.line}` });
    }
    for (const [name, value] of Object.entries(sources.env ?? {})) {
      if (!name.startsWith('KAFKA_') || IGNORED_ENV.has(name) || value === undefined) continue;
      raw.set(envNameToConfigName(name), { value, source: `environment variable ${name}` });
    }
    for (const o of sources.overrides ?? []) {
      const eq = o.indexOf('=');
      if (eq <= 0) {
        problems.push(`--override "${o}" is not of the form key=value`);
        continue;
      }
      raw.set(o.slice(0, eq).trim(), { value: o.slice(eq + 1), source: '--override' });
    }
    for (const [name, value] of Object.entries(sources.settings ?? {})) {
      if (value === undefined || value === null) continue;
      raw.set(name, { value: toRaw(value), source: 'settings' });
    }
    return BrokerConfig.fromRaw(raw, problems);
  }

  private static fromRaw(raw: Map<string, RawSetting>, problems: string[]): BrokerConfig {
    const values: Record<string, unknown> = {};
    const explicit = new Set<BrokerConfigName>();
    for (const [name, d] of Object.entries(BROKER_CONFIG_DEFS)) values[name] = d.default;
    for (const [name, { value, source }] of raw) {
      const d = (BROKER_CONFIG_DEFS as Record<string, ConfigDef>)[name];
      if (!d) {
        problems.push(`unknown setting "${name}" (from ${source})`);
        continue;
      }
      const parsed = parseValue(d, value);
      if (parsed.problem) {
        problems.push(`${name}: ${parsed.problem} (from ${source})`);
        continue;
      }
      const invalid = d.validate?.(parsed.value as never);
      if (invalid) {
        problems.push(`${name}=${value.trim()}: ${invalid} (from ${source})`);
        continue;
      }
      values[name] = parsed.value;
      explicit.add(name as BrokerConfigName);
    }
    const v = values as BrokerConfigValues;
    if (v['node.id'] !== null && v['broker.id'] >= 0 && v['node.id'] !== v['broker.id']) {
      problems.push(`node.id (${v['node.id']}) and broker.id (${v['broker.id']}) must match when both are set`);
    }
    if (v['group.min.session.timeout.ms'] > v['group.max.session.timeout.ms']) {
      problems.push('group.min.session.timeout.ms must not exceed group.max.session.timeout.ms');
    }
    const dirs = v['log.dirs'] ?? [v['log.dir']];
    if (dirs.length === 0 || dirs.some((d) => d === '')) problems.push('log.dirs must name at least one directory');
    let listeners: ListenerEndpoint[] = [];
    let advertised: ListenerEndpoint[] | null = null;
    try {
      listeners = parseListeners(v.listeners, 'listeners', v['listener.security.protocol.map'], v['controller.listener.names'] ?? []);
      if (listeners.length === 0) problems.push('listeners must contain at least one broker listener');
    } catch (err) {
      problems.push((err as Error).message);
    }
    if (v['advertised.listeners'] !== null) {
      try {
        advertised = parseListeners(
          v['advertised.listeners'],
          'advertised.listeners',
          v['listener.security.protocol.map'],
          v['controller.listener.names'] ?? [],
        );
        for (const a of advertised) {
          if (a.host === '0.0.0.0') problems.push(`advertised.listeners: 0.0.0.0 is not a valid address to advertise (${a.name})`);
          if (!listeners.some((l) => l.name === a.name)) problems.push(`advertised.listeners: ${a.name} is not one of the listeners`);
        }
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    if (problems.length) throw new ConfigError(problems);
    return new BrokerConfig(v, explicit, listeners, advertised);
  }

  /** The value of a setting (its default when not set). */
  get<K extends BrokerConfigName>(name: K): BrokerConfigValue<K> {
    return this.values[name] as BrokerConfigValue<K>;
  }

  /** True when some source set this name. */
  isSet(name: BrokerConfigName): boolean {
    return this.explicit.has(name);
  }

  /** Every setting and its value, for printing and DescribeConfigs. */
  entries(): Array<[BrokerConfigName, unknown]> {
    return Object.entries(this.values) as Array<[BrokerConfigName, unknown]>;
  }

  get nodeId(): number {
    const nodeId = this.get('node.id');
    if (nodeId !== null) return nodeId;
    const brokerId = this.get('broker.id');
    return brokerId >= 0 ? brokerId : 1;
  }

  get logDirs(): string[] {
    return this.get('log.dirs') ?? [this.get('log.dir')];
  }

  /** log.retention.ms, else .minutes, else .hours; -1 = unlimited. */
  get retentionMs(): number {
    const ms = this.get('log.retention.ms');
    if (ms !== null) return ms < 0 ? -1 : ms;
    const minutes = this.get('log.retention.minutes');
    if (minutes !== null) return minutes < 0 ? -1 : minutes * 60_000;
    const hours = this.get('log.retention.hours');
    return hours < 0 ? -1 : hours * 3_600_000;
  }

  /** log.roll.ms, else log.roll.hours. */
  get rollMs(): number {
    return this.get('log.roll.ms') ?? this.get('log.roll.hours') * 3_600_000;
  }

  /** True when produce acknowledgements wait for fsync (tributary.durability=fsync). */
  get fsyncBeforeAck(): boolean {
    return this.get('tributary.durability') === 'fsync';
  }
}
