// The SASL settings of one SASL_* listener, resolved as Kafka's SaslChannelBuilder and JaasContext
// resolve them: enabled mechanisms from listener.name.<l>.sasl.enabled.mechanisms, else
// sasl.enabled.mechanisms; for each, the login module of
// listener.name.<l>.<mechanism lower-case>.sasl.jaas.config (required, as Kafka requires a JAAS
// entry per mechanism; the unprefixed sasl.jaas.config does not configure a broker listener);
// PLAIN's users are its `user_<name>` options. connections.max.reauth.ms may be set per listener.
// GSSAPI (Kerberos) and OAUTHBEARER are not implemented: enabling them on a listener that is used
// is a configuration error that says so.
import type { BrokerConfig } from '../../config/broker-config.ts';
import { parseJaasConfigProperty, plainUsers, type JaasLoginModule } from './jaas.ts';

export const SUPPORTED_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
const NOT_IMPLEMENTED = new Set(['GSSAPI', 'OAUTHBEARER']);

export interface ListenerSaslConfig {
  readonly listener: string;
  /** In the configured order (SaslHandshake lists them so). */
  readonly enabledMechanisms: readonly string[];
  /** The login module of each enabled mechanism. */
  readonly jaas: ReadonlyMap<string, JaasLoginModule>;
  /** PLAIN's users (name -> password); empty when PLAIN is not enabled. */
  readonly plainUsers: ReadonlyMap<string, string>;
  /** connections.max.reauth.ms; 0 = sessions never expire. */
  readonly maxReauthMs: number;
  /** connection.failed.authentication.delay.ms */
  readonly failedAuthenticationDelayMs: number;
}

export class SaslConfigError extends Error {}

function list(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The listener's `<mechanism>.sasl.jaas.config`, parsed. */
export function listenerJaas(config: BrokerConfig, listener: string, mechanism: string): JaasLoginModule | undefined {
  const text = config.listenerSettings.get(listener, `${mechanism.toLowerCase()}.sasl.jaas.config`);
  if (text === undefined) return undefined;
  try {
    return parseJaasConfigProperty(text);
  } catch (err) {
    throw new SaslConfigError(
      `listener.name.${listener.toLowerCase()}.${mechanism.toLowerCase()}.sasl.jaas.config: ${(err as Error).message}`,
    );
  }
}

/** Resolves and checks a SASL listener's settings; throws SaslConfigError naming the setting. */
export function listenerSaslConfig(config: BrokerConfig, listener: string): ListenerSaslConfig {
  const own = config.listenerSettings.get(listener, 'sasl.enabled.mechanisms');
  const enabled = own !== undefined ? list(own) : config.get('sasl.enabled.mechanisms');
  const setting = own !== undefined ? `listener.name.${listener.toLowerCase()}.sasl.enabled.mechanisms` : 'sasl.enabled.mechanisms';
  if (enabled.length === 0) throw new SaslConfigError(`${setting}: no SASL mechanism is enabled for listener ${listener}`);
  const jaas = new Map<string, JaasLoginModule>();
  for (const m of enabled) {
    if (NOT_IMPLEMENTED.has(m))
      throw new SaslConfigError(
        `${setting}: SASL mechanism ${m} is enabled on listener ${listener} but Tributary does not implement it (use ${SUPPORTED_MECHANISMS.join(', ')})`,
      );
    if (!(SUPPORTED_MECHANISMS as readonly string[]).includes(m))
      throw new SaslConfigError(`${setting}: unsupported SASL mechanism ${m} (use ${SUPPORTED_MECHANISMS.join(', ')})`);
    const module = listenerJaas(config, listener, m);
    if (!module)
      throw new SaslConfigError(
        `listener.name.${listener.toLowerCase()}.${m.toLowerCase()}.sasl.jaas.config is not set: Could not find a 'KafkaServer' or '${listener.toLowerCase()}.KafkaServer' entry in the JAAS configuration. System property 'java.security.auth.login.config' is not set`,
      );
    jaas.set(m, module);
  }
  const reauth = config.listenerSettings.get(listener, 'connections.max.reauth.ms');
  let maxReauthMs = config.get('connections.max.reauth.ms');
  if (reauth !== undefined) {
    if (!/^\d+$/.test(reauth))
      throw new SaslConfigError(
        `listener.name.${listener.toLowerCase()}.connections.max.reauth.ms: "${reauth}" is not a non-negative integer`,
      );
    maxReauthMs = Number(reauth);
  }
  return {
    listener,
    enabledMechanisms: enabled,
    jaas,
    plainUsers: jaas.has('PLAIN') ? plainUsers(jaas.get('PLAIN')!) : new Map(),
    maxReauthMs,
    failedAuthenticationDelayMs: config.get('connection.failed.authentication.delay.ms'),
  };
}
