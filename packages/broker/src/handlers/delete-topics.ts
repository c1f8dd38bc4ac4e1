// DeleteTopics (API key 20).
//
// Versions: 0-6.
//
// Behaviour (checked as Kafka's controller does, ControllerApis.deleteTopics):
// * Neither name nor id, or both: INVALID_REQUEST. A name or id given twice is answered once with
//   INVALID_REQUEST ("Duplicate topic name." / "Duplicate topic id.").
// * An unknown name is UNKNOWN_TOPIC_OR_PARTITION, an unknown id UNKNOWN_TOPIC_ID.
// * delete.topic.enable=false: every topic fails with TOPIC_DELETION_DISABLED (INVALID_REQUEST
//   before v3, as Kafka).
// * Internal topics (__consumer_offsets, __transaction_state) are refused with
//   INVALID_TOPIC_EXCEPTION: their coordinators own them (Kafka's tools refuse this too).
// * The controller records the deletion (RemoveTopicRecord); every broker applying it drops the
//   partitions, answers waiting fetches and deletes the logs, and the group coordinator drops the
//   topic's committed offsets.
// * Authorization: DELETE on the cluster allows every topic; otherwise a name needs DESCRIBE
//   (checked before saying whether it exists) and DELETE, else TOPIC_AUTHORIZATION_FAILED; an id
//   refused is answered without the name unless DESCRIBE is allowed.
// * Results come back in request order.
//
// Version notes:
// * v0-5: topics by name (TopicNames).
// * v5: error messages.
// * v6: topics by name or id (Topics); topic ids answered.
//
// Not implemented:
// * timeoutMs (the controller answers once the records are durable)
import { ApiKey, ErrorCode, errorInfo, type DeleteTopicsResponseDeletableTopicResult } from '@tributary/protocol';
import { isInternalTopic } from '@tributary/metadata';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export const deleteTopicsHandler: ApiHandler<typeof ApiKey.DeleteTopics> = {
  apiKey: ApiKey.DeleteTopics,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 6,
  async handle(ctx, request) {
    const version = ctx.header.apiVersion;
    const topics = ctx.services.metadata;
    const wanted = version >= 6 ? request.topics : request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
    const responses: DeleteTopicsResponseDeletableTopicResult[] = [];
    const answer = (name: string | null, topicId: string, errorCode: number, errorMessage: string | null = null) =>
      responses.push({
        name,
        topicId,
        errorCode,
        errorMessage: errorMessage ?? (errorCode === ErrorCode.NONE ? null : errorInfo(errorCode).message),
      });

    if (!ctx.services.config.get('delete.topic.enable')) {
      const code = version < 3 ? ErrorCode.INVALID_REQUEST : ErrorCode.TOPIC_DELETION_DISABLED;
      for (const w of wanted) answer(w.name, w.topicId, code, 'Topic deletion is disabled.');
      return { throttleTimeMs: 0, responses };
    }

    const count = new Map<string, number>();
    const key = (w: { name: string | null; topicId: string }) => (w.name !== null ? `n:${w.name}` : `i:${w.topicId}`);
    for (const w of wanted) count.set(key(w), (count.get(key(w)) ?? 0) + 1);
    const answeredDuplicates = new Set<string>();
    const pending: Array<{ index: number; name: string; topicId: string }> = [];
    // DELETE on the cluster allows every topic; otherwise DESCRIBE and DELETE on each.
    const clusterDelete = ctx.authorize(AclOperation.DELETE, ResourceType.CLUSTER, CLUSTER_NAME);
    const describable = (name: string) => clusterDelete || ctx.authorize(AclOperation.DESCRIBE, ResourceType.TOPIC, name);
    const deletable = (name: string) => clusterDelete || ctx.authorize(AclOperation.DELETE, ResourceType.TOPIC, name);

    for (const w of wanted) {
      if (w.name === null && w.topicId === ZERO_UUID) {
        answer(null, ZERO_UUID, ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.');
        continue;
      }
      if (w.name !== null && w.topicId !== ZERO_UUID) {
        answer(w.name, w.topicId, ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.');
        continue;
      }
      const k = key(w);
      if (count.get(k)! > 1) {
        if (answeredDuplicates.has(k)) continue;
        answeredDuplicates.add(k);
        answer(w.name, w.topicId, ErrorCode.INVALID_REQUEST, w.name !== null ? 'Duplicate topic name.' : 'Duplicate topic id.');
        continue;
      }
      // A name the principal may not describe is refused before saying whether it exists.
      if (w.name !== null && !describable(w.name)) {
        answer(w.name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        continue;
      }
      const t = w.name !== null ? topics.topic(w.name) : topics.topicById(w.topicId);
      if (!t) {
        if (w.name !== null) answer(w.name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        else answer(null, w.topicId, ErrorCode.UNKNOWN_TOPIC_ID);
        continue;
      }
      if (!deletable(t.name)) {
        // By id: the name is shown only to a principal that may describe the topic.
        if (w.name !== null) answer(t.name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        else answer(describable(t.name) ? t.name : null, t.topicId, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        continue;
      }
      if (isInternalTopic(t.name)) {
        answer(t.name, t.topicId, ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic ${t.name} is an internal topic and cannot be deleted.`);
        continue;
      }
      pending.push({ index: responses.length, name: t.name, topicId: t.topicId });
      answer(t.name, t.topicId, ErrorCode.UNKNOWN_SERVER_ERROR);
    }
    if (pending.length === 0) return { throttleTimeMs: 0, responses };
    const deleted = await ctx.services.controller.deleteTopics(pending.map((p) => ({ name: p.name })));
    for (const [i, r] of deleted.entries()) {
      const p = pending[i]!;
      responses[p.index] = {
        name: p.name,
        topicId: p.topicId,
        errorCode: r.errorCode,
        errorMessage: r.errorMessage ?? (r.errorCode === ErrorCode.NONE ? null : errorInfo(r.errorCode).message),
      };
    }
    return { throttleTimeMs: 0, responses };
  },
  // v6 names topics by name or id; before, by name only. No error message, as Kafka's.
  errorResponse: (request, errorCode, version) => ({
    throttleTimeMs: 0,
    responses:
      version >= 6
        ? request.topics.map((t) => ({ name: t.name, topicId: t.topicId, errorCode }))
        : request.topicNames.map((name) => ({ name, errorCode })),
  }),
};
