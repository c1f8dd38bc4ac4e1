// startCluster: an in-process Tributary cluster of independent brokers for tests: nodes 1..n, each
// a whole Broker with its own data directory, listener (a free port of 127.0.0.1), partitions,
// group coordinator and producer ids, and one controller they all register with (a
// LocalController in its own directory: a dedicated controller, as KRaft's `process.roles=controller`).
// Topics are placed on the registered brokers by the controller; each broker hosts the replicas
// assigned to it; Metadata from any broker lists them all; a request for a partition another
// broker leads is answered NOT_LEADER_OR_FOLLOWER; FindCoordinator points at the broker leading the
// group's __consumer_offsets partition.
//
// Replication is real: followers fetch from their leaders over 127.0.0.1 as separate processes do,
// the ISR and the high watermark follow them, acks=all waits for the ISR. Brokers register and
// heartbeat to the controller: one stopped by stopNode shuts down in a controlled way (its
// leaderships move to other ISR members first); one that stops heartbeating is fenced after
// broker.session.timeout.ms.
//
// Topics given as `topics` are created before it resolves; group.initial.rebalance.delay.ms is 0
// unless set (TESTKIT_DEFAULT_SETTINGS); each broker's request handlers take injected faults.
//
//   const kafka = await startCluster({ brokers: 3, topics: [{ name: 'orders', partitions: 6, replicationFactor: 3 }] });
//   await kafka.stopNode(2);                              // broker 2 stops and is fenced
//   await kafka.startNode(2);                             // back on its port and data dir
//   await kafka.restartNode(3);                           // both
//   kafka.faults(1).drop('Fetch');                        // broker 1 answers no Fetch until cleared
//   await kafka.stop();
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker, BrokerConfig, controllerOptions, silentLogger, type BrokerOptions, type ConfigSources } from '@tributary/broker';
import { LocalController, type PartitionRegistration } from '@tributary/metadata';
import { ErrorCode } from '@tributary/protocol';
import { clientHelpers, createTopic, type ClientHelpers, type TopicSpec } from './client-helpers.ts';
import { RequestFaults } from './request-faults.ts';
import { TESTKIT_DEFAULT_SETTINGS } from './start-broker.ts';

export interface StartClusterOptions extends Omit<BrokerOptions, 'controller' | 'fs'> {
  /** Number of brokers (default 3), node ids 1..brokers. */
  brokers?: number;
  /** Broker settings by Kafka name, shared by every broker (node.id, listeners and log.dirs are set per broker). */
  settings?: ConfigSources['settings'];
  /** Settings of one broker (e.g. its broker.rack), over `settings`. */
  settingsFor?: (nodeId: number) => ConfigSources['settings'];
  /** Use this data directory instead of a temporary one (it is then kept on stop). */
  dataDir?: string;
  /** Each broker's port, in node id order (default: free ones). */
  ports?: number[];
  /** Topics to create before startCluster resolves (a name, or name, partitions, replication factor, configs). */
  topics?: Array<string | TopicSpec>;
}

export interface ClusterNode {
  nodeId: number;
  host: string;
  port: number;
}

export interface TestCluster extends ClientHelpers {
  /** Every broker's `127.0.0.1:<port>`, comma separated, for bootstrap.servers. */
  bootstrap: string;
  nodes: ClusterNode[];
  dataDir: string;
  /** The controller every broker registers with. */
  controller: LocalController;
  /** A running broker, or undefined while it is stopped. */
  broker(nodeId: number): Broker | undefined;
  /** A partition as the controller holds it (leader, leader epoch, replicas, ISR). */
  partition(topic: string, partition: number): PartitionRegistration;
  /**
   * Stops a broker: a controlled shutdown (its leaderships move to other ISR members, it is
   * fenced), then in-flight requests answered and connections closed. With `fence: false` it just
   * stops, as a crash: the controller fences it once broker.session.timeout.ms passes without a
   * heartbeat.
   */
  stopNode(nodeId: number, opts?: { fence?: boolean }): Promise<void>;
  /** Starts a stopped broker again on its port and data directory. */
  startNode(nodeId: number): Promise<void>;
  /** stopNode (a controlled shutdown, fenced) then startNode. */
  restartNode(nodeId: number): Promise<void>;
  /** The faults injected at a broker's request handlers (kept across its restarts). */
  faults(nodeId: number): RequestFaults;
  /** Stops every broker and the controller; removes the temporary data directory. */
  stop(): Promise<void>;
}

