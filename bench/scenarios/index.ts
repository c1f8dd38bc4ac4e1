// The scenario groups, in the order they run and print. Later groups may read earlier rows
// (latency at half the measured max, peer ratios, goals), so produce runs before them.
import type { ScenarioGroup } from '../lib/types.ts';
import { microGroup } from './micro.ts';
import { loadgenGroup } from './loadgen.ts';
import { peersGroup } from './peers.ts';

export const GROUPS: ScenarioGroup[] = [microGroup, loadgenGroup, peersGroup];
