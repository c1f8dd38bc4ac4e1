// BrokerTopicStats: Kafka's per-topic and broker-wide traffic meters
// (kafka.server:type=BrokerTopicMetrics,name=...PerSec[,topic=<topic>]), kept as plain counters
// that the ReplicaManager increments on its data paths (no allocation: a map lookup per topic).
// Exposed as the Prometheus JMX exporter's Kafka config names them (a meter's Count, "PerSec"
// dropped, lower-cased, `_total`), one family each with the broker-wide sample (no label) and one
// sample per topic ({topic="..."}):
//
//   kafka_server_brokertopicmetrics_bytesin_total              client bytes appended as leader (Produce, coordinators' writes)
//   kafka_server_brokertopicmetrics_messagesin_total           records appended as leader
//   kafka_server_brokertopicmetrics_bytesout_total             record bytes answered to consumers' Fetch
//   kafka_server_brokertopicmetrics_totalproducerequests_total partitions in Produce requests
//   kafka_server_brokertopicmetrics_totalfetchrequests_total   partitions in Fetch requests (consumers' and followers')
//   kafka_server_brokertopicmetrics_replicationbytesin_total   bytes a follower appended from its leaders (broker-wide only)
//   kafka_server_brokertopicmetrics_replicationbytesout_total  bytes answered to followers' Fetch (broker-wide only)
//
// As Kafka: bytes in count the whole batches appended (an idempotent producer's retried duplicate
// too), bytes out the record bytes of the answer sent (a long poll's first, released read is not
// counted). A topic's counters go when the broker stops hosting it (Kafka's removeMetrics).
// Not kept: Failed*RequestsPerSec, BytesRejectedPerSec, the message-conversion and reassignment meters.
import type { MetricFamily, Sample } from './exposition.ts';

export class TopicStats {
  bytesIn = 0;
  messagesIn = 0;
  bytesOut = 0;
  totalProduceRequests = 0;
  totalFetchRequests = 0;
}

const PER_TOPIC: ReadonlyArray<[keyof TopicStats, string, string]> = [
  ['bytesIn', 'bytesin', 'Bytes appended to the logs this broker leads, from clients and coordinators (BytesInPerSec).'],
  ['messagesIn', 'messagesin', 'Records appended to the logs this broker leads (MessagesInPerSec).'],
  ['bytesOut', 'bytesout', 'Record bytes sent to consumers in Fetch responses (BytesOutPerSec).'],
  ['totalProduceRequests', 'totalproducerequests', 'Partitions named in Produce requests (TotalProduceRequestsPerSec).'],
  ['totalFetchRequests', 'totalfetchrequests', 'Partitions named in Fetch requests, consumers and followers (TotalFetchRequestsPerSec).'],
];

const PREFIX = 'kafka_server_brokertopicmetrics_';

export class BrokerTopicStats {
  /** The broker-wide counters (Kafka's allTopicsStats). */
  readonly allTopics = new TopicStats();
  replicationBytesIn = 0;
  replicationBytesOut = 0;
  private readonly topics = new Map<string, TopicStats>();

  /** The counters of `topic`, made on first use. */
  topicStats(topic: string): TopicStats {
    let s = this.topics.get(topic);
    if (!s) {
      s = new TopicStats();
      this.topics.set(topic, s);
    }
    return s;
  }

  /** `batchBytes` bytes holding `records` records appended to a partition of `topic` as its leader. */
  recordAppend(topic: string, batchBytes: number, records: number): void {
    const t = this.topicStats(topic);
    t.bytesIn += batchBytes;
    t.messagesIn += records;
    this.allTopics.bytesIn += batchBytes;
    this.allTopics.messagesIn += records;
  }

  /** A partition of `topic` named in a Produce request. */
  recordProduceRequest(topic: string): void {
    this.topicStats(topic).totalProduceRequests++;
    this.allTopics.totalProduceRequests++;
  }

  /**
   * A Fetch answer about to be sent: its partitions counted per topic, its record bytes as bytes
   * out (a consumer's) or replication bytes out (a follower's).
   */
  recordFetch(
    response: ReadonlyArray<{ topic: string; partitions: ReadonlyArray<{ records: { readonly length: number } | null }> }>,
    fromFollower: boolean,
  ): void {
    const all = this.allTopics;
    for (const t of response) {
      let bytes = 0;
      for (const pd of t.partitions) bytes += pd.records?.length ?? 0;
      const s = this.topicStats(t.topic); // one lookup per topic of the answer
      s.totalFetchRequests += t.partitions.length;
      all.totalFetchRequests += t.partitions.length;
      if (fromFollower) this.replicationBytesOut += bytes;
      else {
        s.bytesOut += bytes;
        all.bytesOut += bytes;
      }
    }
  }

  /** Forgets a topic no longer hosted here. */
  removeTopic(topic: string): void {
    this.topics.delete(topic);
  }

  families(): MetricFamily[] {
    const topics = [...this.topics].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const out: MetricFamily[] = PER_TOPIC.map(([field, name, help]) => {
      const samples: Sample[] = [{ value: this.allTopics[field] }];
      for (const [topic, s] of topics) samples.push({ labels: { topic }, value: s[field] });
      return { name: `${PREFIX}${name}_total`, help, type: 'counter', samples };
    });
    out.push(
      {
        name: `${PREFIX}replicationbytesin_total`,
        help: 'Bytes this broker appended as a follower, fetched from leaders (ReplicationBytesInPerSec).',
        type: 'counter',
        samples: [{ value: this.replicationBytesIn }],
      },
      {
        name: `${PREFIX}replicationbytesout_total`,
        help: 'Record bytes sent to followers in Fetch responses (ReplicationBytesOutPerSec).',
        type: 'counter',
        samples: [{ value: this.replicationBytesOut }],
      },
    );
    return out;
  }
}
