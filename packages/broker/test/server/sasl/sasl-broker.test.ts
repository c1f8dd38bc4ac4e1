// SASL on a real broker's SASL_PLAINTEXT listener, over raw sockets: SaslHandshake v1 +
// SaslAuthenticate (PLAIN), SaslHandshake v0 + bare tokens (kafka-python's flow), unsupported
// mechanisms, wrong passwords (SASL_AUTHENTICATION_FAILED with Kafka's message, then closed),
// requests before authentication (closed), truncated and malformed tokens, re-authentication
// (KIP-368) and an expired session, and that no password reaches the log.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, ErrorCode, decodeResponseFrame, encodeRequestFrame } from '@tributary/protocol';
import { startTestBroker } from '../../helpers/test-broker.ts';
import { connect, type WireClient } from '../../helpers/wire-client.ts';
import type { Logger } from '../../../src/logger.ts';

const JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";';

function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const out = (lvl: string) => (msg: string, fields?: Record<string, unknown>) =>
    lines.push(`${lvl} ${msg} ${JSON.stringify(fields ?? {})}`);
  return { lines, debug: out('debug'), info: out('info'), warn: out('warn'), error: out('error') };
}

function settings(extra: Record<string, string | number> = {}) {
  return {
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256',
    // the only listener is the inter-broker one: the broker logs in with the JAAS username/password
    'sasl.mechanism.inter.broker.protocol': 'PLAIN',
    'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
    'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'connection.failed.authentication.delay.ms': 20,
    ...extra,
  };
}

let correlation = 1;
const frame = <K extends ApiKey>(apiKey: K, version: number, body: unknown) =>
  encodeRequestFrame({ apiKey, apiVersion: version, correlationId: correlation++, clientId: 'sasl-test' }, body as never);
const decode = <K extends ApiKey>(apiKey: K, version: number, payload: Buffer) => decodeResponseFrame(apiKey, version, payload).body;
const plain = (user: string, password: string) => Buffer.from(`\u0000${user}\u0000${password}`);

async function handshake(c: WireClient, mechanism: string, version = 1) {
  c.send(frame(ApiKey.SaslHandshake, version, { mechanism }));
  return decode(ApiKey.SaslHandshake, version, (await c.frames(1))[0]!);
}
async function authenticate(c: WireClient, token: Buffer, version = 2) {
  c.send(frame(ApiKey.SaslAuthenticate, version, { authBytes: token }));
  return decode(ApiKey.SaslAuthenticate, version, (await c.frames(1))[0]!);
}
async function metadata(c: WireClient) {
  c.send(frame(ApiKey.Metadata, 1, { topics: [] }));
  return decode(ApiKey.Metadata, 1, (await c.frames(1))[0]!);
}

