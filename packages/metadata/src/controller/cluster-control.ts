// Broker lifecycle in the controller (Kafka's ClusterControlManager with the replication side of
// ReplicationControlManager.handleBroker*):
//   registerBroker    RegisterBrokerRecord, fenced; broker epoch = the record's offset (Kafka's
//                     QuorumController passes the next write offset). A registration replaces the
//                     previous one; partitions are not touched (without ELR, as Kafka's
//                     handleBrokerUncleanShutdown): a broker that restarts quickly keeps leading
//                     what it led, and regains what went leaderless when it is unfenced.
//   fenceBroker       elections without it (partition-change.ts), then
//                     BrokerRegistrationChangeRecord(fenced = 1)
//   unfenceBroker     BrokerRegistrationChangeRecord(fenced = -1), then elections for every
//                     leaderless partition with the broker acceptable as leader
//   enterControlledShutdown  BrokerRegistrationChangeRecord(inControlledShutdown = 1), then
//                     elections without it (it leaves the ISRs that keep another member)
//   unregisterBroker  elections without it, then UnregisterBrokerRecord
//   allocateProducerIds  the next block of 1000 producer ids (Kafka's ProducerIdControlManager)
// An unknown broker is BROKER_ID_NOT_REGISTERED; a broker epoch that is given and not the current
// one STALE_BROKER_EPOCH. Heartbeats and session timeouts: broker-heartbeat.ts.
import { ErrorCode } from '@tributary/protocol';
import type { BrokerEndpoint, BrokerRegistration } from '../image/cluster-image.ts';
import type { MetadataImage } from '../image/metadata-image.ts';
import { hasLeader } from '../image/partition-registration.ts';
import {
  BrokerControlledShutdownChange,
  BrokerFencingChange,
  brokerRegistrationChangeRecord,
  type MetadataRecord,
} from '../records/metadata-record.ts';
import { isDirectoryAssignmentSupported } from '../records/metadata-version.ts';
import { leaderAndIsrUpdates, partitionsWhere } from './partition-change.ts';
import { applyRecords } from '../image/metadata-delta.ts';
import { NONE, apiError, type ApiError, type ControllerResult } from './results.ts';

export interface BrokerRegistrationRequest {
  brokerId: number;
  /** New for every start of the broker process (a Uuid string). */
  incarnationId: string;
  endpoints: readonly BrokerEndpoint[];
  rack?: string | null;
  /** Supported feature ranges (name -> [min, max]). */
  features?: Readonly<Record<string, readonly [number, number]>>;
  /** The directory.id of each online log dir (BrokerRegistration v2+ LogDirs; JBOD, KIP-858). */
  logDirs?: readonly string[];
}

export interface BrokerRegistrationResult extends ApiError {
  /** The new broker epoch (-1 on error). */
  brokerEpoch: bigint;
  /** The registration of this same incarnation was amended (its epoch kept), not replaced. */
  amended?: boolean;
}

export function registerBroker(
  image: MetadataImage,
  req: BrokerRegistrationRequest,
  nextOffset: number,
  uncleanBrokerDefault = false,
): ControllerResult<BrokerRegistrationResult> {
  if (!Number.isInteger(req.brokerId) || req.brokerId < 0) {
    return { records: [], response: { ...apiError(ErrorCode.INVALID_REQUEST, `Invalid broker id ${req.brokerId}`), brokerEpoch: -1n } };
  }
  const existing = image.cluster.broker(req.brokerId);
  const amended = existing !== undefined && existing.incarnationId === req.incarnationId;
  const brokerEpoch = amended ? existing.epoch : BigInt(nextOffset);
  // LogDirs only where the level has them (Kafka's registerBrokerRecordVersion 3 at 3.7-IV2+)
  const logDirs = isDirectoryAssignmentSupported(image.features.metadataVersion) ? [...(req.logDirs ?? [])] : [];
  const record: MetadataRecord = {
    type: 'RegisterBrokerRecord',
    data: {
      brokerId: req.brokerId,
      isMigratingZkBroker: false,
      incarnationId: req.incarnationId,
      brokerEpoch,
      endPoints: req.endpoints.map((e) => ({ name: e.name, host: e.host, port: e.port, securityProtocol: e.securityProtocol })),
      features: Object.entries(req.features ?? {}).map(([name, [min, max]]) => ({
        name,
        minSupportedVersion: min,
        maxSupportedVersion: max,
      })),
      rack: req.rack ?? null,
      fenced: amended ? existing.fenced : true,
      inControlledShutdown: amended ? existing.inControlledShutdown : false,
      logDirs,
    },
  };
  if (!amended) return { records: [record], response: { ...NONE, brokerEpoch } };
  // a dir back online: partitions left leaderless (their only acceptable replica was in it) elect again
  const records: MetadataRecord[] = [record];
  if (!existing.fenced && !existing.inControlledShutdown) {
    const after = applyRecords(image, records).image;
    const leaderless = partitionsWhere(after, (p) => !hasLeader(p) && p.replicas.includes(req.brokerId));
    records.push(...leaderAndIsrUpdates(after, leaderless, { brokerToRemove: -1, brokerToAdd: -1, uncleanBrokerDefault }));
  }
  return { records, response: { ...NONE, brokerEpoch, amended } };
}

function checkBroker(image: MetadataImage, brokerId: number, brokerEpoch: bigint | undefined): BrokerRegistration | ApiError {
  const b = image.cluster.broker(brokerId);
  if (!b) return apiError(ErrorCode.BROKER_ID_NOT_REGISTERED, `Broker ${brokerId} is not registered.`);
  if (brokerEpoch !== undefined && brokerEpoch !== b.epoch) {
    return apiError(ErrorCode.STALE_BROKER_EPOCH, `Expected broker epoch ${b.epoch}, but got broker epoch ${brokerEpoch}`);
  }
  return b;
}

