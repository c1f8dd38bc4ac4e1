// --command-config <file>: Kafka client properties (as kafka-topics.sh --command-config and the
// producer/consumer .config files read them) turned into @tributary/client options. Read:
//   security.protocol                 PLAINTEXT (default), SSL, SASL_PLAINTEXT, SASL_SSL
//   ssl.truststore.type / .location   PEM only; the CAs to trust (not set: Node's default CAs)
//   ssl.truststore.certificates       the same, inline PEM
//   ssl.keystore.type / .location     PEM only; the client's private key and certificate chain (mutual TLS)
//   ssl.keystore.key / .certificate.chain   the same, inline PEM
//   ssl.key.password                  the password of an encrypted private key
//   ssl.endpoint.identification.algorithm   https (default) checks the broker's host name; empty skips it
//   sasl.mechanism                    PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (Kafka's default GSSAPI is not supported)
//   sasl.jaas.config                  org.apache.kafka.common.security.plain.PlainLoginModule or
//                                     org.apache.kafka.common.security.scram.ScramLoginModule
//                                     required username="..." password="...";
// Other properties are ignored (Kafka's tools warn about unknown ones and go on). JKS and PKCS12
// stores are refused with a message saying to convert them to PEM. Errors never show a password.
import { readFileSync } from 'node:fs';
import type tls from 'node:tls';
import type { KafkaConfig, SaslConfig } from '@tributary/client';
import { parseProperties } from '@tributary/broker';
import { UsageError } from './command.ts';

export type SecurityOptions = Pick<KafkaConfig, 'tls' | 'sasl'>;

const PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];
const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
const LOGIN_MODULES: Record<string, string> = {
  PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
};

export interface JaasEntry {
  loginModule: string;
  flag: string;
  options: Record<string, string>;
}

/**
 * Parses a sasl.jaas.config value (one JAAS login module entry): `<class> <flag> key=value ... ;`,
 * values double-quoted (with \" and \\ escapes) or bare words.
 */
export function parseJaasConfig(text: string): JaasEntry {
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|([^\s=;"]+)|(=)|(;))/y;
  const tokens: Array<{ kind: 'word' | 'quoted' | '=' | ';'; text: string }> = [];
  re.lastIndex = 0;
  const s = text.trim();
  while (re.lastIndex < s.length) {
    const m = re.exec(s);
    if (!m) throw new Error('sasl.jaas.config: cannot parse (expected <LoginModule> required key="value" ...;)');
    if (m[1] !== undefined) tokens.push({ kind: 'quoted', text: m[1].replace(/\\(.)/g, '$1') });
    else if (m[2] !== undefined) tokens.push({ kind: 'word', text: m[2] });
    else if (m[3] !== undefined) tokens.push({ kind: '=', text: '=' });
    else tokens.push({ kind: ';', text: ';' });
  }
  const [module, flag, ...rest] = tokens;
  if (module?.kind !== 'word' || flag?.kind !== 'word' || !['required', 'requisite', 'sufficient', 'optional'].includes(flag.text))
    throw new Error('sasl.jaas.config: expected a login module class then required, requisite, sufficient or optional');
  const options: Record<string, string> = {};
  let i = 0;
  while (i < rest.length && rest[i]!.kind !== ';') {
    const [k, eq, v] = [rest[i], rest[i + 1], rest[i + 2]];
    if (k?.kind !== 'word' || eq?.kind !== '=' || !v || (v.kind !== 'word' && v.kind !== 'quoted'))
      throw new Error('sasl.jaas.config: options must be key=value (values in double quotes)');
    options[k.text] = v.text;
    i += 3;
  }
  if (rest[i]?.kind !== ';' || i !== rest.length - 1) throw new Error('sasl.jaas.config: the entry must end with a single ";"');
  return { loginModule: module.text, flag: flag.text, options };
}

function pem(props: Map<string, string>, type: string, location: string, what: string): string | null {
  const t = props.get(type);
  if (t !== undefined && t.toUpperCase() !== 'PEM')
    throw new Error(`${type}=${t}: only PEM ${what}s are supported (convert it to PEM, e.g. with openssl pkcs12 -nodes)`);
  const path = props.get(location);
  if (path === undefined || path === '') return null;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${location}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** The client options of a properties map (Kafka's client property names). */
export function securityOptions(props: Map<string, string>): SecurityOptions {
  const protocol = (props.get('security.protocol') ?? 'PLAINTEXT').toUpperCase();
  if (!PROTOCOLS.includes(protocol))
    throw new Error(`security.protocol=${props.get('security.protocol')}: must be one of ${PROTOCOLS.join(', ')}`);
  const out: SecurityOptions = {};
  if (protocol === 'SSL' || protocol === 'SASL_SSL') {
    const options: tls.ConnectionOptions = {};
    const ca = pem(props, 'ssl.truststore.type', 'ssl.truststore.location', 'trust store') ?? props.get('ssl.truststore.certificates');
    if (ca) options.ca = ca;
    const keystore = pem(props, 'ssl.keystore.type', 'ssl.keystore.location', 'key store');
    if (keystore) {
      const key = keystore.match(/-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]+?-----END \1PRIVATE KEY-----/);
      if (!key) throw new Error(`ssl.keystore.location: no private key in ${props.get('ssl.keystore.location')}`);
      const chain = keystore.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
      if (!chain) throw new Error(`ssl.keystore.location: no certificate in ${props.get('ssl.keystore.location')}`);
      options.key = key[0];
      options.cert = chain.join('\n');
    } else if (props.get('ssl.keystore.key')) {
      options.key = props.get('ssl.keystore.key');
      options.cert = props.get('ssl.keystore.certificate.chain');
    }
    const password = props.get('ssl.key.password');
    if (password !== undefined) options.passphrase = password;
    if ((props.get('ssl.endpoint.identification.algorithm') ?? 'https') === '') options.checkServerIdentity = () => undefined;
    out.tls = options;
  }
  if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') out.sasl = saslOptions(props);
  return out;
}

function saslOptions(props: Map<string, string>): SaslConfig {
  const mechanism = (props.get('sasl.mechanism') ?? 'GSSAPI').toUpperCase();
  if (!(MECHANISMS as readonly string[]).includes(mechanism))
    throw new Error(`sasl.mechanism=${mechanism}: must be one of ${MECHANISMS.join(', ')}`);
  const jaas = props.get('sasl.jaas.config');
  if (jaas === undefined) throw new Error(`sasl.jaas.config must be set for sasl.mechanism=${mechanism}`);
  const entry = parseJaasConfig(jaas);
  if (entry.loginModule !== LOGIN_MODULES[mechanism])
    throw new Error(`sasl.jaas.config: ${mechanism} takes ${LOGIN_MODULES[mechanism]}, not ${entry.loginModule}`);
  const { username, password } = entry.options;
  if (username === undefined || password === undefined) throw new Error('sasl.jaas.config: username and password must both be given');
  return { mechanism: mechanism as SaslConfig['mechanism'], username, password };
}

/** Reads a --command-config file; problems are usage errors naming the file. */
export function readCommandConfig(path: string): SecurityOptions {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--command-config: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const props = new Map(parseProperties(text).map((e) => [e.key, e.value] as const));
  try {
    return securityOptions(props);
  } catch (err) {
    throw new UsageError(`--command-config ${path}: ${(err as Error).message}`);
  }
}