describe('SASL on a SASL_PLAINTEXT listener', () => {
  let b: Awaited<ReturnType<typeof startTestBroker>>;
  const log = capturingLogger();
  before(async () => {
    b = await startTestBroker(settings(), { log });
  });
  after(() => b.stop());

  it('ApiVersions, SaslHandshake v1 and SaslAuthenticate (PLAIN), then Metadata is served', async () => {
    const c = await connect(b.port);
    c.send(frame(ApiKey.ApiVersions, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' }));
    const versions = decode(ApiKey.ApiVersions, 3, (await c.frames(1))[0]!);
    assert.deepEqual(
      versions.apiKeys.filter((k) => k.apiKey === 17 || k.apiKey === 36).map((k) => [k.apiKey, k.maxVersion]),
      [
        [17, 1],
        [36, 2],
      ],
    );
    const hs = await handshake(c, 'PLAIN');
    assert.equal(hs.errorCode, ErrorCode.NONE);
    assert.deepEqual(hs.mechanisms, ['PLAIN', 'SCRAM-SHA-256']);
    const auth = await authenticate(c, plain('alice', 'alice-secret'));
    assert.equal(auth.errorCode, ErrorCode.NONE);
    assert.equal(auth.errorMessage, null);
    assert.equal(auth.sessionLifetimeMs, 0n);
    assert.equal((await metadata(c)).brokers.length, 1);
    // authenticated: a further SaslAuthenticate is ILLEGAL_SASL_STATE, as Kafka answers
    const again = await authenticate(c, plain('alice', 'alice-secret'));
    assert.equal(again.errorCode, ErrorCode.ILLEGAL_SASL_STATE);
    c.end();
  });

  it("SaslHandshake v0 then bare tokens (kafka-python's legacy flow)", async () => {
    const c = await connect(b.port);
    assert.equal((await handshake(c, 'PLAIN', 0)).errorCode, ErrorCode.NONE);
    const token = plain('admin', 'admin-secret');
    const raw = Buffer.alloc(4 + token.length);
    raw.writeInt32BE(token.length);
    token.copy(raw, 4);
    c.send(raw);
    const [answer] = await c.frames(1);
    assert.equal(answer!.length, 0); // PLAIN's empty server token, size-prefixed
    assert.equal((await metadata(c)).brokers.length, 1);
    c.end();
  });

  it("a wrong password answers SASL_AUTHENTICATION_FAILED with Kafka's message, then closes", async () => {
    const c = await connect(b.port);
    await handshake(c, 'PLAIN');
    const auth = await authenticate(c, plain('alice', 'not-the-password'));
    assert.equal(auth.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
    assert.equal(auth.errorMessage, 'Authentication failed: Invalid username or password');
    await c.closed;
  });

  it('an unknown SCRAM user: the general message naming the mechanism', async () => {
    const c = await connect(b.port);
    await handshake(c, 'SCRAM-SHA-256');
    const auth = await authenticate(c, Buffer.from('n,,n=nobody,r=abcdef'));
    assert.equal(auth.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
    assert.equal(
      auth.errorMessage,
      'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256',
    );
    await c.closed;
  });

  it('an unknown or disabled mechanism answers UNSUPPORTED_SASL_MECHANISM with the enabled list, then closes', async () => {
    for (const m of ['SCRAM-SHA-512', 'GSSAPI', 'NOPE']) {
      const c = await connect(b.port);
      const hs = await handshake(c, m);
      assert.equal(hs.errorCode, ErrorCode.UNSUPPORTED_SASL_MECHANISM);
      assert.deepEqual(hs.mechanisms, ['PLAIN', 'SCRAM-SHA-256']);
      await c.closed;
    }
  });

  it('a Metadata request before authentication closes the connection (before and after the handshake)', async () => {
    const c = await connect(b.port);
    c.send(frame(ApiKey.Metadata, 1, { topics: [] }));
    await c.closed;
    assert.equal(c.pending.length, 0);
    const d = await connect(b.port);
    await handshake(d, 'PLAIN');
    d.send(frame(ApiKey.Metadata, 1, { topics: [] }));
    await d.closed;
    assert.equal(d.pending.length, 0);
    assert.ok(log.lines.some((l) => l.includes('Unexpected Kafka request of type Metadata during SASL handshake.')));
  });

  it('malformed tokens, garbage headers and truncated handshakes close only that connection', async () => {
    const garbage = [
      Buffer.from([0, 0, 0, 3, 1, 2, 3]), // shorter than a header
      Buffer.from([0, 0, 0, 10, 0, 17, 0, 1, 0, 0, 0, 1, 0xff, 0xff]), // SaslHandshake, body cut
      Buffer.from([0, 0, 0, 100, 0, 17, 0, 1]), // truncated frame, then the client goes away
    ];
    for (const g of garbage) {
      const c = await connect(b.port);
      c.send(g);
      if (g.readInt32BE(0) + 4 === g.length) await c.closed;
      c.socket.destroy();
    }
    for (const token of [Buffer.alloc(0), Buffer.from('\u0000\u0000\u0000\u0000'), Buffer.alloc(5000, 0xff)]) {
      const c = await connect(b.port);
      await handshake(c, 'PLAIN');
      const auth = await authenticate(c, token);
      assert.equal(auth.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
      assert.equal(auth.errorMessage, 'Authentication failed during authentication due to invalid credentials with SASL mechanism PLAIN');
      await c.closed;
    }
    const ok = await connect(b.port);
    await handshake(ok, 'PLAIN');
    assert.equal((await authenticate(ok, plain('alice', 'alice-secret'))).errorCode, ErrorCode.NONE);
    ok.end();
  });

  it('no password appears in the log, failed logins are logged', () => {
    const text = log.lines.join('\n');
    assert.ok(text.includes('failed authentication'));
    for (const secret of ['alice-secret', 'admin-secret', 'not-the-password']) assert.ok(!text.includes(secret), secret);
  });
});

describe('re-authentication (connections.max.reauth.ms)', () => {
  let b: Awaited<ReturnType<typeof startTestBroker>>;
  before(async () => {
    b = await startTestBroker(settings({ 'connections.max.reauth.ms': 300 }));
  });
  after(() => b.stop());

  it('SessionLifetimeMs is told; re-authenticating as the same user renews the session', async () => {
    const c = await connect(b.port);
    await handshake(c, 'PLAIN');
    assert.equal((await authenticate(c, plain('alice', 'alice-secret'))).sessionLifetimeMs, 300n);
    assert.equal((await handshake(c, 'PLAIN')).errorCode, ErrorCode.NONE);
    const re = await authenticate(c, plain('alice', 'alice-secret'));
    assert.equal(re.errorCode, ErrorCode.NONE);
    assert.equal(re.sessionLifetimeMs, 300n);
    assert.equal((await metadata(c)).brokers.length, 1);
    // a second re-authentication within a second is not one: SaslHandshake answers ILLEGAL_SASL_STATE, as Kafka's KafkaApis
    assert.equal((await handshake(c, 'PLAIN')).errorCode, ErrorCode.ILLEGAL_SASL_STATE);
    assert.equal((await metadata(c)).brokers.length, 1);
    c.end();
  });

  it('re-authenticating as another user fails (same principal required)', async () => {
    const c = await connect(b.port);
    await handshake(c, 'PLAIN');
    await authenticate(c, plain('alice', 'alice-secret'));
    await handshake(c, 'PLAIN');
    const re = await authenticate(c, plain('admin', 'admin-secret'));
    assert.equal(re.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
    assert.equal(re.errorMessage, 'Cannot change principals during re-authentication from User:alice: User:admin');
    await c.closed;
  });

  it('a session that expired without re-authentication is closed on its next request', async () => {
    const c = await connect(b.port);
    await handshake(c, 'PLAIN');
    await authenticate(c, plain('alice', 'alice-secret'));
    const start = Date.now();
    while (Date.now() - start < 400) await new Promise((r) => setTimeout(r, 50)); // past the 300 ms session
    c.send(frame(ApiKey.Metadata, 1, { topics: [] }));
    await c.closed;
    assert.equal(c.pending.length, 0);
  });
});

describe('SASL listener configuration', () => {
  it('GSSAPI (the default) on a SASL listener, or a mechanism without its JAAS entry, stops the broker with a clear error', async () => {
    await assert.rejects(
      startTestBroker({ listeners: 'SASL_PLAINTEXT://127.0.0.1:0' }),
      /sasl\.enabled\.mechanisms: SASL mechanism GSSAPI is enabled on listener SASL_PLAINTEXT but Tributary does not implement it/,
    );
    await assert.rejects(
      startTestBroker({
        listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
        'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
        'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
      }),
      /listener\.name\.sasl_plaintext\.scram-sha-512\.sasl\.jaas\.config is not set: Could not find a 'KafkaServer' or 'sasl_plaintext\.KafkaServer' entry/,
    );
    await assert.rejects(
      startTestBroker({
        listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
        'listener.name.sasl_plaintext.sasl.enabled.mechanisms': 'PLAIN',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'x.Y required user_a="b"',
      }),
      /plain\.sasl\.jaas\.config: Invalid JAAS config: the login module entry does not end with ";"/,
    );
    await assert.rejects(
      startTestBroker({ ...settings(), 'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512' }),
      /sasl\.mechanism\.inter\.broker\.protocol must be included in sasl\.enabled\.mechanisms when SASL is used for inter-broker communication/,
    );
  });
});
