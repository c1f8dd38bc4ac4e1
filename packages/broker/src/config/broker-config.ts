// BrokerConfig: the broker's validated configuration, built from (lowest to highest precedence)
// defaults, a server.properties file, KAFKA_* environment variables, and --override key=value
// pairs (or settings passed from code). Every problem — unknown name, unparsable or invalid value,
// conflicting settings — is collected and reported at once in a ConfigError.
//
// Environment mapping (as Kafka's Docker images): KAFKA_ prefix dropped, lower-cased, '___' -> '-',
// '__' -> '_', '_' -> '.': KAFKA_LOG_DIRS -> log.dirs. JVM/tooling variables (KAFKA_HEAP_OPTS,
// KAFKA_OPTS, ...) are ignored. CLUSTER_ID, not a setting, is read from the same environment
// (environmentClusterId: the id empty log dirs are formatted with, as in Kafka's container image).
// The KRaft roles, listeners and quorum are derived and cross-checked in node-layout.ts.
//
// Dynamic broker configs (KIP-226) are applied over the static values (Kafka's
// KafkaConfig.updateCurrentConfig): reconfigure() takes the values the metadata's BROKER resources
// give the settings Tributary applies at runtime (metadata/dynamic-config-publisher.ts); get()
// answers them from then on, staticGet() the static value; listeners registered with
// onReconfigure() hear which settings changed (the ReplicaManager, the log cleaner, the connection
// limits).
import { notSupportedSetting } from './unsupported-settings.ts';
import { readFileSync } from 'node:fs';
import type { LogCleanerConfig } from '@tributary/storage';
import {
  BROKER_CONFIG_DEFS,
  type BrokerConfigName,
  type BrokerConfigValue,
  type BrokerConfigValues,
  type ConfigDef,
} from './definitions.ts';
import { effectiveProtocolMap, type ListenerEndpoint, type SecurityProtocol } from './listeners.ts';
import { ListenerSettings, isListenerSetting, splitListenerSetting } from './listener-settings.ts';
import { deriveNodeLayout, type NodeLayout, type ProcessRole } from './node-layout.ts';
import type { HostPort, QuorumVoter } from './quorum.ts';
import { parseProperties } from './properties.ts';
import { isListenerPrefixable, splitListenerPrefixed } from './listener-prefixed.ts';
import { crossCheckProblems } from './cross-checks.ts';

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
const DOUBLE_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function parseValue(def: ConfigDef, raw: string): { value?: unknown; problem?: string } {
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
    case 'double': {
      // Java's Double.parseDouble of a decimal number (Infinity when it overflows, as in Java)
      if (!DOUBLE_RE.test(s)) return { problem: `"${raw}" is not a number` };
      return { value: Number(s) };
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

/** Where a dynamic value comes from: this broker's own resource, or the cluster-wide default (""). */
export type DynamicConfigSource = 'DYNAMIC_BROKER_CONFIG' | 'DYNAMIC_DEFAULT_BROKER_CONFIG';
export type DynamicValues = ReadonlyMap<BrokerConfigName, { value: unknown; source: DynamicConfigSource }>;

export class BrokerConfig {
  /** Dynamic values applied over the static ones. */
  private dynamic: DynamicValues = new Map();
  private readonly reconfigurables = new Set<(changed: ReadonlySet<BrokerConfigName>) => void>();

  private constructor(
    private readonly values: BrokerConfigValues,
    /** Names explicitly set by some source. */
    private readonly explicit: ReadonlySet<BrokerConfigName>,
    private readonly layout: NodeLayout,
    /** listener.name.<l>.<setting> values, by upper-case listener name, then setting. */
    private readonly perListener: ReadonlyMap<string, ReadonlyMap<string, unknown>>,
    /**
     * CLUSTER_ID from the environment given to load(), as Kafka's container image reads it: empty
     * log dirs are formatted with it, and dirs formatted for another cluster are refused. null: not set.
     */
    readonly environmentClusterId: string | null,
    /** `listener.name.<listener>.<setting>` values (listener-settings.ts). */
    readonly listenerSettings: ListenerSettings = new ListenerSettings(),
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
    const clusterId = sources.env?.CLUSTER_ID;
    return BrokerConfig.fromRaw(raw, problems, clusterId === undefined || clusterId === '' ? null : clusterId);
  }

  private static fromRaw(raw: Map<string, RawSetting>, problems: string[], clusterId: string | null): BrokerConfig {
    const values: Record<string, unknown> = {};
    const explicit = new Set<BrokerConfigName>();
    const rejected = new Set<string>();
    const perListener = new Map<string, Map<string, unknown>>();
    const listenerSettings = new ListenerSettings();
    for (const [name, d] of Object.entries(BROKER_CONFIG_DEFS)) values[name] = d.default;
    for (const [name, { value, source }] of raw) {
      const prefixed = BROKER_CONFIG_DEFS[name as BrokerConfigName] ? null : splitListenerPrefixed(name);
      // SASL's per-listener settings (listener-settings.ts) are kept as given; ssl.* ones are parsed below.
      const sasl = prefixed && !isListenerPrefixable(prefixed.setting) ? splitListenerSetting(name) : null;
      if (sasl && isListenerSetting(sasl.setting)) {
        listenerSettings.set(sasl.listener, sasl.setting, value.trim());
        continue;
      }
      const d = (BROKER_CONFIG_DEFS as Record<string, ConfigDef>)[prefixed?.setting ?? name];
      if (!d || (prefixed && !isListenerPrefixable(prefixed.setting))) {
        problems.push(notSupportedSetting(name, source) ?? `unknown setting "${name}" (from ${source})`);
        continue;
      }
      if (prefixed && prefixed.listener !== prefixed.listener.toLowerCase()) {
        problems.push(`${name}: the listener name of a listener.name. prefix is written in lower case (from ${source})`);
        continue;
      }
      const parsed = parseValue(d, value);
      if (parsed.problem) {
        problems.push(`${name}: ${parsed.problem} (from ${source})`);
        rejected.add(name);
        continue;
      }
      const invalid = d.validate?.(parsed.value as never);
      if (invalid) {
        problems.push(`${name}=${value.trim()}: ${invalid} (from ${source})`);
        rejected.add(name);
        continue;
      }
      if (prefixed) {
        const l = prefixed.listener.toUpperCase();
        if (!perListener.has(l)) perListener.set(l, new Map());
        perListener.get(l)!.set(prefixed.setting, parsed.value);
        continue;
      }
      values[name] = parsed.value;
      explicit.add(name as BrokerConfigName);
    }
    const v = values as BrokerConfigValues;
    problems.push(...crossCheckProblems(v));
    // Kafka's check, for a value set (the default adapts: see queuedMaxRequestBytes)
    if (
      explicit.has('queued.max.request.bytes') &&
      v['queued.max.request.bytes'] > 0 &&
      v['queued.max.request.bytes'] < v['socket.request.max.bytes']
    )
      problems.push('queued.max.request.bytes must be larger or equal to socket.request.max.bytes');
    const { layout, problems: layoutProblems } = deriveNodeLayout(v, (name) => explicit.has(name as BrokerConfigName), rejected);
    problems.push(...layoutProblems);
    if (clusterId !== null && /\s/.test(clusterId)) problems.push(`CLUSTER_ID "${clusterId}" must not contain whitespace`);
    if (problems.length) throw new ConfigError(problems);
    return new BrokerConfig(v, explicit, layout, perListener, clusterId, listenerSettings);
  }

  /** The value of a setting: its dynamic value when one is applied, else the static one (its default when not set). */
  get<K extends BrokerConfigName>(name: K): BrokerConfigValue<K> {
    const d = this.dynamic.get(name);
    return (d ? d.value : this.values[name]) as BrokerConfigValue<K>;
  }

  /** The static value of a setting (server.properties, environment, overrides, or its default). */
  staticGet<K extends BrokerConfigName>(name: K): BrokerConfigValue<K> {
    return this.values[name] as BrokerConfigValue<K>;
  }

  /** Where the applied dynamic value of a setting comes from; null when none is applied. */
  dynamicSource(name: BrokerConfigName): DynamicConfigSource | null {
    return this.dynamic.get(name)?.source ?? null;
  }

  /**
   * Applies dynamic values over the static ones, replacing those applied before (Kafka's
   * DynamicBrokerConfig.updateCurrentConfig). The whole resulting configuration must pass Kafka's
   * cross-checks: otherwise nothing changes and the problems are returned. Listeners hear the
   * settings whose value changed.
   */
  reconfigure(dynamic: DynamicValues): string[] {
    const problems = this.problemsWith(dynamic);
    if (problems.length > 0) return problems;
    const changed = new Set<BrokerConfigName>();
    for (const name of new Set([...this.dynamic.keys(), ...dynamic.keys()])) {
      const before = this.get(name);
      const after = dynamic.has(name) ? dynamic.get(name)!.value : this.values[name];
      if (JSON.stringify(before) !== JSON.stringify(after)) changed.add(name);
    }
    this.dynamic = new Map(dynamic);
    if (changed.size > 0) for (const r of [...this.reconfigurables]) r(changed);
    return [];
  }

  /** What Kafka's cross-checks (cross-checks.ts) find in the static values with `dynamic` applied over them. */
  problemsWith(dynamic: DynamicValues): string[] {
    const merged: Record<string, unknown> = { ...this.values };
    for (const [name, d] of dynamic) merged[name] = d.value;
    return crossCheckProblems(merged as BrokerConfigValues);
  }

  /** Calls `listener` with the settings reconfigure() changed; returns the unsubscribe function. */
  onReconfigure(listener: (changed: ReadonlySet<BrokerConfigName>) => void): () => void {
    this.reconfigurables.add(listener);
    return () => this.reconfigurables.delete(listener);
  }

  /**
   * The value of a setting for one listener: listener.name.<listener>.<name> when set, else the
   * plain setting (Kafka's valuesWithPrefixOverride).
   */
  listenerGet<K extends BrokerConfigName>(listenerName: string, name: K): BrokerConfigValue<K> {
    const own = this.perListener.get(listenerName.toUpperCase());
    return (own?.has(name) ? own.get(name) : this.values[name]) as BrokerConfigValue<K>;
  }

  /** True when listener.name.<listener>.<name> is set. */
  listenerHasOwn(listenerName: string, name: BrokerConfigName): boolean {
    return this.perListener.get(listenerName.toUpperCase())?.has(name) ?? false;
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

  /** The log cleaner's settings (log.cleaner.*), as storage's LogManager takes them. */
  get cleanerConfig(): LogCleanerConfig {
    return {
      enable: this.get('log.cleaner.enable'),
      threads: this.get('log.cleaner.threads'),
      dedupeBufferSize: this.get('log.cleaner.dedupe.buffer.size'),
      ioBufferLoadFactor: this.get('log.cleaner.io.buffer.load.factor'),
      ioMaxBytesPerSecond: this.get('log.cleaner.io.max.bytes.per.second'),
      backoffMs: this.get('log.cleaner.backoff.ms'),
    };
  }

  /** True when produce acknowledgements wait for fsync (tributary.durability=fsync). */
  get fsyncBeforeAck(): boolean {
    return this.get('tributary.durability') === 'fsync';
  }

  // --- KRaft roles, listeners and quorum (node-layout.ts) ---

  /** process.roles; both roles when it is not set (a one-node cluster that is its own controller). */
  get processRoles(): ReadonlySet<ProcessRole> {
    return this.layout.processRoles;
  }
  get isBroker(): boolean {
    return this.layout.processRoles.has('broker');
  }
  get isController(): boolean {
    return this.layout.processRoles.has('controller');
  }
  /** The broker listeners: `listeners` without the ones named in controller.listener.names. */
  get listeners(): ListenerEndpoint[] {
    return this.layout.brokerListeners;
  }
  /** The controller listeners bound by this node (controller role), in controller.listener.names order. */
  get controllerListeners(): ListenerEndpoint[] {
    return this.layout.controllerListeners;
  }
  /** advertised.listeners of the broker listeners; null when not set (the bound listeners are advertised). */
  get advertisedListeners(): ListenerEndpoint[] | null {
    return this.layout.advertisedBrokerListeners;
  }
  /** What a controller publishes of its controller listeners: advertised.listeners' entry, else the listener. */
  get advertisedControllerListeners(): ListenerEndpoint[] {
    return this.layout.advertisedControllerListeners;
  }
  /** controller.listener.names, upper-cased; a broker reaches the controllers through the first. */
  get controllerListenerNames(): string[] {
    return this.layout.controllerListenerNames;
  }
  /** A listener name's security protocol (listener.security.protocol.map); PLAINTEXT when unmapped. */
  securityProtocolOf(listenerName: string): SecurityProtocol {
    const map = effectiveProtocolMap(
      this.get('listener.security.protocol.map'),
      this.isSet('listener.security.protocol.map'),
      this.controllerListenerNames,
    );
    return map.get(listenerName.toUpperCase()) ?? 'PLAINTEXT';
  }
  /** The broker listener other brokers replicate through. */
  get interBrokerListenerName(): string {
    return this.layout.interBrokerListenerName;
  }
  /** controller.quorum.voters: the static voter set; [] when the quorum is dynamic or this is a one-node cluster. */
  get quorumVoters(): QuorumVoter[] {
    return this.layout.quorumVoters;
  }
  /** controller.quorum.bootstrap.servers. */
  get quorumBootstrapServers(): HostPort[] {
    return this.layout.quorumBootstrapServers;
  }
  get quorumElectionTimeoutMs(): number {
    return this.get('controller.quorum.election.timeout.ms');
  }
  get quorumFetchTimeoutMs(): number {
    return this.get('controller.quorum.fetch.timeout.ms');
  }
  get quorumRequestTimeoutMs(): number {
    return this.get('controller.quorum.request.timeout.ms');
  }

  // --- Replication ---

  get replicaLagTimeMaxMs(): number {
    return this.get('replica.lag.time.max.ms');
  }
  get replicaFetchWaitMaxMs(): number {
    return this.get('replica.fetch.wait.max.ms');
  }
  get replicaFetchMinBytes(): number {
    return this.get('replica.fetch.min.bytes');
  }
  get replicaFetchMaxBytes(): number {
    return this.get('replica.fetch.max.bytes');
  }
  get replicaFetchResponseMaxBytes(): number {
    return this.get('replica.fetch.response.max.bytes');
  }
  get replicaFetchBackoffMs(): number {
    return this.get('replica.fetch.backoff.ms');
  }
  get replicaSocketTimeoutMs(): number {
    return this.get('replica.socket.timeout.ms');
  }
  get numReplicaFetchers(): number {
    return this.get('num.replica.fetchers');
  }
  get replicaHighWatermarkCheckpointIntervalMs(): number {
    return this.get('replica.high.watermark.checkpoint.interval.ms');
  }
  get brokerSessionTimeoutMs(): number {
    return this.get('broker.session.timeout.ms');
  }
  get brokerHeartbeatIntervalMs(): number {
    return this.get('broker.heartbeat.interval.ms');
  }
  get uncleanLeaderElectionEnable(): boolean {
    return this.get('unclean.leader.election.enable');
  }
  get brokerRack(): string | null {
    return this.get('broker.rack');
  }
  get replicaSelectorClass(): string | null {
    return this.get('replica.selector.class');
  }
}
