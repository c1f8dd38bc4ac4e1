// TLS for the connections this broker opens as a client (Kafka's inter-broker and controller
// channel builders): to another broker's inter-broker listener (replica fetchers, transaction
// markers and verification), to the controllers' listener (broker registration, heartbeats,
// AlterPartition) and between voters (Raft). When the listener connected to is SSL or SASL_SSL in
// listener.security.protocol.map, the connection uses that listener's ssl.* settings on this
// broker (listener.name.<l>.ssl.* first): its key store as the client certificate, its trust store
// to verify the other broker, the host name checked unless ssl.endpoint.identification.algorithm
// is empty. The files are read when a connection is opened (so reloaded certificates are used by
// new connections); a file that no longer loads leaves the last good options in use, and with no
// good options yet the connection is made to fail verification (never falls back to plaintext).
import type tls from 'node:tls';
import type { BrokerConfig } from '../../config/broker-config.ts';
import type { Logger } from '../../logger.ts';
import { clientTlsOptions, loadSslMaterial } from './secure-context.ts';
import { resolveSslSettings } from './ssl-settings.ts';

const lastGood = new WeakMap<BrokerConfig, Map<string, tls.ConnectionOptions>>();

/** TLS options for a connection to `listenerName` of another node; undefined when that listener is not TLS. */
export function outboundTls(config: BrokerConfig, listenerName: string | undefined, log?: Logger): tls.ConnectionOptions | undefined {
  if (listenerName === undefined) return undefined;
  const protocol = config.securityProtocolOf(listenerName);
  if (protocol !== 'SSL' && protocol !== 'SASL_SSL') return undefined;
  let known = lastGood.get(config);
  if (!known) lastGood.set(config, (known = new Map()));
  try {
    const settings = resolveSslSettings(config, listenerName);
    const options = clientTlsOptions(settings, loadSslMaterial(settings));
    known.set(listenerName, options);
    return options;
  } catch (err) {
    const message = (err as Error).message;
    const previous = known.get(listenerName);
    if (previous) {
      log?.warn('SSL settings of an outbound connection do not load, using the previous ones', { listener: listenerName, error: message });
      return previous;
    }
    // Never plaintext to a TLS listener: a connection whose verification cannot succeed (Node's
    // default CAs, then an identity check that always fails), so it fails and is retried as usual.
    log?.error('SSL settings of an outbound connection do not load', { listener: listenerName, error: message });
    return { checkServerIdentity: () => new Error(`the SSL settings of listener ${listenerName} do not load: ${message}`) };
  }
}
