// What a node is and where it listens, derived from the KRaft settings (process.roles, node.id,
// listeners, advertised.listeners, controller.listener.names, listener.security.protocol.map,
// inter.broker.listener.name, controller.quorum.*), with Kafka's cross-checks (KafkaConfig's
// validateValues for KRaft) and Kafka's messages. Every problem is returned, none thrown.
//
// process.roles not set: a one-node cluster that is its own controller (broker and controller),
// with today's single-broker rules: no node.id needed (1), no controller listener needed, no quorum.
// Deliberate differences from Kafka: a node with the controller role needs no voters nor bootstrap
// servers (alone, it is a quorum of one); a controller listener falling back to an unroutable
// bind address (0.0.0.0) is not refused; inter.broker.listener.name defaults to PLAINTEXT when
// such a listener exists, else to the first broker listener (Kafka: always PLAINTEXT).
import type { BrokerConfigValues } from './definitions.ts';
import { effectiveProtocolMap, parseListeners, type ListenerEndpoint, type SecurityProtocol } from './listeners.ts';
import { parseBootstrapServers, parseQuorumVoters, type HostPort, type QuorumVoter } from './quorum.ts';

export type ProcessRole = 'broker' | 'controller';

export interface NodeLayout {
  processRoles: ReadonlySet<ProcessRole>;
  /** Listeners not named in controller.listener.names (bound for clients and other brokers). */
  brokerListeners: ListenerEndpoint[];
  /** Listeners named in controller.listener.names, in that order. */
  controllerListeners: ListenerEndpoint[];
  /** advertised.listeners minus the controller ones; null when advertised.listeners is not set. */
  advertisedBrokerListeners: ListenerEndpoint[] | null;
  /** Per controller listener name: its advertised.listeners entry, else its listeners entry. */
  advertisedControllerListeners: ListenerEndpoint[];
  /** controller.listener.names, upper-cased as listener names are. */
  controllerListenerNames: string[];
  interBrokerListenerName: string;
  quorumVoters: QuorumVoter[];
  quorumBootstrapServers: HostPort[];
}

const VOTERS = 'controller.quorum.voters';
const BOOTSTRAP = 'controller.quorum.bootstrap.servers';

function attempt<T>(problems: string[], fallback: T, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    problems.push((err as Error).message);
    return fallback;
  }
}

/**
 * The node layout and every problem with it. `isSet` tells which names some source set;
 * `rejected`, which were given values already reported as invalid (their checks are skipped).
 */
