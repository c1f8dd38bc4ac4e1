// The SSL settings of one listener, resolved as Kafka resolves them for a listener's channel
// builder: each ssl.* setting from listener.name.<listener>.ssl.* when set, else the plain one
// (BrokerConfig.listenerGet). Checks what Kafka's DefaultSslEngineFactory checks of a PEM store:
// a key store is a file (ssl.keystore.location) or inline PEM (ssl.keystore.key with
// ssl.keystore.certificate.chain), never both; ssl.keystore.password and ssl.truststore.password
// do not apply to PEM (the key's own password is ssl.key.password); a trust store is a file or
// inline certificates, never both. Problems are thrown as one Error naming the listener.
// On a SASL_SSL listener ssl.client.auth applies only when given with the listener prefix
// (KIP-684: the broker-wide setting is for SSL listeners); otherwise it is none.
// Files are not read here (secure-context.ts reads them).
import type tls from 'node:tls';
import type { BrokerConfig } from '../../config/broker-config.ts';
import { opensslCipherList } from './cipher-suites.ts';
import { parsePrincipalMappingRules, type PrincipalMappingRule } from './principal-mapping-rules.ts';

export type SslClientAuth = 'none' | 'requested' | 'required';

export type KeyStore = { location: string } | { key: string; certificateChain: string };
export type TrustStore = { location: string } | { certificates: string };

export interface SslSettings {
  /** The listener (upper case) these settings are for. */
  listenerName: string;
  /** null: no key store set (a listener cannot start without one; an outbound connection has no client certificate). */
  keyStore: KeyStore | null;
  /** ssl.key.password; null when the key is not encrypted. Never logged. */
  keyPassword: string | null;
  /** null: the CAs Node trusts by default. */
  trustStore: TrustStore | null;
  clientAuth: SslClientAuth;
  minVersion: tls.SecureVersion;
  maxVersion: tls.SecureVersion;
  /** OpenSSL cipher list; undefined = Node's defaults. */
  ciphers: string | undefined;
  principalMappingRules: PrincipalMappingRule[];
  /** ssl.endpoint.identification.algorithm=https (outbound connections check the host name). */
  endpointIdentification: boolean;
}

const VERSION_ORDER: tls.SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

export function resolveSslSettings(config: BrokerConfig, listenerName: string): SslSettings {
  const get = <K extends Parameters<BrokerConfig['listenerGet']>[1]>(name: K) => config.listenerGet(listenerName, name);
  const problems: string[] = [];
  const location = get('ssl.keystore.location');
  const key = get('ssl.keystore.key');
  const chain = get('ssl.keystore.certificate.chain');
  let keyStore: KeyStore | null = null;
  if (location !== null && (key !== null || chain !== null))
    problems.push('ssl.keystore.location cannot be set together with ssl.keystore.key or ssl.keystore.certificate.chain');
  else if (location !== null) keyStore = { location };
  else if (key !== null && chain !== null) keyStore = { key, certificateChain: chain };
  else if (key !== null || chain !== null) problems.push('ssl.keystore.key and ssl.keystore.certificate.chain must be set together');
  if (get('ssl.keystore.password') !== null)
    problems.push('SSL key store password cannot be specified with PEM format, only key password may be specified (ssl.key.password)');
  const trustLocation = get('ssl.truststore.location');
  const certificates = get('ssl.truststore.certificates');
  let trustStore: TrustStore | null = null;
  if (trustLocation !== null && certificates !== null)
    problems.push('ssl.truststore.location and ssl.truststore.certificates cannot both be set');
  else if (trustLocation !== null) trustStore = { location: trustLocation };
  else if (certificates !== null) trustStore = { certificates };
  if (get('ssl.truststore.password') !== null) problems.push('SSL trust store password cannot be specified for PEM format');
  const versions = get('ssl.enabled.protocols') as tls.SecureVersion[];
  const sorted = versions.map((v) => VERSION_ORDER.indexOf(v)).sort((a, b) => a - b);
  let ciphers: string | undefined;
  try {
    ciphers = opensslCipherList(get('ssl.cipher.suites'));
  } catch (err) {
    problems.push((err as Error).message);
  }
  let principalMappingRules: PrincipalMappingRule[] = [];
  try {
    principalMappingRules = parsePrincipalMappingRules(get('ssl.principal.mapping.rules'));
  } catch (err) {
    problems.push(`ssl.principal.mapping.rules: ${(err as Error).message}`);
  }
  if (problems.length) throw new Error(`listener ${listenerName.toUpperCase()}: ${problems.join('; ')}`);
  return {
    listenerName: listenerName.toUpperCase(),
    keyStore,
    keyPassword: get('ssl.key.password'),
    trustStore,
    clientAuth:
      config.securityProtocolOf(listenerName) === 'SASL_SSL' && !config.listenerHasOwn(listenerName, 'ssl.client.auth')
        ? 'none'
        : (get('ssl.client.auth') as SslClientAuth),
    minVersion: VERSION_ORDER[sorted[0] ?? 2]!,
    maxVersion: VERSION_ORDER[sorted[sorted.length - 1] ?? 3]!,
    ciphers,
    principalMappingRules,
    endpointIdentification: get('ssl.endpoint.identification.algorithm').toLowerCase() === 'https',
  };
}

/** The files a listener's settings read (watched for changes). */
export function storeFiles(s: SslSettings): string[] {
  const out: string[] = [];
  if (s.keyStore && 'location' in s.keyStore) out.push(s.keyStore.location);
  if (s.trustStore && 'location' in s.trustStore) out.push(s.trustStore.location);
  return out;
}
