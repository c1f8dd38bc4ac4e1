// `new Kafka({ bootstrapServers, clientId })`: the entry point. It owns the cluster (connections
// and metadata) and hands out producers, consumers and admin clients sharing it.
import type { Admin, AdminConfig, Consumer, ConsumerConfig, KafkaClient, KafkaConfig, Producer, ProducerConfig } from './api.ts';
import { Cluster } from './cluster/cluster.ts';
import { KafkaProducer } from './producer/producer.ts';
import { KafkaConsumer } from './consumer/consumer.ts';
import { RetryingAdmin } from './admin/retrying-admin.ts';
import { KafkaClientError } from './network/errors.ts';

export class Kafka implements KafkaClient {
  readonly cluster: Cluster;
  private readonly producers = new Set<KafkaProducer>();
  private readonly consumers = new Set<KafkaConsumer>();
  private readonly ownedClusters = new Set<Cluster>();

  constructor(readonly config: KafkaConfig) {
    if (config.sasl && !['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'].includes(config.sasl.mechanism)) {
      throw new KafkaClientError(
        `SASL mechanism ${config.sasl.mechanism} is not supported (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)`,
        'INVALID_CONFIG',
        false,
      );
    }
    const servers = typeof config.bootstrapServers === 'string' ? config.bootstrapServers.split(',') : config.bootstrapServers;
    this.cluster = new Cluster({
      bootstrapServers: servers.map((s) => s.trim()).filter(Boolean),
      clientId: config.clientId ?? 'tributary',
      connectTimeoutMs: config.connectTimeoutMs,
      requestTimeoutMs: config.requestTimeoutMs,
      reconnectBackoffMs: config.reconnectBackoffMs,
      reconnectBackoffMaxMs: config.reconnectBackoffMaxMs,
      metadataMaxAgeMs: config.metadataMaxAgeMs,
      clientRack: config.clientRack,
      tls: config.tls,
      sasl: config.sasl,
      clock: config.clock,
    });
  }

  producer(config?: ProducerConfig): Producer {
    const p = new KafkaProducer(this.cluster, config);
    this.producers.add(p);
    return p;
  }

  /**
   * A consumer gets connections of its own (as Java and KafkaJS consumers do): the broker handles
   * one request per connection at a time, so a JoinGroup parked by the coordinator must not hold
   * up another consumer's heartbeats or the producer's requests.
   */
  consumer(config: ConsumerConfig = {}): Consumer {
    const cluster = new Cluster(this.cluster.options);
    const c = new KafkaConsumer(cluster, config);
    this.consumers.add(c);
    this.ownedClusters.add(cluster);
    return c;
  }

  /** Admin operations; retried within `defaultApiTimeoutMs` when a connection, coordinator or controller is lost. */
  admin(config?: AdminConfig): Admin {
    return new RetryingAdmin(this.cluster, config);
  }

  async close(): Promise<void> {
    await Promise.all([...this.producers].map((p) => p.close().catch(() => {})));
    await Promise.all([...this.consumers].map((c) => c.close().catch(() => {})));
    await this.cluster.close();
    for (const c of this.ownedClusters) await c.close();
  }
}