export function deriveNodeLayout(
  v: BrokerConfigValues,
  isSet: (name: string) => boolean,
  rejected: ReadonlySet<string>,
): { layout: NodeLayout; problems: string[] } {
  const problems: string[] = [];
  const rolesSet = v['process.roles'] !== null;
  const roles = new Set<ProcessRole>((v['process.roles'] as ProcessRole[] | null) ?? ['broker', 'controller']);
  const names = (v['controller.listener.names'] ?? []).map((n) => n.toUpperCase());
  const protocolMap = attempt(problems, new Map<string, SecurityProtocol>(), () =>
    effectiveProtocolMap(v['listener.security.protocol.map'], isSet('listener.security.protocol.map'), names),
  );
  const all = attempt(problems, [], () => parseListeners(v.listeners, 'listeners', protocolMap));
  const advertised =
    v['advertised.listeners'] === null
      ? null
      : attempt(problems, [], () => parseListeners(v['advertised.listeners']!, 'advertised.listeners', protocolMap));
  const voters = attempt(problems, [], () => parseQuorumVoters(v[VOTERS]));
  const bootstrap = attempt(problems, [], () => parseBootstrapServers(v[BOOTSTRAP]));

  const parsed = problems.length === 0;
  const isController = (l: ListenerEndpoint) => names.includes(l.name);
  const brokerListeners = all.filter((l) => !isController(l));
  const controllerListeners = names.flatMap((n) => all.filter((l) => l.name === n));
  const advertisedBrokerListeners = advertised?.filter((l) => !isController(l)) ?? null;
  const advertisedControllerListeners = names.flatMap((n) => {
    const l = advertised?.find((a) => a.name === n) ?? all.find((a) => a.name === n);
    return l ? [l] : [];
  });
  const brokerNames = (advertisedBrokerListeners ?? brokerListeners).map((l) => l.name);
  const interBroker =
    v['inter.broker.listener.name']?.toUpperCase() ?? (brokerNames.includes('PLAINTEXT') ? 'PLAINTEXT' : (brokerNames[0] ?? 'PLAINTEXT'));

  const nodeIdSet = v['node.id'] !== null || v['broker.id'] >= 0;
  const nodeId = v['node.id'] ?? (v['broker.id'] >= 0 ? v['broker.id'] : 1);
  const voterIds = `${VOTERS}=[${voters.map((x) => x.nodeId).join(', ')}]`;
  const inVoters = voters.some((x) => x.nodeId === nodeId);
  const listenerNames = all.map((l) => l.name);

  const layout: NodeLayout = {
    processRoles: roles,
    brokerListeners,
    controllerListeners,
    advertisedBrokerListeners,
    advertisedControllerListeners,
    controllerListenerNames: names,
    interBrokerListenerName: interBroker,
    quorumVoters: voters,
    quorumBootstrapServers: bootstrap,
  };
  // Cross-checks of listeners or roles that did not parse would only repeat the problem.
  if (!parsed || rejected.has('process.roles')) return { layout, problems };
  if (!rolesSet) {
    if (voters.length > 0 || bootstrap.length > 0)
      problems.push(`process.roles must be set when ${VOTERS} or ${BOOTSTRAP} is (without it this node is a one-node cluster)`);
  } else {
    if (!nodeIdSet)
      problems.push('Missing configuration `node.id` which is required when `process.roles` is defined (i.e. when running in KRaft mode).');
    if (!roles.has('controller')) {
      if (voters.length === 0 && bootstrap.length === 0)
        problems.push(
          `If using process.roles, either ${BOOTSTRAP} must contain the set of bootstrap controllers or ${VOTERS} must contain a parseable set of controllers.`,
        );
      if (inVoters)
        problems.push(
          `If process.roles contains just the 'broker' role, the node id ${nodeId} must not be included in the set of voters ${voterIds}`,
        );
      if (names.length === 0)
        problems.push('controller.listener.names must contain at least one value when running KRaft with just the broker role');
      if (controllerListeners.length > 0)
        problems.push(
          "controller.listener.names must not contain a value appearing in the 'listeners' configuration when running KRaft with just the broker role",
        );
      for (const n of names)
        if (!protocolMap.has(n))
          problems.push(
            `Controller listener with name ${n} defined in controller.listener.names not found in listener.security.protocol.map (an explicit security mapping for each controller listener is required when listener.security.protocol.map is set)`,
          );
    } else {
      if (advertisedControllerListeners.length === 0)
        problems.push(
          "controller.listener.names must contain at least one value appearing in the 'listeners' configuration when running the KRaft controller role",
        );
      else if (!names.every((n) => listenerNames.includes(n)))
        problems.push(
          "controller.listener.names must only contain values appearing in the 'listeners' configuration when running the KRaft controller role",
        );
      if (voters.length > 0 && !inVoters)
        problems.push(
          `If process.roles contains the 'controller' role, the node id ${nodeId} must be included in the set of voters ${voterIds}`,
        );
      if (!roles.has('broker') && brokerListeners.length > 0)
        problems.push(
          'The listeners config must only contain KRaft controller listeners from controller.listener.names when process.roles=controller',
        );
    }
  }
  if (roles.has('broker')) {
    if (brokerNames.length === 0)
      problems.push('There must be at least one broker advertised listener. Perhaps all listeners appear in controller.listener.names?');
    else if (!brokerNames.includes(interBroker))
      problems.push(
        `inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are ${brokerNames.join(',')}`,
      );
  }
  for (const a of advertised ?? []) {
    if (a.host === '0.0.0.0') problems.push(`advertised.listeners: 0.0.0.0 is not a valid address to advertise (${a.name})`);
    if (!listenerNames.includes(a.name)) problems.push(`advertised.listeners: ${a.name} is not one of the listeners`);
  }
  return { layout, problems };
}
