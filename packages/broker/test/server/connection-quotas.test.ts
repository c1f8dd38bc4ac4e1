// max.connections.per.ip (and its overrides) and max.connections with raw sockets: a connection
// over the per-IP limit is closed at once without being read; at max.connections a new connection
// waits unread until another closes, then is served; over an ip's connection_creation_rate a new
// connection is held unread for the throttle time, then closed; the connection count stays exact.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, it } from 'node:test';
import { ApiKey, encodeRequestFrame } from '@tributary/protocol';
import { BrokerConfig } from '../../src/config/broker-config.ts';
import { parsePerIpOverrides } from '../../src/server/connection-quotas.ts';
import { kafkaClient } from '../helpers/kafka-client.ts';
import { startTestBroker } from '../helpers/test-broker.ts';

interface Raw {
  socket: net.Socket;
  closed: Promise<void>;
  /** Resolves with the first 4+ bytes received (a response's size prefix). */
  firstBytes: Promise<Buffer>;
}

async function connect(port: number): Promise<Raw> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const closed = once(socket, 'close').then(() => undefined);
  let got = Buffer.alloc(0);
  const firstBytes = new Promise<Buffer>((resolve) =>
    socket.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 4) resolve(got);
    }),
  );
  await once(socket, 'connect');
  return { socket, closed, firstBytes };
}

function apiVersions(raw: Raw): void {
  raw.socket.write(
    encodeRequestFrame(
      { apiKey: ApiKey.ApiVersions, apiVersion: 3, correlationId: 1, clientId: 'raw' },
      {
        clientSoftwareName: 'raw',
        clientSoftwareVersion: '1',
      },
    ),
  );
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

describe('connection quotas', () => {
  it('parses max.connections.per.ip.overrides; refuses bad overrides and a zero limit without them', () => {
    assert.deepEqual(
      [...parsePerIpOverrides('127.0.0.1:5, ::1:2,')],
      [
        ['127.0.0.1', 5],
        ['::1', 2],
      ],
    );
    assert.throws(() => parsePerIpOverrides('127.0.0.1'), /bad entry "127.0.0.1" \(address:count expected\)/);
    const load = (settings: Record<string, string | number>) => () =>
      BrokerConfig.load({ settings: { 'log.dirs': '/tmp/unused', ...settings } });
    assert.throws(load({ 'max.connections.per.ip.overrides': '1.2.3.4' }), /max.connections.per.ip.overrides=1.2.3.4: bad entry/);
    assert.throws(
      load({ 'max.connections.per.ip': 0 }),
      /max.connections.per.ip can be set to zero only if max.connections.per.ip.overrides property is set/,
    );
    assert.equal(load({ 'max.connections.per.ip': 0, 'max.connections.per.ip.overrides': '1.2.3.4:3' })().get('max.connections.per.ip'), 0);
  });

  it('closes a connection over max.connections.per.ip at once; a freed slot lets the next in', async () => {
    const b = await startTestBroker({ 'max.connections.per.ip': 2 });
    try {
      const a = await connect(b.port);
      const c = await connect(b.port);
      await until(() => b.broker.connectionCount === 2);
      const over = await connect(b.port);
      await over.closed; // closed by the broker without any request sent
      assert.equal(b.broker.connectionCount, 2);
      apiVersions(a);
      assert.ok((await a.firstBytes).readInt32BE(0) > 0, 'the first connections are served');
      a.socket.destroy();
      await until(() => b.broker.connectionCount === 1);
      const next = await connect(b.port);
      apiVersions(next);
      assert.ok((await next.firstBytes).length >= 4);
      assert.equal(b.broker.connectionCount, 2);
      c.socket.destroy();
      next.socket.destroy();
    } finally {
      await b.stop();
    }
  });

  it('an override gives an address its own limit', async () => {
    const b = await startTestBroker({ 'max.connections.per.ip.overrides': '127.0.0.1:1' });
    try {
      const a = await connect(b.port);
      await until(() => b.broker.connectionCount === 1);
      const over = await connect(b.port);
      await over.closed;
      assert.equal(b.broker.connectionCount, 1);
      a.socket.destroy();
    } finally {
      await b.stop();
    }
  });

  it('at max.connections a new connection waits unread until one closes', async () => {
    const b = await startTestBroker({ 'max.connections': 2 });
    try {
      const a = await connect(b.port);
      const c = await connect(b.port);
      await until(() => b.broker.connectionCount === 2);
      const waiting = await connect(b.port);
      apiVersions(waiting);
      let answered = false;
      void waiting.firstBytes.then(() => (answered = true));
      // a request on an admitted connection completes while the third is still unread
      apiVersions(c);
      await c.firstBytes;
      assert.equal(answered, false, 'the waiting connection is not read');
      assert.equal(b.broker.connectionCount, 2);
      a.socket.destroy();
      assert.ok((await waiting.firstBytes).length >= 4, 'served once a slot freed');
      assert.equal(b.broker.connectionCount, 2);
      c.socket.destroy();
      waiting.socket.destroy();
      await until(() => b.broker.connectionCount === 0);
    } finally {
      await b.stop();
    }
  });

  it('holds a connection over the ip connection_creation_rate unread for its throttle time, then closes it', async () => {
    const b = await startTestBroker({ 'quota.window.num': 2, 'quota.window.size.seconds': 1 });
    const admin = await kafkaClient(b.port);
    try {
      const res = await admin.request(ApiKey.AlterClientQuotas, 1, {
        entries: [
          { entity: [{ entityType: 'ip', entityName: '127.0.0.1' }], ops: [{ key: 'connection_creation_rate', value: 2, remove: false }] },
        ],
        validateOnly: false,
      });
      assert.equal(res.entries[0]!.errorCode, 0);
      const a = await connect(b.port);
      const c = await connect(b.port);
      await until(() => b.broker.connectionCount === 3);
      const over = await connect(b.port); // a third in the same second: 3/s over 2/s
      const start = performance.now();
      apiVersions(over);
      let answered = false;
      void over.firstBytes.then(() => (answered = true));
      await over.closed;
      const held = performance.now() - start;
      assert.equal(answered, false, 'the throttled connection is never read');
      assert.ok(held >= 400, `held ${held} ms (throttle: (3 - 2) / 2 x ~1000 ms)`);
      assert.equal(b.broker.connectionCount, 3);
      apiVersions(a);
      assert.ok((await a.firstBytes).length >= 4);
      a.socket.destroy();
      c.socket.destroy();
    } finally {
      admin.close();
      await b.stop();
    }
  });
});
