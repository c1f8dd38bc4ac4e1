// Kafka's producer and consumer settings by their Java names (`--producer-property acks=all`,
// `--consumer-property fetch.min.bytes=1024`, kafka-*-perf-test's `--producer-props`), turned into
// @tributary/client's config. A name the client has no counterpart for is refused by name ("not
// supported yet"), so nobody believes a setting took effect when it did not. client.id goes to
// the Kafka client itself (clientIdOf).
import type { Acks, Compression, ConsumerConfig, ProducerConfig } from '@tributary/client';

type AssignorName = Exclude<NonNullable<ConsumerConfig['assignors']>[number], object>;
import { UsageError } from './command.ts';

type Setter<C> = (config: C, value: string, name: string) => void;

function int(value: string, name: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`${name} must be an integer, got "${value}"`);
  return Number(value);
}

function bool(value: string, name: string): boolean {
  const v = value.trim().toLowerCase();
  if (v !== 'true' && v !== 'false') throw new UsageError(`${name} must be true or false, got "${value}"`);
  return v === 'true';
}

function oneOf<T extends string>(value: string, name: string, allowed: readonly T[]): T {
  const v = value.trim().toLowerCase() as T;
  if (!allowed.includes(v)) throw new UsageError(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  return v;
}

const COMPRESSIONS: readonly Compression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export function acksOf(value: string, name = 'acks'): Acks {
  const v = value.trim();
  if (v === 'all' || v === '-1') return 'all';
  if (v === '0') return 0;
  if (v === '1') return 1;
  throw new UsageError(`${name} must be 0, 1, all or -1, got "${value}"`);
}

const PRODUCER: Record<string, Setter<ProducerConfig>> = {
  acks: (c, v, n) => (c.acks = acksOf(v, n)),
  'compression.type': (c, v, n) => (c.compression = oneOf(v, n, COMPRESSIONS)),
  'batch.size': (c, v, n) => (c.batchSize = int(v, n)),
  'linger.ms': (c, v, n) => (c.lingerMs = int(v, n)),
  'max.in.flight.requests.per.connection': (c, v, n) => (c.maxInFlight = int(v, n)),
  'max.request.size': (c, v, n) => (c.maxRequestSize = int(v, n)),
  'delivery.timeout.ms': (c, v, n) => (c.deliveryTimeoutMs = int(v, n)),
  'max.block.ms': (c, v, n) => (c.maxBlockMs = int(v, n)),
  'retry.backoff.ms': (c, v, n) => (c.retryBackoffMs = int(v, n)),
  'enable.idempotence': (c, v, n) => (c.idempotent = bool(v, n)),
  'transactional.id': (c, v) => (c.transactionalId = v),
  'transaction.timeout.ms': (c, v, n) => (c.transactionTimeoutMs = int(v, n)),
  'partitioner.ignore.keys': (c, v, n) => (c.ignoreKeys = bool(v, n)),
};

const ASSIGNORS: Record<string, AssignorName> = {
  range: 'range',
  roundrobin: 'roundrobin',
  sticky: 'sticky',
  'cooperative-sticky': 'cooperative-sticky',
  'org.apache.kafka.clients.consumer.rangeassignor': 'range',
  'org.apache.kafka.clients.consumer.roundrobinassignor': 'roundrobin',
  'org.apache.kafka.clients.consumer.stickyassignor': 'sticky',
  'org.apache.kafka.clients.consumer.cooperativestickyassignor': 'cooperative-sticky',
};

const CONSUMER: Record<string, Setter<ConsumerConfig>> = {
  'group.id': (c, v) => (c.groupId = v),
  'group.instance.id': (c, v) => (c.groupInstanceId = v),
  'session.timeout.ms': (c, v, n) => (c.sessionTimeoutMs = int(v, n)),
  'heartbeat.interval.ms': (c, v, n) => (c.heartbeatIntervalMs = int(v, n)),
  'max.poll.interval.ms': (c, v, n) => (c.maxPollIntervalMs = int(v, n)),
  'auto.offset.reset': (c, v, n) => (c.autoOffsetReset = oneOf(v, n, ['earliest', 'latest', 'none'] as const)),
  'enable.auto.commit': (c, v, n) => (c.autoCommit = bool(v, n)),
  'auto.commit.interval.ms': (c, v, n) => (c.autoCommitIntervalMs = int(v, n)),
  'fetch.min.bytes': (c, v, n) => (c.fetchMinBytes = int(v, n)),
  'fetch.max.wait.ms': (c, v, n) => (c.fetchMaxWaitMs = int(v, n)),
  'fetch.max.bytes': (c, v, n) => (c.fetchMaxBytes = int(v, n)),
  'max.partition.fetch.bytes': (c, v, n) => (c.maxPartitionFetchBytes = int(v, n)),
  'isolation.level': (c, v, n) => (c.isolationLevel = oneOf(v, n, ['read_uncommitted', 'read_committed'] as const)),
  'check.crcs': (c, v, n) => (c.checkCrcs = bool(v, n)),
  'partition.assignment.strategy': (c, v, n) => {
    c.assignors = v.split(',').map((s) => {
      const a = ASSIGNORS[s.trim().toLowerCase()];
      if (!a) throw new UsageError(`${n}: unknown assignor "${s.trim()}" (range, roundrobin, sticky, cooperative-sticky)`);
      return a;
    });
  },
};

/** Settings that only serialize or identify, which the CLI's byte-for-byte handling makes moot. */
const ACCEPTED_AS_IS = new Set(['client.id', 'key.serializer', 'value.serializer', 'key.deserializer', 'value.deserializer']);

function apply<C>(table: Record<string, Setter<C>>, kind: string, props: Record<string, string>, config: C): C {
  for (const [name, value] of Object.entries(props)) {
    const set = table[name];
    if (set) set(config, value, name);
    else if (!ACCEPTED_AS_IS.has(name))
      throw new UsageError(`${kind} property ${name} is not supported yet (supported: ${[...Object.keys(table), 'client.id'].join(', ')})`);
  }
  return config;
}

export function producerConfigOf(props: Record<string, string>, base: ProducerConfig = {}): ProducerConfig {
  return apply(PRODUCER, 'producer', props, { ...base });
}

export function consumerConfigOf(props: Record<string, string>, base: ConsumerConfig = {}): ConsumerConfig {
  return apply(CONSUMER, 'consumer', props, { ...base });
}
