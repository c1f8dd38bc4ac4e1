// The StandardAuthorizer's decision rules, as Kafka's StandardAuthorizer decides: literal vs
// prefixed vs wildcard resource patterns, DENY over ALLOW, principal "User:*" and host "*"
// wildcards, host matching, implied operations (ALLOW only), ALL, super.users,
// allow.everyone.if.no.acl.found, authorizeByResourceType, and the index following image changes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AclPermissionType, AclsImage, PatternType, type AclBinding, type StandardAcl } from '@tributary/metadata';
import { AclOperation as Op, ResourceType as RT, type AuthorizableRequestContext } from '../../src/server/authorizer.ts';
import { StandardAuthorizer, hostOf } from '../../src/security/authorizer/standard-authorizer.ts';
import { parseSuperUsers } from '../../src/security/authorizer/authorizer-config.ts';

const { ALLOW, DENY } = AclPermissionType;
const { LITERAL, PREFIXED } = PatternType;

let nextId = 0;
function acl(over: Partial<AclBinding>): StandardAcl {
  return {
    id: `id-${nextId++}`,
    resourceType: RT.TOPIC,
    resourceName: 'orders',
    patternType: LITERAL,
    principal: 'User:alice',
    host: '*',
    operation: Op.READ,
    permissionType: ALLOW,
    ...over,
  };
}
const image = (acls: StandardAcl[]) => new AclsImage(new Map(acls.map((a) => [a.id, a])));

function request(principal = 'User:alice', remoteAddress = '10.0.0.1'): AuthorizableRequestContext {
  const i = principal.indexOf(':');
  return {
    connection: { principal: { type: principal.slice(0, i), name: principal.slice(i + 1) }, listenerName: 'PLAINTEXT', remoteAddress },
    header: { apiKey: 0, apiVersion: 9, correlationId: 1, clientId: 'c' },
  };
}

function authorizer(acls: StandardAcl[], over: { superUsers?: string[]; allowEveryoneIfNoAclFound?: boolean } = {}) {
  const img = image(acls);
  return new StandardAuthorizer({
    superUsers: over.superUsers ?? [],
    allowEveryoneIfNoAclFound: over.allowEveryoneIfNoAclFound ?? false,
    acls: () => img,
  });
}

