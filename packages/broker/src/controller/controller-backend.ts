// ControllerBackend: what the controller server (controller-server.ts) serves over the network: the
// ControllerChannel operations, plus what only the controller's own listener offers — broker
// heartbeats and the committed `__cluster_metadata-0` log for observers (Fetch, long-polling until
// new records are appended). The LocalController (one voter) implements it.
import type { LocalController } from '@tributary/metadata';
import type { ControllerChannel } from '../metadata/controller-channel.ts';

export type ControllerBackend = ControllerChannel &
  Pick<LocalController, 'brokerHeartbeat' | 'readLog' | 'waitForAppend' | 'nextOffset' | 'leaderEpoch'>;

/** Kafka's Uuid.METADATA_TOPIC_ID (0, 1): the topic id of `__cluster_metadata` in Fetch v13+. */
export const METADATA_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';
