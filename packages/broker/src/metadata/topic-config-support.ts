// Topic configs Kafka has that Tributary does not apply, refused by name when set (CreateTopics,
// AlterConfigs, IncrementalAlterConfigs: INVALID_CONFIG "... is not supported yet by Tributary"),
// rather than stored and silently ignored or called unknown. Two kinds:
// - Kafka's names Tributary does not define at all (tiered storage, per-codec compression
//   levels): every value is refused.
// - Names Tributary defines (so DescribeConfigs lists them with Kafka's defaults) but does not
//   apply: the value it describes, or the one its behaviour amounts to, is accepted (a tool that
//   writes back a described config set keeps working); any other is refused.
// message.format.version and message.downconversion.enable are not here: Kafka 3.x itself ignores them.

/** Kafka topic configs (Kafka 3.x/4.x TopicConfig) without a Tributary definition. */
const UNDEFINED_KAFKA_TOPIC_CONFIGS: Readonly<Record<string, string>> = {
  'remote.storage.enable': 'tiered storage',
  'local.retention.ms': 'tiered storage',
  'local.retention.bytes': 'tiered storage',
  'remote.log.copy.disable': 'tiered storage',
  'remote.log.delete.on.disable': 'tiered storage',
  'compression.gzip.level': 'compression levels (KIP-390): batches are compressed at the codec default level',
  'compression.lz4.level': 'compression levels (KIP-390): batches are compressed at the codec default level',
  'compression.zstd.level': 'compression levels (KIP-390): batches are compressed at the codec default level',
};

/** Defined but not applied: the values accepted (what is described, or what Tributary does anyway) and why others are refused. */
const NOT_APPLIED: Readonly<Record<string, { accepted: readonly string[]; why: string }>> = {
  preallocate: { accepted: ['false'], why: 'segment files are not preallocated' },
  'segment.jitter.ms': { accepted: ['0'], why: 'segments roll at segment.ms exactly, without jitter' },
  'file.delete.delay.ms': { accepted: ['60000', '0'], why: 'deleted segments are removed at once' },
  'message.timestamp.difference.max.ms': {
    accepted: ['9223372036854775807'],
    why: 'use message.timestamp.before.max.ms and message.timestamp.after.max.ms (KIP-937)',
  },
};

function notSupported(name: string, why: string): string {
  return `${name} is not supported yet by Tributary (${why})`;
}

/** Why a topic config Kafka has is refused, before looking it up among Tributary's (undefined: not one of those). */
export function undefinedKafkaTopicConfig(name: string): string | undefined {
  const why = UNDEFINED_KAFKA_TOPIC_CONFIGS[name];
  return why === undefined ? undefined : notSupported(name, why);
}

/** Why a normalised value of a defined but unapplied topic config is refused (undefined: accepted). */
export function unappliedTopicConfigValue(name: string, value: string): string | undefined {
  const n = NOT_APPLIED[name];
  if (!n || n.accepted.includes(value)) return undefined;
  return `${notSupported(name, n.why)}: only ${n.accepted.join(' or ')} is accepted, got ${value}`;
}
