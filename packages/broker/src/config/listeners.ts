// Listener strings: `NAME://host:port[,NAME://host:port...]` as in Kafka's `listeners` and
// `advertised.listeners`. IPv6 hosts are bracketed ([::1]:9092). An empty host means all
// interfaces for `listeners`. The NAME maps to a security protocol through
// listener.security.protocol.map (PLAINTEXT:PLAINTEXT,SSL:SSL,...): one of Kafka's SecurityProtocol
// names, PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.
// When that map is not set, every controller listener name maps to PLAINTEXT as well (Kafka's
// effectiveListenerSecurityProtocolMap), so `CONTROLLER://:9093` works without spelling it out.

/** Kafka's SecurityProtocol names (and their ids in BrokerRegistration endpoints). */
export const SECURITY_PROTOCOLS = { PLAINTEXT: 0, SSL: 1, SASL_PLAINTEXT: 2, SASL_SSL: 3 } as const;
export type SecurityProtocol = keyof typeof SECURITY_PROTOCOLS;

export function isSecurityProtocol(name: string): name is SecurityProtocol {
  return Object.hasOwn(SECURITY_PROTOCOLS, name);
}

export interface ListenerEndpoint {
  name: string;
  host: string;
  port: number;
  /** From listener.security.protocol.map; absent = PLAINTEXT. */
  securityProtocol?: SecurityProtocol;
}

export function parseProtocolMap(map: string): Map<string, SecurityProtocol> {
  const out = new Map<string, SecurityProtocol>();
  for (const pair of map
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, protocol, ...rest] = pair.split(':');
    if (!name || !protocol || rest.length) throw new Error(`listener.security.protocol.map: "${pair}" is not NAME:PROTOCOL`);
    const p = protocol.toUpperCase();
    if (!isSecurityProtocol(p))
      throw new Error(
        `listener.security.protocol.map: "${protocol}" is not a security protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL)`,
      );
    out.set(name.toUpperCase(), p);
  }
  return out;
}

/**
 * listener.security.protocol.map as it applies: the map given, plus NAME -> PLAINTEXT for each
 * controller listener name when the map was left at its default.
 */
export function effectiveProtocolMap(map: string, mapIsSet: boolean, controllerNames: readonly string[]): Map<string, SecurityProtocol> {
  const out = parseProtocolMap(map);
  if (!mapIsSet) for (const n of controllerNames) if (!out.has(n.toUpperCase())) out.set(n.toUpperCase(), 'PLAINTEXT');
  return out;
}

export function parseListeners(value: string, setting: string, protocols: ReadonlyMap<string, SecurityProtocol>): ListenerEndpoint[] {
  const out: ListenerEndpoint[] = [];
  for (const item of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z0-9_]+):\/\/(\[[0-9a-fA-F:.]+\]|[^:/\s]*):(\d+)$/.exec(item);
    if (!m) throw new Error(`${setting}: "${item}" is not of the form NAME://host:port`);
    const name = m[1]!.toUpperCase();
    const protocol = protocols.get(name);
    if (!protocol) throw new Error(`${setting}: listener ${name} has no entry in listener.security.protocol.map`);
    const port = Number(m[3]);
    if (port > 65535) throw new Error(`${setting}: port ${port} is out of range`);
    if (out.some((l) => l.name === name)) throw new Error(`${setting}: listener ${name} is listed twice`);
    const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
    out.push({ name, host, port, securityProtocol: protocol });
  }
  return out;
}