describe('StandardAuthorizer', () => {
  it('literal ACLs apply to their exact name only; "*" to every name; prefixed ones to names starting with the prefix', () => {
    const a = authorizer([
      acl({ resourceName: 'orders' }),
      acl({ resourceName: 'pay', patternType: PREFIXED }),
      acl({ resourceName: '*', operation: Op.WRITE }),
    ]);
    const read = (name: string) => a.authorize(request(), Op.READ, RT.TOPIC, name);
    assert.deepEqual(['orders', 'orders2', 'order', 'pay', 'payments', 'pa', 'xpay'].map(read), [
      true,
      false,
      false,
      true,
      true,
      false,
      false,
    ]);
    assert.equal(a.authorize(request(), Op.WRITE, RT.TOPIC, 'anything'), true);
    // a prefixed ACL named "*" is a prefix, not a wildcard
    const p = authorizer([acl({ resourceName: '*', patternType: PREFIXED })]);
    assert.equal(p.authorize(request(), Op.READ, RT.TOPIC, 'orders'), false);
    assert.equal(p.authorize(request(), Op.READ, RT.TOPIC, '*x'), true);
    // the resource type must match
    assert.equal(a.authorize(request(), Op.READ, RT.GROUP, 'orders'), false);
  });

  it('a matching DENY wins over any ALLOW, whichever pattern carries it', () => {
    const cases: Array<[Partial<AclBinding>, boolean]> = [
      [{ resourceName: 'orders' }, false],
      [{ resourceName: '*' }, false],
      [{ resourceName: 'ord', patternType: PREFIXED }, false],
      [{ resourceName: 'pay', patternType: PREFIXED }, true],
      [{ principal: 'User:*' }, false],
      [{ principal: 'User:bob' }, true],
      [{ host: '10.0.0.1' }, false],
      [{ host: '10.0.0.2' }, true],
      [{ operation: Op.ALL }, false],
      [{ operation: Op.WRITE }, true],
    ];
    for (const [deny, allowed] of cases) {
      const a = authorizer([acl({ operation: Op.ALL, resourceName: '*' }), acl({ ...deny, permissionType: DENY })]);
      assert.equal(a.authorize(request(), Op.READ, RT.TOPIC, 'orders'), allowed, JSON.stringify(deny));
    }
  });

  it("principal must be the request's or User:*; host the client address or *", () => {
    const a = authorizer([acl({ principal: 'User:*', resourceName: 'all' }), acl({ host: '10.0.0.1' })]);
    assert.equal(a.authorize(request('User:zed'), Op.READ, RT.TOPIC, 'all'), true);
    // as Kafka's StandardAuthorizerData.matchingPrincipals: User:* matches a principal of any type
    assert.equal(a.authorize(request('Group:zed'), Op.READ, RT.TOPIC, 'all'), true);
    assert.equal(a.authorize(request('Group:zed'), Op.READ, RT.TOPIC, 'orders'), false);
    assert.equal(a.authorize(request('User:alice', '10.0.0.1'), Op.READ, RT.TOPIC, 'orders'), true);
    assert.equal(a.authorize(request('User:alice', '::ffff:10.0.0.1'), Op.READ, RT.TOPIC, 'orders'), true);
    assert.equal(a.authorize(request('User:alice', '10.0.0.9'), Op.READ, RT.TOPIC, 'orders'), false);
    assert.equal(a.authorize(request('User:bob', '10.0.0.1'), Op.READ, RT.TOPIC, 'orders'), false);
    assert.equal(hostOf('::1'), '::1');
  });

  it('READ, WRITE, DELETE, ALTER allow DESCRIBE; ALTER_CONFIGS allows DESCRIBE_CONFIGS; ALL allows everything; a DENY implies nothing', () => {
    for (const op of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER, Op.DESCRIBE]) {
      assert.equal(authorizer([acl({ operation: op })]).authorize(request(), Op.DESCRIBE, RT.TOPIC, 'orders'), true, `op ${op}`);
    }
    for (const op of [Op.CREATE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS]) {
      assert.equal(authorizer([acl({ operation: op })]).authorize(request(), Op.DESCRIBE, RT.TOPIC, 'orders'), false, `op ${op}`);
    }
    assert.equal(authorizer([acl({ operation: Op.ALTER_CONFIGS })]).authorize(request(), Op.DESCRIBE_CONFIGS, RT.TOPIC, 'orders'), true);
    assert.equal(authorizer([acl({ operation: Op.ALTER })]).authorize(request(), Op.DESCRIBE_CONFIGS, RT.TOPIC, 'orders'), false);
    // READ does not imply WRITE, DESCRIBE does not imply READ
    assert.equal(authorizer([acl({ operation: Op.READ })]).authorize(request(), Op.WRITE, RT.TOPIC, 'orders'), false);
    assert.equal(authorizer([acl({ operation: Op.DESCRIBE })]).authorize(request(), Op.READ, RT.TOPIC, 'orders'), false);
    const all = authorizer([acl({ operation: Op.ALL })]);
    for (const op of [Op.READ, Op.WRITE, Op.CREATE, Op.DELETE, Op.ALTER, Op.DESCRIBE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS]) {
      assert.equal(all.authorize(request(), op, RT.TOPIC, 'orders'), true, `op ${op}`);
    }
    // DENY READ leaves DESCRIBE (granted by ALLOW ALL) alone; DENY ALL takes everything
    const denyRead = authorizer([acl({ operation: Op.ALL }), acl({ operation: Op.READ, permissionType: DENY })]);
    assert.equal(denyRead.authorize(request(), Op.DESCRIBE, RT.TOPIC, 'orders'), true);
    assert.equal(denyRead.authorize(request(), Op.READ, RT.TOPIC, 'orders'), false);
  });

  it('super.users are allowed everything, DENY ACLs notwithstanding; only exact principals', () => {
    assert.deepEqual(parseSuperUsers(' User:admin ; User:broker;;'), ['User:admin', 'User:broker']);
    const a = authorizer([acl({ principal: 'User:admin', operation: Op.ALL, permissionType: DENY })], { superUsers: ['User:admin'] });
    assert.equal(a.authorize(request('User:admin'), Op.ALTER, RT.CLUSTER, 'kafka-cluster'), true);
    assert.equal(a.authorize(request('User:admin'), Op.READ, RT.TOPIC, 'orders'), true);
    assert.equal(a.authorize(request('User:admin2'), Op.READ, RT.TOPIC, 'x'), false);
  });

  it('allow.everyone.if.no.acl.found allows only resources that have no ACL at all (for anyone)', () => {
    const acls = [acl({ principal: 'User:bob' })];
    const open = authorizer(acls, { allowEveryoneIfNoAclFound: true });
    assert.equal(open.authorize(request(), Op.READ, RT.TOPIC, 'other'), true);
    assert.equal(open.authorize(request(), Op.READ, RT.TOPIC, 'orders'), false); // bob's ACL exists
    assert.equal(open.authorize(request('User:bob'), Op.READ, RT.TOPIC, 'orders'), true);
    const closed = authorizer(acls);
    assert.equal(closed.authorize(request(), Op.READ, RT.TOPIC, 'other'), false);
    assert.equal(authorizer([]).authorize(request(), Op.READ, RT.TOPIC, 'other'), false);
  });

  it('authorizeByResourceType: some ALLOW of the type not covered by a DENY', () => {
    const byType = (acls: StandardAcl[], over = {}) => authorizer(acls, over).authorizeByResourceType(request(), Op.WRITE, RT.TOPIC);
    assert.equal(byType([acl({ operation: Op.WRITE })]), true);
    assert.equal(byType([acl({ operation: Op.ALL, resourceName: 'x', patternType: PREFIXED })]), true);
    assert.equal(byType([acl({ operation: Op.READ })]), false);
    assert.equal(byType([acl({ operation: Op.WRITE, principal: 'User:bob' })]), false);
    assert.equal(byType([acl({ operation: Op.WRITE }), acl({ operation: Op.WRITE, permissionType: DENY })]), false);
    assert.equal(
      byType([
        acl({ operation: Op.WRITE }),
        acl({ operation: Op.WRITE, permissionType: DENY, resourceName: 'ord', patternType: PREFIXED }),
      ]),
      false,
    );
    assert.equal(byType([acl({ operation: Op.WRITE }), acl({ operation: Op.WRITE, permissionType: DENY, resourceName: 'other' })]), true);
    assert.equal(byType([acl({ operation: Op.WRITE }), acl({ operation: Op.WRITE, permissionType: DENY, resourceName: '*' })]), false);
    assert.equal(byType([]), false);
    assert.equal(byType([], { allowEveryoneIfNoAclFound: true }), true);
    assert.equal(byType([acl({ resourceType: RT.GROUP })], { allowEveryoneIfNoAclFound: true }), true);
  });

  it('follows the current image: ACLs added or removed apply to the next request', () => {
    let img = image([]);
    const a = new StandardAuthorizer({ superUsers: [], allowEveryoneIfNoAclFound: false, acls: () => img });
    assert.equal(a.authorize(request(), Op.READ, RT.TOPIC, 'orders'), false);
    img = image([acl({})]);
    assert.equal(a.authorize(request(), Op.READ, RT.TOPIC, 'orders'), true);
    img = image([]);
    assert.equal(a.authorize(request(), Op.READ, RT.TOPIC, 'orders'), false);
  });

  it('many prefixed ACLs: a long name looks each of its prefixes up, a short one walks the patterns', () => {
    const acls = Array.from({ length: 50 }, (_, i) => acl({ resourceName: `p${i}-`, patternType: PREFIXED }));
    const a = authorizer(acls);
    assert.equal(a.authorize(request(), Op.READ, RT.TOPIC, 'p7-'), true); // 3 chars < 50 patterns: prefix lookups
    assert.equal(a.authorize(request(), Op.READ, RT.TOPIC, `p49-${'x'.repeat(60)}`), true); // longer: walk
    assert.equal(a.authorize(request(), Op.READ, RT.TOPIC, 'p50-'), false);
    assert.equal(a.authorize(request(), Op.READ, RT.TOPIC, `q${'x'.repeat(60)}`), false);
  });
});
