// startSharedLogCluster: an in-process TEST FAKE of a cluster of several broker nodes for tests of
// leader changes (the role of librdkafka's mock cluster, rd_kafka_mock_partition_set_leader, and
// franz-go's kfake): nodes 1..n, each with its own listener on a free port of 127.0.0.1, node id
// and advertised endpoint, in a temporary data directory removed on stop.
//
// NOT REPLICATION: the nodes share one copy of every log, one producer id manager and one group
// coordinator (shared-log-cluster.ts). A node answers what it does not lead as a Kafka broker
// would (NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH), and Metadata reports
// leaders and leader epochs, so clients go through exactly the recovery they need against a real
// cluster; but no record is ever lost by a leader change here, because every "replica" is the
// same log. startCluster starts independent brokers instead.
//
//   const kafka = await startSharedLogCluster({ brokers: 3 });   // { bootstrap, nodes, ... }
//   await kafka.moveLeader('orders', 0, 2);                        // node 2 leads orders-0, epoch + 1
//   await kafka.stopNode(1);                                // node 1's listener closes; re-election
//   await kafka.startNode(1);                               // back on its port, in the ISRs again
//   await kafka.stop();
//
// Defaults: default.replication.factor and offsets.topic.replication.factor = brokers (every node
// is a replica of every partition, so a leader can move anywhere); partition leaders round-robin
// over the nodes (partition p led by node (p mod n) + 1).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerConfig, silentLogger, type BrokerOptions, type ConfigSources } from '@tributary/broker';
import { SharedLogCluster } from './shared-log-cluster.ts';

export interface StartSharedLogClusterOptions extends BrokerOptions {
  /** Number of nodes (default 3), node ids 1..brokers. */
  brokers?: number;
  /** Broker settings by Kafka name, shared by every node; log.dirs defaults to a temp dir. */
  settings?: ConfigSources['settings'];
  /** Use this data directory instead of a temporary one (it is then kept on stop). */
  dataDir?: string;
}

export interface SharedLogNode {
  nodeId: number;
  host: string;
  port: number;
}

export interface SharedLogTestCluster {
  cluster: SharedLogCluster;
  /** Every node's `127.0.0.1:<port>`, comma separated, for bootstrap.servers. */
  bootstrap: string;
  nodes: SharedLogNode[];
  dataDir: string;
  /** Leader and leader epoch of a partition now. */
  leaderOf(topic: string, partition: number): { leader: number; leaderEpoch: number };
  /** Makes `nodeId` the partition's leader (epoch + 1); resolves with the new leader epoch. */
  moveLeader(topic: string, partition: number, nodeId: number): Promise<number>;
  /** Stops a node as a crash does (connections dropped); its partitions get new leaders. */
  stopNode(nodeId: number): Promise<void>;
  /** Starts a stopped node again on its port. */
  startNode(nodeId: number): Promise<void>;
  /** Stops every node and removes the temporary data directory. */
  stop(): Promise<void>;
}

export async function startSharedLogCluster(opts: StartSharedLogClusterOptions = {}): Promise<SharedLogTestCluster> {
  const { brokers = 3, settings, dataDir: givenDir, ...brokerOptions } = opts;
  if (!Number.isInteger(brokers) || brokers < 1) throw new Error(`brokers must be a positive integer (got ${brokers})`);
  const dataDir = givenDir ?? (await mkdtemp(join(tmpdir(), 'tributary-cluster-')));
  const nodeIds = Array.from({ length: brokers }, (_, i) => i + 1);
  let cluster: SharedLogCluster;
  try {
    const config = BrokerConfig.load({
      settings: {
        listeners: 'PLAINTEXT://127.0.0.1:0',
        'log.dirs': dataDir,
        'node.id': 1,
        'default.replication.factor': brokers,
        'offsets.topic.replication.factor': brokers,
        ...settings,
      },
    });
    cluster = new SharedLogCluster(config, { log: silentLogger, shutdownTimeoutMs: 5_000, ...brokerOptions, nodeIds });
    await cluster.start();
  } catch (err) {
    if (!givenDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const nodes = cluster.endpoints();
  let stopped: Promise<void> | null = null;
  return {
    cluster,
    bootstrap: nodes.map((n) => `${n.host}:${n.port}`).join(','),
    nodes,
    dataDir,
    leaderOf(topic, partition) {
      const p = cluster.partition(topic, partition);
      return { leader: p.leader, leaderEpoch: p.leaderEpoch };
    },
    moveLeader: (topic, partition, nodeId) => cluster.moveLeader(topic, partition, nodeId),
    stopNode: (nodeId) => cluster.stopNode(nodeId),
    startNode: async (nodeId) => {
      await cluster.startNode(nodeId);
    },
    stop() {
      stopped ??= (async () => {
        await cluster.stop();
        if (!givenDir) await rm(dataDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
