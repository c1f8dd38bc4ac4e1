// Shared types of the benchmark harness: the result row (the JSON shape of bench/results/*.json),
// scenario groups (one printed table each) and the context a scenario runs in.
import type { BrokerProcess, BrokerStartOptions } from './broker-process.ts';
import type { Tools } from './tools.ts';
import type { Column } from './table.ts';

/** One measured line. Fields that do not apply are null. MB = 10^6 bytes of record values. */
export interface Row {
  scenario: string;
  system: string;
  client: string | null;
  recordBytes: number | null;
  partitions: number | null;
  acks: string | null;
  compression: string | null;
  records: number | null;
  recordsPerSec: number | null;
  mbPerSec: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  /** The largest of a few repeats (failover time), when the row reports a median in p50Ms. */
  maxMs?: number | null;
  brokerCpuPct: number | null;
  brokerRssMb: number | null;
}

export interface RunContext {
  readonly quick: boolean;
  /** Repository root (absolute). */
  readonly root: string;
  /** A temporary directory for this run (removed at the end). */
  readonly tmp: string;
  readonly tools: Tools;
  /** API key -> [min, max] version the broker advertises in ApiVersions (empty when it could not be started). */
  readonly brokerApis: ReadonlyMap<number, [number, number]>;
  /** Rows measured so far in this run (later scenarios use earlier results, e.g. half the max rate). */
  readonly rows: readonly Row[];
  /** Starts a fresh broker as a child process (stopped by the harness if the scenario forgets). */
  startBroker(opts?: BrokerStartOptions): Promise<BrokerProcess>;
  /** A line printed under the group's table (a deviation, a capped run...). */
  note(message: string): void;
}

export interface Scenario {
  /** Unique name, also the `scenario` of its rows unless a row says otherwise; `--only` matches it. */
  name: string;
  /** Returns why the scenario cannot run here (missing tool or broker API), or null to run it. */
  skip?(ctx: RunContext): string | null;
  run(ctx: RunContext): Promise<Row[]>;
}

export interface ScenarioGroup {
  id: string;
  title: string;
  /** The exact setup, printed above the table (loadgen settings, broker config, what MB/s means). */
  setup(ctx: RunContext): string[];
  scenarios(ctx: RunContext): Scenario[];
  /** Extra table columns (e.g. the ratio of Tributary to a peer), given every row measured so far. */
  columns?(rows: readonly Row[]): Column[];
}

/** A row with every measurement null; scenarios fill what they measured. */
export function row(fields: Partial<Row> & Pick<Row, 'scenario' | 'system'>): Row {
  return {
    client: null,
    recordBytes: null,
    partitions: null,
    acks: null,
    compression: null,
    records: null,
    recordsPerSec: null,
    mbPerSec: null,
    p50Ms: null,
    p99Ms: null,
    p999Ms: null,
    brokerCpuPct: null,
    brokerRssMb: null,
    ...fields,
  };
}

/** Kafka API keys the scenarios depend on. */
export const Api = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  ApiVersions: 18,
  CreateTopics: 19,
  InitProducerId: 22,
  EndTxn: 26,
  DescribeQuorum: 55,
} as const;
