// ControllerChannel: how a broker reaches the controller (Kafka's BrokerToControllerChannelManager
// plus the metadata it publishes): the admin operations that become metadata records, broker
// registration, fencing and unregistration, a leader's ISR changes (AlterPartition), where a broker's
// replicas are (AssignReplicasToDirs, JBOD), leader elections
// (ElectLeaders), ACL changes, finalized features (UpdateFeatures), and the stream of metadata images. Today the LocalController in the same process implements it (a single node, or one
// controller shared by an in-process cluster); over the network, RemoteController.
import type { LocalController } from '@tributary/metadata';

export type ControllerChannel = Pick<
  LocalController,
  | 'image'
  | 'subscribe'
  | 'createTopics'
  | 'createPartitions'
  | 'deleteTopics'
  | 'alterConfigs'
  | 'incrementalAlterConfigs'
  | 'alterClientQuotas'
  | 'alterUserScramCredentials'
  | 'updateFeatures'
  | 'registerBroker'
  | 'brokerHeartbeat'
  | 'fenceBroker'
  | 'unfenceBroker'
  | 'changePartition'
  | 'alterPartition'
  | 'assignReplicasToDirs'
  | 'alterPartitionReassignments'
  | 'listPartitionReassignments'
  | 'allocateProducerIds'
  | 'createAcls'
  | 'deleteAcls'
  | 'electLeaders'
  | 'unregisterBroker'
>;
