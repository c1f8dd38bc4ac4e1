// Topic administration in the controller (the topic half of Kafka's ReplicationControlManager):
// CreateTopics, CreatePartitions and DeleteTopics as `image x request -> { records, response }`.
// Validation, error codes and messages are Kafka's (as the broker's TopicManager answered them before the metadata log):
//
// CreateTopics, per topic, in this order: `__cluster_metadata` is INVALID_REQUEST; a bad name or
// a name colliding with an existing one on '.'/'_' is INVALID_TOPIC_EXCEPTION; an existing name
// TOPIC_ALREADY_EXISTS; an assignment together with a count INVALID_REQUEST; a bad manual
// assignment INVALID_REPLICA_ASSIGNMENT; a count <= 0 (other than -1) INVALID_PARTITIONS; a
// replication factor <= 0 (other than -1) or above the usable brokers INVALID_REPLICATION_FACTOR;
// a bad config INVALID_CONFIG. Records: TopicRecord, one PartitionRecord per partition, one
// ConfigRecord per override. Topics of one request are checked in order, each against the image
// with the earlier ones created.
// CreatePartitions: unknown topic UNKNOWN_TOPIC_OR_PARTITION; a count not above the current one
// INVALID_PARTITIONS; a bad assignment INVALID_REPLICA_ASSIGNMENT; the topic's replication factor
// above the usable brokers INVALID_REPLICATION_FACTOR (the placer's message, without CreateTopics'
// "Unable to replicate..." prefix, as in Kafka). Records: the new PartitionRecords.
// Placement without an assignment: replica-placement.ts (striped, rack-aware, balanced with the
// load already in the image).
// DeleteTopics: unknown UNKNOWN_TOPIC_OR_PARTITION (by name) / UNKNOWN_TOPIC_ID (by id); with
// delete.topic.enable=false TOPIC_DELETION_DISABLED. Record: RemoveTopicRecord.
// validateOnly: the same checks and response, no records.
import { ErrorCode, errorInfo } from '@tributary/protocol';
import type { MetadataImage } from '../image/metadata-image.ts';
import type { TopicImage } from '../image/topics-image.ts';
import { ConfigResourceType, configRecord, removeTopicRecord, topicRecord, type MetadataRecord } from '../records/metadata-record.ts';
import { newTopicId, type ControllerOptions } from './controller-options.ts';
import { checkAssignments, newPartitionRecord, placePartitions, usableBrokerIds, type ManualAssignment } from './replica-placement.ts';
import { newReplicaDirectories } from './replica-directories.ts';
import { NONE, apiError, sequentially, type ApiError, type ControllerResult } from './results.ts';
import { CLUSTER_METADATA_TOPIC, topicNameProblem, unifyCollisionChars } from './topic-names.ts';

export interface CreatableTopic {
  name: string;
  /** -1 or absent: num.partitions. */
  numPartitions?: number;
  /** -1 or absent: default.replication.factor. */
  replicationFactor?: number;
  /** Explicit replica assignment (then numPartitions and replicationFactor must be -1). */
  assignments?: readonly ManualAssignment[];
  configs?: Readonly<Record<string, string | null>>;
}

/** A topic as created (or as it would be, with validateOnly). */
export interface CreatedTopic {
  topicId: string;
  numPartitions: number;
  replicationFactor: number;
  /** The topic's config overrides, normalised. */
  configs: Record<string, string>;
}

export interface CreateTopicResult extends ApiError {
  name: string;
  /** Set when errorCode is NONE. */
  topic?: CreatedTopic;
}

export interface CreatePartitionsTopic {
  name: string;
  /** The new total partition count. */
  count: number;
  /** One replica list per new partition, or null to place them. */
  assignments?: readonly number[][] | null;
}

export interface CreatePartitionsResult extends ApiError {
  name: string;
}

/** A topic to delete, by name or by id. */
export type DeletableTopic = { name: string; topicId?: undefined } | { topicId: string; name?: undefined };

export interface DeleteTopicResult extends ApiError {
  /** Null for an unknown id. */
  name: string | null;
  /** The zero Uuid for an unknown name. */
  topicId: string;
}

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export function createTopics(
  image: MetadataImage,
  topics: readonly CreatableTopic[],
  validateOnly: boolean,
  options: ControllerOptions,
): ControllerResult<CreateTopicResult[]> {
  return sequentially(image, topics, (img, t) => createTopic(img, t, validateOnly, options));
}

