// The scenario groups, in the order they run and print. Later groups read earlier rows (latency at
// half the measured max, peer ratios, goals), so produce runs before latency and peers.
import type { ScenarioGroup } from '../lib/types.ts';
import { microGroup } from './micro.ts';
import { loadgenGroup } from './loadgen.ts';
import { produceGroup, consumeGroup } from './throughput.ts';
import { latencyGroup } from './latency.ts';
import { durableGroup } from './durable.ts';
import { clusterGroup } from './cluster.ts';
import { quorumGroup } from './quorum.ts';
import { scaleGroup } from './scale.ts';
import { groupGroup } from './group.ts';
import { clientsGroup } from './clients.ts';
import { inflightGroup } from './inflight.ts';
import { transactionsGroup } from './transactions.ts';
import { securityGroup } from './security.ts';
import { compactionGroup } from './compaction.ts';
import { peersGroup } from './peers.ts';
import { zeroCopyGroup } from './zero-copy.ts';

export const GROUPS: ScenarioGroup[] = [
  microGroup,
  loadgenGroup,
  produceGroup,
  consumeGroup,
  zeroCopyGroup,
  latencyGroup,
  durableGroup,
  clusterGroup,
  quorumGroup,
  scaleGroup,
  groupGroup,
  clientsGroup,
  inflightGroup,
  transactionsGroup,
  securityGroup,
  compactionGroup,
  peersGroup,
];
