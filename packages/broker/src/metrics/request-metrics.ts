// RequestMetrics: Kafka's per-API request metrics (kafka.network:type=RequestMetrics,
// name=RequestsPerSec|TotalTimeMs,request=<API>[,version=<v>]), fed by the RequestDispatcher once
// per answered request: a counter increment and a histogram observation (latency-histogram.ts),
// nothing allocated after an API's first request. `request` is Kafka's API name (ApiKeys.name),
// with Fetch split as Kafka splits it: FetchConsumer (ReplicaId < 0) and FetchFollower.
//
// Exposed as the Prometheus JMX exporter's Kafka config exposes them:
//
//   kafka_network_requestmetrics_requests_total{request,version}     counter  (RequestsPerSec's Count)
//   kafka_network_requestmetrics_totaltimems{request,quantile}       gauge    (TotalTimeMs's 50thPercentile.. as quantile="0.50"..)
//   kafka_network_requestmetrics_totaltimems_count{request}          counter  (TotalTimeMs's Count)
//   kafka_network_requestmetrics_totaltimems_sum{request}            counter  (not in the exporter: the summed ms, for averages)
//
// the quantiles being "0.50", "0.75", "0.95", "0.98", "0.99" and "0.999", as the exporter labels
// Yammer's percentiles. The exporter's shape (a gauge and separate counters) is kept rather than a
// Prometheus summary so dashboards built on Kafka with the exporter work unchanged.
//
// TotalTimeMs here runs from the dispatch of the request to its response frame being encoded (a
// long poll's wait and a produce's wait for the ISR included); Kafka's also includes the time in
// the request queue and sending the response. The other RequestMetrics (RequestQueueTimeMs,
// LocalTimeMs, RemoteTimeMs, ThrottleTimeMs, ErrorsPerSec, ...) are not kept.
import { API_SPECS, ApiKey } from '@tributary/protocol';
import type { MetricFamily, Sample } from './exposition.ts';
import { LatencyHistogram, type LatencyHistogramOptions } from './latency-histogram.ts';

/** Kafka's percentiles, labelled as the JMX exporter labels them. */
export const QUANTILES: ReadonlyArray<[label: string, q: number]> = [
  ['0.50', 0.5],
  ['0.75', 0.75],
  ['0.95', 0.95],
  ['0.98', 0.98],
  ['0.99', 0.99],
  ['0.999', 0.999],
];

/** One API's (or FetchConsumer's / FetchFollower's) counters. */
export class RequestEntry {
  /** Requests answered, by request version. */
  readonly versions: Float64Array;
  readonly totalTimeMs: LatencyHistogram;

  constructor(
    readonly name: string,
    maxVersion: number,
    histogram: LatencyHistogramOptions,
  ) {
    this.versions = new Float64Array(maxVersion + 1);
    this.totalTimeMs = new LatencyHistogram(histogram);
  }

  /** A request of `version` answered after `ms` milliseconds, at `now` (performance.now()). */
  record(version: number, ms: number, now: number): void {
    if (version >= 0 && version < this.versions.length) this.versions[version]!++;
    this.totalTimeMs.observe(ms, now);
  }
}

export class RequestMetrics {
  private readonly byApiKey: Array<RequestEntry | undefined> = [];
  private fetchFollower: RequestEntry | undefined;

  constructor(private readonly histogram: LatencyHistogramOptions = {}) {}

  /** The entry of a request with API key `apiKey`; `fromFollower`: a Fetch with ReplicaId >= 0. */
  entry(apiKey: number, fromFollower = false): RequestEntry {
    if (apiKey === ApiKey.Fetch && fromFollower) {
      this.fetchFollower ??= new RequestEntry('FetchFollower', API_SPECS[apiKey]!.maxVersion, this.histogram);
      return this.fetchFollower;
    }
    let e = this.byApiKey[apiKey];
    if (!e) {
      const spec = API_SPECS[apiKey];
      const name = apiKey === ApiKey.Fetch ? 'FetchConsumer' : (spec?.name ?? `ApiKey${apiKey}`);
      e = new RequestEntry(name, spec?.maxVersion ?? 0, this.histogram);
      this.byApiKey[apiKey] = e;
    }
    return e;
  }

  /** Every API that has been requested, by name. */
  private entries(): RequestEntry[] {
    const all = this.byApiKey.filter((e): e is RequestEntry => e !== undefined);
    if (this.fetchFollower) all.push(this.fetchFollower);
    return all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The families at `now` (performance.now(): the clock the dispatcher observes with). */
  families(now: number): MetricFamily[] {
    const requests: Sample[] = [];
    const quantiles: Sample[] = [];
    const counts: Sample[] = [];
    const sums: Sample[] = [];
    for (const e of this.entries()) {
      const request = e.name;
      e.versions.forEach((n, version) => {
        if (n > 0) requests.push({ labels: { request, version: String(version) }, value: n });
      });
      for (const [quantile, q] of QUANTILES) quantiles.push({ labels: { request, quantile }, value: e.totalTimeMs.quantile(q, now) });
      counts.push({ labels: { request }, value: e.totalTimeMs.count });
      sums.push({ labels: { request }, value: e.totalTimeMs.sum });
    }
    const prefix = 'kafka_network_requestmetrics_';
    return [
      {
        name: `${prefix}requests_total`,
        help: 'Requests answered, by API and version (RequestsPerSec).',
        type: 'counter',
        samples: requests,
      },
      {
        name: `${prefix}totaltimems`,
        help: 'Percentiles of the time from dispatch to response, in ms, over the last 4-5 minutes (TotalTimeMs).',
        type: 'gauge',
        samples: quantiles,
      },
      { name: `${prefix}totaltimems_count`, help: 'Requests timed (TotalTimeMs Count).', type: 'counter', samples: counts },
      { name: `${prefix}totaltimems_sum`, help: 'Sum of the request times, in ms.', type: 'counter', samples: sums },
    ];
  }
}