export async function startCluster(opts: StartClusterOptions = {}): Promise<TestCluster> {
  const { brokers: n = 3, settings, settingsFor, dataDir: givenDir, ports: fixedPorts, topics, ...brokerOptions } = opts;
  if (!Number.isInteger(n) || n < 1) throw new Error(`brokers must be a positive integer (got ${n})`);
  const dataDir = givenDir ?? (await mkdtemp(join(tmpdir(), 'tributary-cluster-')));
  const nodeIds = Array.from({ length: n }, (_, i) => i + 1);
  const ports = new Map<number, number>();
  for (const [i, port] of (fixedPorts ?? []).entries()) ports.set(i + 1, port);
  const faults = new Map(nodeIds.map((id) => [id, new RequestFaults()]));
  const running = new Map<number, Broker>();
  const configFor = (nodeId: number) =>
    BrokerConfig.load({
      settings: {
        ...TESTKIT_DEFAULT_SETTINGS,
        'offsets.topic.replication.factor': Math.min(3, n),
        ...settings,
        ...settingsFor?.(nodeId),
        'node.id': nodeId,
        listeners: `PLAINTEXT://127.0.0.1:${ports.get(nodeId) ?? 0}`,
        'log.dirs': join(dataDir, `broker-${nodeId}`),
      },
    });
  let controller: LocalController | null = null;
  const startNode = async (nodeId: number) => {
    if (running.has(nodeId)) throw new Error(`broker ${nodeId} is running`);
    const broker = new Broker(configFor(nodeId), {
      log: silentLogger,
      shutdownTimeoutMs: 5_000,
      ...brokerOptions,
      registry: brokerOptions.registry ?? faults.get(nodeId)?.registry(),
      controller: controller!,
    });
    ports.set(nodeId, await broker.start());
    running.set(nodeId, broker);
  };
  const bootstrap = () => nodeIds.map((id) => `127.0.0.1:${ports.get(id)}`).join(',');
  const stopAll = async () => {
    for (const f of faults.values()) f.clear();
    await Promise.all([...running.values()].map((b) => b.stop()));
    running.clear();
    await controller?.close();
  };
  try {
    const controllerDir = join(dataDir, 'controller');
    await mkdir(controllerDir, { recursive: true });
    controller = await LocalController.open({
      logDir: controllerDir,
      // a dedicated controller: no broker's own dynamic configs are its (only the cluster default)
      controller: { ...controllerOptions(configFor(1)), nodeId: undefined },
      time: brokerOptions.time,
    });
    for (const id of nodeIds) await startNode(id);
    if (topics?.length) await createTopic(bootstrap(), ...topics);
  } catch (err) {
    await stopAll();
    if (!givenDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const ctl = controller;
  let stopped: Promise<void> | null = null;
  const cluster: TestCluster = {
    ...clientHelpers(bootstrap),
    bootstrap: bootstrap(),
    nodes: nodeIds.map((nodeId) => ({ nodeId, host: '127.0.0.1', port: ports.get(nodeId)! })),
    dataDir,
    controller: ctl,
    broker: (nodeId) => running.get(nodeId),
    partition(topic, partition) {
      const p = ctl.image.partition(topic, partition);
      if (!p) throw new Error(`unknown partition ${topic}-${partition}`);
      return p;
    },
    async stopNode(nodeId, { fence = true } = {}) {
      const broker = running.get(nodeId);
      if (!broker) throw new Error(`broker ${nodeId} is not running`);
      running.delete(nodeId);
      faults.get(nodeId)?.clear();
      // a controlled shutdown (leaderships moved, the broker fenced) unless it is to look like a crash
      await broker.stop({ controlled: fence });
      if (!fence || ctl.image.cluster.broker(nodeId)?.fenced) return;
      const r = await ctl.fenceBroker(nodeId);
      if (r.errorCode !== ErrorCode.NONE) throw new Error(r.errorMessage ?? `cannot fence broker ${nodeId}`);
    },
    startNode,
    async restartNode(nodeId) {
      await cluster.stopNode(nodeId);
      await startNode(nodeId);
    },
    faults(nodeId) {
      const f = faults.get(nodeId);
      if (!f) throw new Error(`no broker ${nodeId}`);
      return f;
    },
    stop() {
      stopped ??= (async () => {
        await stopAll();
        if (!givenDir) await rm(dataDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
  return cluster;
}
