// Listener-prefixed settings: `listener.name.<listener lower-case>.<setting>`, Kafka's per-listener
// overrides (KIP-103) of security settings. Which suffixes a listener may carry is listed here; a
// name with the prefix and another suffix is an unknown setting. SASL's: sasl.enabled.mechanisms,
// connections.max.reauth.ms, and `<mechanism lower-case>.sasl.jaas.config` (one per mechanism) with
// the other per-mechanism SASL class settings Kafka accepts (no effect here).

const PREFIX = /^listener\.name\.([A-Za-z0-9_]+)\.(.+)$/;

const SASL_MECHANISM = '(?:plain|scram-sha-256|scram-sha-512|gssapi|oauthbearer)';
const LISTENER_SUFFIXES: readonly RegExp[] = [
  /^sasl\.enabled\.mechanisms$/,
  /^connections\.max\.reauth\.ms$/,
  new RegExp(`^${SASL_MECHANISM}\\.sasl\\.jaas\\.config$`),
  new RegExp(`^${SASL_MECHANISM}\\.sasl\\.(?:server\\.callback\\.handler\\.class|login\\.callback\\.handler\\.class|login\\.class)$`),
];

/** The listener (upper-cased) and setting of a listener-prefixed name, or null when it is not one. */
export function splitListenerSetting(name: string): { listener: string; setting: string } | null {
  const m = PREFIX.exec(name);
  if (!m) return null;
  return { listener: m[1]!.toUpperCase(), setting: m[2]! };
}

export function isListenerSetting(setting: string): boolean {
  return LISTENER_SUFFIXES.some((re) => re.test(setting));
}

/** Settings given per listener: listener (upper-cased) -> setting -> raw value. */
export class ListenerSettings {
  private readonly byListener = new Map<string, Map<string, string>>();

  set(listener: string, setting: string, value: string): void {
    let m = this.byListener.get(listener);
    if (!m) this.byListener.set(listener, (m = new Map()));
    m.set(setting, value);
  }

  get(listener: string, setting: string): string | undefined {
    return this.byListener.get(listener.toUpperCase())?.get(setting);
  }

  /** Every listener named by some setting. */
  listeners(): string[] {
    return [...this.byListener.keys()];
  }
}
