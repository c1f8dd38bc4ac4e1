// DescribeUserScramCredentials (API key 50), version 0: which SCRAM mechanisms (and iterations)
// each user has; never salts or keys (kafka-configs --describe --entity-type users, `tributary
// users list`).
//
// Behaviour (Kafka's KafkaApis.handleDescribeUserScramCredentialsRequest over the metadata's
// SCRAM image):
// * Authorization: DESCRIBE on the CLUSTER, else top-level CLUSTER_AUTHORIZATION_FAILED.
// * Users null or empty: every user with a credential, sorted by name.
// * A user named twice: DUPLICATE_RESOURCE ("Cannot describe SCRAM credentials for the same user
//   twice in a single request: <user>"); an unknown user: RESOURCE_NOT_FOUND ("Attempt to describe
//   a user credential that does not exist: <user>").
// * Credential infos in mechanism order (SCRAM-SHA-256 then SCRAM-SHA-512).
// Not implemented: quotas (throttle time is 0).
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

export const describeUserScramCredentialsHandler: ApiHandler<typeof ApiKey.DescribeUserScramCredentials> = {
  apiKey: ApiKey.DescribeUserScramCredentials,
  name: 'DescribeUserScramCredentials',
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, request) {
    if (!ctx.authorize(AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME))
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, results: [] };
    const all = ctx.services.metadata.image.scram.users();
    const infos = (user: string) => [...(all.get(user) ?? [])].map(([mechanism, iterations]) => ({ mechanism, iterations }));
    const wanted = request.users ?? [];
    if (wanted.length === 0) {
      const results = [...all.keys()]
        .sort()
        .map((user) => ({ user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: infos(user) }));
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
    }
    const counts = new Map<string, number>();
    for (const u of wanted) counts.set(u.name, (counts.get(u.name) ?? 0) + 1);
    const results = [...counts].map(([user, n]) => {
      if (n > 1)
        return {
          user,
          errorCode: ErrorCode.DUPLICATE_RESOURCE,
          errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`,
          credentialInfos: [],
        };
      if (!all.has(user))
        return {
          user,
          errorCode: ErrorCode.RESOURCE_NOT_FOUND,
          errorMessage: `Attempt to describe a user credential that does not exist: ${user}`,
          credentialInfos: [],
        };
      return { user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: infos(user) };
    });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode, errorMessage: null, results: [] }),
};
