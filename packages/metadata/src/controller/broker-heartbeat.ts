// BrokerHeartbeat in the controller (Kafka's ReplicationControlManager.processBrokerHeartbeat): the
// broker epoch is checked (not registered or another epoch: STALE_BROKER_EPOCH), the broker's next
// state is computed by the BrokerHeartbeatManager (broker-heartbeat-manager.ts) and a change of
// state becomes records:
//   -> FENCED                fenceBroker (leaves every ISR, leaders re-elected)
//   -> UNFENCED              unfenceBroker (leaderless partitions may elect it)
//   -> CONTROLLED_SHUTDOWN   enterControlledShutdown (leaderships moved, ISRs left)
//   -> SHUTDOWN_NOW          fenceBroker
// From metadata.version 3.7-IV2, OfflineLogDirs that are still among the broker's online dirs
// take their replicas offline (replica-directories.ts handleDirectoriesOffline), after any state
// change's records, as Kafka's processBrokerHeartbeat does.
// The reply: IsCaughtUp (reported offset >= the offset of its RegisterBrokerRecord), IsFenced,
// ShouldShutDown (SHUTDOWN_NOW), and whether it is in controlled shutdown. This reads the manager
// and writes nothing to it: the backend touches the session once the records are written.
import type { MetadataImage } from '../image/metadata-image.ts';
import { BrokerControlState, isFencedState, type BrokerHeartbeatManager, type HeartbeatIntent } from './broker-heartbeat-manager.ts';
import { checkBrokerEpoch, enterControlledShutdown, fenceBroker, unfenceBroker } from './cluster-control.ts';
import { NONE, type ApiError, type ControllerResult } from './results.ts';
import { handleDirectoriesOffline } from './replica-directories.ts';
import { applyRecords } from '../image/metadata-delta.ts';
import { isDirectoryAssignmentSupported } from '../records/metadata-version.ts';

export interface BrokerHeartbeatRequest extends HeartbeatIntent {
  brokerEpoch: bigint;
  /** The directory.id of each failed log dir (BrokerHeartbeat v1 OfflineLogDirs; JBOD). */
  offlineLogDirs?: readonly string[];
}

export interface BrokerHeartbeatReply extends ApiError {
  isCaughtUp: boolean;
  isFenced: boolean;
  inControlledShutdown: boolean;
  shouldShutDown: boolean;
  /** The state the broker is in after this heartbeat. */
  state: BrokerControlState;
}

export function processBrokerHeartbeat(
  image: MetadataImage,
  req: BrokerHeartbeatRequest,
  heartbeats: BrokerHeartbeatManager,
  uncleanBrokerDefault: boolean,
): ControllerResult<BrokerHeartbeatReply> {
  const stale = checkBrokerEpoch(image, req.brokerId, req.brokerEpoch);
  if (stale) {
    return {
      records: [],
      response: { ...stale, isCaughtUp: false, isFenced: true, inControlledShutdown: false, shouldShutDown: false, state: 'FENCED' },
    };
  }
  const registerOffset = Number(req.brokerEpoch);
  const { current, next } = heartbeats.nextState(image, req, registerOffset);
  let records: ControllerResult<ApiError>['records'] = [];
  if (current !== next) {
    switch (next) {
      case BrokerControlState.FENCED:
      case BrokerControlState.SHUTDOWN_NOW:
        records = fenceBroker(image, req.brokerId, req.brokerEpoch, uncleanBrokerDefault).records;
        break;
      case BrokerControlState.UNFENCED:
        records = unfenceBroker(image, req.brokerId, req.brokerEpoch, uncleanBrokerDefault).records;
        break;
      case BrokerControlState.CONTROLLED_SHUTDOWN:
        records = enterControlledShutdown(image, req.brokerId, req.brokerEpoch, uncleanBrokerDefault).records;
        break;
    }
  }
  if (isDirectoryAssignmentSupported(image.features.metadataVersion) && (req.offlineLogDirs?.length ?? 0) > 0) {
    // the elections read the image after the state change (a fenced broker already left every ISR)
    const after = records.length > 0 ? applyRecords(image, records, image.provenance).image : image;
    records = [...records, ...handleDirectoriesOffline(after, req.brokerId, req.brokerEpoch, req.offlineLogDirs!, uncleanBrokerDefault)];
  }
  return {
    records,
    response: {
      ...NONE,
      isCaughtUp: req.currentMetadataOffset >= registerOffset,
      isFenced: isFencedState(next),
      inControlledShutdown: next === BrokerControlState.CONTROLLED_SHUTDOWN,
      shouldShutDown: next === BrokerControlState.SHUTDOWN_NOW,
      state: next,
    },
  };
}
