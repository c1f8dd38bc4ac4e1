// The automatic leader rebalance settings (Kafka's ReplicationConfigs): whether the active
// controller moves partition leadership back to preferred replicas, how often it checks, and the
// share of a broker's preferred partitions led elsewhere that triggers it (the controller's
// leader-imbalance.ts; handed over in metadata/controller-options.ts). Kafka's names, types,
// defaults and validators; read-only (not changed dynamically), as in Kafka.
import { atLeast, def } from './config-def.ts';

export const LEADER_BALANCE_CONFIG_DEFS = {
  'auto.leader.rebalance.enable': def(
    'boolean',
    true,
    'Enables auto leader balancing: the active controller checks the distribution of partition leaders every leader.imbalance.check.interval.seconds and, for a broker whose preferred partitions are led elsewhere above leader.imbalance.per.broker.percentage, elects it again where it is in the ISR.',
  ),
  'leader.imbalance.check.interval.seconds': def(
    'long',
    300,
    'The frequency with which the partition rebalance check is triggered by the controller.',
    atLeast(1),
  ),
  'leader.imbalance.per.broker.percentage': def(
    'int',
    10,
    "The ratio of leader imbalance allowed per broker, in percent: above it the controller triggers a leader balance for that broker (0: any partition not led by its preferred replica, as Kafka's KRaft controller balances).",
  ),
} as const;
