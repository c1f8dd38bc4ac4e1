// The broker's own SASL login when it is the client (Kafka's broker-side LoginManager for the
// inter-broker listener): when inter.broker.listener.name is a SASL_* listener, connections to
// other brokers (replica fetchers, transaction markers and verification) authenticate with
// sasl.mechanism.inter.broker.protocol and the username/password options of that listener's JAAS
// setting for the mechanism (listener.name.<l>.<mechanism>.sasl.jaas.config, as Kafka reads them).
// A SASL inter-broker listener without those options is a configuration error naming the setting.
// Likewise a node's login to the controllers (brokers' controller channel, voters' Raft channel)
// when the first of controller.listener.names is a SASL_* listener: sasl.mechanism.controller.protocol
// and that listener's JAAS username/password.
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
  return listenerLogin(config, name, 'sasl.mechanism.inter.broker.protocol', 'inter-broker communication', 'to other brokers');
}

/** The login for connections to the controllers; undefined when the controller listener has no SASL. */
export function controllerSaslLogin(config: BrokerConfig): BrokerSaslLogin | undefined {
  const name = config.controllerListenerNames[0];
  if (name === undefined || !config.securityProtocolOf(name).startsWith('SASL_')) return undefined;
  return listenerLogin(config, name, 'sasl.mechanism.controller.protocol', 'controller communication', 'to the controllers');
}

function listenerLogin(
  config: BrokerConfig,
  name: string,
  mechanismSetting: 'sasl.mechanism.inter.broker.protocol' | 'sasl.mechanism.controller.protocol',
  purpose: string,
  to: string,
): BrokerSaslLogin {
  const mechanism = config.get(mechanismSetting);
  const own = config.listenerSettings.get(name, 'sasl.enabled.mechanisms');
  const enabled = own !== undefined ? own.split(',').map((s) => s.trim()) : config.get('sasl.enabled.mechanisms');
  if (!enabled.includes(mechanism))
    throw new SaslConfigError(`${mechanismSetting} must be included in sasl.enabled.mechanisms when SASL is used for ${purpose}`);
  if (!CLIENT_MECHANISMS.has(mechanism))
    throw new SaslConfigError(
      `${mechanismSetting}: ${mechanism} is not supported for the listener ${name} (use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)`,
    );
  const setting = `listener.name.${name.toLowerCase()}.${mechanism.toLowerCase()}.sasl.jaas.config`;
  const jaas = listenerJaas(config, name, mechanism);
  const username = jaas?.options.get('username');
  const password = jaas?.options.get('password');
  if (username === undefined || password === undefined)
    throw new SaslConfigError(`${setting} must give username and password: the node logs in with them ${to} over ${name}`);
  return { mechanism: mechanism as BrokerSaslLogin['mechanism'], username, password };
}
