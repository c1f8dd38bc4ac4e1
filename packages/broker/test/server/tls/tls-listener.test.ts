// SSL listeners end to end with @tributary/client: one-way TLS, mutual TLS (ssl.client.auth=required:
// no certificate or one from another CA is refused; requested: anonymous without one), the
// principal of a client certificate as an Authorizer sees it, a listener-specific key store, TLS
// garbage and truncated handshakes closing only their connection, and certificates reloaded from
// disk for new connections.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { join } from 'node:path';
import { Kafka } from '@tributary/client';
import type { Authorizer, KafkaPrincipal } from '../../../src/server/authorizer.ts';
import { startTestBroker } from '../../helpers/test-broker.ts';
import { createTestPki, type TestPki } from '../../helpers/test-certs.ts';

type Started = Awaited<ReturnType<typeof startTestBroker>>;

function sslPort(b: Started): number {
  const l = b.broker.listeners.find((x) => x.name === 'SSL');
  assert.ok(l, 'SSL listener bound');
  return l.boundPort;
}

const LISTENERS = {
  listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0',
  'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SSL:SSL',
};

/** An Authorizer that allows everything and records who asked. */
function recordingAuthorizer(seen: string[]): Authorizer {
  return {
    authorize(request) {
      const p: KafkaPrincipal = request.connection.principal;
      seen.push(`${request.connection.listenerName} ${p.type}:${p.name}`);
      byClient.push(`${request.header.clientId} ${p.type}:${p.name}`);
      return true;
    },
  };
}

/** `${clientId} ${principal}` of every request authorized (each round trip uses the topic as its client id). */
const byClient: string[] = [];

async function roundTrip(port: number, tlsOptions: tls.ConnectionOptions | undefined, topic: string): Promise<string[]> {
  const kafka = new Kafka({
    bootstrapServers: `127.0.0.1:${port}`,
    clientId: topic,
    tls: tlsOptions,
    requestTimeoutMs: 5000,
    connectTimeoutMs: 5000,
  });
  try {
    await kafka.admin().createTopics([{ name: topic, partitions: 1 }]);
    const producer = kafka.producer();
    await producer.send({
      topic,
      messages: [
        { key: 'k1', value: 'v1', partition: 0 },
        { key: 'k2', value: 'v2', partition: 0 },
      ],
    });
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([{ topic, partition: 0 }]);
    const got: string[] = [];
    for await (const r of consumer) {
      got.push(`${r.key}=${r.value} @${r.offset}`);
      if (got.length === 2) break;
    }
    await consumer.close();
    return got;
  } finally {
    await kafka.close();
  }
}

/**
 * Resolves with the error code of a TLS client the broker refuses (at the handshake or on its first
 * read), or 'closed' when the broker closed the connection without an alert; rejects when the broker answers.
 */
function refused(port: number, options: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ...options });
    s.on('secureConnect', () => {
      // TLS 1.3: the server's verdict on our certificate arrives after the client finished; ask something
      s.write(Buffer.from([0, 0, 0, 0]));
    });
    s.on('data', () => reject(new Error('the broker answered')));
    s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    s.on('close', () => resolve('closed'));
  });
}

