// ConnectionQuotas: the broker's connection limits (Kafka's SocketServer.ConnectionQuotas):
//   max.connections.per.ip (and max.connections.per.ip.overrides, "address:count,..."): a new
//     connection from an address that already has that many is closed at once (Kafka's
//     TooManyConnectionsException in the acceptor);
//   max.connections: at the limit, new connections wait — accepted but not read, as Kafka's
//     acceptor stops accepting and leaves them in the backlog — until a connection closes.
// Counts are of open connections across every listener. IPv4-mapped IPv6 addresses count as their
// IPv4 address. Not done: per-listener max.connections, the inter-broker listener's protection,
// connection_creation_rate quotas, hostnames in the overrides (IP addresses only).

export interface ConnectionQuotaConfig {
  maxConnections: number;
  maxConnectionsPerIp: number;
  /** Address -> its own limit. */
  perIpOverrides: ReadonlyMap<string, number>;
}

export const UNLIMITED_CONNECTIONS: ConnectionQuotaConfig = Object.freeze({
  maxConnections: 2147483647,
  maxConnectionsPerIp: 2147483647,
  perIpOverrides: new Map(),
});

/** Parses max.connections.per.ip.overrides: "127.0.0.1:200,::1:10" (the count after the last colon). */
export function parsePerIpOverrides(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of text.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const i = item.lastIndexOf(':');
    const count = Number(item.slice(i + 1));
    if (i <= 0 || !Number.isInteger(count) || count < 0) throw new Error(`bad entry "${item}" (address:count expected)`);
    out.set(normalizeAddress(item.slice(0, i)), count);
  }
  return out;
}

export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export class ConnectionQuotas {
  private readonly perIp = new Map<string, number>();
  private count = 0;

  /** The limits; replaced at runtime by dynamic broker configs (open connections are not closed). */
  constructor(public config: ConnectionQuotaConfig = UNLIMITED_CONNECTIONS) {}

  /** Open connections counted. */
  get total(): number {
    return this.count;
  }

  /** Whether max.connections is reached (new connections must wait). */
  get atMaxConnections(): boolean {
    return this.count >= this.config.maxConnections;
  }

  /** The limit of an address. */
  limitFor(address: string): number {
    return this.config.perIpOverrides.get(address) ?? this.config.maxConnectionsPerIp;
  }

  /** Counts a connection from `address`, or answers false when the address is at its limit. */
  tryInc(address: string): boolean {
    const n = this.perIp.get(address) ?? 0;
    if (n >= this.limitFor(address)) return false;
    this.perIp.set(address, n + 1);
    this.count++;
    return true;
  }

  dec(address: string): void {
    const n = this.perIp.get(address) ?? 0;
    if (n <= 1) this.perIp.delete(address);
    else this.perIp.set(address, n - 1);
    this.count--;
  }
}
