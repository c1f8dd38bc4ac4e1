// SASL/PLAIN message handling (RFC 4616, Kafka's PlainSaslServer) and JAAS parsing as Kafka reads
// sasl.jaas.config (JaasConfig): users from user_<name> options, quoting, errors.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PlainSaslServer } from '../../../src/server/sasl/plain-server.ts';
import { SaslAuthenticationError, SaslError } from '../../../src/server/sasl/sasl-server.ts';
import { parseJaasConfigProperty, plainUsers, PLAIN_LOGIN_MODULE } from '../../../src/server/sasl/jaas.ts';

const JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";';

describe('JAAS', () => {
  it("reads Kafka's PlainLoginModule line: module, flag, options, users", () => {
    const m = parseJaasConfigProperty(JAAS);
    assert.equal(m.loginModule, PLAIN_LOGIN_MODULE);
    assert.equal(m.flag, 'required');
    assert.equal(m.options.get('username'), 'admin');
    assert.equal(m.options.get('password'), 'admin-secret');
    assert.deepEqual(
      [...plainUsers(m)],
      [
        ['admin', 'admin-secret'],
        ['alice', 'alice-secret'],
      ],
    );
  });

  it('accepts ScramLoginModule with no options, bare words and escaped quotes', () => {
    const m = parseJaasConfigProperty('org.apache.kafka.common.security.scram.ScramLoginModule required;');
    assert.equal(m.options.size, 0);
    const q = parseJaasConfigProperty('a.B optional k=v user_x="p\\"w;d" ;');
    assert.equal(q.options.get('k'), 'v');
    assert.equal(q.options.get('user_x'), 'p"w;d');
  });

  it("refuses what Kafka refuses, with Kafka's messages", () => {
    assert.throws(() => parseJaasConfigProperty(''), /JAAS config property does not contain any login modules/);
    assert.throws(() => parseJaasConfigProperty('a.B required; c.D required;'), /contains 2 login modules, should be 1 module/);
    assert.throws(() => parseJaasConfigProperty('a.B mandatory;'), /Invalid control flag mandatory/);
    assert.throws(() => parseJaasConfigProperty('a.B required user_x="pw"'), /does not end with ";"/);
    assert.throws(() => parseJaasConfigProperty('a.B required user_x=;'), /Value not specified for key user_x/);
  });
});

describe('PLAIN', () => {
  const users = new Map([['alice', 'alice-secret']]);
  const token = (s: string) => Buffer.from(s, 'utf8');

  it('authenticates authzid-less and authzid=user logins', () => {
    for (const t of ['\u0000alice\u0000alice-secret', 'alice\u0000alice\u0000alice-secret']) {
      const s = new PlainSaslServer(users);
      assert.deepEqual(s.evaluateResponse(token(t)), Buffer.alloc(0));
      assert.equal(s.isComplete, true);
      assert.equal(s.authorizationId, 'alice');
    }
  });

  it("wrong password or unknown user: Kafka's message, sent to the client", () => {
    for (const t of ['\u0000alice\u0000wrong', '\u0000mallory\u0000alice-secret']) {
      assert.throws(
        () => new PlainSaslServer(users).evaluateResponse(token(t)),
        (e: unknown) => e instanceof SaslAuthenticationError && e.message === 'Authentication failed: Invalid username or password',
      );
    }
  });

  it('malformed tokens are SaslErrors (the client gets the general message)', () => {
    const cases: Array<[string, RegExp]> = [
      ['alice-secret', /expected 3 tokens, got 1/],
      ['\u0000\u0000\u0000', /expected 3 tokens, got 4/],
      ['\u0000\u0000pw', /username not specified/],
      ['\u0000alice\u0000', /password not specified/],
    ];
    for (const [t, re] of cases)
      assert.throws(
        () => new PlainSaslServer(users).evaluateResponse(token(t)),
        (e: unknown) => e instanceof SaslError && re.test((e as Error).message),
      );
  });

  it('an authorization id other than the user is refused', () => {
    assert.throws(
      () => new PlainSaslServer(users).evaluateResponse(token('admin\u0000alice\u0000alice-secret')),
      /authorization id that is different/,
    );
  });
});
