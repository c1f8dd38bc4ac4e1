// The KRaft controller quorum as configured: `controller.quorum.voters` ({id}@{host}:{port}
// entries, a static voter set) and `controller.quorum.bootstrap.servers` ({host}:{port} entries,
// the endpoints a node asks for the dynamic voter set). Parsed as Kafka's QuorumConfig does, with
// its messages; IPv6 hosts are bracketed ([::1]:9093). A voter may not be 0.0.0.0 (not routable)
// and may not be listed twice.

export interface QuorumVoter {
  nodeId: number;
  host: string;
  port: number;
}

export interface HostPort {
  host: string;
  port: number;
}

const VOTERS = 'controller.quorum.voters';
const BOOTSTRAP = 'controller.quorum.bootstrap.servers';
const HOST_RE = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)$/;

function splitHostPort(s: string): { host?: string; port?: number } {
  const colon = s.lastIndexOf(':');
  if (colon < 0) return {};
  const rawHost = s.slice(0, colon);
  const rawPort = s.slice(colon + 1);
  const host = HOST_RE.test(rawHost) ? (rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost) : undefined;
  const port = /^\d+$/.test(rawPort) && Number(rawPort) <= 65535 ? Number(rawPort) : undefined;
  return { host, port };
}

/** Parses controller.quorum.voters entries; throws an Error with Kafka's message on the first bad one. */
export function parseQuorumVoters(entries: readonly string[]): QuorumVoter[] {
  const form = 'Each entry should be in the form `{id}@{host}:{port}`.';
  const out: QuorumVoter[] = [];
  for (const entry of entries) {
    const parts = entry.split('@');
    if (parts.length !== 2) throw new Error(`Invalid configuration value for ${VOTERS}. ${form}`);
    const [id, address] = parts as [string, string];
    if (!/^[+-]?\d+$/.test(id) || Math.abs(Number(id)) > 2147483647) throw new Error(`Failed to parse voter ID as an integer from ${id}`);
    const { host, port } = splitHostPort(address);
    if (host === undefined) throw new Error(`Failed to parse host name from entry ${entry} for the configuration ${VOTERS}. ${form}`);
    if (port === undefined) throw new Error(`Failed to parse host port from entry ${entry} for the configuration ${VOTERS}. ${form}`);
    if (host === '0.0.0.0') throw new Error(`Host string (${host}) is not routeable`);
    const nodeId = Number(id);
    if (out.some((v) => v.nodeId === nodeId)) throw new Error(`voter ${nodeId} is listed twice`);
    out.push({ nodeId, host, port });
  }
  return out;
}

/** Parses controller.quorum.bootstrap.servers entries; throws an Error with Kafka's message on the first bad one. */
export function parseBootstrapServers(entries: readonly string[]): HostPort[] {
  const form = 'Each entry should be in the form "{host}:{port}"';
  return entries.map((entry) => {
    const { host, port } = splitHostPort(entry);
    if (host === undefined) throw new Error(`Failed to parse host name from ${entry} for the configuration ${BOOTSTRAP}. ${form}`);
    if (port === undefined) throw new Error(`Failed to parse host port from ${entry} for the configuration ${BOOTSTRAP}. ${form}`);
    return { host, port };
  });
}

/** A ConfigDef validator: the problem with a value, or undefined. */
export function validatorOf(parse: (entries: readonly string[]) => unknown): (entries: string[]) => string | undefined {
  return (entries) => {
    try {
      parse(entries);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  };
}
