// The controller listener's authorization: requireClusterAction answers the node-only APIs
// CLUSTER_AUTHORIZATION_FAILED without CLUSTER_ACTION on the cluster (and runs the handler with
// it), and forwardingAuthorizer lets a principal with CLUSTER_ACTION (a broker forwarding what it
// authorized) do anything while others are asked operation by operation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, ErrorCode, errorCodeOf } from '@tributary/protocol';
import { requireClusterAction } from '../../src/controller/cluster-action.ts';
import { forwardingAuthorizer } from '../../src/security/authorizer/forwarding-authorizer.ts';
import { AclOperation, CLUSTER_NAME, ResourceType, type AuthorizableRequestContext, type Authorizer } from '../../src/server/authorizer.ts';
import type { AnyApiHandler, RequestContext } from '../../src/server/handler-registry.ts';

const request = (name: string): AuthorizableRequestContext => ({
  connection: { principal: { type: 'User', name }, listenerName: 'CONTROLLER', remoteAddress: '127.0.0.1' },
  header: { apiKey: ApiKey.CreateTopics, apiVersion: 7, correlationId: 1, clientId: null },
});

// broker-1 has CLUSTER_ACTION only; alice may CREATE topic "a" only
const base: Authorizer = {
  authorize(r, op, type, name) {
    const who = r.connection.principal.name;
    if (who === 'broker-1') return op === AclOperation.CLUSTER_ACTION && type === ResourceType.CLUSTER && name === CLUSTER_NAME;
    if (who === 'alice') return op === AclOperation.CREATE && type === ResourceType.TOPIC && name === 'a';
    return false;
  },
};

describe('controller listener authorization', () => {
  it('forwardingAuthorizer: CLUSTER_ACTION allows everything; others are asked as they are', () => {
    const auth = forwardingAuthorizer(base);
    assert.equal(auth.authorize(request('broker-1'), AclOperation.CREATE, ResourceType.TOPIC, 'b'), true);
    assert.equal(auth.authorize(request('broker-1'), AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME), true);
    assert.equal(auth.authorize(request('alice'), AclOperation.CREATE, ResourceType.TOPIC, 'a'), true);
    assert.equal(auth.authorize(request('alice'), AclOperation.CREATE, ResourceType.TOPIC, 'b'), false);
    assert.equal(auth.authorize(request('eve'), AclOperation.CREATE, ResourceType.TOPIC, 'a'), false);
  });

  it('requireClusterAction: CLUSTER_AUTHORIZATION_FAILED without CLUSTER_ACTION; the handler runs with it', () => {
    let ran = 0;
    const inner = {
      apiKey: ApiKey.BrokerHeartbeat,
      name: 'BrokerHeartbeat',
      minVersion: 0,
      maxVersion: 1,
      handle: () => {
        ran++;
        return { errorCode: 0 };
      },
    } as unknown as AnyApiHandler;
    const wrapped = requireClusterAction(inner);
    assert.equal(wrapped.apiKey, ApiKey.BrokerHeartbeat);
    const ctx = (name: string) =>
      ({
        ...request(name),
        authorize: (op: number, type: number, n: string) => base.authorize(request(name), op as never, type as never, n),
      }) as unknown as RequestContext;
    assert.throws(
      () => wrapped.handle(ctx('alice'), {} as never),
      (err) => errorCodeOf(err) === ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
    );
    assert.equal(ran, 0);
    assert.deepEqual(wrapped.handle(ctx('broker-1'), {} as never), { errorCode: 0 });
    assert.equal(ran, 1);
  });
});
