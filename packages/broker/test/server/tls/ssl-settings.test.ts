// SSL settings: Kafka's ssl.* names and defaults, the listener.name.<l>.ssl.* override, PEM-only
// stores, the checks on key store / trust store combinations, and the files read into Node's TLS
// options (key + chain in one PEM, encrypted keys with ssl.key.password, errors without secrets).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BrokerConfig, ConfigError } from '../../../src/config/broker-config.ts';
import { describeBrokerConfigs } from '../../../src/config-resources/config-resources.ts';
import { resolveSslSettings } from '../../../src/server/tls/ssl-settings.ts';
import { clientTlsOptions, loadSslMaterial, serverTlsOptions } from '../../../src/server/tls/secure-context.ts';
import { outboundTls } from '../../../src/server/tls/outbound-tls.ts';
import { createTestPki, type TestPki } from '../../helpers/test-certs.ts';

const LISTENERS = {
  listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,INTERNAL://127.0.0.1:0',
  'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SSL:SSL,INTERNAL:SSL',
};

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('ssl.* settings', () => {
  it("has Kafka's defaults (PEM stores, TLSv1.2 and TLSv1.3, no client auth, DEFAULT mapping)", () => {
    const c = BrokerConfig.load({ settings: LISTENERS });
    const s = resolveSslSettings(c, 'SSL');
    assert.equal(s.keyStore, null);
    assert.equal(s.trustStore, null);
    assert.equal(s.clientAuth, 'none');
    assert.equal(s.minVersion, 'TLSv1.2');
    assert.equal(s.maxVersion, 'TLSv1.3');
    assert.equal(s.ciphers, undefined);
    assert.equal(s.endpointIdentification, true);
    assert.deepEqual(s.principalMappingRules, [{ isDefault: true }]);
    assert.equal(c.securityProtocolOf('internal'), 'SSL');
    assert.equal(c.securityProtocolOf('PLAINTEXT'), 'PLAINTEXT');
  });

  it('a listener.name.<listener>.ssl.* setting wins for that listener only', () => {
    const c = BrokerConfig.load({
      settings: {
        ...LISTENERS,
        'ssl.client.auth': 'requested',
        'ssl.keystore.location': '/a.pem',
        'listener.name.internal.ssl.client.auth': 'required',
        'listener.name.internal.ssl.keystore.location': '/b.pem',
        'listener.name.internal.ssl.enabled.protocols': 'TLSv1.3',
      },
    });
    const ssl = resolveSslSettings(c, 'SSL');
    const internal = resolveSslSettings(c, 'INTERNAL');
    assert.equal(ssl.clientAuth, 'requested');
    assert.deepEqual(ssl.keyStore, { location: '/a.pem' });
    assert.equal(ssl.minVersion, 'TLSv1.2');
    assert.equal(internal.clientAuth, 'required');
    assert.deepEqual(internal.keyStore, { location: '/b.pem' });
    assert.equal(internal.minVersion, 'TLSv1.3');
    assert.equal(internal.maxVersion, 'TLSv1.3');
  });

  it('SASL_SSL listeners take ssl.client.auth only with their listener prefix (KIP-684)', () => {
    const settings = {
      listeners: 'SSL://127.0.0.1:0,SECURE://127.0.0.1:0,OTHER://127.0.0.1:0',
      'listener.security.protocol.map': 'SSL:SSL,SECURE:SASL_SSL,OTHER:SASL_SSL',
      'ssl.client.auth': 'required',
      'listener.name.other.ssl.client.auth': 'requested',
    };
    const c = BrokerConfig.load({ settings });
    assert.equal(resolveSslSettings(c, 'SSL').clientAuth, 'required');
    assert.equal(resolveSslSettings(c, 'SECURE').clientAuth, 'none');
    assert.equal(resolveSslSettings(c, 'OTHER').clientAuth, 'requested');
  });

  it('refuses JKS and PKCS12 stores, bad values and non-ssl or upper-case listener prefixes', () => {
    const p = problems(() =>
      BrokerConfig.load({
        settings: {
          ...LISTENERS,
          'ssl.keystore.type': 'JKS',
          'ssl.truststore.type': 'PKCS12',
          'ssl.client.auth': 'sometimes',
          'ssl.enabled.protocols': 'TLSv1.2,SSLv3',
          'ssl.cipher.suites': 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_FOO_WITH_BAR',
          'listener.name.internal.ssl.keystore.type': 'JKS',
          'listener.name.INTERNAL.ssl.client.auth': 'required',
          'listener.name.internal.log.dirs': '/x',
        },
      }),
    );
    assert.equal(p.length, 8, p.join('\n'));
    assert.match(p[0]!, /^ssl\.keystore\.type=JKS: only PEM key stores are supported/);
    assert.match(p[1]!, /^ssl\.truststore\.type=PKCS12: only PEM trust stores are supported/);
    assert.match(p[2]!, /^ssl\.client\.auth=sometimes: must be one of required, requested, none/);
    assert.match(p[3]!, /unknown TLS version SSLv3/);
    assert.match(p[4]!, /unknown cipher suite TLS_FOO_WITH_BAR \(IANA names/);
    assert.match(p[5]!, /^listener\.name\.internal\.ssl\.keystore\.type=JKS: only PEM/); // validated as the plain one
    assert.match(p[6]!, /listener name of a listener\.name\. prefix is written in lower case/);
    assert.match(p[7]!, /unknown setting "listener\.name\.internal\.log\.dirs"/);
  });

  it('refuses location with inline PEM, key without chain, and store passwords with PEM', () => {
    const c = BrokerConfig.load({
      settings: { ...LISTENERS, 'ssl.keystore.location': '/k.pem', 'ssl.keystore.key': 'x', 'ssl.keystore.password': 'secret1' },
    });
    assert.throws(
      () => resolveSslSettings(c, 'SSL'),
      (err: Error) =>
        /^listener SSL: ssl\.keystore\.location cannot be set together with ssl\.keystore\.key/.test(err.message) &&
        /SSL key store password cannot be specified with PEM format/.test(err.message) &&
        !err.message.includes('secret1'),
    );
    const c2 = BrokerConfig.load({
      settings: { ...LISTENERS, 'ssl.keystore.key': 'x', 'ssl.truststore.location': '/t', 'ssl.truststore.certificates': 'y' },
    });
    assert.throws(() => resolveSslSettings(c2, 'SSL'), /must be set together.*cannot both be set/);
  });

  it('maps IANA cipher suite names to the OpenSSL list Node takes', () => {
    const c = BrokerConfig.load({
      settings: {
        ...LISTENERS,
        'ssl.cipher.suites': 'TLS_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_EMPTY_RENEGOTIATION_INFO_SCSV',
      },
    });
    assert.equal(resolveSslSettings(c, 'SSL').ciphers, 'TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES256-GCM-SHA384');
  });

  it('describes ssl.key.password as sensitive, without its value', () => {
    const c = BrokerConfig.load({ settings: { ...LISTENERS, 'ssl.key.password': 'hunter2', 'ssl.client.auth': 'required' } });
    assert.equal(c.get('ssl.key.password'), 'hunter2');
    const opts = { names: ['ssl.key.password', 'ssl.client.auth'], includeSynonyms: true, includeDocumentation: false };
    const [auth, password] = describeBrokerConfigs(c, { broker: {}, clusterDefault: {} }, true, opts);
    assert.deepEqual([auth!.name, auth!.value, auth!.isSensitive], ['ssl.client.auth', 'required', false]);
    assert.deepEqual([password!.name, password!.value, password!.isSensitive], ['ssl.key.password', null, true]);
    assert.deepEqual(
      password!.synonyms.map((x) => x.value),
      [null],
    );
  });
});

describe('PEM key stores and trust stores', () => {
  let pki: TestPki;
  before(() => (pki = createTestPki()));
  after(() => pki.cleanup());

  it('reads the key and the chain from one file, and the CAs', () => {
    const c = BrokerConfig.load({
      settings: { ...LISTENERS, 'ssl.keystore.location': pki.server.keystore, 'ssl.truststore.location': pki.ca.cert },
    });
    const s = resolveSslSettings(c, 'SSL');
    const m = loadSslMaterial(s);
    assert.equal(m.key, readFileSync(pki.server.key, 'utf8').trim());
    assert.equal(m.cert!.match(/BEGIN CERTIFICATE/g)!.length, 2); // server, then the CA
    assert.deepEqual(m.ca, [readFileSync(pki.ca.cert, 'utf8').trim()]);
    const opts = serverTlsOptions(s, m);
    assert.equal(opts.requestCert, false);
    assert.equal(opts.rejectUnauthorized, false);
  });

  it('reads inline PEM and encrypted keys with ssl.key.password; a wrong password is an error without the password', () => {
    const alice = pki.issue('enc', '/CN=enc', { password: 'right-pw' });
    const inline = {
      ...LISTENERS,
      'ssl.keystore.key': readFileSync(alice.key, 'utf8'),
      'ssl.keystore.certificate.chain': readFileSync(alice.cert, 'utf8'),
      'ssl.client.auth': 'required',
    };
    const ok = resolveSslSettings(BrokerConfig.load({ settings: { ...inline, 'ssl.key.password': 'right-pw' } }), 'SSL');
    const m = loadSslMaterial(ok);
    assert.equal(m.passphrase, 'right-pw');
    assert.equal(serverTlsOptions(ok, m).rejectUnauthorized, true);
    const wrong = resolveSslSettings(BrokerConfig.load({ settings: { ...inline, 'ssl.key.password': 'wrong-pw' } }), 'SSL');
    assert.throws(
      () => loadSslMaterial(wrong),
      (err: Error) => /the private key cannot be read with ssl\.key\.password/.test(err.message) && !err.message.includes('wrong-pw'),
    );
    const none = resolveSslSettings(BrokerConfig.load({ settings: inline }), 'SSL');
    assert.throws(() => loadSslMaterial(none), /cannot be read \(encrypted\? set ssl\.key\.password\)/);
  });

  it('names the file that is missing or holds no key, and needs a key store on a listener', () => {
    const missing = resolveSslSettings(
      BrokerConfig.load({ settings: { ...LISTENERS, 'ssl.keystore.location': `${pki.dir}/nope.pem` } }),
      'SSL',
    );
    assert.throws(() => loadSslMaterial(missing), new RegExp(`cannot read the key store ${pki.dir}/nope.pem: ENOENT`));
    const certOnly = resolveSslSettings(BrokerConfig.load({ settings: { ...LISTENERS, 'ssl.keystore.location': pki.ca.cert } }), 'SSL');
    assert.throws(() => loadSslMaterial(certOnly), /expected one private key in PEM, found 0/);
    const noStore = resolveSslSettings(BrokerConfig.load({ settings: LISTENERS }), 'SSL');
    assert.throws(() => serverTlsOptions(noStore, loadSslMaterial(noStore)), /an SSL listener needs ssl\.keystore\.location/);
  });

  it('builds outbound options; an empty ssl.endpoint.identification.algorithm skips the host name check', () => {
    const base = { ...LISTENERS, 'ssl.truststore.location': pki.ca.cert };
    const checked = resolveSslSettings(BrokerConfig.load({ settings: base }), 'SSL');
    assert.equal(clientTlsOptions(checked, loadSslMaterial(checked)).checkServerIdentity, undefined);
    const unchecked = resolveSslSettings(BrokerConfig.load({ settings: { ...base, 'ssl.endpoint.identification.algorithm': '' } }), 'SSL');
    const o = clientTlsOptions(unchecked, loadSslMaterial(unchecked));
    assert.equal(o.checkServerIdentity!('wrong.host', {} as never), undefined);
  });
});

describe('outbound TLS options', () => {
  let pki: TestPki;
  before(() => (pki = createTestPki()));
  after(() => pki.cleanup());

  it('are TLS only toward SSL/SASL_SSL listeners, keep the last good options, and never fall back to plaintext', () => {
    const keystore = join(pki.dir, 'outbound.pem');
    copyFileSync(pki.server.keystore, keystore);
    const c = BrokerConfig.load({
      settings: { ...LISTENERS, 'ssl.keystore.location': keystore, 'ssl.truststore.location': pki.ca.cert },
    });
    assert.equal(outboundTls(c, 'PLAINTEXT'), undefined);
    assert.equal(outboundTls(c, undefined), undefined);
    const good = outboundTls(c, 'INTERNAL')!;
    assert.equal(good.key, readFileSync(pki.server.key, 'utf8').trim());
    writeFileSync(keystore, 'garbage');
    assert.equal(outboundTls(c, 'INTERNAL'), good);
    const broken = BrokerConfig.load({ settings: { ...LISTENERS, 'ssl.keystore.location': keystore } });
    const failing = outboundTls(broken, 'SSL')!;
    assert.ok(failing !== undefined && failing.key === undefined);
    assert.match(
      String(failing.checkServerIdentity!('h', {} as never)),
      /the SSL settings of listener SSL do not load: .*expected one private key/,
    );
  });
});
