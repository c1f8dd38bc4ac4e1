// Prometheus's text exposition format (version 0.0.4), written by hand: what a scrape of the
// broker's /metrics endpoint answers (metrics-server.ts). A family is
//
//   # HELP <name> <help, with \ and newline escaped>
//   # TYPE <name> counter|gauge|summary|untyped
//   <name>{<label>="<value, with \ " and newline escaped>",...} <value>
//
// one line per sample, families separated by nothing, the whole ending with a newline. Values are
// decimal floats, NaN, +Inf or -Inf. Names must match [a-zA-Z_:][a-zA-Z0-9_:]* and label names
// [a-zA-Z_][a-zA-Z0-9_]* (not starting with __): a bad one is a bug here, so writing throws.
//
// Why not prom-client: its registry allocates a label key per observation, its summaries run a
// t-digest per observe, and every value here is either a plain number the broker already keeps or
// computed at scrape time from live state; a format writer is all that is missing (~80 lines).
export type MetricType = 'counter' | 'gauge' | 'summary' | 'untyped';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  /** Appended to the family name (a summary's `_sum`, `_count`); default none. */
  readonly suffix?: string;
  readonly labels?: Labels;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: readonly Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The value as the format writes it: NaN, +Inf, -Inf or a decimal float. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labelSet(labels: Labels | undefined): string {
  if (!labels) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_NAME.test(k) || k.startsWith('__')) throw new Error(`invalid label name ${JSON.stringify(k)}`);
    parts.push(`${k}="${escapeLabelValue(v)}"`);
  }
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** The families as one text-format document. Families without samples are left out. */
export function formatExposition(families: Iterable<MetricFamily>): string {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new Error(`invalid metric name ${JSON.stringify(f.name)}`);
    if (seen.has(f.name)) throw new Error(`metric family ${f.name} written twice`);
    seen.add(f.name);
    if (f.samples.length === 0) continue;
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) out.push(`${f.name}${s.suffix ?? ''}${labelSet(s.labels)} ${formatValue(s.value)}`);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