describe('SSL listener', () => {
  let pki: TestPki;
  before(() => (pki = createTestPki()));
  after(() => pki.cleanup());

  it('serves our client over one-way TLS; the principal is User:ANONYMOUS, plaintext still works', async () => {
    const seen: string[] = [];
    const b = await startTestBroker(
      { ...LISTENERS, 'ssl.keystore.location': pki.server.keystore },
      { authorizer: recordingAuthorizer(seen) },
    );
    try {
      const ca = readFileSync(pki.ca.cert);
      assert.deepEqual(await roundTrip(sslPort(b), { ca }, 'one-way'), ['k1=v1 @0', 'k2=v2 @1']);
      assert.ok(seen.includes('SSL User:ANONYMOUS'), seen.join());
      // host name checked against the SAN (localhost is in it)
      const kafka = new Kafka({ bootstrapServers: `localhost:${sslPort(b)}`, tls: { ca } });
      assert.equal((await kafka.admin().describeCluster()).brokers.length, 1);
      await kafka.close();
      // a client that does not trust the CA fails the handshake, unless told not to verify
      assert.equal(await refused(sslPort(b), {}), 'SELF_SIGNED_CERT_IN_CHAIN');
      const unverified = new Kafka({ bootstrapServers: `127.0.0.1:${sslPort(b)}`, tls: { rejectUnauthorized: false } });
      assert.equal((await unverified.admin().describeCluster()).brokers.length, 1);
      await unverified.close();
      // servername: the name checked against the certificate (not in its SAN: refused)
      const named = new Kafka({ bootstrapServers: `127.0.0.1:${sslPort(b)}`, tls: { ca, servername: 'localhost' } });
      assert.equal((await named.admin().describeCluster()).brokers.length, 1);
      await named.close();
      const wrongName = new Kafka({
        bootstrapServers: `127.0.0.1:${sslPort(b)}`,
        tls: { ca, servername: 'elsewhere.example' },
        connectTimeoutMs: 2000,
        reconnectBackoffMaxMs: 100,
      });
      await assert.rejects(wrongName.admin({ defaultApiTimeoutMs: 1500 }).describeCluster(), /elsewhere\.example|altnames/i);
      await wrongName.close();
      assert.deepEqual(await roundTrip(b.port, undefined, 'plain'), ['k1=v1 @0', 'k2=v2 @1']);
    } finally {
      await b.stop();
    }
  });

  it('mutual TLS (ssl.client.auth=required): the certificate subject is the principal; no certificate or another CA is refused', async () => {
    const seen: string[] = [];
    const b = await startTestBroker(
      {
        ...LISTENERS,
        'ssl.keystore.location': pki.server.keystore,
        'ssl.truststore.location': pki.ca.cert,
        'ssl.client.auth': 'required',
      },
      { authorizer: recordingAuthorizer(seen) },
    );
    try {
      const ca = readFileSync(pki.ca.cert);
      const alice = pki.issue('alice', '/C=US/O=acme/OU=eng/CN=alice', { password: 'alice-pw' });
      const tlsOptions = { ca, key: readFileSync(alice.key), cert: readFileSync(alice.cert), passphrase: 'alice-pw' };
      assert.deepEqual(await roundTrip(sslPort(b), tlsOptions, 'mutual'), ['k1=v1 @0', 'k2=v2 @1']);
      assert.ok(seen.includes('SSL User:CN=alice,OU=eng,O=acme,C=US'), seen.join());
      assert.ok(!seen.some((s) => s.includes('ANONYMOUS')), seen.join());

      assert.equal(await refused(sslPort(b), { ca }), 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
      const otherCa = pki.newCa('other');
      const mallory = pki.issue('mallory', '/CN=mallory', { ca: otherCa });
      const err = await refused(sslPort(b), { ca, key: readFileSync(mallory.key), cert: readFileSync(mallory.cert) });
      assert.match(err, /^(ERR_SSL_TLSV1_ALERT_UNKNOWN_CA|closed)$/); // an alert, or a close before it is read
      assert.ok(!seen.some((s) => s.includes('mallory')));
    } finally {
      await b.stop();
    }
  });

  it('ssl.client.auth=requested: anonymous without a certificate, mapped subject with one (ssl.principal.mapping.rules), untrusted refused', async () => {
    const seen: string[] = [];
    const b = await startTestBroker(
      {
        ...LISTENERS,
        'ssl.keystore.location': pki.server.keystore,
        'ssl.truststore.location': pki.ca.cert,
        'ssl.client.auth': 'requested',
        'ssl.principal.mapping.rules': 'RULE:^CN=([^,]+),O=(.*)$/$1@$2/L,DEFAULT',
      },
      { authorizer: recordingAuthorizer(seen) },
    );
    try {
      const ca = readFileSync(pki.ca.cert);
      const bob = pki.issue('bob', '/O=Acme/CN=Bob');
      await roundTrip(sslPort(b), { ca }, 'anon');
      assert.ok(seen.includes('SSL User:ANONYMOUS'));
      await roundTrip(sslPort(b), { ca, key: readFileSync(bob.key), cert: readFileSync(bob.cert) }, 'bob');
      const bobs = byClient.filter((s) => s.startsWith('bob '));
      assert.ok(bobs.length > 0 && bobs.every((s) => s === 'bob User:bob@acme'), bobs.join());
      assert.ok(byClient.filter((s) => s.startsWith('anon ')).every((s) => s === 'anon User:ANONYMOUS'));
      const otherCa = pki.newCa('other2');
      const eve = pki.issue('eve', '/CN=eve', { ca: otherCa });
      // (the handshake completes without verifying; the broker then closes the connection unanswered)
      assert.equal(await refused(sslPort(b), { ca, key: readFileSync(eve.key), cert: readFileSync(eve.cert) }), 'closed');
    } finally {
      await b.stop();
    }
  });

  it('applies ssl.enabled.protocols and ssl.cipher.suites (IANA names) to the handshake', async () => {
    const b = await startTestBroker({
      ...LISTENERS,
      'ssl.keystore.location': pki.server.keystore,
      'ssl.enabled.protocols': 'TLSv1.2',
      'ssl.cipher.suites': 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
    });
    try {
      const ca = readFileSync(pki.ca.cert);
      const negotiated = await new Promise<string>((resolve, reject) => {
        const s = tls.connect({ host: '127.0.0.1', port: sslPort(b), ca }, () => {
          const seen = `${s.getProtocol()} ${s.getCipher().standardName}`;
          s.destroy();
          resolve(seen);
        });
        s.on('error', reject);
      });
      assert.equal(negotiated, 'TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');
      // a client that only speaks TLS 1.3, or only other suites, gets no handshake
      assert.match(await refused(sslPort(b), { ca, minVersion: 'TLSv1.3' }), /ALERT_PROTOCOL_VERSION|closed/);
      assert.match(
        await refused(sslPort(b), { ca, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }),
        /HANDSHAKE_FAILURE|closed/,
      );
    } finally {
      await b.stop();
    }
  });

  it('refuses to start without a key store, naming the listener', async () => {
    await assert.rejects(startTestBroker(LISTENERS), /listener SSL: an SSL listener needs ssl\.keystore\.location/);
  });

  it('uses listener.name.ssl.* over the plain settings', async () => {
    const b = await startTestBroker({
      ...LISTENERS,
      'ssl.keystore.location': join(pki.dir, 'does-not-exist.pem'),
      'listener.name.ssl.ssl.keystore.location': pki.server.keystore,
    });
    try {
      const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${sslPort(b)}`, tls: { ca: readFileSync(pki.ca.cert) } });
      assert.equal((await kafka.admin().describeCluster()).brokers.length, 1);
      await kafka.close();
    } finally {
      await b.stop();
    }
  });

  it('random bytes and a truncated ClientHello close only their connection; a good client still works', async () => {
    const b = await startTestBroker({ ...LISTENERS, 'ssl.keystore.location': pki.server.keystore });
    try {
      const port = sslPort(b);
      const send = (bytes: Buffer, end: boolean) =>
        new Promise<void>((resolve) => {
          const s = net.connect(port, '127.0.0.1', () => {
            s.write(bytes);
            if (end) s.end();
          });
          s.on('error', () => resolve());
          s.on('close', () => resolve());
          if (!end) setImmediate(() => s.destroy()); // the peer goes away mid-handshake
        });
      const garbage = Buffer.alloc(4096);
      for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) & 0xff;
      await send(garbage, true);
      // the first bytes of a ClientHello (record header + handshake header), then nothing
      await send(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]), false);
      await send(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]), true);
      // a plaintext Kafka request to the TLS port
      await send(Buffer.from('000000120012000300000001000474657374', 'hex'), true);
      assert.deepEqual(await roundTrip(port, { ca: readFileSync(pki.ca.cert) }, 'after-garbage'), ['k1=v1 @0', 'k2=v2 @1']);
    } finally {
      await b.stop();
    }
  });

  it('reloads the key store when its file changes: new connections see the new certificate, a bad file keeps the old one', async () => {
    const keystore = join(pki.dir, 'reload.keystore.pem');
    copyFileSync(pki.server.keystore, keystore);
    const b = await startTestBroker({ ...LISTENERS, 'ssl.keystore.location': keystore });
    const ca = readFileSync(pki.ca.cert);
    const serialSeen = () =>
      new Promise<string>((resolve, reject) => {
        const s = tls.connect({ host: '127.0.0.1', port: sslPort(b), ca }, () => {
          const c = s.getPeerCertificate();
          s.destroy();
          resolve(`${c.serialNumber} ${new X509Certificate(c.raw).subject.replaceAll('\n', ',')}`);
        });
        s.on('error', reject);
      });
    const waitFor = async (want: string) => {
      for (let i = 0; i < 200; i++) {
        const seen = await serialSeen();
        if (seen === want) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.fail(`never saw ${want}`);
    };
    try {
      assert.equal(await serialSeen(), `${pki.server.serial} C=US,O=Tributary,CN=localhost`);
      const next = pki.issue('server2', '/C=US/O=Tributary/OU=renewed/CN=localhost', { san: 'IP:127.0.0.1,DNS:localhost' });
      // replaced by a rename, as cert-manager and editors do
      copyFileSync(next.keystore, `${keystore}.tmp`);
      renameSync(`${keystore}.tmp`, keystore);
      await waitFor(`${next.serial} C=US,O=Tributary,OU=renewed,CN=localhost`);
      // a broken file: the last good certificate stays
      writeFileSync(keystore, '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n');
      await new Promise((r) => setTimeout(r, 600));
      assert.equal(await serialSeen(), `${next.serial} C=US,O=Tributary,OU=renewed,CN=localhost`);
      const third = pki.issue('server3', '/C=US/O=Tributary/CN=localhost', { san: 'IP:127.0.0.1' });
      copyFileSync(third.keystore, keystore);
      await waitFor(`${third.serial} C=US,O=Tributary,CN=localhost`);
    } finally {
      await b.stop();
    }
  });
});