/**
 * Kafka's ClusterControlManager.checkBrokerEpoch (AlterPartition, BrokerHeartbeat): a broker that is
 * not registered, or whose epoch is not `brokerEpoch`, is STALE_BROKER_EPOCH. Null when it matches.
 */
export function checkBrokerEpoch(image: MetadataImage, brokerId: number, brokerEpoch: bigint): ApiError | null {
  const b = image.cluster.broker(brokerId);
  if (!b) return apiError(ErrorCode.STALE_BROKER_EPOCH, `No broker registration found for broker ${brokerId}`);
  if (b.epoch !== brokerEpoch) {
    return apiError(ErrorCode.STALE_BROKER_EPOCH, `Expected broker epoch ${b.epoch}, but got broker epoch ${brokerEpoch}`);
  }
  return null;
}

const isError = (x: BrokerRegistration | ApiError): x is ApiError => 'errorCode' in x;

export function fenceBroker(
  image: MetadataImage,
  brokerId: number,
  brokerEpoch: bigint | undefined,
  uncleanBrokerDefault: boolean,
): ControllerResult<ApiError> {
  const b = checkBroker(image, brokerId, brokerEpoch);
  if (isError(b)) return { records: [], response: b };
  if (b.fenced) return { records: [], response: NONE };
  const records: MetadataRecord[] = leaderAndIsrUpdates(
    image,
    partitionsWhere(image, (p) => p.isr.includes(brokerId)),
    { brokerToRemove: brokerId, brokerToAdd: -1, uncleanBrokerDefault },
  );
  records.push(brokerRegistrationChangeRecord({ brokerId, brokerEpoch: b.epoch, fenced: BrokerFencingChange.FENCE }));
  return { records, response: NONE };
}

export function unfenceBroker(
  image: MetadataImage,
  brokerId: number,
  brokerEpoch: bigint | undefined,
  uncleanBrokerDefault: boolean,
): ControllerResult<ApiError> {
  const b = checkBroker(image, brokerId, brokerEpoch);
  if (isError(b)) return { records: [], response: b };
  if (!b.fenced) return { records: [], response: NONE };
  const unfence = brokerRegistrationChangeRecord({ brokerId, brokerEpoch: b.epoch, fenced: BrokerFencingChange.UNFENCE });
  const elections = leaderAndIsrUpdates(
    image,
    partitionsWhere(image, (p) => !hasLeader(p)),
    { brokerToRemove: -1, brokerToAdd: brokerId, uncleanBrokerDefault },
  );
  return { records: [unfence, ...elections], response: NONE };
}

/**
 * Kafka's handleBrokerInControlledShutdown: BrokerRegistrationChangeRecord(inControlledShutdown)
 * unless already, then elections without the broker in every partition whose ISR has it (it leaves
 * each ISR that keeps another member; its leaderships move to an active in-sync replica, or none).
 */
export function enterControlledShutdown(
  image: MetadataImage,
  brokerId: number,
  brokerEpoch: bigint,
  uncleanBrokerDefault: boolean,
): ControllerResult<ApiError> {
  const b = checkBroker(image, brokerId, brokerEpoch);
  if (isError(b)) return { records: [], response: b };
  const records: MetadataRecord[] = [];
  if (!b.inControlledShutdown) {
    records.push(
      brokerRegistrationChangeRecord({
        brokerId,
        brokerEpoch: b.epoch,
        inControlledShutdown: BrokerControlledShutdownChange.IN_CONTROLLED_SHUTDOWN,
      }),
    );
  }
  const moves = leaderAndIsrUpdates(
    image,
    partitionsWhere(image, (p) => p.isr.includes(brokerId)),
    { brokerToRemove: brokerId, brokerToAdd: -1, uncleanBrokerDefault },
  );
  return { records: [...records, ...moves], response: NONE };
}

export function unregisterBroker(image: MetadataImage, brokerId: number, uncleanBrokerDefault: boolean): ControllerResult<ApiError> {
  const b = checkBroker(image, brokerId, undefined);
  if (isError(b)) return { records: [], response: b };
  const records: MetadataRecord[] = leaderAndIsrUpdates(
    image,
    partitionsWhere(image, (p) => p.isr.includes(brokerId)),
    { brokerToRemove: brokerId, brokerToAdd: -1, uncleanBrokerDefault },
  );
  records.push({ type: 'UnregisterBrokerRecord', data: { brokerId, brokerEpoch: b.epoch } });
  return { records, response: NONE };
}

/** Kafka's ProducerIdsBlock size. */
export const PRODUCER_ID_BLOCK_SIZE = 1000;

export interface ProducerIdsBlockResult extends ApiError {
  firstProducerId: bigint;
  size: number;
}

export function allocateProducerIds(
  image: MetadataImage,
  brokerId: number,
  brokerEpoch: bigint | undefined,
): ControllerResult<ProducerIdsBlockResult> {
  const b = checkBroker(image, brokerId, brokerEpoch);
  if (isError(b)) return { records: [], response: { ...b, firstProducerId: -1n, size: 0 } };
  const first = image.producerIds.isEmpty ? 0n : image.producerIds.nextProducerId;
  const next = first + BigInt(PRODUCER_ID_BLOCK_SIZE);
  return {
    records: [{ type: 'ProducerIdsRecord', data: { brokerId, brokerEpoch: b.epoch, nextProducerId: next } }],
    response: { ...NONE, firstProducerId: first, size: PRODUCER_ID_BLOCK_SIZE },
  };
}
