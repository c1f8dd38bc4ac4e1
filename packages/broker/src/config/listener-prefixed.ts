// Per-listener settings, Kafka's `listener.name.<listener name in lower case>.<setting>` form
// (KafkaConfig.valuesWithPrefixOverride): for the listener named, the prefixed value wins over the
// plain setting. Which settings may be prefixed: the ssl.* ones (Kafka also allows sasl.* and a few
// connection settings; those are added as they are built). The setting after the prefix is parsed
// and validated as the plain one is.

const PREFIX_RE = /^listener\.name\.([^.]+)\.(.+)$/;

/** Settings that may be given per listener. */
export function isListenerPrefixable(setting: string): boolean {
  return setting.startsWith('ssl.');
}

/** Splits `listener.name.<l>.<setting>`; null when the name is not of that form. */
export function splitListenerPrefixed(name: string): { listener: string; setting: string } | null {
  const m = PREFIX_RE.exec(name);
  return m ? { listener: m[1]!, setting: m[2]! } : null;
}
