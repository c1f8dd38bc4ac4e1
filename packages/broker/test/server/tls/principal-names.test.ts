// Certificate subjects as Kafka names them (Java's X500Principal.getName(), RFC 2253) and
// ssl.principal.mapping.rules (Kafka's SslPrincipalMapper), and the IANA -> OpenSSL cipher names.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { certificateSubject, escapeRfc2253 } from '../../../src/server/tls/distinguished-name.ts';
import { mapPrincipalName, NoMatchingRule, parsePrincipalMappingRules } from '../../../src/server/tls/principal-mapping-rules.ts';
import { opensslCipherName } from '../../../src/server/tls/cipher-suites.ts';
import { createTestPki, type TestPki } from '../../helpers/test-certs.ts';

describe('certificate subjects in RFC 2253 form', () => {
  let pki: TestPki;
  before(() => (pki = createTestPki()));
  after(() => pki.cleanup());
  const subject = (name: string, subj: string) => certificateSubject(new X509Certificate(readFileSync(pki.issue(name, subj).cert)).raw);

  it('lists the RDNs most specific first (the reverse of the certificate order)', () => {
    assert.equal(subject('alice', '/C=US/ST=CA/L=Palo Alto/O=acme/OU=eng/CN=alice'), 'CN=alice,OU=eng,O=acme,L=Palo Alto,ST=CA,C=US');
  });

  it('escapes special characters and joins multi-valued RDNs with +, in their DER (SET OF) order', () => {
    assert.equal(subject('odd', '/O=a\\,b+OU=x/CN=c=d #1;<e>'), 'CN=c\\=d \\#1\\;\\<e\\>,OU=x+O=a\\,b');
  });

  it('writes attributes without an RFC 2253 keyword as OID=#hex of their DER value', () => {
    // emailAddress (IA5String "a@b.c"), as Java prints it
    assert.equal(subject('mail', '/CN=bob/emailAddress=a@b.c'), '1.2.840.113549.1.9.1=#16056140622e63,CN=bob');
  });

  it('escapes leading and trailing spaces and NUL', () => {
    assert.equal(escapeRfc2253('  a b '), '\\ \\ a b\\ ');
    assert.equal(escapeRfc2253('x\u0000'), 'x\\00');
    assert.equal(escapeRfc2253('#"\\+'), '\\#\\"\\\\\\+');
  });
});

describe('ssl.principal.mapping.rules', () => {
  const dn = 'CN=alice,OU=eng,O=acme,C=US';

  it('DEFAULT keeps the subject', () => {
    assert.equal(mapPrincipalName(parsePrincipalMappingRules('DEFAULT'), dn), dn);
  });

  it('applies the first matching rule, with groups and case folding, then falls back', () => {
    const rules = parsePrincipalMappingRules('RULE:^CN=(.*?),OU=ops.*$/ops-$1/, RULE:^CN=(.*?),OU=(.*?),O=.*$/$1@$2/U,DEFAULT');
    assert.equal(rules.length, 3);
    assert.equal(mapPrincipalName(rules, dn), 'ALICE@ENG');
    assert.equal(mapPrincipalName(rules, 'CN=bob,OU=ops,O=acme'), 'ops-bob');
    assert.equal(mapPrincipalName(rules, 'CN=x'), 'CN=x');
    assert.equal(mapPrincipalName(parsePrincipalMappingRules('RULE:^CN=([^,]*),.*$/$1/L'), 'CN=Alice,O=x'), 'alice');
  });

  it('keeps commas inside a rule pattern (split as Kafka splits)', () => {
    const rules = parsePrincipalMappingRules('RULE:^CN=([^,]+),O=acme$/$1/');
    assert.equal(rules.length, 1);
    assert.equal(mapPrincipalName(rules, 'CN=carol,O=acme'), 'carol');
  });

  it('throws NoMatchingRule when no rule applies, and refuses malformed rules', () => {
    assert.throws(() => mapPrincipalName(parsePrincipalMappingRules('RULE:^CN=x$/y/'), dn), NoMatchingRule);
    assert.throws(() => parsePrincipalMappingRules('RULE:^CN=(.*$/$1/'), /Invalid rule/);
  });
});

describe('cipher suite names', () => {
  it('maps IANA names to OpenSSL names Node knows', () => {
    const cases: Array<[string, string]> = [
      ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256'],
      ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384'],
      ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-RSA-CHACHA20-POLY1305'],
      ['TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 'DHE-RSA-AES128-GCM-SHA256'],
      ['TLS_RSA_WITH_AES_256_GCM_SHA384', 'AES256-GCM-SHA384'],
      ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'ECDHE-RSA-AES128-SHA256'],
      ['TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'ECDHE-RSA-AES256-SHA'],
      ['TLS_RSA_WITH_AES_128_CBC_SHA', 'AES128-SHA'],
      ['TLS_AES_256_GCM_SHA384', 'TLS_AES_256_GCM_SHA384'],
      ['TLS_CHACHA20_POLY1305_SHA256', 'TLS_CHACHA20_POLY1305_SHA256'],
    ];
    const known = new Set(tls.getCiphers());
    for (const [iana, openssl] of cases) {
      assert.equal(opensslCipherName(iana), openssl, iana);
      assert.ok(known.has(openssl.toLowerCase()), `${openssl} is an OpenSSL cipher`);
    }
    assert.equal(opensslCipherName('TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA'), null);
    assert.equal(opensslCipherName('ECDHE-RSA-AES128-GCM-SHA256'), null);
  });
});
