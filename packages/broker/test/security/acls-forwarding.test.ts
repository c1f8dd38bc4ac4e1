// ACLs in a cluster over the network: a controller-only node and two broker-only nodes following
// it, all with the StandardAuthorizer (allow.everyone.if.no.acl.found=true so User:ANONYMOUS may
// create the first ACLs). CreateAcls sent to broker 1 is forwarded to the controller (CreateAcls
// on the controller listener), written to the metadata log, and reaches broker 2's image: broker 2
// describes it and enforces it; DeleteAcls through broker 2 removes it everywhere.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BrokerConnection } from '@tributary/client';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { Broker } from '../../src/broker.ts';
import { BrokerConfig } from '../../src/config/broker-config.ts';
import { ControllerNode } from '../../src/controller-node.ts';
import { silentLogger } from '../../src/logger.ts';

const CLUSTER_ID = 'aCLsHqh8TQuAbLDhVyQk1w';
const dir = mkdtempSync(join(tmpdir(), 'tributary-acls-forwarding-'));
const SECURITY = { 'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer', 'allow.everyone.if.no.acl.found': true };
let controller: ControllerNode;
const brokers: Broker[] = [];
const ports: number[] = [];

before(async () => {
  const env = { CLUSTER_ID };
  const common = { 'controller.listener.names': 'CONTROLLER', ...SECURITY };
  controller = new ControllerNode(
    BrokerConfig.load({
      settings: {
        ...common,
        'process.roles': 'controller',
        'node.id': 3000,
        listeners: 'CONTROLLER://127.0.0.1:0',
        'log.dirs': join(dir, 'c'),
      },
      env,
    }),
    { log: silentLogger },
  );
  const controllerPort = (await controller.start())[0]!.boundPort;
  for (const id of [1, 2]) {
    const b = new Broker(
      BrokerConfig.load({
        settings: {
          ...common,
          'process.roles': 'broker',
          'node.id': id,
          listeners: 'PLAINTEXT://127.0.0.1:0',
          'controller.quorum.voters': `3000@127.0.0.1:${controllerPort}`,
          'log.dirs': join(dir, `b${id}`),
        },
        env,
      }),
      { log: silentLogger },
    );
    ports.push(await b.start());
    brokers.push(b);
  }
});

after(async () => {
  for (const b of brokers) await b.stop({ controlled: false });
  await controller?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function connect(port: number) {
  return new BrokerConnection({ host: '127.0.0.1', port, clientId: 'test', requestTimeoutMs: 10000 });
}

const ALL = {
  resourceTypeFilter: 1,
  resourceNameFilter: null,
  patternTypeFilter: 1,
  principalFilter: null,
  hostFilter: null,
  operation: 1,
  permissionType: 1,
};

async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await f();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('condition not met');
}

describe('ACLs through a remote controller', () => {
  it('created at one broker, described and enforced at the other, deleted from either', async () => {
    const b1 = connect(ports[0]!);
    const b2 = connect(ports[1]!);
    try {
      const created = await b1.request(ApiKey.CreateAcls, {
        creations: [
          {
            resourceType: 4,
            resourceName: 'kafka-cluster',
            resourcePatternType: 3,
            principal: 'User:ANONYMOUS',
            host: '*',
            operation: 2,
            permissionType: 3,
          },
          {
            resourceType: 2,
            resourceName: 'secret',
            resourcePatternType: 3,
            principal: 'User:ANONYMOUS',
            host: '*',
            operation: 8,
            permissionType: 2,
          },
          {
            resourceType: 2,
            resourceName: 'bad',
            resourcePatternType: 1,
            principal: 'User:ANONYMOUS',
            host: '*',
            operation: 8,
            permissionType: 2,
          },
        ],
      });
      assert.deepEqual(
        created.results.map((r) => [r.errorCode, r.errorMessage]),
        [
          [0, null],
          [0, null],
          [ErrorCode.INVALID_REQUEST, 'Invalid patternType 1'],
        ],
      );
      const described = await until(
        () => b2.request(ApiKey.DescribeAcls, ALL),
        (r) => r.resources.length === 2,
      );
      assert.deepEqual(
        described.resources.map((r) => [
          r.resourceType,
          r.resourceName,
          r.patternType,
          r.acls.map((a) => [a.principal, a.operation, a.permissionType]),
        ]),
        [
          [4, 'kafka-cluster', 3, [['User:ANONYMOUS', 2, 3]]],
          [2, 'secret', 3, [['User:ANONYMOUS', 8, 2]]],
        ],
      );
      const md = await b2.request(ApiKey.Metadata, {
        topics: [{ name: 'secret', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }],
        allowAutoTopicCreation: false,
      });
      assert.equal(md.topics[0]!.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);

      const deleted = await b2.request(ApiKey.DeleteAcls, {
        filters: [{ ...ALL, resourceTypeFilter: 2 }],
      });
      assert.deepEqual(
        deleted.filterResults.map((r) => [r.errorCode, r.matchingAcls.map((a) => a.resourceName)]),
        [[0, ['secret']]],
      );
      await until(
        () => b1.request(ApiKey.DescribeAcls, ALL),
        (r) => r.resources.length === 1,
      );
      const after = await until(
        () =>
          b2.request(ApiKey.Metadata, { topics: [{ name: 'secret', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: false }),
        (r) => r.topics[0]!.errorCode !== ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      );
      assert.equal(after.topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    } finally {
      b1.close();
      b2.close();
    }
  });
});
