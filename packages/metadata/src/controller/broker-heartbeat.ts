// BrokerHeartbeat in the controller (Kafka's ReplicationControlManager.processBrokerHeartbeat): the
// broker epoch is checked (not registered or another epoch: STALE_BROKER_EPOCH), the broker's next
// state is computed by the BrokerHeartbeatManager (broker-heartbeat-manager.ts) and a change of
// state becomes records:
//   -> FENCED                fenceBroker (leaves every ISR, leaders re-elected)
//   -> UNFENCED              unfenceBroker (leaderless partitions may elect it)
//   -> CONTROLLED_SHUTDOWN   enterControlledShutdown (leaderships moved, ISRs left)
//   -> SHUTDOWN_NOW          fenceBroker
// The reply: IsCaughtUp (reported offset >= the offset of its RegisterBrokerRecord), IsFenced,
// ShouldShutDown (SHUTDOWN_NOW), and whether it is in controlled shutdown. This reads the manager
// and writes nothing to it: the backend touches the session once the records are written.
import type { MetadataImage } from '../image/metadata-image.ts';
import { BrokerControlState, isFencedState, type BrokerHeartbeatManager, type HeartbeatIntent } from './broker-heartbeat-manager.ts';
import { checkBrokerEpoch, enterControlledShutdown, fenceBroker, unfenceBroker } from './cluster-control.ts';
import { NONE, type ApiError, type ControllerResult } from './results.ts';

export interface BrokerHeartbeatRequest extends HeartbeatIntent {
  brokerEpoch: bigint;
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
