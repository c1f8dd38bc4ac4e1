// Listener strings: `NAME://host:port[,NAME://host:port...]` as in Kafka's `listeners` and
// `advertised.listeners`. IPv6 hosts are bracketed ([::1]:9092). An empty host means all
// interfaces for `listeners`. The NAME maps to a security protocol through
// listener.security.protocol.map (PLAINTEXT:PLAINTEXT,...); only PLAINTEXT is supported so far.
// Listeners named in controller.listener.names are skipped (a KRaft controller's, not bound here).

export interface ListenerEndpoint {
  name: string;
  host: string;
  port: number;
}

function parseProtocolMap(map: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of map
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, protocol, ...rest] = pair.split(':');
    if (!name || !protocol || rest.length) throw new Error(`listener.security.protocol.map: "${pair}" is not NAME:PROTOCOL`);
    out.set(name.toUpperCase(), protocol.toUpperCase());
  }
  return out;
}

export function parseListeners(value: string, setting: string, protocolMap: string, controllerNames: string[]): ListenerEndpoint[] {
  const protocols = parseProtocolMap(protocolMap);
  const skip = new Set(controllerNames.map((n) => n.toUpperCase()));
  const out: ListenerEndpoint[] = [];
  for (const item of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z0-9_]+):\/\/(\[[0-9a-fA-F:.]+\]|[^:/\s]*):(\d+)$/.exec(item);
    if (!m) throw new Error(`${setting}: "${item}" is not of the form NAME://host:port`);
    const name = m[1]!.toUpperCase();
    if (skip.has(name)) continue;
    const protocol = protocols.get(name);
    if (!protocol) throw new Error(`${setting}: listener ${name} has no entry in listener.security.protocol.map`);
    if (protocol !== 'PLAINTEXT') throw new Error(`${setting}: listener ${name} uses ${protocol}; only PLAINTEXT is supported`);
    const port = Number(m[3]);
    if (port > 65535) throw new Error(`${setting}: port ${port} is out of range`);
    if (out.some((l) => l.name === name)) throw new Error(`${setting}: listener ${name} is listed twice`);
    const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
    out.push({ name, host, port });
  }
  return out;
}
