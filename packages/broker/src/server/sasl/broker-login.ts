// The broker's own SASL login when it is the client (Kafka's broker-side LoginManager for the
// inter-broker listener): when inter.broker.listener.name is a SASL_* listener, connections to
// other brokers (replica fetchers, transaction markers and verification) authenticate with
// sasl.mechanism.inter.broker.protocol and the username/password options of that listener's JAAS
// setting for the mechanism (listener.name.<l>.<mechanism>.sasl.jaas.config, as Kafka reads them).
// A SASL inter-broker listener without those options is a configuration error naming the setting.
// Not done: the controller listener's login (sasl.mechanism.controller.protocol).
import type { BrokerConfig } from '../../config/broker-config.ts';
import { SaslConfigError, listenerJaas } from './sasl-config.ts';

export interface BrokerSaslLogin {
  mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  username: string;
  password: string;
}

const CLIENT_MECHANISMS = new Set(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);

/** The login for connections to other brokers; undefined when the inter-broker listener has no SASL. */
export function interBrokerSaslLogin(config: BrokerConfig): BrokerSaslLogin | undefined {
  const name = config.interBrokerListenerName;
  const listener = [...config.listeners, ...(config.advertisedListeners ?? [])].find((l) => l.name === name);
  if (!listener?.securityProtocol?.startsWith('SASL_')) return undefined;
  const mechanism = config.get('sasl.mechanism.inter.broker.protocol');
  const own = config.listenerSettings.get(name, 'sasl.enabled.mechanisms');
  const enabled = own !== undefined ? own.split(',').map((s) => s.trim()) : config.get('sasl.enabled.mechanisms');
  if (!enabled.includes(mechanism))
    throw new SaslConfigError(
      'sasl.mechanism.inter.broker.protocol must be included in sasl.enabled.mechanisms when SASL is used for inter-broker communication',
    );
  if (!CLIENT_MECHANISMS.has(mechanism))
    throw new SaslConfigError(
      `sasl.mechanism.inter.broker.protocol: ${mechanism} is not supported for the inter-broker listener ${name} (use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)`,
    );
  const setting = `listener.name.${name.toLowerCase()}.${mechanism.toLowerCase()}.sasl.jaas.config`;
  const jaas = listenerJaas(config, name, mechanism);
  const username = jaas?.options.get('username');
  const password = jaas?.options.get('password');
  if (username === undefined || password === undefined)
    throw new SaslConfigError(`${setting} must give username and password: the broker logs in with them to other brokers over ${name}`);
  return { mechanism: mechanism as BrokerSaslLogin['mechanism'], username, password };
}
