// Reads Prometheus's text format with a real parser (parse-prometheus-text-format from npm, not a
// regex), so tests check what a scraper reads: `parseMetrics(text)` or `scrape(url)` (GET, checks
// the status and content type), then `value(name, labels)` for the sample with exactly those
// labels. Used by the broker's metrics tests and the cluster tests (test/cluster/).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

export interface ParsedFamily {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'SUMMARY' | 'HISTOGRAM' | 'UNTYPED';
  metrics: Array<{ value?: string; labels?: Record<string, string> }>;
}

const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => ParsedFamily[];

function toNumber(v: string): number {
  if (v === '+Inf') return Number.POSITIVE_INFINITY;
  if (v === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(v);
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b).length && ka.every((k) => a![k] === b[k]);
}

export class Metrics {
  readonly byName: ReadonlyMap<string, ParsedFamily>;

  constructor(readonly families: ParsedFamily[]) {
    this.byName = new Map(families.map((f) => [f.name, f]));
  }

  family(name: string): ParsedFamily {
    const f = this.byName.get(name);
    assert.ok(f, `no metric family ${name}`);
    return f;
  }

  /** The value of the sample of `name` with exactly `labels` (none: the unlabelled one); undefined when absent. */
  value(name: string, labels: Record<string, string> = {}): number | undefined {
    const s = this.family(name).metrics.find((m) => sameLabels(m.labels, labels));
    return s?.value === undefined ? undefined : toNumber(s.value);
  }

  /** The label sets of the samples of `name`. */
  labelSets(name: string): Array<Record<string, string>> {
    return this.family(name).metrics.map((m) => m.labels ?? {});
  }
}

export function parseMetrics(text: string): Metrics {
  return new Metrics(parse(text));
}

/** GETs `url` and parses the exposition it answers (asserting 200 and the text format's content type). */
export async function scrape(url: string): Promise<Metrics> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  return parseMetrics(await res.text());
}
