// The principal of a connection on an SSL listener (Kafka's DefaultKafkaPrincipalBuilder for an
// SslAuthenticationContext): User:<name>, the name being the client certificate's subject in RFC 2253
// form (distinguished-name.ts) through ssl.principal.mapping.rules; User:ANONYMOUS when the client
// sent no certificate (ssl.client.auth=none or requested). Throws NoMatchingRule when no mapping
// rule applies (the connection is then refused, as Kafka fails its authentication).
import type tls from 'node:tls';
import { ANONYMOUS, type KafkaPrincipal } from '../authorizer.ts';
import { certificateSubject } from './distinguished-name.ts';
import { mapPrincipalName, type PrincipalMappingRule } from './principal-mapping-rules.ts';

export function sslPrincipal(socket: tls.TLSSocket, rules: readonly PrincipalMappingRule[]): KafkaPrincipal {
  const cert = socket.getPeerCertificate();
  if (!cert?.raw) return ANONYMOUS;
  return { type: 'User', name: mapPrincipalName(rules, certificateSubject(cert.raw)) };
}
