// AlterUserScramCredentials (API key 51), version 0: creates, replaces and deletes users' SCRAM
// credentials (kafka-configs --alter --entity-type users, `tributary users create|delete`).
//
// Behaviour (Kafka's ControllerApis.handleAlterUserScramCredentials + ScramControlManager):
// * Authorization: ALTER on the CLUSTER, else every user's result is CLUSTER_AUTHORIZATION_FAILED.
// * Upsertions carry the salt, the iterations and the salted password (the client salted and
//   hashed it); the controller stores StoredKey/ServerKey, never the salted password.
// * The same user and mechanism twice: DUPLICATE_RESOURCE ("A user credential cannot be altered twice in the same
//   request"); mechanism other than SCRAM-SHA-256 (1) / SCRAM-SHA-512 (2): UNSUPPORTED_SASL_MECHANISM
//   ("Unknown SCRAM mechanism."); iterations below 4096 or above 16384: UNACCEPTABLE_CREDENTIAL
//   ("Too few iterations" / "Too many iterations"); deleting a credential that does not exist:
//   RESOURCE_NOT_FOUND ("Attempt to delete a user credential that does not exist").
// * Through the controller as a metadata change (UserScramCredentialRecord /
//   RemoveUserScramCredentialRecord), answered once written; one result per user.
// Not implemented: quotas (throttle time is 0).
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

export const alterUserScramCredentialsHandler: ApiHandler<typeof ApiKey.AlterUserScramCredentials> = {
  apiKey: ApiKey.AlterUserScramCredentials,
  name: 'AlterUserScramCredentials',
  minVersion: 0,
  maxVersion: 0,
  async handle(ctx, request) {
    if (!ctx.authorize(AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) {
      const users = [...new Set([...request.deletions, ...request.upsertions].map((x) => x.name))];
      return {
        throttleTimeMs: 0,
        results: users.map((user) => ({ user, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null })),
      };
    }
    const results = await ctx.services.controller.alterUserScramCredentials(request);
    return { throttleTimeMs: 0, results };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    results: [...new Set([...request.deletions, ...request.upsertions].map((x) => x.name))].map((user) => ({
      user,
      errorCode,
      errorMessage: null,
    })),
  }),
};
