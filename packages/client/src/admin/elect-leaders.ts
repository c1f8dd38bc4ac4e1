// Admin.electLeaders: ElectLeaders (API key 43) sent to the controller (Kafka's AdminClient uses its
// ControllerNodeProvider; in KRaft any broker forwards), at the highest version both sides speak
// (v1+ carries the election type: v0 is PREFERRED only, so an UNCLEAN election needs v1). The
// partitions are grouped by topic in the order given; null asks for every partition of the
// cluster, and the controller then answers only those elected or failed. Each partition comes
// back with a KafkaClientError naming it (ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE,
// ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION, ...) or null when elected, as
// Kafka's ElectLeadersResult.partitions(); a top-level error (v1+: CLUSTER_AUTHORIZATION_FAILED,
// INVALID_REQUEST, NOT_CONTROLLER, ...) is thrown.
import { ApiKey, ErrorCode, errorInfo } from '@tributary/protocol';
import type { ElectLeadersPartitionResult, ElectionTypeName } from '../api.ts';
import type { TopicPartition } from '../assignors/types.ts';
import type { BrokerConnection } from '../network/connection.ts';
import { KafkaClientError } from '../network/errors.ts';

const ELECTION_TYPE: Record<ElectionTypeName, number> = { preferred: 0, unclean: 1 };

function clientError(code: number, message: string | null, what: string, details: { topic?: string; partition?: number } = {}) {
  const info = errorInfo(code);
  return new KafkaClientError(`${what}: ${info.name}${message ? ` (${message})` : ''}`, info.name, info.retriable, { code, ...details });
}

/** The request's TopicPartitions: one entry per topic, in first-seen order. */
function byTopic(partitions: readonly TopicPartition[]): Array<{ topic: string; partitions: number[] }> {
  const out = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    let list = out.get(topic);
    if (!list) out.set(topic, (list = []));
    list.push(partition);
  }
  return [...out].map(([topic, ps]) => ({ topic, partitions: ps }));
}

export async function electLeaders(
  controller: BrokerConnection,
  electionType: ElectionTypeName,
  partitions: readonly TopicPartition[] | null,
  timeoutMs: number,
): Promise<ElectLeadersPartitionResult[]> {
  const type = ELECTION_TYPE[electionType];
  if (type === undefined) throw new KafkaClientError(`unknown election type ${electionType}`, 'INVALID_CONFIG', false);
  const version = controller.versionFor(ApiKey.ElectLeaders);
  if (version === 0 && type !== ELECTION_TYPE.preferred) {
    throw new KafkaClientError('ElectLeaders v0 only supports PREFERRED elections', 'UNSUPPORTED_VERSION', false, {
      code: ErrorCode.UNSUPPORTED_VERSION,
    });
  }
  const r = await controller.request(ApiKey.ElectLeaders, {
    electionType: type,
    topicPartitions: partitions === null ? null : byTopic(partitions),
    timeoutMs,
  });
  if (r.errorCode !== ErrorCode.NONE) throw clientError(r.errorCode, null, `elect ${electionType} leaders`);
  return r.replicaElectionResults.flatMap((t) =>
    t.partitionResult.map((p) => ({
      topic: t.topic,
      partition: p.partitionId,
      error:
        p.errorCode === ErrorCode.NONE
          ? null
          : clientError(p.errorCode, p.errorMessage, `elect ${electionType} leader of ${t.topic}-${p.partitionId}`, {
              topic: t.topic,
              partition: p.partitionId,
            }),
    })),
  );
}