function createTopic(
  image: MetadataImage,
  req: CreatableTopic,
  validateOnly: boolean,
  options: ControllerOptions,
): ControllerResult<CreateTopicResult> {
  const name = req.name;
  const fail = (code: number, message: string): ControllerResult<CreateTopicResult> => ({
    records: [],
    response: { name, ...apiError(code, message) },
  });
  if (name === CLUSTER_METADATA_TOPIC)
    return fail(ErrorCode.INVALID_REQUEST, `Creation of internal topic ${CLUSTER_METADATA_TOPIC} is prohibited.`);
  const nameProblem = topicNameProblem(name);
  if (nameProblem) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem);
  if (image.topic(name)) return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
  const unified = unifyCollisionChars(name);
  const collides = [...image.topics.byName.keys()].find((t) => unifyCollisionChars(t) === unified);
  if (collides) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${name}' collides with existing topic: ${collides}`);
  const numPartitions = req.numPartitions ?? -1;
  const rf = req.replicationFactor ?? -1;
  const usable = usableBrokerIds(image.cluster);
  let assignment: number[][];
  if (req.assignments && req.assignments.length > 0) {
    if (numPartitions !== -1 || rf !== -1) {
      return fail(
        ErrorCode.INVALID_REQUEST,
        'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
      );
    }
    const r = checkAssignments(req.assignments, 0, image.cluster);
    if (typeof r === 'string') return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, r);
    assignment = r;
  } else {
    if (numPartitions === 0 || numPartitions < -1)
      return fail(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.');
    if (rf === 0 || rf < -1)
      return fail(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.');
    const n = numPartitions === -1 ? options.numPartitions : numPartitions;
    const replicas = rf === -1 ? options.defaultReplicationFactor : rf;
    const placed = placePartitions(image, n, replicas);
    if (typeof placed === 'string')
      return fail(ErrorCode.INVALID_REPLICATION_FACTOR, `Unable to replicate the partition ${replicas} time(s): ${placed}`);
    assignment = placed;
  }
  const validated = options.topicConfigs.validate(req.configs ?? {});
  if (!('configs' in validated)) return fail(validated.errorCode, validated.errorMessage ?? errorInfo(validated.errorCode).message);
  const topicId = unusedTopicId(image, options.newTopicId ?? newTopicId);
  const topic: CreatedTopic = {
    topicId,
    numPartitions: assignment.length,
    replicationFactor: assignment[0]?.length ?? 0,
    configs: validated.configs,
  };
  const response: CreateTopicResult = { name, ...NONE, topic };
  if (validateOnly) return { records: [], response };
  const records: MetadataRecord[] = [topicRecord(name, topicId)];
  for (const [p, replicas] of assignment.entries())
    records.push(newPartitionRecord(topicId, p, replicas, usable, newReplicaDirectories(image, replicas)));
  for (const [k, v] of Object.entries(validated.configs)) records.push(configRecord(ConfigResourceType.TOPIC, name, k, v));
  return { records, response };
}

/** A new topic id no topic has (a random Uuid clashing is next to impossible; a test generator may repeat). */
function unusedTopicId(image: MetadataImage, generate: () => string): string {
  for (let i = 0; i < 1000; i++) {
    const id = generate();
    if (!image.topicById(id)) return id;
  }
  throw new Error('the topic id generator keeps returning ids in use');
}

export function createPartitions(
  image: MetadataImage,
  topics: readonly CreatePartitionsTopic[],
  validateOnly: boolean,
): ControllerResult<CreatePartitionsResult[]> {
  return sequentially(image, topics, (img, t) => createPartitionsOf(img, t, validateOnly));
}

function createPartitionsOf(
  image: MetadataImage,
  req: CreatePartitionsTopic,
  validateOnly: boolean,
): ControllerResult<CreatePartitionsResult> {
  const { name, count: totalCount } = req;
  const fail = (code: number, message: string): ControllerResult<CreatePartitionsResult> => ({
    records: [],
    response: { name, ...apiError(code, message) },
  });
  const t = image.topic(name);
  if (!t) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
  const have = t.partitions.size;
  if (totalCount < have)
    return fail(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${have} partitions, which is higher than the requested ${totalCount}.`);
  if (totalCount === have) return fail(ErrorCode.INVALID_PARTITIONS, `Topic already has ${have} partitions.`);
  const rf = t.partitions.get(0)?.replicas.length ?? 1;
  const usable = usableBrokerIds(image.cluster);
  let added: number[][];
  const assignments = req.assignments ?? null;
  if (assignments) {
    if (assignments.length !== totalCount - have) {
      return fail(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Attempted to add ${totalCount - have} additional partition(s), but only ${assignments.length} assignment(s) were specified.`,
      );
    }
    const r = checkAssignments(
      assignments.map((brokerIds, i) => ({ partitionIndex: have + i, brokerIds: [...brokerIds] })),
      have,
      image.cluster,
    );
    if (typeof r === 'string') return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, r);
    added = r;
  } else {
    const placed = placePartitions(image, totalCount - have, rf);
    if (typeof placed === 'string') return fail(ErrorCode.INVALID_REPLICATION_FACTOR, placed);
    added = placed;
  }
  const response = { name, ...NONE };
  if (validateOnly) return { records: [], response };
  return {
    records: added.map((replicas, i) => newPartitionRecord(t.topicId, have + i, replicas, usable, newReplicaDirectories(image, replicas))),
    response,
  };
}

export function deleteTopics(
  image: MetadataImage,
  topics: readonly DeletableTopic[],
  options: ControllerOptions,
): ControllerResult<DeleteTopicResult[]> {
  return sequentially(image, topics, (img, t) => deleteTopic(img, t, options));
}

function deleteTopic(image: MetadataImage, req: DeletableTopic, options: ControllerOptions): ControllerResult<DeleteTopicResult> {
  let t: TopicImage | undefined;
  if (req.name !== undefined) {
    t = image.topic(req.name);
    if (!t)
      return {
        records: [],
        response: {
          name: req.name,
          topicId: ZERO_UUID,
          ...apiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorInfo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).message),
        },
      };
  } else {
    t = image.topicById(req.topicId);
    if (!t)
      return {
        records: [],
        response: {
          name: null,
          topicId: req.topicId,
          ...apiError(ErrorCode.UNKNOWN_TOPIC_ID, errorInfo(ErrorCode.UNKNOWN_TOPIC_ID).message),
        },
      };
  }
  const base = { name: t.name, topicId: t.topicId };
  if (!options.deleteTopicEnable)
    return { records: [], response: { ...base, ...apiError(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.') } };
  return { records: [removeTopicRecord(t.topicId)], response: { ...base, ...NONE } };
}
